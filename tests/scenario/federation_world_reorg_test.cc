// The federation world's `reorg` action (scenario/worlds/federation_world_reorg.cc): what a
// double-spending reorg may forge (only the depositor's own deposits, never a federation
// peg-out), how fed.pegins counts confirmations while the replacement branch is still shorter
// (on the most-work chain the nodes serve), and the depth bound (every block above genesis,
// not one more).
#include <catch2/catch.hpp>

#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

scenario::Scenario load(const std::string& timeline, const std::string& extra_params = "") {
    const std::string text =
        R"({"name": "t", "world": "federation",
            "topology": {"nodes": [{"name": "g", "role": "guardian", "count": 4}]},
            "params": {"finality_delay": 6, "premine": 30, "peg_in_spacing": "200ms")" +
        extra_params + R"(}, "timeline": [)" + timeline + "]}";
    scenario::LoadResult r = scenario::parse_scenario(text, "f.json");
    INFO(r.describe("f.json"));
    REQUIRE(r.ok());
    return *r.scenario;
}

scenario::RunReport run(const scenario::Scenario& s, uint64_t seed) {
    return scenario::run_scenario(s, {.seed = seed});
}

}  // namespace

TEST_CASE("federation world: a double-spending reorg re-mines the federation's peg-out",
          "[scenario][federation][reorg]") {
    // The peg-out (with change to the multisig) sits in the top 3 blocks when they are
    // invalidated; the attacker can only double-spend its own deposits, so the peg-out goes
    // back to the mempool and confirms on the new branch (reviewer probe
    // pegout_ds_nospacing.json; before the fix fed.pegouts found the peg-out gone).
    scenario::Scenario s = load(
        R"({"name": "deposit", "at": "2s", "action": "peg_in"},
           {"name": "out", "at": "10s", "action": "peg_out", "amount": 20000},
           {"name": "mine1", "at": "14s", "action": "mine", "blocks": 2},
           {"name": "ds", "at": "16s", "action": "reorg", "depth": 3, "blocks": 4,
            "double_spend": true})",
        R"(, "duration": "30s")");
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        scenario::RunReport r = run(s, seed);
        INFO("seed " << seed << ": " << r.reason);
        CHECK(r.passed);
        CHECK(r.metrics.at("pegout.accepted") == 1);
        CHECK(r.metrics.at("pegout.on_chain") == 1);
    }
}

TEST_CASE("federation world: a deposit below the fork point keeps its confirmations while the "
          "replacement branch is shorter",
          "[scenario][federation][reorg]") {
    // The reorg at 3.3 s replaces the top 3 blocks, above the deposit, with a branch mined one
    // block per 10 s: for ~30 s the miners' chain is shorter than the one every node serves,
    // and the deposit is in both. The federation credits it at finality_delay + 1
    // confirmations on the nodes' chain, which is right (reviewer probe
    // spacing_false_violation.json; before the fix fed.pegins counted on the short branch).
    for (const char* rule : {"wallet_v1", "wallet_v2"}) {
        scenario::Scenario s = load(
            R"({"name": "deposit", "at": "2s", "action": "peg_in"},
               {"name": "slow", "at": "3300ms", "action": "reorg", "depth": 3, "blocks": 4,
                "spacing": "10s"})",
            std::string(R"(, "duration": "60s", "wallet_rule": ")") + rule + "\"");
        for (uint64_t seed = 1; seed <= 3; ++seed) {
            scenario::RunReport r = run(s, seed);
            INFO(rule << " seed " << seed << ": " << r.reason);
            CHECK(r.passed);
            CHECK(r.metrics.at("pegin.accepted") == 1);
        }
    }
}

TEST_CASE("federation world: a reorg may remove every block above genesis, and a deeper one is "
          "bad input",
          "[scenario][federation][reorg]") {
    // premine 30: the chain is at height 30 when the reorg fires, so depth 30 invalidates
    // blocks 1..30 (allowed, reviewer probe depth_equals_height.json) and depth 31 would need
    // genesis itself.
    scenario::RunReport all = run(
        load(R"({"name": "all", "at": "1s", "action": "reorg", "depth": 30})",
             R"(, "duration": "20s")"),
        1);
    INFO(all.reason);
    CHECK(all.passed);
    CHECK(all.setup_error.empty());

    scenario::RunReport deeper = run(
        load(R"({"name": "all", "at": "1s", "action": "reorg", "depth": 31})",
             R"(, "duration": "20s")"),
        1);
    CHECK_FALSE(deeper.passed);
    INFO(deeper.setup_error);
    // Named by file, line and JSON pointer, like a load error, and not a checker's finding.
    CHECK(deeper.setup_error.find("f.json:") == 0);
    CHECK(deeper.setup_error.find("/timeline/0/depth") != std::string::npos);
    CHECK(deeper.setup_error.find("deeper than the chain above genesis") != std::string::npos);
    CHECK(deeper.signature.rfind("input:", 0) == 0);
    CHECK(deeper.checks.empty());
}

TEST_CASE("federation world: a failure after the guardians' wallet sync panicked names the panic",
          "[scenario][federation][reorg]") {
    // A reorg of finality_delay + 1 blocks makes every guardian's next sync panic; the peg-in
    // after it then waits for a consensus count that never comes. The run fails on that
    // symptom, and its message carries the cause (fed.wallet_sync) too.
    scenario::Scenario s = load(
        R"({"name": "deposit", "at": "2s", "action": "peg_in"},
           {"name": "deep", "at": "20s", "action": "reorg", "depth": 7},
           {"name": "after", "at": "22s", "action": "peg_in"})",
        R"(, "sync_timeout": "10s", "duration": "60s")");
    for (uint64_t seed = 1; seed <= 2; ++seed) {
        scenario::RunReport r = run(s, seed);
        INFO("seed " << seed << ": " << r.run.message);
        CHECK(r.run.outcome == sim::Outcome::check_failed);
        CHECK(r.run.message.find("did not reach block") != std::string::npos);
        CHECK(r.run.message.find("fed.wallet_sync: guardian") != std::string::npos);
        CHECK(r.run.message.find("panicked in its wallet sync") != std::string::npos);
    }
}
