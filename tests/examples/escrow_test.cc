// The escrow example: the check-then-act ledger double-spends on some seeds, the fixed one never.
#include <catch2/catch.hpp>

#include "actors/examples/escrow.h"
#include "sim/simulation.h"

using actors::examples::EscrowConfig;
using actors::examples::LedgerMode;

namespace {

sim::RunResult run_escrow(uint64_t seed, EscrowConfig cfg) {
    sim::SimulationConfig sc;
    sc.seed = seed;
    sc.default_link = {.latency_min = sim::SimDuration::millis(2),
                       .latency_max = sim::SimDuration::millis(30)};
    sim::Simulation sim(sc);
    actors::examples::EscrowWorld world;
    actors::examples::build_escrow(sim.network(), cfg, &world);
    return sim.run().run;
}

}  // namespace

TEST_CASE("a slow payment racing the client's timeout is paid and refunded", "[escrow]") {
    // Every payment slow: the race is certain, whatever the seed.
    EscrowConfig cfg{.mode = LedgerMode::check_then_act, .payments = 1, .slow_one_in = 1};
    sim::RunResult r = run_escrow(1, cfg);
    CHECK(r.outcome == sim::Outcome::check_failed);
    CHECK(r.message.find("payment 1 was both paid and refunded") != std::string::npos);
}

TEST_CASE("the reserve-first ledger never double-spends, even when every payment is slow",
          "[escrow]") {
    for (uint64_t seed = 1; seed <= 200; ++seed) {
        EscrowConfig cfg{.mode = LedgerMode::reserve_first, .payments = 5, .slow_one_in = 1};
        sim::RunResult r = run_escrow(seed, cfg);
        INFO("seed " << seed << ": " << r.message);
        CHECK(r.ok());
    }
}

TEST_CASE("with default settings the race shows on a minority of seeds", "[escrow]") {
    int failures = 0;
    for (uint64_t seed = 1; seed <= 1000; ++seed) {
        failures += run_escrow(seed, {}).ok() ? 0 : 1;
    }
    CHECK(failures > 0);
    CHECK(failures < 100);
}
