// CLN pay's channel hints: what its failed attempts taught about channel directions, kept by
// the node across payments and relaxed with time (ElementsProject/lightning PR #7494, "pay:
// Remember and update channel_hints across payments", in v24.08.2 and v24.11; plugins/
// channel_hint.c). A hint disables a direction or caps its estimated capacity; with time the
// direction is re-enabled and the estimate refills linearly to the channel's capacity over
// PAY_REFILL_TIME (2 h).
//
// Stateful as upstream: the hints are relaxed IN PLACE (channel_hint_update) each time the set
// is brought up to date (channel_hint_set_update), which the node does before each route
// computation (ClnChannelHints::update; that call site is inference, see node_payments.cc
// attempt_memory); an update resets the hint's timestamp, so the refill comes in steps at
// least PAY_REFILL_HYSTERESIS apart and rounds down at each. A clock stepped back freezes the
// hints (nothing changes before timestamp + 60) and drops a failure stamped before a hint's
// timestamp, until the clock passes it, as upstream. Integer arithmetic only; the hints sit in
// an ordered map. Excluded nodes stay per payment (libplugin-pay.c payment_new: the root's
// excluded_nodes), in the payment's own LiquidityKnowledge.
//
// Read: channel_hint.c at ElementsProject/lightning 7eb2dab0 / 03025469 (hash-map set,
// PAY_REFILL_HYSTERESIS, channel_hint_set_add "newer timestamp wins"). Which version v24.11
// shipped, by inference (the tagged file was not read): v24.08.2's release notes (2024-10-18)
// list "pay: Now remembers and updates channel hints across payments" and "Improved pathfinding
// speed for large nodes", the changelog line of a commit to plugins/channel_hint.c (a pay
// speed-up for nodes with many channels) that a mirror's history of that file lists as newer
// than the "newer timestamp wins" and the hysteresis commits. So v24.08.2, and v24.11 (2024-12)
// after it, have this version. The older tal_arr versions differ twice: channel_hint_update
// has NO hysteresis (any elapsed second relaxes; enabled when more than 60 s have passed), and
// channel_hint_set_add merges (disabled wins, the smaller estimate wins, both projected to now
// first); the later tal_arr version also runs channel_hint_set_update on every add, so every
// failure relaxes the whole set.
#pragma once

#include <cstdint>
#include <map>

#include "actors/lightning/graph.h"

namespace actors::lightning {

class ClnChannelHints {
public:
    // channel_hint.c: PAY_REFILL_TIME (a hint at 0 msat refills to the capacity in 7200 s)
    // and PAY_REFILL_HYSTERESIS (channel_hint_update changes nothing before 60 s have passed
    // since the hint's timestamp).
    static constexpr int64_t k_refill_seconds = 7200;
    static constexpr int64_t k_hysteresis_seconds = 60;

    struct Hint {
        bool enabled = true;
        uint64_t estimate_msat = 0;  // an enabled direction passes amounts below this
        uint64_t capacity_msat = 0;  // the channel's, the refill's rate and ceiling
        // The failure's unix second (time_now().ts.tv_sec), moved to the update's second by
        // each update that changed the hint (channel_hint_update: hint->timestamp = now).
        int64_t unix_s = 0;
        // An update has relaxed the hint since the failure set it (see project()).
        bool relaxed = false;
    };

    // A failure at unix second `unix_s` disabled scid's direction from `from`, or capped its
    // estimate. channel_hint_set_add: a new direction gets a new hint; an existing one with an
    // older or equal timestamp takes the enabled flag and the timestamp, the estimate only when
    // the failure gives one (so a disabled direction keeps the estimate it had), and the larger
    // of the capacities; an existing one with a newer timestamp is kept as it is. A new disabled
    // hint's estimate is unset upstream (tal, not zeroed); 0 here (inference).
    void disable(ShortChannelId scid, NodeIndex from, uint64_t capacity_msat, int64_t unix_s);
    void cap(ShortChannelId scid, NodeIndex from, uint64_t estimate_msat, uint64_t capacity_msat,
             int64_t unix_s);

    // channel_hint_update on one hint at unix second `now_s`: nothing before timestamp + 60;
    // from then the estimate plus floor(capacity * (now - timestamp) / 7200), at most the
    // capacity, enabled again when more than 60 s have passed (`seconds > 60`: an update at
    // exactly +60 s leaves a disabled hint disabled), and the timestamp set to now.
    static Hint updated(Hint h, int64_t now_s);

    // channel_hint_set_update: every hint updated in place at `now_s`.
    void update(int64_t now_s);

    // Writes the hints as they stand (no time passes here) into `view` as failure bounds: a
    // disabled direction passes nothing; an estimate e passes amounts below e
    // (payment_route_check refuses an amount >= the estimate). An enabled hint at its capacity
    // writes nothing (channel_hint_update reports it useless) once an update has relaxed it;
    // before that it caps at its estimate even on a channel of unknown capacity (0 here).
    void project(LiquidityKnowledge* view) const;

    bool empty() const { return hints_.empty(); }
    const Hint* find(ShortChannelId scid, NodeIndex from) const;

private:
    struct Key {
        ShortChannelId scid;
        NodeIndex from = k_no_node;
        auto operator<=>(const Key&) const = default;
    };
    void add(const Key& key, bool enabled, const uint64_t* estimate_msat, uint64_t capacity_msat,
             int64_t unix_s);

    std::map<Key, Hint> hints_;
};

}  // namespace actors::lightning
