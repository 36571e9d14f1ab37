// fork/pipe/poll plumbing of the sweep's worker processes.
#include "tools/worker_pool.h"

#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace tools {

namespace {

volatile std::sig_atomic_t g_sigint = 0;  // set by the handler run() installs on request

extern "C" void note_sigint(int /*sig*/) { g_sigint = 1; }

}  // namespace

std::string describe_wait_status(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char* abbrev = sigabbrev_np(sig);
        return "signal " + std::to_string(sig) + " (SIG" + (abbrev ? abbrev : "?") + ")";
    }
    if (WIFEXITED(status)) {
        return "exit code " + std::to_string(WEXITSTATUS(status));
    }
    return "status " + std::to_string(status);
}

std::string crash_detail(const std::string& stderr_text) {
    constexpr size_t k_cap = 400;
    std::string out;
    size_t begin = 0;
    while (begin < stderr_text.size() && out.size() < k_cap) {
        size_t end = stderr_text.find('\n', begin);
        std::string line = stderr_text.substr(begin, end == std::string::npos ? end : end - begin);
        begin = end == std::string::npos ? stderr_text.size() : end + 1;
        bool telling = line.rfind("fedsim: ", 0) == 0 || line.find("Sanitizer") != line.npos ||
                       line.find("runtime error:") != line.npos ||
                       line.find("Assertion") != line.npos ||
                       line.rfind("terminate called", 0) == 0;
        if (telling) {
            out += (out.empty() ? "" : "; ") + line;
        }
    }
    return out.size() > k_cap ? out.substr(0, k_cap) + "..." : out;
}

void WorkerPool::worker_main(int in_fd, int out_fd) {
    std::FILE* in = fdopen(in_fd, "r");
    std::FILE* out = fdopen(out_fd, "w");
    char line[64];
    while (in != nullptr && out != nullptr && std::fgets(line, sizeof line, in) != nullptr) {
        uint64_t seed = std::strtoull(line, nullptr, 10);
        std::string result = job_(seed);
        std::fprintf(out, "%s\n", result.c_str());
        std::fflush(out);
    }
    std::fflush(stdout);
    // _exit: the worker must not run the sweep's atexit handlers or static destructors.
    _exit(0);
}

bool WorkerPool::spawn(Worker* w) {
    int down[2];
    int up[2];
    if (pipe(down) != 0) {
        return false;
    }
    if (pipe(up) != 0) {
        close(down[0]);
        close(down[1]);
        return false;
    }
    // The worker's stderr: a file, not a pipe, so a worker never blocks on a full pipe and
    // its last words survive its death. Unlinked at once: it vanishes with its descriptors.
    char err_path[] = "/tmp/fedsim-worker-XXXXXX";
    int err_fd = mkstemp(err_path);
    if (err_fd >= 0) {
        unlink(err_path);
    }
    // Buffered output would otherwise be written twice, once by each process.
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        for (const Worker& other : workers_) {
            // Another worker's pipe ends held open here would hide that worker's exit (EOF).
            if (other.to_child >= 0) {
                close(other.to_child);
            }
            if (other.from_child >= 0) {
                close(other.from_child);
            }
            if (other.err_fd >= 0) {
                close(other.err_fd);
            }
        }
        close(down[1]);
        close(up[0]);
        if (stop_on_sigint_) {
            std::signal(SIGINT, SIG_IGN);  // Ctrl-C is the sweep's to handle
        }
        if (err_fd >= 0) {
            dup2(err_fd, STDERR_FILENO);
            close(err_fd);
        }
        worker_main(down[0], up[1]);
    }
    close(down[0]);
    close(up[1]);
    if (pid < 0) {
        close(down[1]);
        close(up[0]);
        if (err_fd >= 0) {
            close(err_fd);
        }
        return false;
    }
    *w = Worker{.pid = pid, .to_child = down[1], .from_child = up[0], .err_fd = err_fd};
    return true;
}

