// Waitable: anything an actor can wait on inside select() — channels, flags, cancel tokens.
//
// select() blocks the current actor on several waitables and a deadline at once and returns
// the lowest-index one that is ready, so the result never depends on wake-up order alone.
#pragma once

#include <initializer_list>
#include <string>

#include "sim/scheduler.h"
#include "sim/time.h"

namespace sim {

class Waitable {
public:
    virtual ~Waitable() = default;
    // True when waiting on this would return at once (data to receive, flag set, ...).
    virtual bool ready() const = 0;
    // Registers the current actor to be woken when this becomes ready.
    virtual void add_waiter(Scheduler& sched) = 0;
    virtual const std::string& wait_name() const = 0;
};

// Index of the first ready waitable, or -1 once `deadline` has passed with none ready.
// Deterministic at equal instants: if a waitable becomes ready in the same instant the deadline
// falls, whichever event comes first in (time, seq) order decides, and readiness is checked
// again after every wake-up, so a value that arrived wins over the timeout.
int select(std::initializer_list<Waitable*> items, SimTime deadline = SimTime::never());
inline int select_for(std::initializer_list<Waitable*> items, SimDuration timeout) {
    return select(items, Scheduler::current().now() + timeout);
}

}  // namespace sim
