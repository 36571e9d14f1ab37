// StateLock (see state_lock.h).
#include "actors/gateway/state_lock.h"

#include "sim/assert.h"

namespace actors::gateway {

void StateLock::lock_shared() {
    while (writer_ || writers_waiting_ > 0) {
        changed_.wait();
    }
    ++readers_;
}

void StateLock::unlock_shared() {
    SIM_ASSERT(readers_ > 0);
    SIM_ASSERT(!writer_);
    if (--readers_ == 0) {
        changed_.notify_all();
    }
}

void StateLock::lock() {
    ++writers_waiting_;
    try {
        while (writer_ || readers_ > 0) {
            changed_.wait();
        }
    } catch (...) {
        // A crash kills the waiting task: it no longer holds readers back.
        --writers_waiting_;
        changed_.notify_all();
        throw;
    }
    --writers_waiting_;
    writer_ = true;
}

void StateLock::unlock() {
    SIM_ASSERT(writer_);
    SIM_ASSERT(readers_ == 0);
    writer_ = false;
    changed_.notify_all();
}

}  // namespace actors::gateway
