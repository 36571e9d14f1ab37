// Flag (a one-shot event) and Signal (notify/wait): the simplest synchronisation between actors.
#pragma once

#include <string>

#include "sim/waitable.h"
#include "sim/wait_queue.h"

namespace sim {

// Starts unset; set() releases every current and future waiter. Never resets.
class Flag : public Waitable {
public:
    explicit Flag(std::string name) : name_(std::move(name)) {}
    void set();
    bool is_set() const { return set_; }
    void wait();
    // True if set before the deadline.
    bool wait_until(SimTime deadline);
    bool wait_for(SimDuration timeout) { return wait_until(Scheduler::current().now() + timeout); }

    bool ready() const override { return set_; }
    void add_waiter(Scheduler& sched) override { waiters_.add_current(sched); }
    const std::string& wait_name() const override { return name_; }

private:
    std::string name_;
    bool set_ = false;
    WaitQueue waiters_;
};

// Edge-triggered: notify wakes actors waiting *now*; a notify with no waiter is not remembered.
class Signal {
public:
    explicit Signal(std::string name) : name_(std::move(name)) {}
    void notify_one();
    void notify_all();
    void wait();
    // True if notified before the deadline.
    bool wait_until(SimTime deadline);
    const std::string& name() const { return name_; }

private:
    std::string name_;
    WaitQueue waiters_;
};

}  // namespace sim
