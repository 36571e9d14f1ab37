// RunOptions::keep_going on real worlds (one curated scenario of each model world): a run with
// no check failure is the same run in either mode (same fingerprint, same events); a failing
// one keeps the stop-at-first outcome and message as its verdict, and is reproducible in its
// mode. On the selftest world: a crash, stall or limit after a recorded violation fails the
// verdict of a scenario expecting check_failed, and the failure signature names that ending.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "scenario/parser.h"
#include "scenario/runner.h"
#include "scenario/worlds/end_of_run.h"
#include "tests/gateway/gateway_world_json.h"
#include "tests/scenario/built_worlds.h"

namespace {

// `fails`: the seed's stop-at-first run fails a check (else it has no failure at all), so a
// scenario that changed cannot turn either comparison below into a vacuous pass.
void compare_modes(const std::string& rel, uint64_t seed, bool fails) {
    scenario::LoadResult loaded =
        scenario::load_scenario_file(std::string(FEDSIM_SOURCE_DIR "/scenarios/") + rel);
    INFO(rel << " seed " << seed << ": " << loaded.describe(rel));
    REQUIRE(loaded.ok());
    if (test_worlds::left_out(loaded.scenario->world)) {
        return;
    }
    scenario::RunReport stop = scenario::run_scenario(*loaded.scenario, {.seed = seed});
    scenario::RunReport going =
        scenario::run_scenario(*loaded.scenario, {.seed = seed, .keep_going = true});
    INFO(stop.reason);
    REQUIRE(stop.run.failures.empty() == !fails);
    CHECK(going.run.outcome == stop.run.outcome);
    CHECK(going.run.message == stop.run.message);
    if (stop.run.failures.empty()) {
        CHECK(going.run.failures.empty());
        CHECK(going.run.fingerprint == stop.run.fingerprint);
        CHECK(going.run.events == stop.run.events);
        CHECK(going.metrics == stop.metrics);
    } else {
        REQUIRE_FALSE(going.run.failures.empty());
        CHECK(going.run.failures.front().at == stop.run.failures.front().at);
        scenario::RunReport again =
            scenario::run_scenario(*loaded.scenario, {.seed = seed, .keep_going = true});
        CHECK(again.run.fingerprint == going.run.fingerprint);
    }
}

}  // namespace

TEST_CASE("keep_going: a passing run of each world is the same run in both modes",
          "[scenario][keep-going]") {
    compare_modes("chain/lagging-node-converges.json", 1, false);
    compare_modes("federation/partition-two-of-four.json", 1, false);
    compare_modes("gateway/pay-and-receive.json", 1, false);
    compare_modes("lightning/failure-memory-lnd.json", 1, false);
    compare_modes("escrow/fixed-ledger-timeouts.json", 1, false);
}

TEST_CASE("keep_going: a failing run keeps its verdict and is reproducible",
          "[scenario][keep-going]") {
    compare_modes("escrow/check-then-act-race.json", 1, true);
}

