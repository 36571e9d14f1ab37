// HandlerTaskGroup: fedimint's early TaskGroup (fedimint.md 4.2) — named tasks, on_shutdown
// handlers that shutdown() drains and calls, make_shutdown_rx() built on a handler, and a
// deadline join — with the historical registration race as a named mode.
//
// sim::TaskGroup is the correct engine primitive and never loses a shutdown signal; this model
// exists so a scenario can run service code written against the old API, race and all. The
// correct mode runs a handler registered after shutdown at once (the fix PR #2753 proposed);
// the #2701 mode appends it to a list that was already drained, so it never runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/scheduler.h"
#include "sim/sync.h"
#include "sim/time.h"

namespace actors::variants {

enum class OnShutdownMode : uint8_t {
    run_if_late,   // correct: a handler registered after shutdown() runs immediately.
    lost_if_late,  // fedimint#2701: it is appended after the drain and never runs.
};

class HandlerTaskGroup {
public:
    HandlerTaskGroup(sim::Scheduler& sched, std::string name, OnShutdownMode mode);
    HandlerTaskGroup(const HandlerTaskGroup&) = delete;
    HandlerTaskGroup& operator=(const HandlerTaskGroup&) = delete;

    // Spawns a foreground task named "<group>.<name>"; the join waits for it.
    void spawn(const std::string& name, std::function<void()> body);
    void on_shutdown(std::function<void()> handler);
    // A flag the group sets on shutdown, registered through on_shutdown (as upstream did).
    std::shared_ptr<sim::Flag> make_shutdown_rx();
    // Marks the group shutting down, then drains and calls every registered handler.
    void shutdown();
    bool is_shutting_down() const { return shutting_down_; }
    // Waits (from an actor) until every task returned or `grace` elapsed; returns the names of
    // the tasks still running.
    std::vector<std::string> join_all(sim::SimDuration grace);

private:
    struct Task {
        std::string name;
        sim::Flag done;
        explicit Task(const std::string& n) : name(n), done(n + ".done") {}
    };

    sim::Scheduler& sched_;
    std::string name_;
    OnShutdownMode mode_;
    bool shutting_down_ = false;
    std::vector<std::function<void()>> handlers_;
    std::vector<std::unique_ptr<Task>> tasks_;
};

}  // namespace actors::variants
