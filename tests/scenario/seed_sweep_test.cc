// The Catch2 seed-sweep helper, used the way a downstream project would.
#include "scenario/testing/seed_sweep.h"

#include "actors/examples/escrow.h"
#include "sim/simulation.h"

TEST_CASE("sweep_seeds runs a C++-defined world over a seed range", "[scenario][helper]") {
    uint64_t failures = fedsim::testing::sweep_seeds(1, 50, [](uint64_t seed) {
        sim::SimulationConfig cfg;
        cfg.seed = seed;
        sim::Simulation sim(cfg);
        actors::examples::EscrowWorld world;
        actors::examples::build_escrow(
            sim.network(), {.mode = actors::examples::LedgerMode::reserve_first}, &world);
        return sim.run().run;
    });
    CHECK(failures == 0);
}
