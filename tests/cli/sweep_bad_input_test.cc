// Sweep tests for seeds whose drawn parameters make the scenario impossible (bad input,
// World::input_error): counted apart from failures and crashes in the summary, the --json
// results, JUnit and merge; the exit code; shrink and catalogue --verify refusing them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

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

// Every seed is bad input, but only at 30 simulated minutes (the reorg): some 150,000 events,
// a tenth of a second or more of a worker's wall time, a hundred times a 1 ms --wall-limit.
const std::string k_late_bad_input = R"({"name": "late-bad", "world": "federation", "seeds": "1..3",
  "topology": {"nodes": [{"name": "g", "role": "guardian", "count": 4}]},
  "params": {"finality_delay": 6, "premine": {"min": 20, "max": 25}, "duration": "31m"},
  "timeline": [{"name": "deep", "at": "30m", "action": "reorg", "depth": 30}],
  "expect": {"conditions": ["chain.tip_height > 0"]}
}
)";

TEST_CASE("a bad-input seed killed by --wall-limit is a crash, not bad input",
          "[cli][sweep][bad_input]") {
    Scratch s;
    s.write("late.json", k_late_bad_input);
    // Left alone, every seed is bad input ...
    Result free_run = s.fedsim("sweep late.json --jobs 2 --progress never");
    INFO(free_run.out);
    REQUIRE(free_run.code == 2);
    REQUIRE(free_run.has("0 passed, 0 failed, 0 crashed, 3 bad input"));
    // ... killed before it gets there, it is a crash: the worker never said what the seed was.
    Result killed =
        s.fedsim("sweep late.json --jobs 2 --progress never --wall-limit 0.001 --json k.json");
    INFO(killed.out);
    CHECK(killed.code == 1);
    CHECK(killed.has("0 passed, 0 failed, 3 crashed, 0 bad input"));
    CHECK_FALSE(killed.has("BAD INPUT"));
    nlohmann::json j = nlohmann::json::parse(s.read("k.json"));
    for (const auto& run : j["runs"]) {
        INFO(run.dump());
        CHECK(run["status"] == "crash");
        CHECK(run["reason"].get<std::string>().find("--wall-limit") != std::string::npos);
    }
}

TEST_CASE("--json results are format 2 and a bad-input run's outcome says so",
          "[cli][sweep][bad_input]") {
    Scratch s;
    s.write("late.json", k_late_bad_input);
    Result r = s.fedsim("sweep late.json --seeds 1..2 --jobs 2 --progress never --json r.json");
    INFO(r.out);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    // Format 1's "failed" counted bad-input seeds; 2's does not, so the version moved.
    CHECK(j["fedsim_results"] == 2);
    CHECK(j["summary"]["failed"] == 0);
    CHECK(j["summary"]["bad_input"] == 2);
    for (const auto& run : j["runs"]) {
        INFO(run.dump());
        CHECK(run["status"] == "input_error");
        CHECK(run["outcome"] == "input_error");  // not "ok": the world stopped the run
        CHECK(run["fingerprint"].get<std::string>().size() == 16);
    }
}

// scripts/ci-cross-fingerprints.sh, run from a copy beside its own scenarios/ and two "builds"
// (both this fedsim): bad-input seeds are results it compares, not a sweep it could not run.
TEST_CASE("ci-cross-fingerprints compares bad-input seeds and still stops on a usage error",
          "[cli][sweep][bad_input][scripts]") {
    Scratch s;
    const std::string bin = FEDSIM_BIN;
    s.shell("mkdir -p scripts scenarios b1/tools b2/tools && cp '" FEDSIM_SOURCE_DIR
            "/scripts/ci-cross-fingerprints.sh' scripts/ && ln -s '" + bin +
            "' b1/tools/fedsim && ln -s '" + bin + "' b2/tools/fedsim");
    s.write("scenarios/bad.json", k_never_fails);
    REQUIRE(s.fedsim("sweep scenarios/bad.json --progress never").code == 2);  // bad input only
    Result r = s.shell("bash scripts/ci-cross-fingerprints.sh 1..16 b1 b2");
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has("fingerprints identical across b1 b2: 1 scenarios, 16 runs each"));
    // A scenario fedsim refuses (exit 2, nothing swept) still stops the check.
    s.write("scenarios/broken.json", R"({"name": "broken", "world": "nowhere"})");
    Result broken = s.shell("bash scripts/ci-cross-fingerprints.sh 1..16 b1 b2");
    INFO(broken.out);
    CHECK(broken.code == 2);
    CHECK(broken.has("could not sweep scenarios/broken.json (exit 2)"));
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

