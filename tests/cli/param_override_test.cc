// --set NAME=VALUE on the scenario commands: a param replaced for one invocation, checked as if
// the file said it, repeated by every replay command the invocation prints, baked into shrink's
// output, and part of a sweep's identity (results file, --resume, merge).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>

#include "tests/cli/cli_helpers.h"
#include "tests/scenario/built_worlds.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

// The race of cli_helpers.h, with the ledger's mode left to the command line: the file itself
// uses the correct ledger (the world's default) and passes on every seed.
const std::string k_safe = cli_test::escrow_race("safe", "");

const char* const k_buggy = "--set mode=check_then_act";

// The first seed whose run fails with the buggy ledger, and that sweep's results.
struct Found {
    int seed = 0;
    std::string fingerprint;
    std::string replay;
};

std::string fnv1a_hex(const std::string& bytes) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : bytes) {
        h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

Found first_failure(const Scratch& s) {
    Result r = s.fedsim("sweep safe.json --seeds 1..40 --jobs 2 --json bug.json " +
                        std::string(k_buggy));
    REQUIRE(r.code == 1);
    nlohmann::json j = nlohmann::json::parse(s.read("bug.json"));
    for (const auto& run : j["runs"]) {
        if (run["status"] == "fail") {
            return {run["seed"].get<int>(), run["fingerprint"], run["replay"]};
        }
    }
    FAIL("the buggy ledger failed no seed");
    return {};
}

}  // namespace

TEST_CASE("--set replaces a param; the printed replay command repeats it and reproduces the run",
          "[cli][set]") {
    Scratch s;
    s.write("safe.json", k_safe);
    CHECK(s.fedsim("sweep safe.json --seeds 1..40 --jobs 2").code == 0);
    const Found f = first_failure(s);
    const std::string seed = std::to_string(f.seed);
    CHECK(f.replay == "fedsim replay safe.json --seed " + seed + " --set mode=check_then_act");

    Result r = s.fedsim("run safe.json --seed " + seed + " " + k_buggy);
    CHECK(r.code == 1);
    CHECK(r.has("mode=check_then_act"));  // the params line shows the value that ran
    CHECK(r.has("replay: " + f.replay));
    // Pasting the printed command reproduces the sweep's run byte for byte.
    r = s.fedsim(f.replay.substr(std::string("fedsim ").size()) + " --quiet --expect-fingerprint " +
                 f.fingerprint);
    CHECK(r.code == 1);
    CHECK_FALSE(r.has("differs from the expected"));
    // Without the override the same seed passes: the override, not the seed, made it fail.
    CHECK(s.fedsim("run safe.json --seed " + seed).code == 0);
    // --set before FILE leaves FILE alone (one NAME=VALUE per --set).
    CHECK(s.fedsim("run --set mode=check_then_act safe.json --seed " + seed).code == 1);
    // Repeated: each applies, the last of one name wins (either way round).
    r = s.fedsim("run safe.json --seed " + seed + " --set mode=check_then_act --set payments=3 "
                 "--set mode=reserve_first");
    CHECK(r.code == 0);
    CHECK(r.has("payments=3"));
    CHECK(s.fedsim("run safe.json --seed " + seed + " --set mode=reserve_first "
                   "--set mode=check_then_act").code == 1);
    // The other commands that print replay commands repeat the overrides too.
    r = s.fedsim("check-determinism safe.json --seeds " + seed + ".." + seed + " " + k_buggy);
    CHECK(r.code == 0);
    CHECK(r.has("1 seeds run twice: 1 deterministic"));
    REQUIRE(s.fedsim("run safe.json --seed " + seed + " --html r.html " + k_buggy).code == 1);
    CHECK(s.read("r.html").find("--set mode=check_then_act") != std::string::npos);
    REQUIRE(s.fedsim("sweep safe.json --seeds 1..40 --jobs 2 --junit j.xml " + std::string(k_buggy))
                .code == 1);
    CHECK(s.read("j.xml").find("replay: fedsim replay safe.json --seed " + seed +
                               " --set mode=check_then_act") != std::string::npos);
    // JSON values: a range, drawn per seed like the file's own ranges.
    CHECK(s.fedsim("validate safe.json --set 'payments={\"min\": 2, \"max\": 5}'").code == 0);
    CHECK(s.fedsim("validate safe.json --set payments=3")
              .has("safe.json: ok (world escrow, 3 of its 8 params set"));
}

