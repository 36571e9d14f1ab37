// Binary min-heap on (time, key), a ready list for the current instant, and a slab of callbacks.
#include "sim/event_queue.h"

#include <algorithm>


namespace sim {

void EventQueue::push_entry(const Entry& e, SimTime now) {
    bool in_order = ready_count_ == 0 || ready_back().key < e.key;
    if (e.at == now && in_order) {
        ready_push(e);
        return;
    }
    if (top_taken_) {
        top_taken_ = false;
        replace_top(e);
        return;
    }
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void EventQueue::ready_push(const Entry& e) {
    if (ready_count_ == ready_.size()) {
        ready_grow();
    }
    ready_[(ready_head_ + ready_count_) & (ready_.size() - 1)] = e;
    ++ready_count_;
}

// Doubles the ring, unrolling it so the oldest entry is at index 0.
void EventQueue::ready_grow() {
    std::vector<Entry> bigger(ready_.empty() ? 64 : 2 * ready_.size());
    for (size_t i = 0; i < ready_count_; ++i) {
        bigger[i] = ready_[(ready_head_ + i) & (ready_.size() - 1)];
    }
    ready_.swap(bigger);
    ready_head_ = 0;
}

EventId EventQueue::push_callback(SimTime at, uint64_t key, Callback fn, SimTime now) {
    SIM_ASSERT(static_cast<bool>(fn));
    uint32_t slot = alloc_slot();
    Slot& s = slots_[slot];
    s.fn = std::move(fn);
    s.key = key;
    s.live = true;
    push_entry(Entry{at, key, static_cast<uint64_t>(slot) << 1, nullptr}, now);
    return EventId{slot, key};
}

bool EventQueue::cancel(EventId id) {
    if (!id.valid() || id.slot >= slots_.size()) {
        return false;
    }
    Slot& s = slots_[id.slot];
    if (!s.live || s.key != id.key) {
        return false;
    }
    // The heap entry stays until popped; a dead slot with a matching key marks it cancelled.
    s.live = false;
    s.fn.reset();
    return true;
}

EventQueue::Entry EventQueue::pop() {
    SIM_ASSERT(!empty());
    if (top_taken_) {
        remove_taken_top();
    }
    if (ready_count_ != 0) {
        const Entry& r = ready_front();
        // A heap entry at the same instant with a smaller key goes first.
        if (heap_.empty() || earlier(r, heap_.front())) {
            Entry e = r;
            ready_head_ = (ready_head_ + 1) & (ready_.size() - 1);
            --ready_count_;
            return e;
        }
    }
    top_taken_ = true;
    return heap_.front();
}

void EventQueue::remove_taken_top() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
    top_taken_ = false;
}

// Puts `e` where the root was: the hole left by the root moves down along the earlier child to
// a leaf, then `e` moves up from there (Floyd's order, as std::pop_heap does: a new wake-up is
// usually later than most queued events, so it belongs near the bottom).
void EventQueue::replace_top(const Entry& e) {
    size_t n = heap_.size();
    size_t hole = 0;
    size_t child = 1;
    while (child + 1 < n) {
        if (earlier(heap_[child + 1], heap_[child])) {
            ++child;
        }
        heap_[hole] = heap_[child];
        hole = child;
        child = 2 * hole + 1;
    }
    if (child < n) {  // a last node with a single child
        heap_[hole] = heap_[child];
        hole = child;
    }
    while (hole > 0) {
        size_t parent = (hole - 1) / 2;
        if (!earlier(e, heap_[parent])) {
            break;
        }
        heap_[hole] = heap_[parent];
        hole = parent;
    }
    heap_[hole] = e;
}

Callback EventQueue::take_callback(const Entry& entry) {
    SIM_ASSERT(!entry.is_actor());
    uint32_t slot = entry.index();
    SIM_ASSERT(slot < slots_.size());
    Slot& s = slots_[slot];
    SIM_ASSERT(s.key == entry.key);
    Callback fn;
    if (s.live) {
        fn = std::move(s.fn);
    }
    free_slot(slot);
    return fn;
}

uint32_t EventQueue::alloc_slot() {
    if (free_head_ != UINT32_MAX) {
        uint32_t slot = free_head_;
        free_head_ = slots_[slot].next_free;
        return slot;
    }
    slots_.emplace_back();
    return static_cast<uint32_t>(slots_.size() - 1);
}

void EventQueue::free_slot(uint32_t slot) {
    Slot& s = slots_[slot];
    s.live = false;
    s.fn.reset();
    s.key = 0;
    s.next_free = free_head_;
    free_head_ = slot;
}

}  // namespace sim
