// CLI tests: every command, its output contract and its error paths (exit codes 0, 1, 2).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cctype>

#include "tests/cli/cli_helpers.h"
#include "tests/scenario/built_worlds.h"

using cli_test::k_fixed;
using cli_test::k_race;
using cli_test::Result;
using cli_test::Scratch;

namespace {

int first_failing_seed(const Scratch& s) {
    Result r = s.fedsim("sweep race.json --seeds 1..40 --jobs 2 --json r.json");
    REQUIRE(r.code == 1);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    for (const auto& run : j["runs"]) {
        if (run["status"] == "fail") {
            return run["seed"].get<int>();
        }
    }
    FAIL("no failing seed in the race scenario");
    return 0;
}

}  // namespace

TEST_CASE("validate: ok files and every kind of error, exit 2", "[cli]") {
    Scratch s;
    s.write("ok.json", k_fixed);
    Result r = s.fedsim("validate ok.json");
    CHECK(r.code == 0);
    // The params the file sets (payments), out of all the world has (the rest are defaults).
    CHECK(r.has("ok.json: ok (world escrow, 1 of its 8 params set, 0 timeline entries"));
    s.write("race.json", k_race);
    CHECK(s.fedsim("validate race.json")
              .has("(world escrow, 3 of its 8 params set, 1 timeline entry, seeds 1..40)"));

    s.write("syntax.json", "{\n  \"name\": \"x\",\n  \"world\": \"escrow\"\n  \"seeds\": \"1..2\"\n}");
    r = s.fedsim("validate syntax.json");
    CHECK(r.code == 2);
    CHECK(r.has("syntax.json:4:3: error: invalid JSON"));

    s.write("bad.json", "{\"name\": \"x\", \"world\": \"escrow\",\n \"parms\": {},\n"
                        " \"params\": {\"payments\": true, \"slow_one_in\": 0},\n"
                        " \"timeline\": [{\"at\": \"1s\", \"action\": \"crash\", \"node\": \"x\"}]}");
    r = s.fedsim("validate bad.json");
    CHECK(r.code == 2);
    CHECK(r.has("bad.json:2:2: error: /parms: unknown key \"parms\" in the scenario (did you "
                "mean \"params\"?)"));
    CHECK(r.has("/params/payments: expected an integer, not a boolean"));
    CHECK(r.has("/params/slow_one_in: value 0 is out of range"));

    s.write("refs.json", "{\"name\": \"x\", \"world\": \"escrow\", \"timeline\": [\n"
                         " {\"name\": \"a\", \"after\": \"b\", \"action\": \"crash\", \"node\": \"ledgr\"},\n"
                         " {\"name\": \"b\", \"after\": \"a\", \"action\": \"stop\"}]}");
    r = s.fedsim("validate refs.json");
    CHECK(r.code == 2);
    CHECK(r.has("refs.json:2:"));
    CHECK(r.has("cycle: a -> b -> a"));
    CHECK(r.has("names node \"ledgr\", which the topology does not have (did you mean "
                "\"ledger\"?)"));

    CHECK(s.fedsim("validate missing.json").code == 2);
    CHECK(s.fedsim("validate").code == 2);
}

TEST_CASE("run: outcome, checks, fingerprint; failures print seed and replay", "[cli]") {
    Scratch s;
    s.write("fixed.json", k_fixed);
    Result r = s.fedsim("run fixed.json --seed 3");
    CHECK(r.code == 0);
    CHECK(r.has("scenario fixed (world escrow), seed 3"));
    CHECK(r.has("fingerprint "));
    CHECK(r.has("PASS seed 3"));

    s.write("race.json", k_race);
    int seed = first_failing_seed(s);
    r = s.fedsim("run race.json --seed " + std::to_string(seed));
    CHECK(r.code == 1);
    CHECK(r.has("FAIL seed " + std::to_string(seed)));
    CHECK(r.has("replay: fedsim replay race.json --seed " + std::to_string(seed)));

    CHECK(s.fedsim("run fixed.json --seed -4").code == 2);
    CHECK(s.fedsim("run fixed.json --sed 4").code == 2);
    CHECK(s.fedsim("run nothere.json").code == 2);
}

TEST_CASE("run writes JSON Lines, Chrome trace and HTML on request", "[cli]") {
    Scratch s;
    s.write("race.json", k_race);
    Result r = s.fedsim("run race.json --seed 2 --trace t.jsonl --chrome-trace c.json --html r.html");
    CHECK((r.code == 0 || r.code == 1));
    std::string jsonl = s.read("t.jsonl");
    CHECK(jsonl.find("\"kind\":\"run_config\"") != std::string::npos);
    nlohmann::json chrome = nlohmann::json::parse(s.read("c.json"));
    bool has_thread_names = false;
    for (const auto& e : chrome["traceEvents"]) {
        has_thread_names = has_thread_names || e["name"] == "thread_name";
    }
    CHECK(has_thread_names);
    std::string html = s.read("r.html");
    CHECK(html.find("<svg") == std::string::npos);  // drawn by the page's script
    CHECK(html.find("id=\"run-data\"") != std::string::npos);
    CHECK(s.fedsim("run race.json --trace /nonexistent-dir/t.jsonl").code == 2);
}

