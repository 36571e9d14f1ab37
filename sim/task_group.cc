// Task spawning, shutdown propagation, deadline joins and abort for TaskGroup.
#include "sim/task_group.h"

namespace sim {

std::string JoinReport::describe() const {
    std::string out;
    auto list = [&out](const char* label, const std::vector<std::string>& names) {
        if (names.empty()) {
            return;
        }
        out += out.empty() ? "" : "; ";
        out += label;
        for (size_t i = 0; i < names.size(); ++i) {
            out += (i == 0 ? " " : ", ") + names[i];
        }
    };
    list("unfinished:", unfinished);
    list("crashed:", crashed);
    list("not started:", not_started);
    return out.empty() ? "all tasks finished" : out;
}

TaskGroup::TaskGroup(Scheduler& sched, std::string name)
    : TaskGroup(sched, name, CancelToken(name)) {}

TaskGroup::TaskGroup(Scheduler& sched, std::string name, CancelToken token)
    : sched_(sched), name_(std::move(name)), token_(std::move(token)) {}

ActorId TaskGroup::spawn(std::string name, Body body, ActorKind kind) {
    std::string full = name_ + "/" + name;
    if (token_.is_cancelled()) {
        sched_.trace("task_not_started", TraceLevel::warn).field("task", full);
        tasks_.push_back(Task{std::move(full), ActorId()});
        return ActorId();
    }
    Actor* parent = sched_.current_actor();
    CancelToken token = token_;
    ActorId id = sched_.spawn(
        full, [token, body = std::move(body)] { body(token); },
        SpawnOptions{.kind = kind, .node = parent != nullptr ? parent->node() : NodeId()});
    tasks_.push_back(Task{std::move(full), id});
    return id;
}

TaskGroup& TaskGroup::subgroup(std::string name) {
    std::string full = name_ + "/" + name;
    for (auto& g : subgroups_) {
        if (g->name_ == full) {
            return *g;
        }
    }
    subgroups_.push_back(
        std::unique_ptr<TaskGroup>(new TaskGroup(sched_, full, token_.child(full))));
    return *subgroups_.back();
}

void TaskGroup::shutdown() {
    if (!token_.is_cancelled()) {
        sched_.trace("taskgroup_shutdown").field("group", name_);
    }
    token_.cancel();
}

JoinReport TaskGroup::join(SimDuration grace) {
    JoinReport report;
    join_until(sched_.now() + grace, &report);
    return report;
}

void TaskGroup::join_until(SimTime deadline, JoinReport* report) {
    for (auto& g : subgroups_) {
        g->join_until(deadline, report);
    }
    for (const Task& t : tasks_) {
        if (!t.actor.valid()) {
            report->not_started.push_back(t.name);
            continue;
        }
        if (!sched_.join(t.actor, deadline)) {
            sched_.trace("task_join_timeout", TraceLevel::warn).field("task", t.name);
            report->unfinished.push_back(t.name);
            continue;
        }
        bool crashed = sched_.actor(t.actor).state() == ActorState::crashed;
        (crashed ? report->crashed : report->finished).push_back(t.name);
    }
}

JoinReport TaskGroup::shutdown_and_join(SimDuration grace) {
    shutdown();
    return join(grace);
}

JoinReport TaskGroup::shutdown_and_join_or_fail(SimDuration grace) {
    JoinReport report = shutdown_and_join(grace);
    if (!report.unfinished.empty()) {
        sched_.fail(Outcome::unclean_shutdown, "task group '" + name_ + "' did not stop within " +
                                                   to_string(grace) + ": " + report.describe());
    }
    return report;
}

void TaskGroup::abort() {
    for (auto& g : subgroups_) {
        g->abort();
    }
    for (const Task& t : tasks_) {
        if (t.actor.valid() && sched_.actor(t.actor).alive() &&
            sched_.current_actor() != &sched_.actor(t.actor)) {
            sched_.kill(t.actor);
        }
    }
}

}  // namespace sim
