// RouteQueue: the route search's priority queue of labels (see router.cc). It pops keys in
// exactly the order one binary heap holding every key would, and is cheaper because most keys a
// search pushes are never popped.
//
// A payee-to-payer search stops soon after the payer's neighbours settle, at about the
// cheapest tenth of the labels it has pushed (counted at 10,000 nodes: ~6,400 pushes, ~950 of
// them at or below the amount where the search stopped). So only the cheap end of the queue
// needs ordering. Keys are kept in three tiers by amount:
//   - a binary heap: every key whose amount lies below the buckets still waiting;
//   - k_buckets unordered buckets of width 2^shift, from `base` up: appended to in O(1), and
//     moved into the (empty) heap one bucket at a time, dropping superseded keys (a search
//     stops after about a tenth of its buckets, so most keys are appended and never moved);
//   - `rest`, unordered, for amounts above the last bucket: when the buckets run out, the rest
//     is spread over fresh buckets from its cheapest amount.
// Every key in the heap has a smaller amount than every key outside it, so while the heap is not
// empty its top is the least key anywhere.
//
// Deletion is lazy, as with one heap: a key that is no longer its node's label stays queued and
// the caller skips it when it pops (a label only ever improves, so a superseded key never becomes
// current again; the queue drops such keys when it moves a bucket, which the caller would have
// skipped anyway). Pushed amounts must be at least the last popped amount (Dijkstra's order:
// every edge adds a fee >= 0).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "sim/assert.h"

namespace actors::lightning {

// A label's place in the search order: (amount, cltv, hops, node), lexicographic. cltv and hops
// share one word (cltv in the high half), which orders exactly as the pair does.
struct RouteKey {
    uint64_t amount_msat = 0;
    uint64_t cltv_hops = 0;
    uint64_t node = 0;
    friend bool operator<(const RouteKey& a, const RouteKey& b) {
        if (a.amount_msat != b.amount_msat) {
            return a.amount_msat < b.amount_msat;
        }
        if (a.cltv_hops != b.cltv_hops) {
            return a.cltv_hops < b.cltv_hops;
        }
        return a.node < b.node;
    }
    friend bool operator==(const RouteKey&, const RouteKey&) = default;
};

class RouteQueue {
public:
    // Empties the queue for a search whose first key has amount `first_amount_msat`. Buckets
    // start about a half-millionth of the amount wide (the ppm part of a hop's fee is up to a
    // few thousandths of the amount) and at least 4 msat (base fees are usually tens to
    // thousands), so a bucket holds a few keys and the heap stays small; 1,024 of them span the
    // few thousand msat of fees a search usually covers before it stops.
    void begin(uint64_t first_amount_msat) {
        heap_.clear();
        pool_used_ = 0;
        first_.fill(k_none);
        last_.fill(k_none);
        rest_.clear();
        base_ = first_amount_msat;
        shift_ = std::max<unsigned>(k_min_shift, std::bit_width(first_amount_msat >> 19));
        next_ = 0;
    }

    bool empty() const { return heap_.empty(); }  // call refill() before concluding

    void push(const RouteKey& k) {
        SIM_ASSERT(k.amount_msat >= base_);
        const uint64_t slot = (k.amount_msat - base_) >> shift_;
        if (slot < next_) [[unlikely]] {
            heap_.push_back(k);
            std::push_heap(heap_.begin(), heap_.end(), Later{});
        } else if (slot < k_buckets) [[likely]] {
            append(static_cast<size_t>(slot), k);
        } else {
            rest_.push_back(k);
        }
    }

    // The key the next pop() returns if nothing cheaper is pushed first (null: call refill).
    const RouteKey* peek() const { return heap_.empty() ? nullptr : &heap_.front(); }

    // The least key (the heap must not be empty).
    RouteKey pop() {
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        const RouteKey top = heap_.back();
        heap_.pop_back();
        return top;
    }

    // With the heap empty, moves the next non-empty bucket's current keys into it (`current(k)`
    // says whether k is still its node's key). Returns false when no current key is left.
    template <class Current>
    bool refill(Current&& current) {
        SIM_ASSERT(heap_.empty());
        for (;;) {
            while (next_ < k_buckets) {
                const size_t b = next_++;
                for (uint32_t i = first_[b]; i != k_none; i = pool_[i].next) {
                    if (current(pool_[i].key)) {
                        heap_.push_back(pool_[i].key);
                    }
                }
                if (!heap_.empty()) {
                    std::make_heap(heap_.begin(), heap_.end(), Later{});
                    return true;
                }
            }
            if (!spread_rest(current)) {
                return false;
            }
        }
    }

private:
    static constexpr size_t k_buckets = 1024;
    static constexpr unsigned k_min_shift = 2;
    static constexpr uint32_t k_none = UINT32_MAX;

    // The heap's order: a type, not a function pointer, so the comparisons inline.
    struct Later {
        bool operator()(const RouteKey& a, const RouteKey& b) const { return b < a; }
    };

    // A bucket is a list threaded through one pool, in push order.
    struct Entry {
        RouteKey key;
        uint32_t next = k_none;
    };

    void append(size_t bucket, const RouteKey& k) {
        if (pool_used_ == pool_.size()) [[unlikely]] {
            pool_.resize(pool_.size() * 2 + 1024);
        }
        SIM_ASSERT(pool_used_ < k_none);
        const auto i = static_cast<uint32_t>(pool_used_++);
        pool_[i].key = k;  // field by field: a temporary's copy stalled on store forwarding
        pool_[i].next = k_none;
        if (last_[bucket] == k_none) {
            first_[bucket] = i;
        } else {
            pool_[last_[bucket]].next = i;
        }
        last_[bucket] = i;
    }

    // Spreads rest_'s current keys over fresh buckets from the cheapest of them; false if none.
    template <class Current>
    bool spread_rest(Current&& current) {
        uint64_t lo = UINT64_MAX;
        uint64_t hi = 0;
        size_t kept = 0;
        for (const RouteKey& k : rest_) {
            if (current(k)) {
                rest_[kept++] = k;
                lo = std::min(lo, k.amount_msat);
                hi = std::max(hi, k.amount_msat);
            }
        }
        rest_.resize(kept);
        if (kept == 0) {
            return false;
        }
        // Wide enough that every kept key lands in a bucket: (hi - lo) >> shift < k_buckets.
        base_ = lo;
        shift_ = std::max(shift_, static_cast<unsigned>(std::bit_width((hi - lo) / k_buckets)));
        next_ = 0;
        pool_used_ = 0;
        first_.fill(k_none);
        last_.fill(k_none);
        for (const RouteKey& k : rest_) {
            const uint64_t slot = (k.amount_msat - base_) >> shift_;
            SIM_ASSERT(slot < k_buckets);
            append(static_cast<size_t>(slot), k);
        }
        rest_.clear();
        return true;
    }

    std::vector<RouteKey> heap_;
    std::vector<Entry> pool_;  // bucket entries; the first pool_used_ are in use
    size_t pool_used_ = 0;
    std::array<uint32_t, k_buckets> first_{};  // each bucket's first and last pool entry
    std::array<uint32_t, k_buckets> last_{};
    std::vector<RouteKey> rest_;
    uint64_t base_ = 0;  // amount where bucket 0 starts
    unsigned shift_ = k_min_shift;
    uint64_t next_ = 0;  // buckets below this one have been moved into the heap
};

}  // namespace actors::lightning
