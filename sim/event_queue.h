// EventQueue: the pending events of a run, ordered by (time, key).
//
// The key is assigned by the scheduler when an event is scheduled: normally a counter that only
// increases, which makes events at the same instant run FIFO; with schedule perturbation it is a
// seeded random value with the counter in its low bits, which shuffles same-instant events
// reproducibly. An entry targets either an actor (resume it) or a callback held in a slab slot.
// Cancellation is by tombstone: the slab slot is freed and its entry skipped when popped.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/assert.h"
#include "sim/callback.h"
#include "sim/time.h"

namespace sim {

// Identifies a scheduled callback for cancellation. Default-constructed means "none".
struct EventId {
    uint32_t slot = UINT32_MAX;
    uint64_t key = 0;
    bool valid() const { return slot != UINT32_MAX; }
};

class EventQueue {
public:
    struct Entry {
        SimTime at;
        uint64_t key;
        // Low bit 1: resume actor (target >> 1); low bit 0: callback in slot (target >> 1).
        uint64_t target;

        bool is_actor() const { return (target & 1) != 0; }
        uint32_t index() const { return static_cast<uint32_t>(target >> 1); }
    };

    EventId push_callback(SimTime at, uint64_t key, Callback fn);
    void push_actor(SimTime at, uint64_t key, uint32_t actor_index);
    // Returns true if the event was pending and is now cancelled.
    bool cancel(EventId id);

    bool empty() const { return heap_.empty(); }
    size_t size() const { return heap_.size(); }
    const Entry& top() const {
        SIM_ASSERT(!heap_.empty());
        return heap_.front();
    }
    Entry pop();
    // For a popped callback entry: moves the callback out and frees the slot. Returns an empty
    // callback when the event was cancelled.
    Callback take_callback(const Entry& entry);

private:
    struct Slot {
        Callback fn;
        uint64_t key = 0;
        uint32_t next_free = UINT32_MAX;
        bool live = false;
    };

    static bool later(const Entry& a, const Entry& b) {
        return a.at != b.at ? a.at > b.at : a.key > b.key;
    }
    void push_entry(const Entry& e);
    uint32_t alloc_slot();
    void free_slot(uint32_t slot);

    std::vector<Entry> heap_;
    std::vector<Slot> slots_;
    uint32_t free_head_ = UINT32_MAX;
};

}  // namespace sim