TEST_CASE("run --html finishes for a run that ends 7 ns before the largest max_time", "[cli]") {
    // The time axis's ticks once overflowed int64 for a run ending within 8 days of INT64_MAX.
    // The server is frozen, so each of the client's tries times out: 300 timeouts of
    // floor(INT64_MAX / 300) ns end at 9223372036854775800 ns; the next would be past INT64_MAX
    // ("never"), and the run stalls there.
    Scratch s;
    s.write("far.json", R"({"name": "far", "world": "echo",
        "topology": {"nodes": [{"name": "s", "role": "server"}, {"name": "c", "role": "client"}]},
        "params": {"pings": 4, "max_attempts": 100, "ping_timeout": "30744573456182586ns"},
        "timeline": [{"at": "1ns", "action": "freeze", "node": "s"}],
        "expect": {"outcome": "stalled", "checks": []},
        "limits": {"max_time": "9223372036854775807ns"}})");
    Result r = s.fedsim("run far.json --seed 1 --html r.html");
    INFO(r.out);
    CHECK(r.code == 0);
    const std::string html = s.read("r.html");
    CHECK(html.find("\"end_ns\":9223372036854775800,") != std::string::npos);
    // The last tick, in days (93408 d = 2241792 h: the axis counted hours before).
    CHECK(html.find("[8070451200000000000,\"93408\",\"middle\"]]") != std::string::npos);
}

TEST_CASE("replay reproduces the sweep's fingerprint byte for byte", "[cli]") {
    Scratch s;
    s.write("race.json", k_race);
    int seed = first_failing_seed(s);
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    std::string fingerprint;
    for (const auto& run : j["runs"]) {
        if (run["seed"] == seed) {
            fingerprint = run["fingerprint"];
        }
    }
    Result r = s.fedsim("replay race.json --seed " + std::to_string(seed) +
                        " --expect-fingerprint " + fingerprint);
    CHECK(r.code == 1);  // the run fails (the bug), but the fingerprint matched
    CHECK(r.has("fingerprint " + fingerprint));
    CHECK(r.has("net_send"));  // full tracing
    CHECK_FALSE(r.has("differs from the expected"));
    r = s.fedsim("replay race.json --seed 1 --quiet --expect-fingerprint 0000000000000000");
    CHECK(r.has("differs from the expected"));
    CHECK(r.code == 1);
    CHECK(s.fedsim("replay race.json").code == 2);  // --seed is required
}

TEST_CASE("--expect-fingerprint: run takes it too, either case matches, a typo is refused",
          "[cli]") {
    Scratch s;
    s.write("fixed.json", k_fixed);
    Result r = s.fedsim("run fixed.json --seed 2");
    REQUIRE(r.code == 0);
    std::string fingerprint = r.out.substr(r.out.find("fingerprint ") + 12, 16);
    std::string upper = fingerprint;
    for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    // getting-started: `fedsim run` is replay without the printed trace.
    CHECK(s.fedsim("run fixed.json --seed 2 --expect-fingerprint " + fingerprint).code == 0);
    CHECK(s.fedsim("replay fixed.json --seed 2 --quiet --expect-fingerprint " + upper).code == 0);
    r = s.fedsim("run fixed.json --seed 3 --expect-fingerprint " + fingerprint);
    CHECK(r.code == 1);
    CHECK(r.has("FAIL seed 3: fingerprint "));
    CHECK(r.has("replay: fedsim replay fixed.json --seed 3"));
    // A value that can never match is a mistake on the command line, not an irreproducible run.
    for (const char* bad : {"zz", "0x0123456789abcdef", "0123456789abcde", "0123456789abcdefg"}) {
        r = s.fedsim(std::string("replay fixed.json --seed 2 --expect-fingerprint ") + bad);
        INFO(r.out);
        CHECK(r.code == 2);
        CHECK(r.has("--expect-fingerprint"));
        CHECK_FALSE(r.has("not reproducible"));
    }
}

// The last "replay: ..." line of a command's output, without the prefix.
std::string last_replay_line(const Result& r) {
    size_t at = r.out.rfind("replay: ");
    REQUIRE(at != std::string::npos);
    size_t end = r.out.find('\n', at);
    return r.out.substr(at + 8, end == std::string::npos ? std::string::npos : end - at - 8);
}

