// HandlerTaskGroup: spawn, handler registration and draining, and the deadline join.
#include "actors/variants/handler_task_group.h"

#include <utility>

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::variants {

HandlerTaskGroup::HandlerTaskGroup(sim::Scheduler& sched, std::string name, OnShutdownMode mode)
    : sched_(sched), name_(std::move(name)), mode_(mode) {}

void HandlerTaskGroup::spawn(const std::string& name, std::function<void()> body) {
    tasks_.push_back(std::make_unique<Task>(name_ + "." + name));
    Task* task = tasks_.back().get();
    sched_.spawn(task->name, [task, body = std::move(body)] {
        body();
        task->done.set();
    });
}

void HandlerTaskGroup::on_shutdown(std::function<void()> handler) {
    SIM_ASSERT(handler != nullptr);
    if (shutting_down_ && mode_ == OnShutdownMode::run_if_late) {
        // The shutdown already happened: nobody will drain the list again.
        handler();
        return;
    }
    handlers_.push_back(std::move(handler));
}

std::shared_ptr<sim::Flag> HandlerTaskGroup::make_shutdown_rx() {
    auto rx = std::make_shared<sim::Flag>(name_ + ".shutdown_rx");
    on_shutdown([rx] { rx->set(); });
    return rx;
}

void HandlerTaskGroup::shutdown() {
    shutting_down_ = true;
    sched_.trace("task_group_shutdown").field("group", name_).field(
        "handlers", static_cast<int64_t>(handlers_.size()));
    std::vector<std::function<void()>> drained = std::move(handlers_);
    handlers_.clear();
    for (std::function<void()>& handler : drained) {
        handler();
    }
}

std::vector<std::string> HandlerTaskGroup::join_all(sim::SimDuration grace) {
    const sim::SimTime deadline = sim::this_actor::now() + grace;
    std::vector<std::string> unfinished;
    for (const std::unique_ptr<Task>& task : tasks_) {
        if (!task->done.wait_until(deadline)) {
            unfinished.push_back(task->name);
        }
    }
    return unfinished;
}

}  // namespace actors::variants
