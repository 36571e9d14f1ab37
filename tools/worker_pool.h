// WorkerPool: runs seeds in forked worker processes and reports each result as it arrives.
//
// Each worker is a fork of the sweep (it inherits the parsed scenario), reads seeds one per
// line from a pipe, runs them and writes one result line back per seed. A worker that dies
// mid-seed (a signal, an abort, a non-zero exit) is reported for that seed — with the signal —
// and replaced, so one crashing seed never hides the results of the others. Separate processes
// also keep one run's static state from leaking into the next worker's runs.
//
// A worker's stderr goes to a private file the sweep reads back: after each seed it is passed
// on to the sweep's stderr, and when the worker dies its last words (an assertion, the guard
// page's "stack overflow in actor 'x'") become part of that seed's crash report. A seed that
// runs past the wall-clock limit (an actor spinning without yielding never reaches the run
// loop's own budget check) has its worker killed and is reported as such.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/wall_clock.h"

namespace tools {

class WorkerPool {
public:
    // Runs in the worker process: one seed in, one result line (no newline) out.
    using Job = std::function<std::string(uint64_t seed)>;
    // Runs in the sweep process for each finished seed: the worker's line, or an empty line and
    // a description of how the worker died. Return false to stop the sweep early.
    using OnDone = std::function<bool(uint64_t seed, const std::string& line,
                                      const std::string& crash)>;

    // wall_limit_s: seconds one seed may take before its worker is killed (0: no limit).
    WorkerPool(int jobs, Job job, double wall_limit_s = 0)
        : jobs_(jobs < 1 ? 1 : jobs), job_(std::move(job)), wall_limit_s_(wall_limit_s) {}
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Returns when every seed is done or on_done asked to stop (in-flight seeds are abandoned).
    void run(const std::vector<uint64_t>& seeds, const OnDone& on_done);

    // Opt-in, for an interactive sweep: during run(), SIGINT (Ctrl-C) stops the pool like an
    // on_done that returns false, instead of killing the sweep before it can say how to resume;
    // workers ignore it (they are killed with their seed abandoned). Off for the catalogue,
    // whose proofs must not end early looking complete.
    void stop_on_sigint() { stop_on_sigint_ = true; }
    // Whether the last run() was stopped by SIGINT.
    bool interrupted() const { return interrupted_; }

private:
    struct Worker {
        pid_t pid = -1;
        int to_child = -1;
        int from_child = -1;
        bool busy = false;
        uint64_t seed = 0;
        std::string buffer;
        int err_fd = -1;       // the worker's stderr file (unlinked; read with pread)
        off_t err_seen = 0;    // how much of it has been passed on
        WallTimer started;     // when the current seed was assigned
    };

    bool spawn(Worker* w);
    [[noreturn]] void worker_main(int in_fd, int out_fd);
    bool assign(Worker* w, uint64_t seed);
    // Reads what is available; returns false at EOF (the worker has gone).
    bool drain(Worker* w, const OnDone& on_done, bool* stop);
    std::string reap(Worker* w);
    // The worker's stderr since the last call: passed on to ours, and returned.
    std::string take_stderr(Worker* w);
    // Kills workers whose seed has run past the wall limit; reports those seeds.
    void enforce_wall_limit(const OnDone& on_done, bool* stop);
    // Milliseconds poll() may wait before the next wall-limit check (-1: forever).
    int poll_timeout_ms() const;
    void stop_all();

    int jobs_;
    Job job_;
    double wall_limit_s_ = 0;
    std::vector<Worker> workers_;
    bool stop_on_sigint_ = false;
    bool interrupted_ = false;
};

// "signal 11 (SIGSEGV)" or "exit code 3".
std::string describe_wait_status(int status);

// The lines of a dead worker's stderr that say why it died (fedsim's own "fedsim: ..." reports,
// sanitizer summaries), joined with "; " and capped in length; empty if there are none.
std::string crash_detail(const std::string& stderr_text);

}  // namespace tools
