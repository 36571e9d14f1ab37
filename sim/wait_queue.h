// WaitQueue: the actors blocked on one synchronisation object, in arrival order.
//
// Entries remember the actor's wait epoch, so an actor that stopped waiting (timeout, woken by
// another object in a select) is skipped rather than woken twice. Wake order is FIFO by
// arrival, never by address.
#pragma once

#include <cstdint>
#include <cstddef>
#include <vector>

#include "sim/ids.h"

namespace sim {

class Scheduler;

class WaitQueue {
public:
    // Registers the current actor of `sched` as a waiter for its next block().
    void add_current(Scheduler& sched);
    // Wakes the oldest still-waiting actor. Returns false if there was none.
    bool notify_one(Scheduler& sched);
    // Wakes every still-waiting actor; returns how many.
    std::size_t notify_all(Scheduler& sched);
    bool empty() const { return head_ == waiters_.size(); }

private:
    struct Waiter {
        ActorId actor;
        uint32_t epoch;
    };
    // A vector consumed from head_: no allocation until the first waiter (a std::deque would
    // allocate on construction, and every actor and channel holds one of these).
    std::vector<Waiter> waiters_;
    std::size_t head_ = 0;
};

}  // namespace sim
