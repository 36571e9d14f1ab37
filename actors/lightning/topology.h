// Topology generators: line, star and a seeded scale-free graph, with channel capacities and
// forwarding policies drawn from integer ranges.
//
// All chance comes from the sim::Random passed in (fork a named stream for it), so one seed
// gives one graph on every platform. Short channel ids are synthetic: channel i gets block
// first_block + i, tx 1, output 0.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "actors/lightning/graph.h"
#include "actors/lightning/result.h"
#include "sim/random.h"

namespace actors::lightning {

// Inclusive integer range; min == max is a constant.
struct IntRange {
    uint64_t min = 0;
    uint64_t max = 0;
};

struct PolicyDistribution {
    IntRange fee_base_msat{1000, 1000};
    IntRange fee_ppm{1, 1};
    IntRange cltv_expiry_delta{40, 40};
    IntRange htlc_minimum_msat{1, 1};
};

struct TopologyOptions {
    IntRange capacity_sat{1000000, 1000000};
    PolicyDistribution policy;
    // Share of each channel's capacity that starts on node1's side, in percent.
    IntRange node1_share_percent{50, 50};
    uint32_t first_block = 100;
};

struct Topology {
    Graph graph;
    // Starting balance of node1 (the lower index) per channel; node2 holds the rest.
    std::map<ShortChannelId, uint64_t> node1_balance_msat;
};

// n nodes, channels 0-1, 1-2, ..., (n-2)-(n-1). n >= 2.
Topology line_topology(uint32_t n, const TopologyOptions& options, sim::Random& random);

// A hub (node 0) with `leaves` spokes. leaves >= 1.
Topology star_topology(uint32_t leaves, const TopologyOptions& options, sim::Random& random);

// Preferential attachment: nodes join one by one and attach to an existing node chosen with
// probability proportional to its degree (so the graph is connected with n - 1 channels), then
// the remaining m - n + 1 channels join a uniformly chosen node to a degree-weighted one.
// Fails when n < 2 or m is outside [n - 1, n(n - 1) / 2].
Result<Topology> scale_free_topology(uint32_t n, uint32_t m, const TopologyOptions& options,
                                     sim::Random& random);

}  // namespace actors::lightning
