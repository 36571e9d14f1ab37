// A Simulation plus a BitcoinNetwork, for tests that run actors against the chain.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <utility>

#include "actors/chain/bitcoin_network.h"
#include "sim/simulation.h"

namespace chain_test {

inline actors::chain::BitcoinNetworkConfig fast_config() {
    actors::chain::BitcoinNetworkConfig cfg;
    cfg.params.coinbase_maturity = 5;
    cfg.propagation_min = sim::SimDuration::millis(100);
    cfg.propagation_max = sim::SimDuration::millis(500);
    return cfg;
}

struct World {
    sim::Simulation sim;
    actors::chain::BitcoinNetwork net;

    explicit World(uint64_t seed, actors::chain::BitcoinNetworkConfig cfg = fast_config())
        : sim(sim::SimulationConfig{.seed = seed}),
          net(sim.scheduler(), sim.random("chain"), std::move(cfg)) {}

    // Runs `body` as the workload and requires a clean run.
    void run(std::function<void()> body) {
        sim.scheduler().spawn("workload", std::move(body));
        sim::SimulationResult r = sim.run();
        INFO(r.run.message);
        REQUIRE(r.run.ok());
    }
};

}  // namespace chain_test
