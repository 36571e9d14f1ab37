// --keep-going on the command line: run and replay list every violation and print a replay
// command that repeats the flag; a run with no check failure is the same run with or without
// it; a crash after a regression's expected violation fails it (exit 1); shrink keeps the mode;
// sweep refuses it by name and a value for it (exit 2).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "tests/cli/cli_helpers.h"

using cli_test::k_fixed;
using cli_test::k_race;
using cli_test::Result;
using cli_test::Scratch;

namespace {

// Writes the race to race.json in `s`; returns its first seed whose run ends as check_failed.
std::string race_check_failed_seed(const Scratch& s) {
    s.write("race.json", k_race);
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
    const std::string seed = race_check_failed_seed(s);
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
    const std::string seed = race_check_failed_seed(s);
    Result r = s.fedsim("shrink race.json --seed " + seed + " --keep-going -o min.json");
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has("shrinking race.json, seed " + seed + " --keep-going"));
    CHECK(r.has("replay: fedsim replay min.json --seed " + seed + " --keep-going"));
    std::string description = nlohmann::json::parse(s.read("min.json"))["description"];
    CHECK(description.find("with seed " + seed + " and --keep-going;") != std::string::npos);
}

TEST_CASE("run --keep-going: a crash after the violation a regression expects fails it, exit 1",
          "[cli][keep-going]") {
    // A regression scenario (expects check_failed) whose run, gone on past the violation,
    // crashes: stop-at-first passes it; keep-going must not.
    Scratch s;
    s.write("late.json", R"({
  "name": "late", "world": "selftest", "seeds": "1..1", "params": {"steps": 100},
  "timeline": [{"name": "v", "at": "10ms", "action": "violate"},
               {"at": "50ms", "action": "throw"}],
  "expect": {"outcome": "check_failed", "message_contains": "violation 'v'"}
})");
    Result stop = s.fedsim("run late.json --seed 1");
    INFO(stop.out);
    CHECK(stop.code == 0);
    for (const char* command : {"run", "replay"}) {
        Result going = s.fedsim(std::string(command) + " late.json --seed 1 --keep-going");
        INFO(going.out);
        CHECK(going.code == 1);
        CHECK(going.has("outcome: check_failed: selftest: violation 'v' on purpose\n"));
        CHECK(going.has("violations: 2, "));
        CHECK(going.has(" actor_crashed (ended the run): "));
        CHECK(going.has("  FAIL run_end: after the check failure the run ended early, "
                        "actor_crashed: "));
        CHECK(going.has("FAIL seed 1: run_end: "));
    }
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

TEST_CASE("--keep-going takes no value: --keep-going=7 is refused, exit 2", "[cli][keep-going]") {
    Scratch s;
    s.write("fixed.json", k_fixed);
    // CLI11 would read any value as true; a value is a mistake worth naming.
    Result r = s.fedsim("run fixed.json --seed 1 --keep-going=7");
    CHECK(r.code == 2);
    CHECK(r.has("--keep-going: the flag takes no value, but was given '7' (write --keep-going "
                "alone)"));
    CHECK(s.fedsim("run fixed.json --seed 1 --keep-going=false").code == 2);
    CHECK(s.fedsim("run fixed.json --seed 1 --keep-going").code == 0);
}