TEST_CASE("a bad --set is bad input (exit 2) naming the override", "[cli][set]") {
    Scratch s;
    s.write("safe.json", k_safe);
    Result r = s.fedsim("run safe.json --set modee=check_then_act");
    CHECK(r.code == 2);
    CHECK(r.has("--set modee=check_then_act: error: /params/modee:"));
    CHECK(r.has("did you mean \"mode\""));
    r = s.fedsim("run safe.json --set mode=check_than_act");
    CHECK(r.code == 2);
    CHECK(r.has("--set mode=check_than_act: error: /params/mode"));
    CHECK(r.has("check_then_act"));  // what would have been accepted
    r = s.fedsim("run safe.json --set payments=many");
    CHECK(r.code == 2);
    CHECK(r.has("--set payments=many: error: /params/payments"));
    r = s.fedsim("run safe.json --set payments=0");  // below the world's minimum of 1
    CHECK(r.code == 2);
    CHECK(r.has("--set payments=0"));
    // Of two values of one name, the one used (the last) is the one blamed.
    r = s.fedsim("run safe.json --set mode=check_then_act --set mode=bogus");
    CHECK(r.code == 2);
    CHECK(r.has("--set mode=bogus: error"));
    CHECK_FALSE(r.has("--set mode=check_then_act: error"));
    // Not UTF-8, nested too deep, or an option where NAME=VALUE belongs: refused, no crash.
    r = s.fedsim("validate safe.json --set \"$(printf 'mode=\\377')\"");  // byte 0xff
    CHECK(r.code == 2);
    CHECK(r.has("not valid UTF-8"));
    CHECK(s.fedsim("validate safe.json --set 'payments=" + std::string(100, '[') + "'")
              .has("nested more than 64 levels"));
    CHECK(s.fedsim("validate safe.json --set= --seed=3").has("is an option, not NAME=VALUE"));
    for (const char* bad : {"--set mode", "--set =3", "--set"}) {
        r = s.fedsim(std::string("run safe.json ") + bad);
        INFO(bad << "\n" << r.out);
        CHECK(r.code == 2);
    }
    CHECK(s.fedsim("run safe.json --set mode").has("is not NAME=VALUE"));
    // The file's own errors still point into the file, with line and column.
    s.write("broken.json", "{\n  \"name\": \"b\",\n  \"world\": \"escrow\",\n  \"sedes\": \"1..2\"\n}");
    r = s.fedsim("run broken.json --set payments=3");
    CHECK(r.code == 2);
    CHECK(r.has("broken.json:4:3: error"));
    // An error the override replaces is no error: the file's bad range is never used.
    s.write("range.json", R"({"name": "r", "world": "escrow", "params": {"payments": {"min": 5, "max": 1}}})");
    CHECK(s.fedsim("validate range.json").code == 2);
    CHECK(s.fedsim("validate range.json --set payments=3").code == 0);
}

TEST_CASE("with --set, a seed's bad input still points at the file's own line", "[cli][set]") {
    NEEDS_WORLDS("federation");
    // A reorg of depth 30 on line 4 needs a premine of at least 30: the override makes the
    // world refuse the run when it is built, and the message must point at line 4 of this
    // file, not at a line of some rewritten copy.
    Scratch s;
    s.write("reorg.json", R"({"name": "reorg", "world": "federation", "seeds": "1..2",
  "topology": {"nodes": [{"name": "g", "role": "guardian", "count": 4}]},
  "params": {"finality_delay": 6, "premine": 40, "duration": "20s"},
  "timeline": [{"name": "deep", "at": "1s", "action": "reorg", "depth": 30}]
})");
    REQUIRE(s.fedsim("run reorg.json").code == 0);
    Result r = s.fedsim("run reorg.json --set premine=29");
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(r.has("reorg.json:4:"));
    CHECK(r.has("/timeline/0/depth"));
}