namespace {

// The selftest world with a violation at 10 ms and `then` (a timeline entry, or nothing) after
// it; 100 steps of 1 ms. The scenario expects `expect` (a regression's check_failed).
scenario::Scenario violate_then(const std::string& then, const std::string& expect,
                                const std::string& limits = "") {
    const std::string text =
        R"({"name": "x", "world": "selftest", "params": {"steps": 100},
            "timeline": [{"name": "v", "at": "10ms", "action": "violate"})" +
        (then.empty() ? "" : ", " + then) + R"(], "expect": {"outcome": )" + expect + "}" +
        (limits.empty() ? "" : R"(, "limits": )" + limits) + "}";
    scenario::LoadResult loaded = scenario::parse_scenario(text, "t.json");
    INFO(loaded.describe("t.json"));
    REQUIRE(loaded.ok());
    return *loaded.scenario;
}

// Under --keep-going, the run recorded the violation and then ended fatally: the verdict fails
// on that ending (listed after the outcome), both failures are listed, and stop-at-first (which
// ends at the violation) still passes.
void check_fatal_after_violation(const scenario::Scenario& s, sim::Outcome ended) {
    scenario::RunReport stop = scenario::run_scenario(s, {.seed = 1});
    CHECK(stop.passed);
    CHECK(stop.run.outcome == sim::Outcome::check_failed);
    CHECK(stop.run.ended_by == sim::Outcome::check_failed);

    scenario::RunReport going = scenario::run_scenario(s, {.seed = 1, .keep_going = true});
    INFO(going.reason);
    CHECK(going.run.outcome == sim::Outcome::check_failed);  // the first failure, as before
    CHECK(going.run.ended_by == ended);
    CHECK_FALSE(going.passed);
    REQUIRE(going.run.failures.size() == 2);
    CHECK(going.run.failures[0].outcome == sim::Outcome::check_failed);
    CHECK(going.run.failures[1].outcome == ended);
    REQUIRE(going.checks.size() >= 2);
    CHECK(going.checks[0].checker == "outcome");
    CHECK(going.checks[0].passed);
    CHECK(going.checks[1].checker == "run_end");
    CHECK_FALSE(going.checks[1].passed);
    CHECK_THAT(going.reason, Catch::StartsWith("run_end: after the check failure the run ended "
                                               "early, " +
                                               std::string(sim::to_string(ended))));
    CHECK_THAT(going.signature, Catch::StartsWith("run_end:"));
}

}  // namespace

TEST_CASE("keep_going: a crash after a recorded violation fails a check_failed verdict",
          "[scenario][keep-going]") {
    check_fatal_after_violation(
        violate_then(R"({"at": "50ms", "action": "throw"})", R"("check_failed")"),
        sim::Outcome::actor_crashed);
}

TEST_CASE("keep_going: a stall after a recorded violation fails a check_failed verdict",
          "[scenario][keep-going]") {
    check_fatal_after_violation(
        violate_then(R"({"at": "50ms", "action": "hang"})", R"("check_failed")"),
        sim::Outcome::stalled);
}

TEST_CASE("keep_going: a limit after a recorded violation fails a check_failed verdict",
          "[scenario][keep-going]") {
    check_fatal_after_violation(violate_then("", R"("check_failed")", R"({"max_time": "50ms"})"),
                                sim::Outcome::time_limit);
    check_fatal_after_violation(violate_then("", R"("check_failed")", R"({"max_events": 40})"),
                                sim::Outcome::event_limit);
}

TEST_CASE("keep_going: a fatal ending the scenario expects too passes; a normal end is no "
          "ending to judge",
          "[scenario][keep-going]") {
    scenario::RunReport both = scenario::run_scenario(
        violate_then(R"({"at": "50ms", "action": "hang"})", R"(["check_failed", "stalled"])"),
        {.seed = 1, .keep_going = true});
    CHECK(both.passed);
    CHECK(both.run.ended_by == sim::Outcome::stalled);
    REQUIRE(both.checks.size() >= 2);
    CHECK(both.checks[1].checker == "run_end");
    CHECK(both.checks[1].passed);

    scenario::RunReport to_end = scenario::run_scenario(violate_then("", R"("check_failed")"),
                                                        {.seed = 1, .keep_going = true});
    CHECK(to_end.passed);
    CHECK(to_end.run.ended_by == sim::Outcome::ok);
    CHECK(to_end.run.failures.size() == 1);
    for (const scenario::CheckResult& c : to_end.checks) {
        CHECK(c.checker != "run_end");
    }
}

TEST_CASE("keep_going: the failure signature tells a run that crashed after the violation from "
          "one that reached its end (shrink keeps one only for the other's signature)",
          "[scenario][keep-going]") {
    // Expects ok: the violation fails both. The "stop" at 30 ms ends the run before the throw;
    // without it (a shrink candidate) the run crashes after the violation.
    const std::string throw_late = R"({"at": "50ms", "action": "throw"})";
    scenario::RunReport original = scenario::run_scenario(
        violate_then(R"({"at": "30ms", "action": "stop"}, )" + throw_late, R"("ok")"),
        {.seed = 1, .keep_going = true});
    scenario::RunReport crashing = scenario::run_scenario(violate_then(throw_late, R"("ok")"),
                                                          {.seed = 1, .keep_going = true});
    REQUIRE_FALSE(original.passed);
    REQUIRE_FALSE(crashing.passed);
    CHECK(original.run.ended_by == sim::Outcome::ok);
    CHECK(crashing.run.ended_by == sim::Outcome::actor_crashed);
    CHECK(original.reason == crashing.reason);  // the first failure: the violation, in both
    CHECK(original.signature != crashing.signature);
    CHECK_THAT(crashing.signature, Catch::Contains(" | run_end:actor_crashed:") &&
                                       Catch::EndsWith("selftest: thrown on purpose"));
}

