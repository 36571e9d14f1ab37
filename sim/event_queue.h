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
        // Low bit 1: resume the actor at address (target & ~1), a payload only, never compared;
        // low bit 0: callback in slot (target >> 1). Carrying the actor's address saves a
        // dependent load through the scheduler's actor table on every wake-up.
        uint64_t target;
        // For an actor: where its stack will first be read when it resumes (a prefetch hint,
        // never dereferenced; null for callbacks). Popping an entry issues the fetch of that
        // line at once, so it overlaps the fetch of the actor's own state instead of waiting
        // for it: the two are the cache misses of a wake-up when actors outnumber the cache.
        const void* resume_hint;

        bool is_actor() const { return (target & 1) != 0; }
        void* actor() const { return reinterpret_cast<void*>(target & ~uint64_t{1}); }
        uint32_t index() const { return static_cast<uint32_t>(target >> 1); }
    };

    // `now` is the scheduler's current time: an event for `now` whose key is larger than every
    // key already queued for `now` goes to a FIFO ready list instead of the heap (the common
    // "wake this actor now" case). Heap entries at `now` were all scheduled earlier, so they
    // carry smaller keys and pop() serves them first: the (time, key) order is unchanged.
    EventId push_callback(SimTime at, uint64_t key, Callback fn, SimTime now);
    // `actor` must be at least 2-byte aligned.
    void push_actor(SimTime at, uint64_t key, void* actor, const void* resume_hint, SimTime now) {
        auto address = reinterpret_cast<uint64_t>(actor);
        SIM_ASSERT((address & 1) == 0);
        push_entry(Entry{at, key, address | 1, resume_hint}, now);
    }
    // Returns true if the event was pending and is now cancelled.
    bool cancel(EventId id);

    bool empty() const { return heap_size() == 0 && ready_count_ == 0; }
    size_t size() const { return heap_size() + ready_count_; }
    // The earliest entry. An entry from the heap is removed lazily (see top_taken_), so the
    // returned copy stays valid however the queue changes afterwards.
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

    // True when a runs before b. Times are never negative, so (time, key) compares as one
    // unsigned 128-bit number: a branch-free cmp/sbb pair in the heap's inner loop, where the
    // two-step comparison cost about twice the instructions (callgrind, W2).
    __extension__ using Order = unsigned __int128;
    static Order order(const Entry& e) {
        return (static_cast<Order>(static_cast<uint64_t>(e.at.ns())) << 64) | e.key;
    }
    static bool earlier(const Entry& a, const Entry& b) { return order(a) < order(b); }
    // The heap algorithms want "a after b" (a max-heap comparator gives a min-heap); a function
    // object, not a function pointer, so they inline it.
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const { return earlier(b, a); }
    };
    void push_entry(const Entry& e, SimTime now);
    size_t heap_size() const { return heap_.size() - (top_taken_ ? 1 : 0); }
    void remove_taken_top();
    void replace_top(const Entry& e);
    uint32_t alloc_slot();
    void free_slot(uint32_t slot);

    // A binary min-heap (std heap algorithms). A 4-ary heap was measured: more instructions
    // per pop at 1,000 entries, no gain at 10,000.
    std::vector<Entry> heap_;
    // heap_[0] has been handed out by pop() and is logically gone. Removal waits for the next
    // push, which then takes its place with one sift-down, instead of a pop's sift-down plus a
    // push's sift-up (the common "actor wakes, then sleeps again" step). The root cannot move
    // meanwhile: it has the smallest (time, key) of the heap, and nothing is pushed earlier.
    // The next pop() removes it first if no push came. Keys are unique, so the order in which
    // entries come out is the (time, key) order either way.
    bool top_taken_ = false;
    const Entry& ready_front() const { return ready_[ready_head_]; }
    const Entry& ready_back() const {
        return ready_[(ready_head_ + ready_count_ - 1) & (ready_.size() - 1)];
    }
    void ready_push(const Entry& e);
    void ready_grow();

    // Entries for the current instant, in key order: a ring buffer (power-of-two size) from
    // ready_head_. A plain vector consumed from the front grew without bound whenever the list
    // never drained (W3: 2 M entries, a page fault every 170 pushes and a reallocation per
    // doubling, about 20 % of the run).
    std::vector<Entry> ready_;
    size_t ready_head_ = 0;
    size_t ready_count_ = 0;
    std::vector<Slot> slots_;
    uint32_t free_head_ = UINT32_MAX;
};

}  // namespace sim
