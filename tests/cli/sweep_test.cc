// Sweep tests: worker crashes, JUnit and JSON results, stop-on-first, shards and merge.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

// Fails on every 4th seed, crashes its worker process on seed 6.
const char* const k_crashy = R"({
  "name": "crashy", "world": "selftest", "seeds": "1..24",
  "params": {"fail_every": 4, "crash_seed": 6}
})";

}  // namespace

TEST_CASE("a worker crashing on one seed does not hide the other seeds", "[cli][sweep]") {
    Scratch s;
    s.write("crashy.json", k_crashy);
    Result r = s.fedsim("sweep crashy.json --jobs 3 --json r.json --junit r.xml");
    CHECK(r.code == 1);
    CHECK(r.has("FAIL seed 6: the worker process died: signal 11 (SIGSEGV)"));
    CHECK(r.has("replay: fedsim replay crashy.json --seed 6"));
    CHECK(r.has("17 passed, 6 failed, 1 crashed"));
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    REQUIRE(j["runs"].size() == 24);
    for (size_t i = 0; i < 24; ++i) {
        uint64_t seed = i + 1;
        CHECK(j["runs"][i]["seed"] == seed);
        std::string want = seed == 6 ? "crash" : seed % 4 == 0 ? "fail" : "pass";
        CHECK(j["runs"][i]["status"] == want);
    }
    std::string xml = s.read("r.xml");
    CHECK(xml.find("tests=\"24\" failures=\"6\" errors=\"1\"") != std::string::npos);
    CHECK(xml.find("<testcase classname=\"crashy\" name=\"seed 8\">") != std::string::npos);
}

TEST_CASE("sweep with every seed passing exits 0; bad arguments exit 2", "[cli][sweep]") {
    Scratch s;
    s.write("ok.json", R"({"name": "ok", "world": "selftest", "seeds": "1..50"})");
    Result r = s.fedsim("sweep ok.json --jobs 2 --progress never");
    CHECK(r.code == 0);
    CHECK(r.has("50 passed, 0 failed, 0 crashed"));
    r = s.fedsim("sweep ok.json --seeds 1..20 --jobs 2 --progress always");
    CHECK(r.code == 0);
    CHECK(r.has("seeds/s"));  // the bar (on stderr here) shows the rate and ETA
    CHECK(r.has("ETA"));
    CHECK(s.fedsim("sweep ok.json --seeds 9..3").code == 2);
    CHECK(s.fedsim("sweep ok.json --shard 3/2").code == 2);
    CHECK(s.fedsim("sweep ok.json --shard x").code == 2);
    CHECK(s.fedsim("sweep ok.json --jobs 0").code == 2);
    CHECK(s.fedsim("sweep ok.json --progress sometimes").code == 2);
}

TEST_CASE("a sweep of more seeds than it can hold is refused at once; shards are computed",
          "[cli][sweep]") {
    Scratch s;
    s.write("ok.json", R"({"name": "ok", "world": "selftest", "seeds": "1..50"})");
    // Before: the seed list was built one seed at a time, so these hung (and then ran out of
    // memory) instead of answering.
    Result r = s.fedsim("sweep ok.json --seeds 1..99999999999 --jobs 1");
    CHECK(r.code == 2);
    CHECK(r.has("--seeds \"1..99999999999\" gives 99999999999 seeds"));
    CHECK(r.has("--shard"));
    s.write("big.json", R"({"name": "big", "world": "selftest", "seeds": "0..99999999999"})");
    r = s.fedsim("sweep big.json --jobs 1");
    CHECK(r.code == 2);
    CHECK(r.has("the scenario's \"seeds\" \"0..99999999999\" gives 100000000000 seeds"));
    // Shard 2 of 2^63 - 1 over the top of the seed space: two seeds, the second past INT64_MAX.
    r = s.fedsim("sweep ok.json --seeds 100..18446744073709551614 "
                 "--shard 2/9223372036854775807 --jobs 1 --progress never --json r.json");
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has("2 passed, 0 failed"));
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    REQUIRE(j["runs"].size() == 2);
    CHECK(j["runs"][0]["seed"] == 101);
    CHECK(j["runs"][1]["seed"].get<uint64_t>() == 9223372036854775908ULL);
}

TEST_CASE("every seed a sweep runs can be run and replayed, up to 2^64 - 1", "[cli][sweep]") {
    Scratch s;
    s.write("race.json", R"({"name": "race", "world": "escrow", "seeds": "1..2",
      "params": {"mode": "check_then_act", "slow_one_in": 1}})");
    // Before: run, replay and demo refused seeds above INT64_MAX that sweep had run and
    // printed a replay command for.
    Result r = s.fedsim("sweep race.json --seeds 18446744073709551613..18446744073709551615 "
                        "--jobs 1 --progress never --json r.json");
    REQUIRE(r.code == 1);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    REQUIRE(j["runs"].size() == 3);
    for (const auto& run : j["runs"]) {
        std::string seed = std::to_string(run["seed"].get<uint64_t>());
        Result replay = s.fedsim("replay race.json --quiet --seed " + seed);
        INFO(replay.out);
        CHECK(replay.has("fingerprint " + run["fingerprint"].get<std::string>()));
        CHECK(s.fedsim("run race.json --seed " + seed).has("seed " + seed));
    }
    CHECK(s.fedsim("demo --seed 18446744073709551615").has("seed 18446744073709551615:"));
    Result bad = s.fedsim("demo --seed -3");
    CHECK(bad.code == 2);
    CHECK(bad.has("seed \"-3\" is not a non-negative integer"));
    CHECK(s.fedsim("replay race.json --seed 18446744073709551616").code == 2);
}

