// Topology generators: shapes, drawn ranges, and determinism (same seed, same graph; another
// seed, another graph).
#include <catch2/catch.hpp>

#include <vector>

#include "actors/lightning/topology.h"

using namespace actors::lightning;

namespace {

// A flat description of a graph for equality checks.
std::vector<uint64_t> fingerprint(const Topology& t) {
    std::vector<uint64_t> out;
    for (const auto& [scid, c] : t.graph.channels()) {
        out.insert(out.end(), {scid.value, c.node1, c.node2, c.capacity_msat,
                               c.policy_1to2.fee_base_msat, c.policy_1to2.fee_ppm,
                               c.policy_2to1.cltv_expiry_delta, t.node1_balance_msat.at(scid)});
    }
    return out;
}

TopologyOptions varied() {
    TopologyOptions o;
    o.capacity_sat = {100000, 5000000};
    o.policy.fee_base_msat = {0, 2000};
    o.policy.fee_ppm = {1, 500};
    o.policy.cltv_expiry_delta = {18, 144};
    o.node1_share_percent = {0, 100};
    return o;
}

}  // namespace

TEST_CASE("line and star shapes", "[lightning][topology]") {
    sim::Random random(1);
    Topology line = line_topology(5, TopologyOptions{}, random);
    CHECK(line.graph.node_count() == 5);
    CHECK(line.graph.channel_count() == 4);
    CHECK(line.graph.channels_of(0).size() == 1);
    CHECK(line.graph.channels_of(2).size() == 2);
    CHECK(line.node1_balance_msat.begin()->second == 500000000);

    Topology star = star_topology(6, TopologyOptions{}, random);
    CHECK(star.graph.node_count() == 7);
    CHECK(star.graph.channels_of(0).size() == 6);
    CHECK(star.graph.channels_of(3).size() == 1);
}

TEST_CASE("scale-free graph: counts, connectivity, ranges", "[lightning][topology]") {
    sim::Random random = sim::Random(42).fork("topology");
    TopologyOptions o = varied();
    Result<Topology> t = scale_free_topology(50, 120, o, random);
    REQUIRE(t.ok());
    const Graph& g = t.value().graph;
    CHECK(g.node_count() == 50);
    CHECK(g.channel_count() == 120);
    size_t max_degree = 0;
    for (NodeIndex n = 0; n < 50; ++n) {
        CHECK_FALSE(g.channels_of(n).empty());
        max_degree = std::max(max_degree, g.channels_of(n).size());
    }
    CHECK(max_degree >= 10);  // preferential attachment grows hubs (seeded, so exact per seed)
    for (const auto& [scid, c] : g.channels()) {
        CHECK(c.capacity_msat >= 100000000);
        CHECK(c.capacity_msat <= 5000000000);
        CHECK(c.policy_1to2.fee_ppm >= 1);
        CHECK(c.policy_1to2.fee_ppm <= 500);
        CHECK(c.policy_2to1.cltv_expiry_delta >= 18);
        CHECK(c.policy_2to1.cltv_expiry_delta <= 144);
        CHECK(c.node1 < c.node2);
    }
}

TEST_CASE("scale-free rejects impossible channel counts", "[lightning][topology]") {
    sim::Random random(3);
    CHECK_FALSE(scale_free_topology(10, 8, TopologyOptions{}, random).ok());
    CHECK_FALSE(scale_free_topology(4, 7, TopologyOptions{}, random).ok());
    Result<Topology> full = scale_free_topology(4, 6, TopologyOptions{}, random);
    REQUIRE(full.ok());
    CHECK(full.value().graph.channel_count() == 6);
}

TEST_CASE("generators are deterministic per seed", "[lightning][topology]") {
    auto make = [](uint64_t seed) {
        sim::Random random = sim::Random(seed).fork("topology");
        return scale_free_topology(30, 60, varied(), random).value();
    };
    CHECK(fingerprint(make(9)) == fingerprint(make(9)));
    CHECK(fingerprint(make(9)) != fingerprint(make(10)));
    sim::Random a(5), b(5);
    CHECK(fingerprint(line_topology(8, varied(), a)) == fingerprint(line_topology(8, varied(), b)));
}
