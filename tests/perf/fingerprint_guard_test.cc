// Fingerprint guard: an optimisation must not change behaviour. Golden fingerprints of the
// standard and scale benchmark worlds (shortened so the test stays quick), the sample system
// and the bundled scenarios at fixed seeds. A mismatch means a change altered what a run
// decides; if that change is meant to alter behaviour, update the golden value in the same
// commit and say why. No timing is asserted here.
#include <catch2/catch.hpp>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

#include "actors/examples/sample_system.h"
#include "bench/standard_world.h"
#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

std::string hex(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
    return buf;
}

struct Golden {
    uint64_t seed;
    const char* fingerprint;
};

bench::StandardOptions short_standard(uint64_t seed) {
    bench::StandardOptions o = bench::standard_options(seed);
    o.day = sim::SimDuration::minutes(60);
    o.payments_each_way = 6;
    o.blocks = 6;
    return o;
}

bench::StandardOptions small_scale(uint64_t seed) {
    bench::StandardOptions o = short_standard(seed);
    o.ln_nodes = 40;
    o.ln_channels = 160;
    o.payments_each_way = 2;
    o.ln_payments = 200;
    return o;
}

}  // namespace

TEST_CASE("the standard benchmark world keeps its fingerprints", "[perf][fingerprint]") {
    const Golden golden[] = {{1, "e1df146655b87e30"}, {2, "8682eb629cb726d6"}, {3, "bc869578c6773c21"}};
    for (const Golden& g : golden) {
        bench::StandardReport r = bench::run_standard(short_standard(g.seed));
        INFO("seed " << g.seed << ": " << r.result.run.message << r.violation);
        CHECK(r.ok());
        CHECK(hex(r.result.run.fingerprint) == g.fingerprint);
    }
}

TEST_CASE("the scale benchmark world keeps its fingerprints", "[perf][fingerprint]") {
    const Golden golden[] = {{1, "f723c5d84786a7d0"}, {2, "ee18aaa0f383cccf"}};
    for (const Golden& g : golden) {
        bench::StandardReport r = bench::run_standard(small_scale(g.seed));
        INFO("seed " << g.seed << ": " << r.result.run.message << r.violation);
        CHECK(r.ok());
        CHECK(hex(r.result.run.fingerprint) == g.fingerprint);
    }
}

TEST_CASE("the sample system keeps its fingerprints", "[perf][fingerprint]") {
    const Golden golden[] = {{1, "e2197cb872c2810e"}, {2, "06c7f187e3ff4d6f"}, {3, "f3854237a929717d"},
                             {4, "cfb0093ba2c86c2a"}, {5, "e8a7bf151551037a"}};
    for (const Golden& g : golden) {
        INFO("seed " << g.seed);
        CHECK(hex(actors::examples::run_sample_system(g.seed).run.fingerprint) == g.fingerprint);
    }
}

TEST_CASE("the bundled scenarios keep their fingerprints", "[perf][fingerprint]") {
    struct File {
        const char* path;
        const char* seed1;
        const char* seed2;
    };
    const File files[] = {
        {"escrow/check-then-act-race.json", "f6e06cdb4875445c",
         "2abd2e06b5bd5fdc"},
        {"escrow/fixed-ledger-timeouts.json", "acccc55581755384",
         "58df2e0f187d2b21"},
        {"escrow/partitioned-ledger.json", "04c957bdf79cb3b4",
         "ced10a7b2c282815"},
        {"network/echo-crash-restart.json", "51161a546790bc95",
         "b5e4ee22c544292b"},
        {"network/echo-frozen-server.json", "b5c241caad01a3f2",
         "d8b44760d66d92c5"},
        {"network/echo-lossy-swarm.json", "9580d3892e1bb13b",
         "6a0e86f66a2266ce"},
        {"network/echo-partition-heals.json", "4ecf20ca16a4280f",
         "d2afa585d110d321"},
        {"shutdown/clean-under-stalls.json", "1c5655abf9b1cdc7",
         "52f700ab0ae44d6d"},
        {"shutdown/early-shutdown-from-timeline.json", "ddb54263bac4d540",
         "7ab4fdee1a30fc4b"},
        {"shutdown/ignore-cancel-is-caught.json", "78e8e2ea87ddd116",
         "ea4be3dba9459755"},
    };
    for (const File& f : files) {
        const std::string path = std::string(FEDSIM_SOURCE_DIR) + "/scenarios/" + f.path;
        scenario::LoadResult loaded = scenario::load_scenario_file(path);
        INFO(path << "\n" << loaded.describe(path));
        REQUIRE(loaded.ok());
        for (uint64_t seed : {uint64_t{1}, uint64_t{2}}) {
            scenario::RunReport r =
                scenario::run_scenario(*loaded.scenario, scenario::RunOptions{.seed = seed});
            INFO("seed " << seed);
            CHECK(hex(r.run.fingerprint) == (seed == 1 ? f.seed1 : f.seed2));
        }
    }
}