namespace {

// Runs `s` under keep_going with every check judged, and checks the end-of-run listing: no
// failure repeats another's text (a hub violation listed again by the end-of-run loop), and
// every failing world check is listed by its text, except a counting check (fed.expectations,
// "N timeline expectation(s) failed"), whose N failures the run listed as they happened: at
// least N failures must be listed before the end. At least `min_failing` checks must fail, or
// the case tests nothing. The run must end at the judgement. Returns the report for the
// caller's own checks (nullopt when the build left the world out).
std::optional<scenario::RunReport> check_end_of_run_listing(scenario::Scenario s, uint64_t seed,
                                                            size_t min_failing = 2) {
    if (test_worlds::left_out(s.world)) {
        return std::nullopt;
    }
    s.expect.all_checks = true;
    scenario::RunReport r = scenario::run_scenario(s, {.seed = seed, .keep_going = true});
    const std::vector<sim::RunFailure>& f = r.run.failures;
    for (size_t i = 0; i < f.size(); ++i) {
        INFO("failure " << i << ": " << f[i].message);
        for (size_t j = 0; j < f.size(); ++j) {
            CHECK((i == j || f[j].message.find(f[i].message) == std::string::npos));
        }
    }
    size_t failing = 0;
    for (const scenario::CheckResult& c : r.checks) {
        if (c.passed || c.checker == "outcome" || c.checker == "run_end" ||
            c.checker == "condition") {
            continue;
        }
        ++failing;
        INFO(c.checker << ": " << c.message);
        if (c.checker == "fed.expectations") {
            // Counts failures the run listed as they happened: that many before the end.
            CHECK(c.already_reported);
            const auto earlier = std::count_if(f.begin(), f.end(), [&](const sim::RunFailure& v) {
                return v.at < r.run.end_time;
            });
            CHECK(static_cast<unsigned long>(earlier) >= std::stoul(c.message));
            continue;
        }
        CHECK(std::any_of(f.begin(), f.end(), [&](const sim::RunFailure& v) {
            return v.message.find(c.message) != std::string::npos;
        }));
    }
    CHECK(failing >= min_failing);
    CHECK(r.run.ended_by == sim::Outcome::ok);  // not run on to a limit past the judgement
    return r;
}

// The check `checker` of `r`, which must be there.
const scenario::CheckResult& check_named(const scenario::RunReport& r, const std::string& checker) {
    auto it = std::find_if(r.checks.begin(), r.checks.end(),
                           [&](const scenario::CheckResult& c) { return c.checker == checker; });
    REQUIRE(it != r.checks.end());
    return *it;
}

}  // namespace

TEST_CASE("keep_going: the federation world's end of run lists each failing check once",
          "[scenario][keep-going]") {
    // Seed 1: chain_backing (the hub, mid-run), then fed.wallet_sync at the end.
    scenario::LoadResult loaded = scenario::load_scenario_file(
        FEDSIM_SOURCE_DIR "/scenarios/federation/deep-reorg-after-peg-in.json");
    REQUIRE(loaded.ok());
    check_end_of_run_listing(*loaded.scenario, 1);
}

