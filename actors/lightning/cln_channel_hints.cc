// CLN pay's node-wide channel hints (see cln_channel_hints.h).
#include "actors/lightning/cln_channel_hints.h"

#include <algorithm>

namespace actors::lightning {

void ClnChannelHints::add(const Key& key, bool enabled, const uint64_t* estimate_msat,
                          uint64_t capacity_msat, int64_t unix_s) {
    auto it = hints_.find(key);
    if (it == hints_.end()) {
        hints_.emplace(key, Hint{enabled, estimate_msat != nullptr ? *estimate_msat : 0,
                                 capacity_msat, unix_s, false});
        return;
    }
    Hint& old = it->second;
    if (old.unix_s > unix_s) {
        return;  // channel_hint_set_add: the newer observation is kept
    }
    old.enabled = enabled;
    old.unix_s = unix_s;
    old.relaxed = false;
    if (estimate_msat != nullptr) {
        old.estimate_msat = *estimate_msat;
    }
    // The larger of the capacities is kept (route hints tell only lower values).
    old.capacity_msat = std::max(old.capacity_msat, capacity_msat);
}

void ClnChannelHints::disable(ShortChannelId scid, NodeIndex from, uint64_t capacity_msat,
                              int64_t unix_s) {
    add(Key{scid, from}, false, nullptr, capacity_msat, unix_s);
}

void ClnChannelHints::cap(ShortChannelId scid, NodeIndex from, uint64_t estimate_msat,
                          uint64_t capacity_msat, int64_t unix_s) {
    add(Key{scid, from}, true, &estimate_msat, capacity_msat, unix_s);
}

ClnChannelHints::Hint ClnChannelHints::updated(Hint h, int64_t now_s) {
    if (now_s < h.unix_s + k_hysteresis_seconds) {
        return h;
    }
    const int64_t seconds = now_s - h.unix_s;
    // refill = capacity * seconds / PAY_REFILL_TIME (multiplied first), estimate + refill
    // clamped to the capacity. From 7200 s on the refill is the capacity; below,
    // floor(capacity * seconds / 7200) = q * seconds + floor(r * seconds / 7200) with
    // capacity = q * 7200 + r, each term within 64 bits.
    const uint64_t cap = h.capacity_msat;
    uint64_t refill = cap;
    if (seconds < k_refill_seconds) {
        const auto s = static_cast<uint64_t>(seconds);
        const auto t = static_cast<uint64_t>(k_refill_seconds);
        refill = cap / t * s + cap % t * s / t;
    }
    h.estimate_msat = h.estimate_msat >= cap || refill > cap - h.estimate_msat
                          ? cap
                          : h.estimate_msat + refill;
    if (seconds > k_hysteresis_seconds) {
        h.enabled = true;
    }
    h.unix_s = now_s;  // in place: the next update counts from here
    h.relaxed = true;
    return h;
}

void ClnChannelHints::update(int64_t now_s) {
    for (auto& [key, hint] : hints_) {
        hint = updated(hint, now_s);
    }
}

void ClnChannelHints::project(LiquidityKnowledge* view) const {
    for (const auto& [key, h] : hints_) {
        if (!h.enabled) {
            view->learn_failure(key.scid, key.from, 1);  // passes nothing
        } else if (h.estimate_msat < h.capacity_msat || !h.relaxed) {
            // Amounts below the estimate pass: learn_failure(x) keeps amounts below x.
            view->learn_failure(key.scid, key.from, std::max<uint64_t>(1, h.estimate_msat));
        }
    }
}

const ClnChannelHints::Hint* ClnChannelHints::find(ShortChannelId scid, NodeIndex from) const {
    auto it = hints_.find(Key{scid, from});
    return it == hints_.end() ? nullptr : &it->second;
}

}  // namespace actors::lightning
