// The "federation" world: its declaration's errors (JSON pointer and line), the peg-in
// finality boundary at exactly H and H + 1 confirmations, liveness under a 2 | 2 partition,
// any federation size, determinism, and the #2974 variant in the depositor.
#include <catch2/catch.hpp>

#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

scenario::LoadResult parse(const std::string& text) {
    return scenario::parse_scenario(text, "f.json");
}

scenario::Scenario load(const std::string& text) {
    scenario::LoadResult r = parse(text);
    INFO(r.describe("f.json"));
    REQUIRE(r.ok());
    return *r.scenario;
}

// A 4-guardian scenario with `params` and `timeline` spliced in.
std::string federation(const std::string& params, const std::string& timeline,
                       const std::string& topology =
                           R"({"nodes": [{"name": "g", "role": "guardian", "count": 4}]})") {
    return R"({"name": "t", "world": "federation", "topology": )" + topology +
           R"(, "params": {)" + params + R"(}, "timeline": [)" + timeline + "]}";
}

scenario::RunReport run(const scenario::Scenario& s, uint64_t seed) {
    return scenario::run_scenario(s, {.seed = seed});
}

// The diagnostics, one per line, for the failure messages and the checks below.
std::string errors_of(const std::string& text) {
    scenario::LoadResult r = parse(text);
    REQUIRE_FALSE(r.ok());
    return r.describe("f.json");
}

}  // namespace

TEST_CASE("federation world: bad fields are named by pointer and line", "[scenario][federation]") {
    // An unknown guardian prop, with a did-you-mean.
    std::string e = errors_of(federation(
        R"("duration": "10s")", "",
        R"({"nodes": [{"name": "g", "role": "guardian", "props": {"lagg": true}}]})"));
    CHECK(e.find("f.json:1:") != std::string::npos);
    CHECK(e.find("/topology/nodes/0/props/lagg") != std::string::npos);
    CHECK(e.find("lag") != std::string::npos);

    // Out of range and wrong type.
    e = errors_of(federation("\"finality_delay\": 101", ""));
    CHECK(e.find("/params/finality_delay") != std::string::npos);
    e = errors_of(federation("\"wallet_rule\": \"wallet_v3\"", ""));
    CHECK(e.find("/params/wallet_rule") != std::string::npos);
    e = errors_of(federation("\"monitor_interval\": 5", ""));
    CHECK(e.find("/params/monitor_interval") != std::string::npos);

    // A guardian action naming the depositor, and one naming nobody.
    e = errors_of(federation("", R"({"at": "1s", "action": "crash_guardian", "node": "depositor"})"));
    CHECK(e.find("/timeline/0/node") != std::string::npos);
    CHECK(e.find("not a guardian") != std::string::npos);
    e = errors_of(federation("", R"({"at": "1s", "action": "restart_guardian", "node": "g9"})"));
    CHECK(e.find("/timeline/0/node") != std::string::npos);
    // The depositor's bitcoind is a fair target for bitcoind actions.
    load(federation("", R"({"at": "1s", "action": "freeze_bitcoind", "node": "depositor"})"));

    // `guardians` conflicts with a topology that names them.
    e = errors_of(federation("\"guardians\": 3", ""));
    CHECK(e.find("/params/guardians") != std::string::npos);

    // A missing required argument and an unknown one.
    e = errors_of(federation("", R"({"at": "1s", "action": "expect_rounds", "min": 1})"));
    CHECK(e.find("/timeline/0") != std::string::npos);
    CHECK(e.find("within") != std::string::npos);
    e = errors_of(federation("", R"({"at": "1s", "action": "peg_in", "confirmation": 3})"));
    CHECK(e.find("/timeline/0/confirmation") != std::string::npos);

    // A reorg needs a depth, and a replacement branch longer than it.
    e = errors_of(federation("", R"({"at": "1s", "action": "reorg"})"));
    CHECK(e.find("/timeline/0") != std::string::npos);
    CHECK(e.find("depth") != std::string::npos);
    e = errors_of(federation("", R"({"at": "1s", "action": "reorg", "depth": 3, "blocks": 3})"));
    CHECK(e.find("/timeline/0/blocks") != std::string::npos);
    CHECK(e.find("must exceed depth") != std::string::npos);
    load(federation("", R"({"at": "1s", "action": "reorg", "depth": 3, "blocks": 4})"));
}