// Whether a command line starts with the fedsim binary's path (quoted or not).
bool starts_with_program(const std::string& line) {
    return line.rfind(FEDSIM_BIN " ", 0) == 0 || line.rfind("'" FEDSIM_BIN "' ", 0) == 0;
}

TEST_CASE("a printed replay command works when pasted: program as invoked, quoted file",
          "[cli]") {
    Scratch s;
    REQUIRE(std::system(("mkdir '" + s.path("my dir") + "'").c_str()) == 0);
    s.write("my dir/it's.json", k_race);
    // Invoked by its path (as README's build/tools/fedsim), not through PATH.
    Result swept = s.shell("'" FEDSIM_BIN "' sweep \"my dir/it's.json\" --seeds 1..40 --jobs 2 "
                           "--json r.json");
    REQUIRE(swept.code == 1);
    std::string replay = last_replay_line(swept);
    CHECK(starts_with_program(replay));
    CHECK(replay.find(" replay 'my dir/it'\\''s.json' --seed ") != std::string::npos);
    uint64_t seed = std::stoull(replay.substr(replay.rfind(' ') + 1));
    std::string fingerprint;
    nlohmann::json results = nlohmann::json::parse(s.read("r.json"));
    for (const auto& run : results["runs"]) {
        if (run["seed"] == seed) {
            fingerprint = run["fingerprint"];
            CHECK(run["replay"] == replay);
        }
    }
    REQUIRE_FALSE(fingerprint.empty());
    Result pasted = s.shell(replay + " --quiet");
    INFO(pasted.out);
    CHECK(pasted.code == 1);
    CHECK(pasted.has("fingerprint " + fingerprint));
    CHECK(last_replay_line(pasted) == replay);

    Result demo = s.shell("'" FEDSIM_BIN "' demo --seeds 1..300");
    CHECK(starts_with_program(last_replay_line(demo)));
    CHECK(last_replay_line(demo).find(" demo --seed ") != std::string::npos);
}

TEST_CASE("check-determinism passes real worlds and shows the first diverging record",
          "[cli]") {
    Scratch s;
    s.write("fixed.json", k_fixed);
    Result r = s.fedsim("check-determinism fixed.json --seeds 1..10");
    CHECK(r.code == 0);
    CHECK(r.has("10 seeds run twice: 10 deterministic, 0 not"));
    s.write("leak.json", R"({"name": "leak", "world": "selftest", "params": {"leak_state": true}})");
    r = s.fedsim("check-determinism leak.json --seeds 1..2");
    CHECK(r.code == 1);
    CHECK(r.has("NOT DETERMINISTIC"));
    CHECK(r.has("first divergence at record"));
    CHECK(r.has("- run 1: t=0.001s stepper step i=0"));
    CHECK(s.fedsim("check-determinism leak.json --seeds 5..1").code == 2);
}

TEST_CASE("diff: identical, diverging and unreadable traces", "[cli]") {
    Scratch s;
    s.write("fixed.json", k_fixed);
    s.fedsim("run fixed.json --seed 1 --trace a.jsonl");
    s.fedsim("run fixed.json --seed 1 --trace b.jsonl");
    s.fedsim("run fixed.json --seed 2 --trace c.jsonl");
    Result r = s.fedsim("diff a.jsonl b.jsonl");
    CHECK(r.code == 0);
    CHECK(r.has("traces are identical"));
    r = s.fedsim("diff a.jsonl c.jsonl");
    CHECK(r.code == 1);
    CHECK(r.has("first divergence at record"));
    CHECK(r.has("- a.jsonl: "));
    CHECK(r.has("+ c.jsonl: "));
    s.write("junk.jsonl", "not json\n");
    CHECK(s.fedsim("diff a.jsonl junk.jsonl").code == 2);
    CHECK(s.fedsim("diff a.jsonl").code == 2);
}

TEST_CASE("shrink writes a valid scenario that fails the same check", "[cli]") {
    Scratch s;
    s.write("race.json", k_race);
    int seed = first_failing_seed(s);
    Result r = s.fedsim("shrink race.json --seed " + std::to_string(seed) + " -o min.json");
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has(" reductions (listed above)"));
    // Each reduction is printed once (it was printed as it was kept and again in the summary).
    size_t pinned = 0;
    for (size_t at = r.out.find("param slow_one_in: pinned to the failing value");
         at != std::string::npos;
         at = r.out.find("param slow_one_in: pinned to the failing value", at + 1)) {
        ++pinned;
    }
    CHECK(pinned == 1);
    CHECK(s.fedsim("validate min.json").code == 0);
    Result again = s.fedsim("run min.json");  // its "seeds" is the failing seed
    CHECK(again.code == 1);
    CHECK(again.has("both paid and refunded"));
    s.write("fixed.json", k_fixed);
    // A passing seed is a usage mistake (exit 2, like any bad argument), and the message says
    // how to find a failing seed.
    r = s.fedsim("shrink fixed.json --seed 1 -o min2.json");
    CHECK(r.code == 2);
    CHECK(r.has("seed 1 passes"));
    CHECK(r.has("nothing to shrink"));
    CHECK(r.has("fedsim sweep fixed.json --seeds 1..30 --stop-on-first"));
    CHECK(s.fedsim("shrink race.json -o x.json").code == 2);
}