namespace {

// A run's integer parameter from its "name=value" params.
int64_t param_of(const nlohmann::json& run, const std::string& name) {
    const std::string params = " " + run["params"].get<std::string>();
    const size_t at = params.find(" " + name + "=");
    REQUIRE(at != std::string::npos);
    return std::stoll(params.substr(at + name.size() + 2));
}

}  // namespace

// The chain world's reorg (depth from the drawn reorg_depth) deeper than the drawn premine is
// bad input, as in the federation world, named at the parameter that set the depth.
TEST_CASE("a chain world reorg deeper than the drawn chain is bad input at /params/reorg_depth",
          "[cli][sweep][bad_input]") {
    Scratch s;
    s.write("c.json", R"({"name": "c", "world": "chain",
  "topology": {"nodes": [{"name": "n", "role": "bitcoind"}]},
  "params": {"premine": {"min": 3, "max": 8}, "reorg_depth": {"min": 1, "max": 8},
             "duration": "10s", "converge_within": "10s"},
  "timeline": [{"name": "deep", "at": "1s", "action": "reorg"}]}
)");
    Result r = s.fedsim("sweep c.json --seeds 1..16 --jobs 2 --progress never --json r.json");
    INFO(r.out);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    int bad = 0;
    for (const auto& run : j["runs"]) {
        INFO(run.dump());
        const bool too_deep = param_of(run, "reorg_depth") > param_of(run, "premine");
        CHECK((run["status"] == "input_error") == too_deep);
        if (too_deep) {
            ++bad;
            CHECK(run["reason"].get<std::string>().rfind("c.json:3:", 0) == 0);
            CHECK(run["reason"].get<std::string>().find(
                      "/params/reorg_depth: reorg of depth") != std::string::npos);
        }
    }
    CHECK(bad > 0);
    CHECK(bad < 16);
}

namespace {

// scenarios/bugs/idle-federation-on-a-short-chain.json (vote-zero-livelock's scenario, premine
// 0..25) in a scratch source tree for `catalogue --source`, with `entry` (if any) first in its
// timeline and `condition` (if any) replacing its expectations' conditions.
void write_bug_tree(const Scratch& s, const std::string& entry, const std::string& condition) {
    s.shell("mkdir -p src/scenarios/bugs regs");
    const std::string file = "scenarios/bugs/idle-federation-on-a-short-chain.json";
    std::string text = cli_test::run_shell("cat '" FEDSIM_SOURCE_DIR "/" + file + "'").out;
    const std::string timeline = "\"timeline\": [";
    REQUIRE(text.find(timeline) != std::string::npos);
    if (!entry.empty()) {
        text.insert(text.find(timeline) + timeline.size(), "\n    " + entry + ",");
    }
    const std::string cond = "\"conditions\": [\"pegin.accepted == 1\"]";
    REQUIRE(text.find(cond) != std::string::npos);
    if (!condition.empty()) {
        text.replace(text.find(cond), cond.size(), "\"conditions\": [\"" + condition + "\"]");
    }
    s.write("src/" + file, text);
}

struct CatalogueSweep {
    std::string verdict;  // "failed", "bad input" or "nothing"
    uint64_t seeds = 0;
};

// The "  sweep K from seed S: VERDICT after N seeds" lines of a catalogue run, in order.
std::vector<CatalogueSweep> catalogue_sweeps(const std::string& out) {
    std::vector<CatalogueSweep> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        const size_t colon = line.find(": ");
        const size_t after = line.find(" after ");
        if (line.rfind("  sweep ", 0) != 0 || colon == std::string::npos ||
            after == std::string::npos) {
            continue;
        }
        v.push_back({line.substr(colon + 2, after - colon - 2),
                     std::stoull(line.substr(after + 7))});
    }
    return v;
}

