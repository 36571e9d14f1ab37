// Topology generators (see topology.h).
#include "actors/lightning/topology.h"

#include <set>
#include <string>
#include <utility>

#include "sim/assert.h"

namespace actors::lightning {

namespace {

uint64_t draw(sim::Random& random, IntRange r) {
    SIM_ASSERT(r.min <= r.max);
    if (r.min == r.max) {
        return r.min;
    }
    return r.min + random.below(r.max - r.min + 1);
}

ChannelPolicy draw_policy(sim::Random& random, const PolicyDistribution& d) {
    ChannelPolicy p;
    p.fee_base_msat = draw(random, d.fee_base_msat);
    p.fee_ppm = static_cast<uint32_t>(draw(random, d.fee_ppm));
    p.cltv_expiry_delta = static_cast<uint32_t>(draw(random, d.cltv_expiry_delta));
    p.htlc_minimum_msat = draw(random, d.htlc_minimum_msat);
    return p;
}

Topology with_nodes(uint32_t n, const char* prefix) {
    Topology t;
    for (uint32_t i = 0; i < n; ++i) {
        t.graph.add_node(prefix + std::to_string(i));
    }
    return t;
}

// Adds channel number graph.channel_count() between a and b with drawn parameters. The draw
// order (capacity, share, policy a->b, policy b->a) is part of the seed contract.
void add_drawn_channel(Topology* t, NodeIndex a, NodeIndex b, const TopologyOptions& o,
                       sim::Random& random) {
    auto index = static_cast<uint32_t>(t->graph.channel_count());
    ChannelInfo c;
    c.scid = ShortChannelId::from_parts(o.first_block + index, 1, 0);
    c.node1 = std::min(a, b);
    c.node2 = std::max(a, b);
    c.capacity_msat = draw(random, o.capacity_sat) * 1000;
    uint64_t share = draw(random, o.node1_share_percent);
    SIM_ASSERT(share <= 100);
    c.policy_1to2 = draw_policy(random, o.policy);
    c.policy_2to1 = draw_policy(random, o.policy);
    c.policy_1to2.htlc_maximum_msat = c.capacity_msat;
    c.policy_2to1.htlc_maximum_msat = c.capacity_msat;
    Result<ShortChannelId> added = t->graph.add_channel(c);
    SIM_ASSERT_MSG(added.ok(), added.error());
    t->node1_balance_msat[c.scid] = c.capacity_msat / 100 * share;
}

}  // namespace

Topology line_topology(uint32_t n, const TopologyOptions& options, sim::Random& random) {
    SIM_ASSERT(n >= 2);
    Topology t = with_nodes(n, "line");
    for (uint32_t i = 0; i + 1 < n; ++i) {
        add_drawn_channel(&t, i, i + 1, options, random);
    }
    return t;
}

Topology star_topology(uint32_t leaves, const TopologyOptions& options, sim::Random& random) {
    SIM_ASSERT(leaves >= 1);
    Topology t = with_nodes(leaves + 1, "star");
    for (uint32_t i = 1; i <= leaves; ++i) {
        add_drawn_channel(&t, 0, i, options, random);
    }
    return t;
}

Result<Topology> scale_free_topology(uint32_t n, uint32_t m, const TopologyOptions& options,
                                     sim::Random& random) {
    uint64_t max_channels = static_cast<uint64_t>(n) * (n - 1) / 2;
    if (n < 2 || m + 1 < n || m > max_channels) {
        return Result<Topology>::failure(
            "scale_free: need n >= 2 and n - 1 <= m <= n(n-1)/2, got n=" + std::to_string(n) +
            " m=" + std::to_string(m));
    }
    Topology t = with_nodes(n, "sf");
    // Each node appears once per channel end, so a uniform pick is degree-weighted.
    std::vector<NodeIndex> ends;
    std::set<std::pair<NodeIndex, NodeIndex>> linked;
    auto link = [&](NodeIndex a, NodeIndex b) {
        linked.insert({std::min(a, b), std::max(a, b)});
        ends.push_back(a);
        ends.push_back(b);
        add_drawn_channel(&t, a, b, options, random);
    };
    link(0, 1);
    for (NodeIndex v = 2; v < n; ++v) {
        link(v, random.pick(ends));
    }
    uint64_t attempts = 0;
    while (t.graph.channel_count() < m) {
        if (++attempts > 64ULL * m + 1024) {
            return Result<Topology>::failure("scale_free: could not place " + std::to_string(m) +
                                             " distinct channels");
        }
        auto a = static_cast<NodeIndex>(random.below(n));
        NodeIndex b = random.pick(ends);
        if (a == b || linked.count({std::min(a, b), std::max(a, b)}) != 0) {
            continue;
        }
        link(a, b);
    }
    return Result<Topology>::success(std::move(t));
}

}  // namespace actors::lightning
