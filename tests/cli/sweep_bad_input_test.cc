// Sweep tests for seeds whose drawn parameters make the scenario impossible (bad input,
// World::input_error): counted apart from failures and crashes in the summary, the --json
// results, JUnit and merge; the exit code; shrink and catalogue --verify refusing them.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

// A federation world whose reorg (depth 30, at 1s, before anything else mines) needs a chain
// of at least 30 blocks: premine 28 or 29 is bad input. The reorg's 31 replacement blocks
// leave the tip at premine + 1, so `condition` decides which valid draws fail.
std::string reorg_draws(const std::string& condition) {
    return R"({"name": "reorg-draws", "world": "federation", "seeds": "1..16",
  "topology": {"nodes": [{"name": "g", "role": "guardian", "count": 4}]},
  "params": {"finality_delay": 6, "premine": {"min": 28, "max": 40}, "duration": "20s"},
  "timeline": [{"name": "deep", "at": "1s", "action": "reorg", "depth": 30}],
  "expect": {"conditions": [")" +
           condition + R"("]}
}
)";
}

// Fails when premine is 39 or 40 (tip 40 or 41).
const std::string k_fails_high = reorg_draws("chain.tip_height < 40");
// Never fails: every valid draw passes.
const std::string k_never_fails = reorg_draws("chain.tip_height > 0");

int premine_of(const nlohmann::json& run) {
    const std::string params = run["params"].get<std::string>();
    const size_t at = params.find("premine=");
    REQUIRE(at != std::string::npos);
    return std::stoi(params.substr(at + 8));
}

// What each seed must be, from the premine it drew (written in its params).
std::string expected_status(int premine, int fail_from) {
    return premine < 30 ? "input_error" : premine >= fail_from ? "fail" : "pass";
}

struct Counts {
    std::map<std::string, int> by_status;
    uint64_t first_bad = 0;
};

// Checks every run's status against its draw; returns the counts.
Counts check_runs(const nlohmann::json& results, int fail_from) {
    Counts c;
    for (const auto& run : results["runs"]) {
        const uint64_t seed = run["seed"].get<uint64_t>();
        const std::string want = expected_status(premine_of(run), fail_from);
        INFO("seed " << seed << " " << run.dump());
        CHECK(run["status"] == want);
        ++c.by_status[want];
        if (want == "input_error" && c.first_bad == 0) {
            c.first_bad = seed;
            CHECK(run["signature"].get<std::string>().rfind("input:", 0) == 0);
            CHECK(run["replay"] == "fedsim replay reorg.json --seed " + std::to_string(seed));
        }
    }
    return c;
}

std::string summary_line(const Counts& c) {
    auto n = [&c](const char* s) {
        auto it = c.by_status.find(s);
        return std::to_string(it == c.by_status.end() ? 0 : it->second);
    };
    return n("pass") + " passed, " + n("fail") + " failed, 0 crashed, " + n("input_error") +
           " bad input";
}

}  // namespace

TEST_CASE("a sweep counts a seed whose draw is bad input apart from failures, with its error "
          "and replay command",
          "[cli][sweep][bad_input]") {
    Scratch s;
    s.write("reorg.json", k_fails_high);
    Result r = s.fedsim("sweep reorg.json --jobs 3 --progress never --json r.json --junit r.xml");
    INFO(r.out);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    REQUIRE(j["runs"].size() == 16);
    Counts c = check_runs(j, 39);
    // The fixture must show all three kinds, or the test would prove nothing.
    REQUIRE(c.by_status["input_error"] > 0);
    REQUIRE(c.by_status["fail"] > 0);
    REQUIRE(c.by_status["pass"] > 0);
    // Failures are found bugs: they decide the exit code even with bad input beside them.
    CHECK(r.code == 1);
    CHECK(r.has(summary_line(c) + "\n"));
    CHECK(j["summary"]["bad_input"] == c.by_status["input_error"]);
    CHECK(j["summary"]["failed"] == c.by_status["fail"]);
    const std::string first = std::to_string(c.first_bad);
    // Live, then in the summary: the first bad-input seed with its draw, the error naming the
    // file and JSON pointer as `fedsim run` does, and the replay command.
    CHECK(r.has("BAD INPUT seed " + first + ": reorg.json:"));
    CHECK(r.has("First, seed " + first + " ("));
    CHECK(r.has("error: /timeline/0/depth: reorg of depth 30 at chain height 2"));
    CHECK(r.has("  replay: fedsim replay reorg.json --seed " + first + "\n"));
    CHECK_FALSE(r.has("FAIL seed " + first + ":"));
    // The replay command says the same, and exits 2 as the run command does for bad input.
    Result replay = s.fedsim("run reorg.json --seed " + first);
    CHECK(replay.code == 2);
    CHECK(replay.has("/timeline/0/depth"));
    // JUnit: bad input is an error of its own type, not a failure.
    const std::string xml = s.read("r.xml");
    CHECK(xml.find("failures=\"" + std::to_string(c.by_status["fail"]) + "\" errors=\"" +
                   std::to_string(c.by_status["input_error"]) + "\"") != std::string::npos);
    CHECK(xml.find("<error type=\"input_error\"") != std::string::npos);

    // One worker gives the same results file as three.
    Result one = s.fedsim("sweep reorg.json --jobs 1 --progress never --json one.json");
    CHECK(one.code == 1);
    CHECK(s.read("one.json") == s.read("r.json"));
}

