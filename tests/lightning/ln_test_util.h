// Helpers for the Lightning actor tests: a simulation with a LightningNetwork, a scenario actor
// that drives it, and small builders for lines of nodes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "actors/lightning/lightning_network.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"

namespace ln_test {

using namespace actors::lightning;

struct World {
    explicit World(uint64_t seed, LightningNetworkConfig config = {})
        : sim(sim::SimulationConfig{.seed = seed}), ln(sim, config) {}
    sim::Simulation sim;
    LightningNetwork ln;

    NodeIndex add(const std::string& alias, const std::string& profile,
                  ProfileOverrides overrides = {}) {
        Result<NodeIndex> n = ln.add_node(NodeOptions{alias, profile, overrides, {}});
        REQUIRE(n.ok());
        return n.value();
    }
    // A balanced channel (half pushed to the peer).
    ChannelIndex connect(NodeIndex a, NodeIndex b, uint64_t capacity_sat = 1000000) {
        Result<ChannelIndex> c = ln.open_channel(ChannelOptions{
            .funder = a, .peer = b, .capacity_sat = capacity_sat,
            .push_msat = capacity_sat * 1000 / 2});
        REQUIRE(c.ok());
        return c.value();
    }
    ChannelIndex connect(const ChannelOptions& options) {
        Result<ChannelIndex> c = ln.open_channel(options);
        REQUIRE(c.ok());
        return c.value();
    }
    // Runs `body` in a foreground actor after every channel is open; fails the test on a
    // failed run or a conservation violation.
    sim::RunResult run(std::function<void()> body) {
        sim.scheduler().spawn("scenario", [this, body] {
            REQUIRE(ln.mine_until_open());
            body();
            sim::this_actor::sleep_for(sim::SimDuration::seconds(30));
        });
        sim::SimulationResult r = sim.run();
        INFO(r.run.message);
        REQUIRE(r.run.ok());
        CHECK(ln.check_conservation().empty());
        return r.run;
    }
    // The balance `n` holds in `c`.
    uint64_t balance(ChannelIndex c, NodeIndex n) {
        ChannelLedger& ch = ln.channel(c);
        return ch.side(ch.side_of(n)).balance_msat;
    }
    uint32_t tip() const { return static_cast<uint32_t>(ln.chain().tip()); }
};

}  // namespace ln_test