TEST_CASE("keep_going: the federation world lists a failure it reported as it happened once, "
          "not again at the end",
          "[scenario][keep-going]") {
    const std::string regressions = FEDSIM_SOURCE_DIR "/scenarios/bugs/regressions/";
    SECTION("a peg-in rejected against the rule: fed.pegins") {
        // The claim raced the federation's sync and was rejected (t = 21.86 s); fed.pegins
        // judges the same peg-in at the end (60 s). Listed twice before (the second prefixed
        // "fed.pegins: ").
        scenario::LoadResult loaded =
            scenario::load_scenario_file(regressions + "unknown-peg-in-block.json");
        REQUIRE(loaded.ok());
        std::optional<scenario::RunReport> r = check_end_of_run_listing(*loaded.scenario, 1, 1);
        if (r.has_value()) {
            REQUIRE(r->run.failures.size() == 1);
            CHECK(r->run.failures[0].at == sim::SimTime::from_ns(21863119340));
            CHECK_THAT(r->run.failures[0].message,
                       Catch::StartsWith("peg_in second of block 7 at 2 confirmations was "
                                         "rejected"));
            CHECK(r->run.end_time == sim::SimTime::from_ns(60000000000));
            // Failed, and not listed again: the failure above is the peg-in's own.
            const scenario::CheckResult& pegins = check_named(*r, "fed.pegins");
            CHECK_FALSE(pegins.passed);
            CHECK(pegins.already_reported);
        }
    }
    SECTION("a timeline expectation: fed.expectations") {
        // The start-up expectation failed at 30 s; fed.expectations counts it at the end
        // (70 s). Listed twice before ("fed.expectations: 1 timeline expectation(s) failed").
        scenario::LoadResult loaded =
            scenario::load_scenario_file(regressions + "sync-from-genesis.json");
        REQUIRE(loaded.ok());
        std::optional<scenario::RunReport> r = check_end_of_run_listing(*loaded.scenario, 1, 1);
        if (r.has_value()) {
            REQUIRE(r->run.failures.size() == 1);
            CHECK(r->run.failures[0].at == sim::SimTime::from_ns(30000000000));
            CHECK_THAT(r->run.failures[0].message,
                       Catch::StartsWith("start_up: a guardian fetched 51 blocks"));
            CHECK(r->run.end_time == sim::SimTime::from_ns(70000000000));
            const scenario::CheckResult& expectations = check_named(*r, "fed.expectations");
            CHECK_FALSE(expectations.passed);
            CHECK(expectations.already_reported);
            CHECK(expectations.message == "1 timeline expectation(s) failed");
        }
    }
}

TEST_CASE("keep_going: a check lists the first failure not reported yet; already_reported only "
          "when every one was",
          "[scenario][keep-going]") {
    scenario::ListedFailure none("x");
    CHECK(none.result().passed);

    scenario::ListedFailure reported("x");
    CHECK_FALSE(reported.add("a", true));
    CHECK_FALSE(reported.add("b", true));
    CHECK_FALSE(reported.result().passed);
    CHECK(reported.result().message == "a");
    CHECK(reported.result().already_reported);

    // One of each, either order: the unreported one is listed, and fails the run at the end.
    scenario::ListedFailure then_new("x");
    CHECK_FALSE(then_new.add("a", true));
    CHECK(then_new.add("b", false));
    CHECK(then_new.result().message == "b");
    CHECK_FALSE(then_new.result().already_reported);

    scenario::ListedFailure new_first("x");
    CHECK(new_first.add("a", false));
    CHECK(new_first.add("b", true));
    CHECK(new_first.add("c", false));
    CHECK(new_first.result().message == "a");
    CHECK_FALSE(new_first.result().already_reported);
    CHECK(new_first.result().checker == "x");
}

TEST_CASE("keep_going: fed.pegouts lists a peg-out missing from the chain after a reported "
          "rejection, in either order",
          "[scenario][keep-going]") {
    using scenario::PegOutAtEnd;
    const PegOutAtEnd rejected{
        .name = "a", .violation = "peg_out a was rejected", .reported = true};
    const PegOutAtEnd off_chain{.name = "b", .accepted_off_chain = true};
    const std::string missing = "peg_out b was accepted but its transaction is neither "
                                "confirmed nor in the mempool at the end";

    CHECK(scenario::list_pegout_failures({PegOutAtEnd{.name = "ok"}}).passed);

    // Reported first: the run listed it; the peg-out after it still fails the run at the end.
    const scenario::CheckResult then_missing =
        scenario::list_pegout_failures({rejected, off_chain});
    CHECK(then_missing.checker == "fed.pegouts");
    CHECK_FALSE(then_missing.passed);
    CHECK(then_missing.message == missing);
    CHECK_FALSE(then_missing.already_reported);

    const scenario::CheckResult missing_first =
        scenario::list_pegout_failures({off_chain, rejected});
    CHECK(missing_first.message == missing);
    CHECK_FALSE(missing_first.already_reported);

    // Only the reported rejection: failed, not listed again.
    const scenario::CheckResult only_reported = scenario::list_pegout_failures({rejected});
    CHECK_FALSE(only_reported.passed);
    CHECK(only_reported.message == "peg_out a was rejected");
    CHECK(only_reported.already_reported);
}