bool WorkerPool::assign(Worker* w, uint64_t seed) {
    std::string line = std::to_string(seed) + "\n";
    w->busy = true;
    w->seed = seed;
    w->started = WallTimer();
    // A failed write means the worker died; drain() will see the EOF and report the seed.
    return write(w->to_child, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

std::string WorkerPool::take_stderr(Worker* w) {
    struct stat st {};
    if (w->err_fd < 0 || fstat(w->err_fd, &st) != 0 || st.st_size <= w->err_seen) {
        return "";
    }
    std::string text(static_cast<size_t>(st.st_size - w->err_seen), '\0');
    ssize_t n = pread(w->err_fd, text.data(), text.size(), w->err_seen);
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    w->err_seen += static_cast<off_t>(text.size());
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
    return text;
}

std::string WorkerPool::reap(Worker* w) {
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string detail = crash_detail(take_stderr(w));
    close(w->to_child);
    close(w->from_child);
    if (w->err_fd >= 0) {
        close(w->err_fd);
    }
    w->to_child = w->from_child = w->err_fd = -1;
    w->pid = -1;
    return describe_wait_status(status) + (detail.empty() ? "" : ": " + detail);
}

void WorkerPool::enforce_wall_limit(const OnDone& on_done, bool* stop) {
    if (wall_limit_s_ <= 0) {
        return;
    }
    for (Worker& w : workers_) {
        if (w.pid < 0 || !w.busy || w.started.seconds() <= wall_limit_s_) {
            continue;
        }
        kill(w.pid, SIGKILL);  // our own child, stuck on one seed
        reap(&w);
        w.busy = false;
        char limit[32];
        std::snprintf(limit, sizeof limit, "%g", wall_limit_s_);
        if (!*stop) {
            *stop = !on_done(w.seed, "",
                             std::string("the seed ran past the wall-clock limit of ") + limit +
                                 "s (--wall-limit); its worker was killed");
        }
    }
}

int WorkerPool::poll_timeout_ms() const {
    if (wall_limit_s_ <= 0) {
        return -1;
    }
    double soonest = wall_limit_s_;
    for (const Worker& w : workers_) {
        if (w.pid >= 0 && w.busy) {
            soonest = std::min(soonest, wall_limit_s_ - w.started.seconds());
        }
    }
    return static_cast<int>(std::max(0.0, soonest) * 1000) + 1;
}

bool WorkerPool::drain(Worker* w, const OnDone& on_done, bool* stop) {
    char buf[4096];
    ssize_t n = read(w->from_child, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
        return true;
    }
    if (n <= 0) {
        std::string how = reap(w);
        if (w->busy && !*stop) {
            w->busy = false;
            *stop = !on_done(w->seed, "", "the worker process died: " + how);
        }
        return false;
    }
    w->buffer.append(buf, static_cast<size_t>(n));
    for (size_t nl = w->buffer.find('\n'); nl != std::string::npos; nl = w->buffer.find('\n')) {
        std::string line = w->buffer.substr(0, nl);
        w->buffer.erase(0, nl + 1);
        w->busy = false;
        take_stderr(w);
        if (!*stop) {
            *stop = !on_done(w->seed, line, "");
        }
    }
    return true;
}

void WorkerPool::stop_all() {
    for (Worker& w : workers_) {
        if (w.pid < 0) {
            continue;
        }
        close(w.to_child);  // an idle worker exits at EOF
        w.to_child = -1;
        if (w.busy) {
            kill(w.pid, SIGKILL);  // our own child, abandoned mid-seed
        }
        int status = 0;
        waitpid(w.pid, &status, 0);
        take_stderr(&w);
        close(w.from_child);
        if (w.err_fd >= 0) {
            close(w.err_fd);
        }
        w.pid = -1;
    }
}

void WorkerPool::run(const std::vector<uint64_t>& seeds, const OnDone& on_done) {
    // Writing to a worker that just died must not kill the sweep.
    std::signal(SIGPIPE, SIG_IGN);
    size_t next = 0;
    bool stop = false;
    interrupted_ = false;
    struct sigaction previous {};
    if (stop_on_sigint_) {
        g_sigint = 0;
        struct sigaction on_int {};
        on_int.sa_handler = note_sigint;  // no SA_RESTART: poll() returns EINTR at once
        sigemptyset(&on_int.sa_mask);
        sigaction(SIGINT, &on_int, &previous);
    }
    workers_.assign(static_cast<size_t>(jobs_), Worker{});
    for (;;) {
        for (Worker& w : workers_) {
            if (!stop && w.pid < 0 && next < seeds.size() && !spawn(&w)) {
                std::perror("fedsim: cannot start a worker process");
                stop = true;
            }
            if (!stop && w.pid >= 0 && !w.busy && next < seeds.size()) {
                assign(&w, seeds[next++]);
            }
        }
        std::vector<pollfd> fds;
        std::vector<Worker*> owners;
        for (Worker& w : workers_) {
            if (w.pid >= 0 && w.busy) {
                fds.push_back({w.from_child, POLLIN, 0});
                owners.push_back(&w);
            }
        }
        if (stop || fds.empty()) {
            break;
        }
        if (poll(fds.data(), fds.size(), poll_timeout_ms()) < 0 && errno != EINTR) {
            break;
        }
        for (size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents != 0) {
                drain(owners[i], on_done, &stop);
            }
        }
        enforce_wall_limit(on_done, &stop);
        if (stop_on_sigint_ && g_sigint != 0) {
            interrupted_ = stop = true;
        }
    }
    stop_all();
    if (stop_on_sigint_) {
        sigaction(SIGINT, &previous, nullptr);
    }
}

}  // namespace tools