TEST_CASE("a shrunk file's description quotes the failure the file itself shows", "[cli]") {
    Scratch s;
    // getting-started's my-escrow.json: seed 3 fails with payment 4, its shrunk file with
    // payment 6. Before, the description quoted the original's "payment 4".
    s.write("my-escrow.json", R"({"name": "my-escrow", "world": "escrow", "seeds": "1..500",
      "params": {"mode": "check_then_act", "client_timeout": {"min": "50ms", "max": "150ms"},
                 "slow_one_in": {"min": 1, "max": 20}},
      "faults": {"network": {"latency": {"min": "2ms", "max": "30ms"}}},
      "timeline": [{"name": "cut", "at": "300ms", "action": "partition", "a": ["ledger"]},
                   {"after": "cut", "delay": "40ms", "action": "heal", "partition": "cut"}],
      "expect": {"outcome": "ok", "checks": ["escrow.conservation"]}})");
    REQUIRE(s.fedsim("shrink my-escrow.json --seed 3 -o min.json").code == 0);
    Result r = s.fedsim("run min.json");
    REQUIRE(r.code == 1);
    size_t at = r.out.find("FAIL seed 3: ");
    REQUIRE(at != std::string::npos);
    std::string reason = r.out.substr(at + 13, r.out.find('\n', at) - at - 13);
    std::string description = nlohmann::json::parse(s.read("min.json"))["description"];
    CHECK(description == "Shrunk from my-escrow.json with seed 3; fails with: " + reason);
}

TEST_CASE("list shows every section; unknown sections are errors", "[cli]") {
    Scratch s;
    Result r = s.fedsim("list");
    CHECK(r.code == 0);
    for (const char* heading : {"scenarios", "worlds:", "timeline actions:", "rule sets:",
                                "profiles:", "fault points:", "checkers:", "metrics:",
                                "historical bug variants:"}) {
        CHECK(r.has(heading));
    }
    CHECK(r.has("escrow.check_then_act"));
    r = s.fedsim("list checkers");
    CHECK(r.has("escrow.conservation"));
    CHECK_FALSE(r.has("worlds:"));
    // One section is that section only (before, worlds and actions came together).
    r = s.fedsim("list worlds");
    CHECK(r.has("worlds:"));
    CHECK_FALSE(r.has("timeline actions:"));
    r = s.fedsim("list actions");
    CHECK(r.has("timeline actions:"));
    CHECK_FALSE(r.has("worlds:"));
    // A bug variant shows the id `fedsim catalogue --bug` takes (this one is the gateway
    // world's, which a build may leave out: FEDSIM_SKIP_MODULES).
    if (test_worlds::built("gateway")) {
        CHECK(s.fedsim("list bugs").has("variant=stop_deadlock"));
        CHECK(s.fedsim("list bugs").has("(catalogue id: gateway-stop-deadlock)"));
    }
    // The first sentence, not the text up to the first '.' (which cut "0.5s" to "0").
    std::system(("mkdir '" + s.path("lib") + "'").c_str());
    s.write("lib/a.json", R"({"name": "a", "world": "escrow",
      "description": "Latency of 0.5s to 2s (see fedimint.md). More detail."})");
    r = s.fedsim("list scenarios --dir lib");
    CHECK(r.code == 0);
    CHECK(r.has("Latency of 0.5s to 2s (see fedimint.md)\n"));
    r = s.fedsim("list chekers");
    CHECK(r.code == 2);
    CHECK(r.has("did you mean \"checkers\""));
}

TEST_CASE("the demo and fingerprints commands keep working", "[cli]") {
    Scratch s;
    Result r = s.fedsim("fingerprints --seeds 1..3");
    CHECK(r.code == 0);
    // A line per seed, starting with the seed. (Sanitizer builds may print a runtime notice
    // before it, so look for the line rather than the first byte.)
    CHECK((r.out.find("1 ") == 0 || r.out.find("\n1 ") != std::string::npos));
    r = s.fedsim("demo --seeds 1..300");
    CHECK(r.has("sweeping the escrow demo"));
    CHECK(s.fedsim("no-such-command").code == 2);
}
