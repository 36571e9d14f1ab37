// RunOptions::keep_going on real worlds (one curated scenario of each model world): a passing
// run is the same run in either mode (same fingerprint, same events); a failing one keeps the
// stop-at-first outcome and message as its verdict, and is reproducible in its mode.
#include <catch2/catch.hpp>

#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"
#include "tests/scenario/built_worlds.h"

namespace {

void compare_modes(const std::string& rel, uint64_t seed) {
    scenario::LoadResult loaded =
        scenario::load_scenario_file(std::string(FEDSIM_SOURCE_DIR "/scenarios/") + rel);
    INFO(rel << " seed " << seed << ": " << loaded.describe(rel));
    REQUIRE(loaded.ok());
    if (test_worlds::left_out(loaded.scenario->world)) {
        return;
    }
    scenario::RunReport stop = scenario::run_scenario(*loaded.scenario, {.seed = seed});
    scenario::RunReport going =
        scenario::run_scenario(*loaded.scenario, {.seed = seed, .keep_going = true});
    INFO(stop.reason);
    CHECK(going.run.outcome == stop.run.outcome);
    CHECK(going.run.message == stop.run.message);
    if (stop.run.failures.empty()) {
        CHECK(going.run.failures.empty());
        CHECK(going.run.fingerprint == stop.run.fingerprint);
        CHECK(going.run.events == stop.run.events);
        CHECK(going.metrics == stop.metrics);
    } else {
        REQUIRE_FALSE(going.run.failures.empty());
        CHECK(going.run.failures.front().at == stop.run.failures.front().at);
        scenario::RunReport again =
            scenario::run_scenario(*loaded.scenario, {.seed = seed, .keep_going = true});
        CHECK(again.run.fingerprint == going.run.fingerprint);
    }
}

}  // namespace

TEST_CASE("keep_going: a passing run of each world is the same run in both modes",
          "[scenario][keep-going]") {
    compare_modes("chain/lagging-node-converges.json", 1);
    compare_modes("federation/partition-two-of-four.json", 1);
    compare_modes("gateway/pay-and-receive.json", 1);
    compare_modes("lightning/failure-memory-lnd.json", 1);
    compare_modes("escrow/fixed-ledger-timeouts.json", 1);
}

TEST_CASE("keep_going: a failing run keeps its verdict and is reproducible",
          "[scenario][keep-going]") {
    compare_modes("escrow/check-then-act-race.json", 1);
}
