// Flag, Signal and select().
#include "sim/sync.h"

namespace sim {

int select(std::initializer_list<Waitable*> items, SimTime deadline) {
    Scheduler& s = Scheduler::current();
    for (;;) {
        int index = 0;
        for (Waitable* w : items) {
            if (w->ready()) {
                return index;
            }
            ++index;
        }
        if (s.now() >= deadline) {
            s.note_expired_wait("select");
            return -1;
        }
        for (Waitable* w : items) {
            w->add_waiter(s);
        }
        const std::string* first = items.size() > 0 ? &(*items.begin())->wait_name() : nullptr;
        if (s.block(deadline, "select", first) == WakeReason::killed) {
            return -1;
        }
    }
}

void Flag::set() {
    if (set_) {
        return;
    }
    set_ = true;
    if (!waiters_.empty()) {
        waiters_.notify_all(Scheduler::current());
    }
}

void Flag::wait() { wait_until(SimTime::never()); }

bool Flag::wait_until(SimTime deadline) {
    Scheduler& s = Scheduler::current();
    while (!set_) {
        if (s.now() >= deadline) {
            s.note_expired_wait("flag");
            return false;
        }
        waiters_.add_current(s);
        if (s.block(deadline, "flag", &name_) == WakeReason::killed) {
            return set_;
        }
    }
    return true;
}

void Signal::notify_one() {
    if (!waiters_.empty()) {
        waiters_.notify_one(Scheduler::current());
    }
}

void Signal::notify_all() {
    if (!waiters_.empty()) {
        waiters_.notify_all(Scheduler::current());
    }
}

void Signal::wait() { wait_until(SimTime::never()); }

bool Signal::wait_until(SimTime deadline) {
    Scheduler& s = Scheduler::current();
    if (s.now() >= deadline) {
        s.note_expired_wait("signal");
        return false;
    }
    waiters_.add_current(s);
    return s.block(deadline, "signal", &name_) == WakeReason::notified;
}

}  // namespace sim