TEST_CASE("federation world: a peg-in at finality_delay confirmations is rejected, at "
          "finality_delay + 1 credited",
          "[scenario][federation]") {
    for (int fd : {0, 1, 6, 10}) {
        for (int extra : {0, 1}) {
            INFO("finality_delay " << fd << ", confirmations " << fd + extra);
            scenario::Scenario s = load(federation(
                "\"finality_delay\": " + std::to_string(fd) + ", \"extra_confirmations\": " +
                    std::to_string(extra) + R"(, "sync_timeout": "5s", "duration": "20s")",
                R"({"name": "deposit", "at": "1s", "action": "peg_in"})"));
            for (uint64_t seed = 1; seed <= 3; ++seed) {
                scenario::RunReport r = run(s, seed);
                INFO("seed " << seed << ": " << r.reason);
                REQUIRE(r.passed);
                // fd = 0 and extra = 0 still waits for one confirmation (the minimum).
                const bool enough = fd + extra >= fd + 1 || fd == 0;
                CHECK(r.metrics.at("pegin.accepted") == (enough ? 1 : 0));
                CHECK(r.metrics.at("pegin.rejected") == (enough ? 0 : 1));
                CHECK(r.metrics.at("depositor.balance_sat") == (enough ? 100000 : 0));
            }
        }
    }
}

TEST_CASE("federation world: no round while 2 of 4 guardians are cut off, rounds again after "
          "the heal",
          "[scenario][federation]") {
    scenario::Scenario s = load(federation(
        R"("duration": "40s")",
        R"({"name": "cut", "at": "5s", "action": "partition", "a": ["g0", "g1"], "b": ["g2", "g3"], "heal_after": "15s"},
           {"name": "stalled", "at": "7s", "action": "expect_rounds", "within": "12s", "max": 0, "min": 0},
           {"name": "resumed", "at": "21s", "action": "expect_rounds", "within": "10s", "min": 1})"));
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        scenario::RunReport r = run(s, seed);
        INFO(r.reason);
        CHECK(r.passed);
    }
    // The same expectation with a quorum still connected (1 | 3) must fail: the check bites.
    scenario::Scenario quorum = load(federation(
        R"("duration": "30s")",
        R"({"name": "cut", "at": "5s", "action": "partition", "a": ["g0"], "b": ["g1", "g2", "g3"], "heal_after": "15s"},
           {"name": "stalled", "at": "7s", "action": "expect_rounds", "within": "12s", "max": 0, "min": 0})"));
    scenario::RunReport r = run(quorum, 1);
    CHECK_FALSE(r.passed);
    CHECK(r.reason.find("stalled: the federation decided") != std::string::npos);
}

TEST_CASE("federation world: any size from one guardian up", "[scenario][federation]") {
    for (int n : {1, 2, 3, 5, 7}) {
        INFO(n << " guardians");
        scenario::Scenario s = load(
            R"({"name": "t", "world": "federation", "params": {"guardians": )" +
            std::to_string(n) +
            R"(, "duration": "20s"}, "timeline": [{"at": "1s", "action": "peg_in"}],
                "expect": {"conditions": ["pegin.accepted == 1"]}})");
        scenario::RunReport r = run(s, 7);
        INFO(r.reason);
        CHECK(r.passed);
        CHECK(r.metrics.at("fed.guardians") == n);
        CHECK(r.metrics.at("fed.rounds") > 0);
    }
}

TEST_CASE("federation world: same seed, same fingerprint", "[scenario][federation]") {
    scenario::Scenario s = load(federation(
        R"("lag": {"min": "0s", "max": "2s"}, "duration": "20s")",
        R"({"at": "1s", "action": "peg_in"}, {"at": "12s", "action": "peg_out", "amount": 20000})",
        R"({"nodes": [{"name": "g", "role": "guardian", "count": 3},
                      {"name": "s", "role": "guardian", "props": {"lagging": true}}]})"));
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        scenario::RunReport a = run(s, seed);
        scenario::RunReport b = run(s, seed);
        INFO(a.reason);
        CHECK(a.passed);
        CHECK(a.run.fingerprint == b.run.fingerprint);
        CHECK(a.metrics == b.metrics);
    }
    CHECK(run(s, 1).run.fingerprint != run(s, 2).run.fingerprint);
}

TEST_CASE("federation world: the depositor's #2974 variant claims before the federation synced",
          "[scenario][federation]") {
    const std::string timeline = R"({"at": "1s", "action": "peg_in"})";
    const std::string params =
        R"("rpc_latency_max": "200ms", "monitor_interval": "1s", "duration": "20s")";
    scenario::Scenario off = load(federation(params, timeline));
    scenario::Scenario on = load(federation(params + R"(, "variant": "pegin_on_own_view")",
                                            timeline));
    int caught = 0;
    for (uint64_t seed = 1; seed <= 10; ++seed) {
        scenario::RunReport r_off = run(off, seed);
        INFO(r_off.reason);
        CHECK(r_off.passed);
        scenario::RunReport r_on = run(on, seed);
        if (!r_on.passed) {
            ++caught;
            CHECK(r_on.reason.find("Unknown block hash in peg-in proof") != std::string::npos);
        }
    }
    CHECK(caught > 0);
}
