// FIFO wake-up of blocked actors, skipping those that already stopped waiting.
#include "sim/wait_queue.h"

#include "sim/scheduler.h"

namespace sim {

void WaitQueue::add_current(Scheduler& sched) {
    Actor* a = sched.current_actor();
    if (a == nullptr) {
        return;  // block() will report the misuse
    }
    if (head_ == waiters_.size()) {
        waiters_.clear();
        head_ = 0;
    } else if (head_ > 32 && head_ * 2 > waiters_.size()) {
        waiters_.erase(waiters_.begin(), waiters_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    waiters_.push_back(Waiter{a->id(), sched.current_wait_epoch()});
}

bool WaitQueue::notify_one(Scheduler& sched) {
    while (head_ < waiters_.size()) {
        Waiter w = waiters_[head_++];
        if (sched.wake(w.actor, w.epoch)) {
            return true;
        }
    }
    return false;
}

std::size_t WaitQueue::notify_all(Scheduler& sched) {
    std::size_t woken = 0;
    std::vector<Waiter> waiters;
    waiters.swap(waiters_);
    std::size_t head = head_;
    head_ = 0;
    for (std::size_t i = head; i < waiters.size(); ++i) {
        woken += sched.wake(waiters[i].actor, waiters[i].epoch) ? 1 : 0;
    }
    return woken;
}

}  // namespace sim