TEST_CASE("a sweep's overrides are part of its identity: results, --resume and merge",
          "[cli][set][sweep]") {
    Scratch s;
    s.write("safe.json", k_safe);
    REQUIRE(s.fedsim("sweep safe.json --seeds 1..6 --jobs 2 --json plain.json").code == 0);
    first_failure(s);  // writes bug.json
    nlohmann::json plain = nlohmann::json::parse(s.read("plain.json"));
    nlohmann::json bug = nlohmann::json::parse(s.read("bug.json"));
    CHECK_FALSE(plain.contains("set"));  // files without overrides read exactly as before
    CHECK(bug["set"] == nlohmann::json::array({"mode=check_then_act"}));
    CHECK(bug["digest"] != plain["digest"]);
    // Without overrides the digest is the file's alone, as files written before --set have
    // it: 64-bit FNV-1a of the bytes, computed here independently.
    const std::string tiny = R"({"name": "t", "world": "escrow", "seeds": "1..2"})";
    s.write("tiny.json", tiny);
    REQUIRE(s.fedsim("sweep tiny.json --jobs 1 --json t.json").code == 0);
    CHECK(nlohmann::json::parse(s.read("t.json"))["digest"] == fnv1a_hex(tiny));
    // The same values in another order or spelling are the same sweep.
    REQUIRE(s.fedsim("sweep tiny.json --jobs 1 --json t1.json --set payments=3 "
                     "--set 'slow_one_in={\"max\": 4, \"min\": 1}'").code == 0);
    REQUIRE(s.fedsim("sweep tiny.json --jobs 1 --json t2.json "
                     "--set 'slow_one_in={\"min\":1,\"max\":4}' --set payments=3").code == 0);
    CHECK(nlohmann::json::parse(s.read("t1.json"))["digest"] ==
          nlohmann::json::parse(s.read("t2.json"))["digest"]);

    // Shards swept with different overrides are different scenarios: merge refuses them.
    REQUIRE(s.fedsim("sweep safe.json --seeds 1..6 --shard 1/2 --jobs 1 --json a.json").code == 0);
    s.fedsim("sweep safe.json --seeds 1..6 --shard 2/2 --jobs 1 --json b.json " +
             std::string(k_buggy));
    Result r = s.fedsim("merge m.json a.json b.json");
    CHECK(r.code == 2);
    CHECK(r.has("a different scenario (file or --set)"));
    // --resume of results written with other overrides is refused, not mixed in.
    r = s.fedsim("sweep safe.json --seeds 1..6 --jobs 1 --json plain.json --resume " +
                 std::string(k_buggy));
    CHECK(r.code == 2);
    CHECK(r.has("a different scenario: other file contents or --set"));
}

TEST_CASE("shrink writes the overrides into its output, whose replay needs no --set",
          "[cli][set]") {
    Scratch s;
    s.write("safe.json", k_safe);
    const std::string seed = std::to_string(first_failure(s).seed);
    Result r = s.fedsim("shrink safe.json --seed " + seed + " -o min.json " + k_buggy);
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has("replay: fedsim replay min.json --seed " + seed + "\n"));
    CHECK(s.read("min.json").find("check_then_act") != std::string::npos);
    CHECK(s.fedsim("run min.json").code == 1);  // fails on its own, no --set needed
    // The hint for a passing seed repeats the overrides in the sweep it suggests.
    r = s.fedsim("shrink safe.json --seed 1 -o x.json --set mode=reserve_first");
    CHECK(r.code == 2);
    CHECK(r.has("--stop-on-first --set mode=reserve_first"));
}
