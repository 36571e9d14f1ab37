// CLN pay's node-wide channel hints (see cln_channel_hints.h).
#include "actors/lightning/cln_channel_hints.h"

#include <algorithm>

namespace actors::lightning {

void ClnChannelHints::set(const Key& key, Hint hint) {
    auto [it, inserted] = hints_.try_emplace(key, hint);
    if (!inserted) {
        // channel_hint_set_add: a hint with an older or equal timestamp is replaced; the
        // larger of the capacities is kept (route hints tell only lower values).
        hint.capacity_msat = std::max(hint.capacity_msat, it->second.capacity_msat);
        if (it->second.unix_s <= hint.unix_s) {
            it->second = hint;
        }
    }
}

void ClnChannelHints::disable(ShortChannelId scid, NodeIndex from, uint64_t capacity_msat,
                              int64_t unix_s) {
    set(Key{scid, from}, Hint{false, 0, capacity_msat, unix_s});
}

void ClnChannelHints::cap(ShortChannelId scid, NodeIndex from, uint64_t estimate_msat,
                          uint64_t capacity_msat, int64_t unix_s) {
    set(Key{scid, from}, Hint{true, estimate_msat, capacity_msat, unix_s});
}

ClnChannelHints::Hint ClnChannelHints::at(const Hint& h, int64_t now_s) {
    if (now_s < h.unix_s + k_hysteresis_seconds) {
        return h;
    }
    const int64_t seconds = now_s - h.unix_s;
    Hint out = h;
    // channel_hint_update: refill = capacity * seconds / PAY_REFILL_TIME (multiplied first),
    // estimate + refill clamped to the capacity. From 7200 s on the refill is the capacity;
    // below, floor(capacity * seconds / 7200) = q * seconds + floor(r * seconds / 7200) with
    // capacity = q * 7200 + r, each term within 64 bits.
    const uint64_t cap = h.capacity_msat;
    uint64_t refill = cap;
    if (seconds < k_refill_seconds) {
        const auto s = static_cast<uint64_t>(seconds);
        const auto t = static_cast<uint64_t>(k_refill_seconds);
        refill = cap / t * s + cap % t * s / t;
    }
    out.estimate_msat = h.estimate_msat >= cap || refill > cap - h.estimate_msat
                            ? cap
                            : h.estimate_msat + refill;
    if (seconds > k_hysteresis_seconds) {
        out.enabled = true;
    }
    return out;
}

void ClnChannelHints::project(int64_t now_s, LiquidityKnowledge* view) const {
    for (const auto& [key, hint] : hints_) {
        const Hint h = at(hint, now_s);
        if (!h.enabled) {
            view->learn_failure(key.scid, key.from, 1);  // passes nothing
        } else if (h.estimate_msat < h.capacity_msat ||
                   now_s < hint.unix_s + k_hysteresis_seconds) {
            // Amounts below the estimate pass: learn_failure(x) keeps amounts below x. (Before
            // the hysteresis the hint holds as it is, even at or above an unknown capacity.)
            view->learn_failure(key.scid, key.from, std::max<uint64_t>(1, h.estimate_msat));
        }
    }
}

const ClnChannelHints::Hint* ClnChannelHints::find(ShortChannelId scid, NodeIndex from) const {
    auto it = hints_.find(Key{scid, from});
    return it == hints_.end() ? nullptr : &it->second;
}

}  // namespace actors::lightning