TEST_CASE("Ctrl-C stops a sweep, keeps its results and prints the command that resumes it",
          "[cli][sweep]") {
    Scratch s;
    // Seed 5 never yields, so the one worker is stuck there when the sweep is interrupted.
    s.write("loop.json", R"({"name": "loop", "world": "selftest", "seeds": "1..10",
      "params": {"crash_seed": 5, "crash_mode": "loop"}})");
    // Started in the background; SIGINT once the journal holds seeds 1-4 (header + 4 lines).
    Result r = s.shell(
        "PATH='" + std::string(FEDSIM_BIN).substr(0, std::string(FEDSIM_BIN).rfind('/')) +
        "':\"$PATH\"; fedsim sweep loop.json --jobs 1 --json r.json --wall-limit 60 "
        "--progress never & pid=$!; for i in $(seq 600); do [ -f r.json.partial ] && "
        "[ $(wc -l < r.json.partial) -ge 5 ] && break; sleep 0.05; done; kill -INT $pid; "
        "wait $pid; echo \"exit=$?\"");
    INFO(r.out);
    // Before: the sweep died at once (exit 130 from the shell) without a word; the results
    // survived, but nothing said so or how to go on.
    CHECK(r.has("exit=130"));
    CHECK(r.has("interrupted after 4 of 10 seeds"));
    // Before: the printed command dropped --jobs and --wall-limit, so a resume ran one worker per
    // CPU under the default limit.
    std::string resume =
        "fedsim sweep loop.json --seeds 1..10 --json r.json --jobs 1 --wall-limit 60 --resume";
    REQUIRE(r.has("run the rest with:\n  " + resume + "\n"));
    // The printed command (with a wall limit that gets past seed 5) runs the other six.
    std::string rest_command = resume.substr(7);
    rest_command.replace(rest_command.find("--wall-limit 60"), 15, "--wall-limit 1");
    Result rest = s.fedsim(rest_command + " --progress never");
    INFO(rest.out);
    CHECK(rest.has("resuming r.json: 4 of 10 seeds already done, 6 to run"));
    CHECK(rest.code == 1);  // seed 5 ran past the wall limit
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    CHECK(j["runs"].size() == 10);
    CHECK(j["summary"]["passed"] == 9);
}

TEST_CASE("--stop-on-first ends the sweep at the first failure", "[cli][sweep]") {
    Scratch s;
    s.write("crashy.json", k_crashy);
    Result r = s.fedsim("sweep crashy.json --seeds 1..24 --jobs 1 --stop-on-first --json r.json");
    CHECK(r.code == 1);
    CHECK(r.has("FAIL seed 4"));
    CHECK(r.has("not run"));
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    CHECK(j["runs"].size() == 4);
    CHECK(j["summary"]["not_run"] == 20);
}

TEST_CASE("sharded sweeps merged equal the unsharded sweep", "[cli][sweep]") {
    Scratch s;
    s.write("crashy.json", k_crashy);
    s.fedsim("sweep crashy.json --jobs 2 --json all.json");
    for (int k = 1; k <= 3; ++k) {
        std::string shard = std::to_string(k) + "/3";
        Result r = s.fedsim("sweep crashy.json --jobs 2 --shard " + shard + " --json s" +
                            std::to_string(k) + ".json");
        CHECK(r.has("shard " + shard));
    }
    Result r = s.fedsim("merge merged.json s3.json s1.json s2.json --junit merged.xml");
    CHECK(r.code == 1);  // the merged results contain failures
    CHECK(r.has("merged 3 shards of crashy: 24 runs"));
    CHECK(s.read("merged.json") == s.read("all.json"));
    CHECK(s.read("merged.xml").find("tests=\"24\"") != std::string::npos);

    CHECK(s.fedsim("merge m.json s1.json s2.json").code == 2);           // a shard missing
    CHECK(s.fedsim("merge m.json s1.json s1.json s2.json").code == 2);   // a shard twice
    s.write("other.json", R"({"name": "o", "world": "selftest", "seeds": "1..24"})");
    s.fedsim("sweep other.json --shard 2/3 --json o2.json");
    CHECK(s.fedsim("merge m.json s1.json o2.json s3.json").code == 2);   // another scenario
    s.write("junk.json", "{}");
    CHECK(s.fedsim("merge m.json junk.json").code == 2);
}
