// Catch2 helper: run a C++-defined world over a seed range, reporting every failing seed.
//
//   TEST_CASE("my world survives partitions", "[my]") {
//       fedsim::testing::sweep_seeds(1, 200, [](uint64_t seed) {
//           sim::Simulation sim({.seed = seed});
//           build_my_world(sim);
//           return sim.run().run;   // a sim::RunResult
//       });
//   }
//
// Each failing seed becomes one Catch2 failure naming the seed, the outcome and message, and
// the fingerprint, so the seed can be re-run alone (set FEDSIM_SEED=N to run only that seed).
// The callable may also return a scenario::RunReport. Header-only; needs Catch2 v2.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

#include "scenario/runner.h"
#include "sim/scheduler.h"

namespace fedsim::testing {

struct SeedVerdict {
    bool passed = true;
    std::string detail;
};

inline SeedVerdict seed_verdict(const sim::RunResult& r) {
    char fp[17];
    std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(r.fingerprint));
    return {r.ok(), std::string(sim::to_string(r.outcome)) +
                        (r.message.empty() ? "" : ": " + r.message) + " (fingerprint " + fp +
                        ")"};
}

inline SeedVerdict seed_verdict(const scenario::RunReport& r) {
    SeedVerdict v = seed_verdict(r.run);
    v.passed = r.passed;
    if (!r.passed) {
        v.detail = r.reason + " — " + v.detail;
    }
    return v;
}

// Runs `run(seed)` for every seed in [first, last]; returns the number of failing seeds.
template <typename Fn>
uint64_t sweep_seeds(uint64_t first, uint64_t last, Fn&& run) {
    if (const char* only = std::getenv("FEDSIM_SEED")) {
        first = last = std::strtoull(only, nullptr, 10);
    }
    uint64_t failures = 0;
    for (uint64_t seed = first;; ++seed) {
        SeedVerdict v = seed_verdict(run(seed));
        if (!v.passed) {
            ++failures;
            FAIL_CHECK("seed " << seed << " failed: " << v.detail << "\n  re-run: FEDSIM_SEED="
                               << seed << " <this test binary> \"" 
                               << Catch::getResultCapture().getCurrentTestName() << "\"");
        }
        if (seed == last) {
            break;
        }
    }
    return failures;
}

}  // namespace fedsim::testing