const char* const k_catalogue_args =
    "catalogue --bug vote-zero-livelock --max-seeds 30 --proof-seeds 6 --jobs 1 --source src "
    "--regressions regs --doc cat.md";

}  // namespace

// A reorg of depth 12 at 1s is bad input for every seed that drew premine < 12. A detection
// sweep that meets such a seed first reached no verdict: the table's median and worst are the
// other sweeps', the row says how many stopped at bad input, and every error is kept.
TEST_CASE("catalogue: a detection sweep stopped at bad input is neither found nor not found",
          "[cli][catalogue][bad_input]") {
    Scratch s;
    write_bug_tree(s, R"({"at": "1s", "action": "reorg", "depth": 12})", "");
    Result r = s.fedsim(std::string(k_catalogue_args) + " --sweeps 5");
    INFO(r.out);
    CHECK(r.code == 1);
    std::vector<CatalogueSweep> sweeps = catalogue_sweeps(r.out);
    REQUIRE(sweeps.size() == 5);
    std::vector<uint64_t> judged;
    for (const CatalogueSweep& w : sweeps) {
        if (w.verdict != "bad input") {
            judged.push_back(w.seeds);
        }
    }
    // The fixture must have both kinds, or it tests nothing.
    REQUIRE_FALSE(judged.empty());
    REQUIRE(judged.size() < sweeps.size());
    std::sort(judged.begin(), judged.end());
    const bool all_found = std::all_of(sweeps.begin(), sweeps.end(), [](const CatalogueSweep& w) {
        return w.verdict != "nothing";
    });
    const std::string cells = std::to_string(judged[judged.size() / 2]) + " | " +
                              std::to_string(judged.back()) + (all_found ? "" : " (not found)") +
                              " (" + std::to_string(sweeps.size() - judged.size()) +
                              " of 5 sweeps stopped at bad input) |";
    const std::string doc = s.read("cat.md");
    INFO(doc);
    CHECK(doc.find("| `vote_zero_livelock` | ") != std::string::npos);
    CHECK(doc.find(cells) != std::string::npos);
    // Both the proof's bad input and each stopped sweep are in the row's error.
    CHECK(doc.find("variant off, ") != std::string::npos);
    size_t stopped = 0;
    for (size_t k = 0; k < sweeps.size(); ++k) {
        if (sweeps[k].verdict == "bad input") {
            ++stopped;
            CHECK(doc.find("sweep " + std::to_string(k + 1) + " stopped at seed ") !=
                  std::string::npos);
        }
    }
    CHECK(stopped == sweeps.size() - judged.size());
}

// A regression must pass with the variant off; when the variant-off proof was not clean (here a
// condition no seed meets) the first sweep's failure is not shrunk and nothing is written.
TEST_CASE("catalogue writes no regression when the variant-off proof was not clean",
          "[cli][catalogue][bad_input]") {
    Scratch s;
    write_bug_tree(s, "", "pegin.accepted == 99");
    Result r = s.fedsim(std::string(k_catalogue_args) + " --sweeps 1");
    INFO(r.out);
    CHECK(r.code == 1);
    std::vector<CatalogueSweep> sweeps = catalogue_sweeps(r.out);
    REQUIRE(sweeps.size() == 1);
    REQUIRE(sweeps[0].verdict == "failed");  // the path that used to shrink and write
    CHECK(r.has("not shrunk: the variant-off proof was not clean"));
    CHECK(cli_test::run_shell("ls '" + s.path("regs") + "'").out.empty());
    const std::string doc = s.read("cat.md");
    INFO(doc);
    CHECK(doc.find("| 0/6 | 1 | 1 | ") != std::string::npos);
    CHECK(doc.find("no regression written: the variant-off proof was not clean") !=
          std::string::npos);
}