TEST_CASE("a sweep whose only non-passing seeds are bad input exits 2; --stop-on-first does not "
          "stop at one",
          "[cli][sweep][bad_input]") {
    Scratch s;
    s.write("reorg.json", k_never_fails);
    Result r = s.fedsim("sweep reorg.json --jobs 2 --progress never --stop-on-first --json r.json");
    INFO(r.out);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    REQUIRE(j["runs"].size() == 16);  // every seed ran: bad input is not a failure to stop at
    Counts c = check_runs(j, 1000);
    REQUIRE(c.by_status["input_error"] > 0);
    CHECK(r.code == 2);
    CHECK(r.has(summary_line(c) + "\n"));  // no ", N not run" after it
    CHECK(j["summary"]["not_run"] == 0);
    CHECK_FALSE(r.has("failing seeds:"));
    // Shrinking starts from a failure, never from a bad-input seed.
    Result shrink = s.fedsim("shrink reorg.json --seed " + std::to_string(c.first_bad) +
                             " -o min.json");
    CHECK(shrink.code == 2);
    CHECK(shrink.has("/timeline/0/depth"));
    CHECK_FALSE(shrink.has("wrote min.json"));
}

TEST_CASE("merge counts bad input apart, also from results files written before it had a status",
          "[cli][sweep][bad_input]") {
    Scratch s;
    s.write("reorg.json", k_fails_high);
    s.fedsim("sweep reorg.json --jobs 2 --progress never --json all.json");
    s.fedsim("sweep reorg.json --jobs 2 --progress never --shard 1/2 --json s1.json");
    s.fedsim("sweep reorg.json --jobs 2 --progress never --shard 2/2 --json s2.json");
    Result r = s.fedsim("merge merged.json s2.json s1.json");
    INFO(r.out);
    CHECK(s.read("merged.json") == s.read("all.json"));
    nlohmann::json j = nlohmann::json::parse(s.read("all.json"));
    Counts c = check_runs(j, 39);
    CHECK(r.code == 1);
    CHECK(r.has("16 runs, " + summary_line(c) + "\n"));
    CHECK(r.has("  bad input: seed " + std::to_string(c.first_bad) + ": reorg.json:"));

    // A file from before "input_error": such seeds were "fail" with an "input:" signature.
    std::string old = s.read("all.json");
    for (size_t at = old.find("\"input_error\""); at != std::string::npos;
         at = old.find("\"input_error\"")) {
        old.replace(at, 13, "\"fail\"");
    }
    s.write("old.json", old);
    Result again = s.fedsim("merge again.json old.json");
    INFO(again.out);
    CHECK(again.has(summary_line(c)));
    CHECK(s.read("again.json") == s.read("all.json"));

    // Bad input alone: exit 2.
    s.write("fine.json", k_never_fails);
    s.fedsim("sweep fine.json --jobs 2 --progress never --shard 1/2 --json f1.json");
    s.fedsim("sweep fine.json --jobs 2 --progress never --shard 2/2 --json f2.json");
    CHECK(s.fedsim("merge f.json f1.json f2.json").code == 2);
}

TEST_CASE("a crashing worker is still a crash, never bad input", "[cli][sweep][bad_input]") {
    Scratch s;
    s.write("crashy.json", R"({"name": "crashy", "world": "selftest", "seeds": "1..8",
      "params": {"fail_every": 4, "crash_seed": 6}})");
    Result r = s.fedsim("sweep crashy.json --jobs 2 --progress never");
    CHECK(r.code == 1);
    CHECK(r.has("5 passed, 2 failed, 1 crashed, 0 bad input"));
    CHECK_FALSE(r.has("BAD INPUT"));
}

TEST_CASE("catalogue --verify of a regression whose seed is bad input exits 2 naming the field",
          "[cli][catalogue][bad_input]") {
    Scratch s;
    s.write("reg.json", R"({"name": "regression-x", "world": "federation", "seeds": "1..1",
  "topology": {"nodes": [{"name": "g", "role": "guardian", "count": 4}]},
  "params": {"variant": "none", "premine": 20, "duration": "20s"},
  "timeline": [{"name": "deep", "at": "1s", "action": "reorg", "depth": 30}]}
)");
    Result r = s.fedsim("catalogue --verify reg.json");
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(r.has("reg.json:"));
    CHECK(r.has("/timeline/0/depth"));
}
