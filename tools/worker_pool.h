// WorkerPool: runs seeds in forked worker processes and reports each result as it arrives.
//
// Each worker is a fork of the sweep (it inherits the parsed scenario), reads seeds one per
// line from a pipe, runs them and writes one result line back per seed. A worker that dies
// mid-seed (a signal, an abort, a non-zero exit) is reported for that seed — with the signal —
// and replaced, so one crashing seed never hides the results of the others. Separate processes
// also keep one run's static state from leaking into the next worker's runs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tools {

class WorkerPool {
public:
    // Runs in the worker process: one seed in, one result line (no newline) out.
    using Job = std::function<std::string(uint64_t seed)>;
    // Runs in the sweep process for each finished seed: the worker's line, or an empty line and
    // a description of how the worker died. Return false to stop the sweep early.
    using OnDone = std::function<bool(uint64_t seed, const std::string& line,
                                      const std::string& crash)>;

    WorkerPool(int jobs, Job job) : jobs_(jobs < 1 ? 1 : jobs), job_(std::move(job)) {}
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Returns when every seed is done or on_done asked to stop (in-flight seeds are abandoned).
    void run(const std::vector<uint64_t>& seeds, const OnDone& on_done);

private:
    struct Worker {
        pid_t pid = -1;
        int to_child = -1;
        int from_child = -1;
        bool busy = false;
        uint64_t seed = 0;
        std::string buffer;
    };

    bool spawn(Worker* w);
    [[noreturn]] void worker_main(int in_fd, int out_fd);
    bool assign(Worker* w, uint64_t seed);
    // Reads what is available; returns false at EOF (the worker has gone).
    bool drain(Worker* w, const OnDone& on_done, bool* stop);
    std::string reap(Worker* w);
    void stop_all();

    int jobs_;
    Job job_;
    std::vector<Worker> workers_;
};

// "signal 11 (SIGSEGV)" or "exit code 3".
std::string describe_wait_status(int status);

}  // namespace tools
