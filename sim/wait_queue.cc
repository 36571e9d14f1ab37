// FIFO wake-up of blocked actors, skipping those that already stopped waiting.
#include "sim/wait_queue.h"

#include "sim/scheduler.h"

namespace sim {

void WaitQueue::add_current(Scheduler& sched) {
    Actor* a = sched.current_actor();
    if (a == nullptr) {
        return;  // block() will report the misuse
    }
    waiters_.push_back(Waiter{a->id(), sched.current_wait_epoch()});
}

bool WaitQueue::notify_one(Scheduler& sched) {
    while (!waiters_.empty()) {
        Waiter w = waiters_.front();
        waiters_.pop_front();
        if (sched.wake(w.actor, w.epoch)) {
            return true;
        }
    }
    return false;
}

size_t WaitQueue::notify_all(Scheduler& sched) {
    size_t woken = 0;
    std::deque<Waiter> waiters;
    waiters.swap(waiters_);
    for (const Waiter& w : waiters) {
        woken += sched.wake(w.actor, w.epoch) ? 1 : 0;
    }
    return woken;
}

}  // namespace sim