TEST_CASE("keep_going: the lightning world's end of run lists each failing check once",
          "[scenario][keep-going]") {
    // bob's chain view frozen with a held HTLC across the chain: htlc_expiry (the hub, mid-run),
    // then the payment still pending at the end of `duration`.
    scenario::LoadResult loaded = scenario::parse_scenario(R"({
      "name": "late", "world": "lightning", "seeds": "1..1",
      "topology": {
        "nodes": [{"name": "alice", "role": "node", "props": {"profile": "lnd"}},
                  {"name": "bob", "role": "node", "props": {"profile": "lnd"}},
                  {"name": "carol", "role": "node", "props": {"profile": "cln"}}],
        "links": [{"kind": "channel", "from": "alice", "to": "bob"},
                  {"kind": "channel", "from": "bob", "to": "carol"}]
      },
      "params": {"amount_msat": 1000000, "duration": "30m"},
      "timeline": [
        {"name": "pay", "after": "channels_open", "delay": "5s", "action": "pay",
         "from": "alice", "to": "carol", "hold": true},
        {"name": "freeze", "after": "pay", "delay": "10s", "action": "freeze_view",
         "node": "bob"},
        {"after": "freeze", "delay": "10s", "action": "mine", "blocks": 80, "spacing": "5s"}
      ],
      "expect": {"outcome": "check_failed"}
    })",
                                                           "late.json");
    INFO(loaded.describe("late.json"));
    REQUIRE(loaded.ok());
    check_end_of_run_listing(*loaded.scenario, 1);
}

TEST_CASE("keep_going: pin: the gateway world's end of run ends the run at a failed judgement",
          "[scenario][keep-going]") {
    if (test_worlds::left_out("gateway")) {
        return;
    }
    // The merchant holds the HTLC 200 blocks at 30 s (100 min): the payment is still pending
    // when `duration` ends, 5 m after ready, and gw.payments_terminal fails (the hub, from
    // 1 m on, and again at the end). The time limit, 2 h, is far past the judgement. (The run
    // ended there before the world used the shared judgement too: its driver is its only
    // foreground actor.) A pin, not a regression test: today it cannot fail, since every
    // other actor of the world is a daemon; it holds the end for the day a payment or receive
    // waits in a foreground actor.
    const scenario::Scenario s = gateway_world_json::load({
        .name = "pending-at-the-end",
        .channels = {{"gw", "merchant"}},
        .params = R"("payment_bound": "1m", "duration": "5m", "payee_hold_blocks": 200)",
        .timeline = R"(
    {"name": "pay", "after": "ready", "delay": "2s", "action": "pay", "to": "merchant"})",
        .outcome = "check_failed"});
    scenario::RunReport going =
        scenario::run_scenario(s, {.seed = 1, .keep_records = true, .keep_going = true});
    INFO(going.reason);
    CHECK(going.run.outcome == sim::Outcome::check_failed);
    const std::optional<sim::SimTime> pay = gateway_world_json::fired_at(going, "pay");
    REQUIRE(pay.has_value());
    // Ended by the judgement (the driver's end: duration after ready), not by max_time.
    CHECK(going.run.ended_by == sim::Outcome::ok);
    CHECK(going.run.end_time ==
          *pay - sim::SimDuration::seconds(2) + sim::SimDuration::minutes(5));
    CHECK(std::any_of(going.checks.begin(), going.checks.end(), [](const auto& c) {
        return c.checker == "gw.payments_terminal" && !c.passed;
    }));
}
