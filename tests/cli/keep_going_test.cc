// --keep-going on the command line: run and replay list every violation and print a replay
// command that repeats the flag; a passing run is the same run with or without it; shrink keeps
// the mode; sweep refuses it by name (exit 2).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "tests/cli/cli_helpers.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

// The escrow race (as in cli_test.cc): its ledger fails the run (check_failed) at the event
// that pays and refunds one payment, and goes on checking after every change.
const char* const k_race = R"({
  "name": "race", "world": "escrow", "seeds": "1..40",
  "params": {"mode": "check_then_act", "slow_one_in": {"min": 1, "max": 4},
             "client_timeout": {"min": "50ms", "max": "150ms"}},
  "faults": {"network": {"latency": {"min": "2ms", "max": "30ms"}}},
  "timeline": [{"name": "cut", "at": "500ms", "action": "partition", "a": ["ledger"],
                "heal_after": "20ms"}],
  "expect": {"checks": ["escrow.conservation"]}
})";

const char* const k_fixed = R"({
  "name": "fixed", "world": "escrow", "seeds": "1..30",
  "params": {"payments": {"min": 1, "max": 5}}
})";

// The first seed of the race whose run ends as check_failed.
std::string first_check_failed_seed(const Scratch& s) {
    Result r = s.fedsim("sweep race.json --seeds 1..40 --jobs 2 --json r.json");
    REQUIRE(r.code == 1);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    for (const auto& run : j["runs"]) {
        if (run["status"] == "fail" && run["outcome"] == "check_failed") {
            return std::to_string(run["seed"].get<int>());
        }
    }
    FAIL("no check_failed seed in the race scenario");
    return "";
}

// The text after `label` up to the end of its line.
std::string line_after(const Result& r, const std::string& label) {
    size_t at = r.out.find(label);
    if (at == std::string::npos) {
        return "";
    }
    at += label.size();
    return r.out.substr(at, r.out.find('\n', at) - at);
}

}  // namespace

TEST_CASE("run --keep-going: every violation listed, the outcome unchanged, the replay command "
          "repeats the flag",
          "[cli][keep-going]") {
    Scratch s;
    s.write("race.json", k_race);
    const std::string seed = first_check_failed_seed(s);
    Result stop = s.fedsim("run race.json --seed " + seed);
    Result going = s.fedsim("run race.json --seed " + seed + " --keep-going");
    INFO(going.out);
    CHECK(stop.code == 1);
    CHECK(going.code == 1);
    CHECK_FALSE(stop.has("violations: "));
    CHECK(going.has("violations: "));
    CHECK(going.has("(--keep-going)"));
    CHECK(line_after(going, "outcome: ") == line_after(stop, "outcome: "));
    CHECK(going.has("replay: fedsim replay race.json --seed " + seed + " --keep-going\n"));
    CHECK(stop.has("replay: fedsim replay race.json --seed " + seed + "\n"));
    // The run went on past the violation: another run, another fingerprint, reproducible.
    const std::string fp = line_after(going, "fingerprint ").substr(0, 16);
    CHECK(fp != line_after(stop, "fingerprint ").substr(0, 16));
    Result replay = s.fedsim("replay race.json --seed " + seed +
                             " --keep-going --quiet --expect-fingerprint " + fp);
    CHECK(replay.code == 1);  // the run fails (the bug), but the fingerprint matched
    CHECK_FALSE(replay.has("differs from the expected"));
    CHECK(replay.has("replay: fedsim replay race.json --seed " + seed + " --keep-going"));
    // The HTML report lists them too.
    CHECK(s.fedsim("run race.json --seed " + seed + " --keep-going --html r.html").code == 1);
    CHECK(s.read("r.html").find("id=\"violations\"") != std::string::npos);
}

TEST_CASE("run --keep-going: a passing run is the same run", "[cli][keep-going]") {
    Scratch s;
    s.write("fixed.json", k_fixed);
    for (const char* seed : {"1", "3"}) {
        Result stop = s.fedsim(std::string("run fixed.json --seed ") + seed);
        Result going = s.fedsim(std::string("run fixed.json --keep-going --seed ") + seed);
        REQUIRE(stop.code == 0);
        REQUIRE(going.code == 0);
        CHECK(line_after(going, "fingerprint ") == line_after(stop, "fingerprint "));
        CHECK_FALSE(going.has("violations: "));
    }
}

TEST_CASE("shrink --keep-going shrinks in that mode and its replay command says so",
          "[cli][keep-going]") {
    Scratch s;
    s.write("race.json", k_race);
    const std::string seed = first_check_failed_seed(s);
    Result r = s.fedsim("shrink race.json --seed " + seed + " --keep-going -o min.json");
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has("shrinking race.json, seed " + seed + " --keep-going"));
    CHECK(r.has("replay: fedsim replay min.json --seed " + seed + " --keep-going"));
    std::string description = nlohmann::json::parse(s.read("min.json"))["description"];
    CHECK(description.find("with seed " + seed + " and --keep-going;") != std::string::npos);
}

TEST_CASE("sweep refuses --keep-going by name, exit 2", "[cli][keep-going]") {
    Scratch s;
    s.write("race.json", k_race);
    Result r = s.fedsim("sweep race.json --seeds 1..3 --keep-going");
    CHECK(r.code == 2);
    CHECK(r.has("--keep-going"));
    CHECK(r.has("a sweep stops each run at its first violation"));
    CHECK(r.has("add --keep-going to the replay command"));
}
