// Every bundled scenario that expects check_failed (the regressions under scenarios/bugs/ and
// the curated bug variants) run with --keep-going, as a child fedsim process: the run goes on
// past the violation the scenario expects, through code no stop-at-first run reaches, so an
// assertion there would abort the process with no report, and a crash, stall or limit there
// would fail the verdict (run_end). Each must reach its report and pass, exit 0.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/cli_helpers.h"
#include "tests/scenario/built_worlds.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

// Seeds per file: the regressions pin one; the curated variants' ranges (up to 1..500) are
// swept stop-at-first by their own CTest entries, so the first few are enough here (CI time).
constexpr uint64_t k_max_seeds = 3;

bool expects_check_failed(const nlohmann::json& scenario) {
    const nlohmann::json& expect = scenario.value("expect", nlohmann::json::object());
    const nlohmann::json outcome = expect.value("outcome", nlohmann::json("ok"));
    if (outcome.is_string()) {
        return outcome == "check_failed";
    }
    return std::find(outcome.begin(), outcome.end(), "check_failed") != outcome.end();
}

struct Target {
    std::string path;
    std::string world;
    uint64_t first = 1;
    uint64_t last = 1;
};

// Every scenario under scenarios/ that expects check_failed, in path order.
std::vector<Target> targets() {
    std::vector<Target> out;
    const std::filesystem::path root = FEDSIM_SOURCE_DIR "/scenarios";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        std::ifstream in(entry.path());
        const nlohmann::json j = nlohmann::json::parse(in);
        if (!expects_check_failed(j)) {
            continue;
        }
        Target t{entry.path().string(), j.at("world").get<std::string>()};
        const std::string seeds = j.value("seeds", "1..1");
        t.first = std::stoull(seeds.substr(0, seeds.find("..")));
        t.last = std::stoull(seeds.substr(seeds.find("..") + 2));
        out.push_back(t);
    }
    std::sort(out.begin(), out.end(),
              [](const Target& a, const Target& b) { return a.path < b.path; });
    return out;
}

}  // namespace

TEST_CASE("every bundled scenario expecting check_failed reaches its report and passes under "
          "--keep-going",
          "[cli][keep-going]") {
    const std::vector<Target> all = targets();
    // The 11 regressions that expect a check failure and 4 curated bug variants (2026-11-28):
    // fewer means the walk above lost some.
    REQUIRE(all.size() >= 15);
    Scratch s;
    for (const Target& t : all) {
        if (test_worlds::left_out(t.world)) {
            continue;
        }
        for (uint64_t seed = t.first; seed <= std::min(t.last, t.first + k_max_seeds - 1);
             ++seed) {
            const std::string command = "run '" + t.path + "' --seed " + std::to_string(seed) +
                                        " --keep-going";
            Result r = s.fedsim(command);
            INFO("fedsim " << command << "\n" << r.out);
            CHECK(r.code == 0);
            CHECK(r.has("PASS seed " + std::to_string(seed) + "\n"));
        }
    }
}
