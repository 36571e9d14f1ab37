// Fingerprint guard: an optimisation must not change behaviour. Golden fingerprints of the
// standard and scale benchmark worlds (shortened so the test stays quick), the sample system
// and every bundled scenario at fixed seeds. A mismatch means a change altered what a run
// decides; if that change is meant to alter behaviour, update the golden value in the same
// commit and say why. No timing is asserted here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

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
    const Golden golden[] = {{1, "e115e7ca1991b7c4"}, {2, "7f4a51a2b62e86a5"}, {3, "b78bbe7b32a622b0"}};
    for (const Golden& g : golden) {
        bench::StandardReport r = bench::run_standard(short_standard(g.seed));
        INFO("seed " << g.seed << ": " << r.result.run.message << r.violation);
        CHECK(r.ok());
        CHECK(hex(r.result.run.fingerprint) == g.fingerprint);
    }
}

// The test environment's timing (100 ms polls, 10 s sessions) runs the federation's round
// machinery about a hundred times as often, so it guards that code more closely.
TEST_CASE("the standard world with test-env timing keeps its fingerprints", "[perf][fingerprint]") {
    const Golden golden[] = {{1, "fe9ebb9aadc808e3"}, {2, "67fdcf15f3ef2c0f"}};
    for (const Golden& g : golden) {
        bench::StandardOptions o = short_standard(g.seed);
        o.production_timing = false;
        bench::StandardReport r = bench::run_standard(o);
        INFO("seed " << g.seed << ": " << r.result.run.message << r.violation);
        CHECK(r.ok());
        CHECK(hex(r.result.run.fingerprint) == g.fingerprint);
    }
}

TEST_CASE("the scale benchmark world keeps its fingerprints", "[perf][fingerprint]") {
    const Golden golden[] = {{1, "1883d8fd1d421ec3"}, {2, "ca3d3e05f2c05aed"}};
    for (const Golden& g : golden) {
        bench::StandardReport r = bench::run_standard(small_scale(g.seed));
        INFO("seed " << g.seed << ": " << r.result.run.message << r.violation);
        CHECK(r.ok());
        CHECK(hex(r.result.run.fingerprint) == g.fingerprint);
    }
}

// A thousand nodes: hubs with hundreds of channels, where the route search's tie-breaks and
// the per-channel indexes are exercised far more than at 40 nodes. The 10,000-node day
// (bench_model --mode=scale --nodes=10000) is too slow for CI; its fingerprint is compared by
// hand (docs/performance.md).
TEST_CASE("the scale world with 1000 nodes keeps its fingerprint", "[perf][fingerprint]") {
    bench::StandardOptions o = bench::standard_options(1);
    o.day = sim::SimDuration::minutes(240);
    o.blocks = 24;
    o.ln_nodes = 1000;
    o.ln_channels = 5000;
    o.payments_each_way = 20;
    o.ln_payments = 5000;
    bench::StandardReport r = bench::run_standard(o);
    INFO(r.result.run.message << r.violation);
    CHECK(r.ok());
    CHECK(hex(r.result.run.fingerprint) == "b8c328b4c4697042");
}

TEST_CASE("the sample system keeps its fingerprints", "[perf][fingerprint]") {
    const Golden golden[] = {{1, "e2197cb872c2810e"}, {2, "06c7f187e3ff4d6f"}, {3, "f3854237a929717d"},
                             {4, "cfb0093ba2c86c2a"}, {5, "e8a7bf151551037a"}};
    for (const Golden& g : golden) {
        INFO("seed " << g.seed);
        CHECK(hex(actors::examples::run_sample_system(g.seed).run.fingerprint) == g.fingerprint);
    }
}

// Every bundled scenario at seeds 1-3, against tests/perf/scenario_goldens.txt ("path seed
// fingerprint" per line). A scenario added or changed on purpose: regenerate the file with
// FEDSIM_UPDATE_GOLDENS=1 build/tests/perf/perf_tests "[scenario-goldens]" and say why in the
// commit.
TEST_CASE("every bundled scenario keeps its fingerprints", "[perf][fingerprint][scenario-goldens]") {
    namespace fs = std::filesystem;
    const fs::path root = fs::path(FEDSIM_SOURCE_DIR) / "scenarios";
    const fs::path golden_path = fs::path(FEDSIM_SOURCE_DIR) / "tests/perf/scenario_goldens.txt";
    std::vector<std::string> files;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(root)) {
        if (e.is_regular_file() && e.path().extension() == ".json") {
            files.push_back(fs::relative(e.path(), root).generic_string());
        }
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 50);
    std::ostringstream actual;
    for (const std::string& file : files) {
        scenario::LoadResult loaded = scenario::load_scenario_file((root / file).string());
        INFO(file << "\n" << loaded.describe(file));
        REQUIRE(loaded.ok());
        for (uint64_t seed = 1; seed <= 3; ++seed) {
            scenario::RunReport r =
                scenario::run_scenario(*loaded.scenario, scenario::RunOptions{.seed = seed});
            actual << file << ' ' << seed << ' ' << hex(r.run.fingerprint) << '\n';
        }
    }
    if (std::getenv("FEDSIM_UPDATE_GOLDENS") != nullptr) {
        std::ofstream(golden_path) << actual.str();
        WARN("rewrote " << golden_path.string());
        return;
    }
    std::ifstream in(golden_path);
    REQUIRE(in.good());
    std::istringstream want_lines(std::string(std::istreambuf_iterator<char>(in), {}));
    std::istringstream got_lines(actual.str());
    std::string want;
    std::string got;
    while (std::getline(got_lines, got)) {
        std::getline(want_lines, want);
        CHECK(got == want);
    }
    CHECK_FALSE(std::getline(want_lines, want));  // a golden line for a removed scenario
}
