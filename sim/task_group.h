// TaskGroup: structured concurrency for actors, the primitive the modelled systems rely on.
//
// A group owns named tasks and nested subgroups and a CancelToken whose children the subgroups
// hold. shutdown() cancels the token (so the whole subtree) and is idempotent; tasks observe it
// cooperatively through the token they are given. join(grace) joins subgroups first, then its
// own tasks, all against one sim-time deadline, and reports by name every task that did not
// finish. A task spawned into a group that is already shutting down never starts: it is
// recorded as cancelled, so no shutdown signal is ever lost, even when spawn and shutdown fall
// on the same instant.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/cancel_token.h"
#include "sim/scheduler.h"

namespace sim {

struct JoinReport {
    std::vector<std::string> finished;
    std::vector<std::string> unfinished;   // still running at the deadline
    std::vector<std::string> crashed;      // exited by an exception
    std::vector<std::string> not_started;  // spawned after shutdown
    bool clean() const { return unfinished.empty() && crashed.empty(); }
    std::string describe() const;
};

class TaskGroup {
public:
    using Body = std::function<void(const CancelToken&)>;

    TaskGroup(Scheduler& sched, std::string name);
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    // Invalid ActorId when the group is already shutting down (the task never starts).
    ActorId spawn(std::string name, Body body, ActorKind kind = ActorKind::foreground);
    // Created on first use, owned by this group, shut down with it.
    TaskGroup& subgroup(std::string name);

    void shutdown();
    bool is_shutting_down() const { return token_.is_cancelled(); }
    const CancelToken& token() const { return token_; }
    const std::string& name() const { return name_; }

    // Must be called from an actor. Waits until every task of the subtree exits or `grace`
    // elapses; stragglers are traced (task_join_timeout) and listed, and keep running.
    JoinReport join(SimDuration grace);
    JoinReport shutdown_and_join(SimDuration grace);
    // As shutdown_and_join, but an unclean result fails the run (Outcome::unclean_shutdown).
    JoinReport shutdown_and_join_or_fail(SimDuration grace);
    // Kills every task of the subtree that is still alive (their stacks unwind).
    void abort();

private:
    TaskGroup(Scheduler& sched, std::string name, CancelToken token);
    void join_until(SimTime deadline, JoinReport* report);

    struct Task {
        std::string name;
        ActorId actor;
    };
    Scheduler& sched_;
    std::string name_;
    CancelToken token_;
    std::vector<Task> tasks_;
    std::vector<std::unique_ptr<TaskGroup>> subgroups_;
};

}  // namespace sim
