// The ranges a generated Lightning topology is drawn from, as a scenario writes them: each
// min/max pair (capacity_sat, share_percent) defaults both ends to one value, and an end written
// alone past the other's default takes the other end with it (capacity_sat_min 2,000,000 alone
// draws every capacity at 2,000,000, where it used to be refused as an empty range); an end
// written alone within the default keeps the default other end, as it always did. Observed on
// the graph generate_topology draws for a parsed scenario. (Crossed written pairs are refused:
// tests/cli/bad_input_test.cc.)
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>

#include "scenario/parser.h"
#include "scenario/worlds/lightning_world_shared.h"
#include "sim/random.h"
#include "tests/scenario/built_worlds.h"

namespace {

constexpr uint32_t k_nodes = 30;

// The graph a generated line of k_nodes lnd nodes draws with the generator arguments `args`,
// in `world`.
actors::lightning::Topology drawn(const std::string& args,
                                  const std::string& world = "lightning") {
    const std::string gw = world == "gateway" ? R"(, "params": {"gateway_node": "a0"})" : "";
    const std::string text = R"({"name": "x", "world": ")" + world + "\"" + gw + R"(,
  "topology": {"nodes": [{"name": "a", "role": "node", "count": )" +
                             std::to_string(k_nodes) + R"(, "props": {"profile": "lnd"}}],
               "generate": {"kind": "line")" + (args.empty() ? "" : ", " + args) + "}}}";
    scenario::LoadResult r = scenario::parse_scenario(text, "f.json");
    INFO(r.describe("f.json"));
    REQUIRE(r.ok());
    sim::Random random(7);
    auto g = scenario::generate_topology(r.scenario->topology, k_nodes, random);
    REQUIRE(g.ok());
    REQUIRE(g.value().graph.channels().size() == k_nodes - 1);
    return g.value();
}

// Every capacity drawn, in sat.
std::set<uint64_t> capacities(const actors::lightning::Topology& t) {
    std::set<uint64_t> out;
    for (const auto& [scid, info] : t.graph.channels()) {
        out.insert(info.capacity_msat / 1000);
    }
    return out;
}

// Every node1 share drawn, in percent (the draw gives node1 capacity / 100 * share).
std::set<uint64_t> shares(const actors::lightning::Topology& t) {
    std::set<uint64_t> out;
    for (const auto& [scid, info] : t.graph.channels()) {
        out.insert(t.node1_balance_msat.at(scid) / (info.capacity_msat / 100));
    }
    return out;
}

using Set = std::set<uint64_t>;

}  // namespace

TEST_CASE("a lone generator min at or above the max's default draws [min, min]",
          "[scenario][generator]") {
    for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
        INFO(world);
        CHECK(capacities(drawn(R"("capacity_sat_min": 2000000)", world)) == Set{2'000'000});
        // The edge: one above the default max (1,000,000), and at it.
        CHECK(capacities(drawn(R"("capacity_sat_min": 1000001)", world)) == Set{1'000'001});
        CHECK(capacities(drawn(R"("capacity_sat_min": 1000000)", world)) == Set{1'000'000});
        CHECK(shares(drawn(R"("share_percent_min": 51)", world)) == Set{51});
        CHECK(shares(drawn(R"("share_percent_min": 100)", world)) == Set{100});
    }
}

TEST_CASE("a lone generator max below the min's default draws [max, max]",
          "[scenario][generator]") {
    for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
        INFO(world);
        CHECK(capacities(drawn(R"("capacity_sat_max": 999999)", world)) == Set{999'999});
        CHECK(capacities(drawn(R"("capacity_sat_max": 1)", world)) == Set{1});
        CHECK(shares(drawn(R"("share_percent_max": 49)", world)) == Set{49});
        CHECK(shares(drawn(R"("share_percent_max": 0)", world)) == Set{0});
    }
}

// What a scenario written before the rule drew, it draws the same (so no fingerprint moves): a
// lone end within the default keeps the default other end. 29 channels see both ends of a
// two-value range with this seed.
TEST_CASE("a lone generator end within the other's default keeps that default",
          "[scenario][generator]") {
    CHECK(capacities(drawn(R"("capacity_sat_min": 999999)")) == Set{999'999, 1'000'000});
    CHECK(capacities(drawn(R"("capacity_sat_max": 1000001)")) == Set{1'000'000, 1'000'001});
    CHECK(shares(drawn(R"("share_percent_min": 49)")) == Set{49, 50});
    CHECK(shares(drawn(R"("share_percent_max": 51)")) == Set{50, 51});
    const actors::lightning::Topology defaults = drawn("");
    CHECK(capacities(defaults) == Set{1'000'000});
    CHECK(shares(defaults) == Set{50});
}

TEST_CASE("a generator pair written with min == max draws that value", "[scenario][generator]") {
    CHECK(capacities(drawn(R"("capacity_sat_min": 1500000, "capacity_sat_max": 1500000)")) ==
          Set{1'500'000});
    CHECK(shares(drawn(R"("share_percent_min": 30, "share_percent_max": 30)")) == Set{30});
}
