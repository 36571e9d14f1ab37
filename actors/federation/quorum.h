// Federation sizing: the number of guardians n, the faults tolerated f and the threshold t.
//
// Every aggregation rule and every threshold-decryption check is parameterised by one Quorum,
// so the arithmetic that derives f and t from n lives here and nowhere else. Guardians are
// named by a dense PeerId (0..n-1) so per-peer tables can be vectors indexed in peer order.
#pragma once

#include <cstdint>

#include "sim/assert.h"
#include "sim/ids.h"

namespace actors::federation {

struct PeerTag {};
using PeerId = sim::Id<PeerTag>;

// f = floor((n - 1) / 3): the most Byzantine guardians a BFT federation of n tolerates.
constexpr uint64_t max_faulty(uint64_t n) {
    SIM_ASSERT(n >= 1);
    return (n - 1) / 3;
}

// t = n - f: how many guardians must agree (and how many decryption shares combine).
constexpr uint64_t threshold(uint64_t n) {
    SIM_ASSERT(n >= 1);
    return n - max_faulty(n);
}

struct Quorum {
    uint64_t n = 0;
    uint64_t f = 0;
    uint64_t t = 0;

    // REQUIRES: n >= 1. The default federation in tests and scenarios has four guardians.
    static constexpr Quorum of(uint64_t n) {
        SIM_ASSERT(n >= 1);
        return Quorum{.n = n, .f = max_faulty(n), .t = threshold(n)};
    }

    constexpr bool contains(PeerId peer) const { return peer.valid() && peer.value < n; }
};

constexpr uint64_t k_default_guardian_count = 4;

}  // namespace actors::federation
