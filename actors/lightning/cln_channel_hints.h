// CLN pay's channel hints: what its failed attempts taught about channel directions, kept by
// the node across payments and relaxed with time (ElementsProject/lightning PR #7494, "pay:
// Remember and update channel_hints across payments", merged for v24.11; plugins/
// channel_hint.c). A hint disables a direction or caps its estimated capacity; with time the
// direction is re-enabled and the estimate refills linearly to the channel's capacity over
// PAY_REFILL_TIME (2 h). Computed at query time from the failure's unix second, in integer
// arithmetic. Excluded nodes stay per payment (libplugin-pay.c payment_new: the root's
// excluded_nodes), in the payment's own LiquidityKnowledge.
#pragma once

#include <cstdint>
#include <map>

#include "actors/lightning/graph.h"

namespace actors::lightning {

class ClnChannelHints {
public:
    // channel_hint.c: PAY_REFILL_TIME (a hint at 0 msat refills to the capacity in 7200 s)
    // and PAY_REFILL_HYSTERESIS (channel_hint_update changes nothing before 60 s have passed).
    static constexpr int64_t k_refill_seconds = 7200;
    static constexpr int64_t k_hysteresis_seconds = 60;

    struct Hint {
        bool enabled = true;
        uint64_t estimate_msat = 0;  // an enabled direction passes amounts below this
        uint64_t capacity_msat = 0;  // the channel's, the refill's rate and ceiling
        int64_t unix_s = 0;          // the failure's unix second (time_now().ts.tv_sec)
    };

    // A failure at unix second `unix_s` disabled scid's direction from `from` (or, with an
    // estimate, capped it there). The newer observation replaces an older hint
    // (channel_hint_set_add: the newer timestamp wins; the larger capacity is kept).
    void disable(ShortChannelId scid, NodeIndex from, uint64_t capacity_msat, int64_t unix_s);
    void cap(ShortChannelId scid, NodeIndex from, uint64_t estimate_msat, uint64_t capacity_msat,
             int64_t unix_s);

    // The hint as channel_hint_update leaves it at unix second `now_s`: unchanged before
    // unix_s + 60; from then the estimate plus capacity * seconds / 7200 (at most the
    // capacity), and enabled again once more than 60 s have passed.
    static Hint at(const Hint& h, int64_t now_s);

    // Writes what the hints say at `now_s` into `view` as failure bounds: a disabled direction
    // passes nothing; an estimate e passes amounts below e (payment_route_check refuses an
    // amount >= the estimate). A hint that no longer restricts (enabled, estimate at the
    // capacity) writes nothing (channel_hint_update reports it useless).
    void project(int64_t now_s, LiquidityKnowledge* view) const;

    bool empty() const { return hints_.empty(); }
    const Hint* find(ShortChannelId scid, NodeIndex from) const;

private:
    struct Key {
        ShortChannelId scid;
        NodeIndex from = k_no_node;
        auto operator<=>(const Key&) const = default;
    };
    void set(const Key& key, Hint hint);

    std::map<Key, Hint> hints_;
};

}  // namespace actors::lightning
