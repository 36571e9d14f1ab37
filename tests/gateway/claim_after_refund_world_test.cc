// The gateway world (through the scenario runner) on the case of docs/gateway.md "/stop's drain
// and upstream's": a gateway restarted only after the outgoing contract's timelock resumes a
// claim the user's refund has already beaten. The gateway paid over Lightning and is not paid
// back, so the world's verdict is a gw.never_loses violation, with the user's refund counted.
//
// Stop-at-first (the default), the run cannot show gw.claim_rejected = 1 for this case: the
// resumed claim (Gateway::claim) first reports the payment to the PaymentChecker, which sees the
// contract spent by the user and reports gateway_never_loses; the run ends there, 4 ms after the
// restart, before the claim is submitted, so the payment stays `paid` and gw.claim_rejected is
// 0. With keep_going (fedsim run --keep-going) the violation is recorded and the run goes on:
// the claim is submitted and rejected, gw.claim_rejected = 1, and the end-of-run check of the
// same contract ("never claimed") is the same violation, reported once.
#include <catch2/catch.hpp>

#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

// The merchant holds the HTLC two blocks; the gateway is cut from every guardian 5 s after the
// pay request (it has read the contract and is paying), gets the preimage while cut, crashes
// while its claim's read waits, and restarts after the heal, long after the contract's
// timelock (80 blocks at 10 s) let the client refund.
const char* k_scenario = R"({
  "name": "resumed-claim-after-refund", "world": "gateway",
  "topology": {
    "nodes": [
      {"name": "gw", "role": "node", "props": {"profile": "lnd"}},
      {"name": "merchant", "role": "node", "props": {"profile": "lnd"}}
    ],
    "links": [
      {"kind": "channel", "from": "gw", "to": "merchant", "props": {"capacity_sat": 2000000}}
    ]
  },
  "params": {
    "contract_timelock_blocks": 80, "min_final_cltv_expiry_delta": 40,
    "payee_hold_blocks": 2, "block_interval": "10s", "duration": "30m"
  },
  "timeline": [
    {"name": "pay", "after": "ready", "delay": "1s", "action": "pay", "to": "merchant"},
    {"name": "cut", "after": "pay", "delay": "5s", "action": "partition", "a": ["gateway"],
     "b": ["fed.g0", "fed.g1", "fed.g2", "fed.g3"]},
    {"name": "down", "after": "pay", "delay": "60s", "action": "crash_gateway"},
    {"name": "heal", "after": "pay", "delay": "16m", "action": "heal", "partition": "cut"},
    {"name": "up", "after": "pay", "delay": "17m", "action": "restart_gateway"}
  ],
  "expect": {
    "outcome": "check_failed", "message_contains": "gateway_never_loses",
    "checks": ["fed.consensus", "fed.books", "fed.chain_backing", "ln.conservation"],
    "conditions": ["gw.refunded == 1", "gw.paid == 0", "gw.pending == 0"]
  },
  "limits": {"max_time": "2h", "wall_time": "60s"}
})";

}  // namespace

TEST_CASE("gateway world: a claim resumed after the user's refund is a gw.never_loses loss, "
          "the refund counted",
          "[gateway][world][restart]") {
    scenario::LoadResult loaded = scenario::parse_scenario(k_scenario, "t.json");
    INFO(loaded.describe("t.json"));
    REQUIRE(loaded.ok());
    for (const uint64_t seed : {1, 2}) {
        scenario::RunReport r = scenario::run_scenario(*loaded.scenario, {.seed = seed});
        INFO("seed " << seed << ": " << r.reason << " / " << r.run.message);
        CHECK(r.passed);  // the expected outcome, the federation's books and every condition
        // The gateway, restarted past the timelock, found the contract refunded: its loss.
        CHECK_THAT(r.run.message, Catch::Contains("paid over Lightning but no longer claimable"));
        CHECK(r.metrics.at("gw.refunded") == 1);
        CHECK(r.metrics.at("gw.restarts") == 1);
        CHECK(r.metrics.at("gw.claim_rejected") == 0);  // the run ended before the claim
        CHECK(r.run.failures.size() == 1);
    }
}

TEST_CASE("gateway world, keep going: the claim resumed after the refund is rejected, and the "
          "violation before it is still the verdict",
          "[gateway][world][restart][keep-going]") {
    scenario::LoadResult loaded = scenario::parse_scenario(k_scenario, "t.json");
    REQUIRE(loaded.ok());
    for (const uint64_t seed : {1, 2}) {
        scenario::RunReport stop = scenario::run_scenario(*loaded.scenario, {.seed = seed});
        scenario::RunReport r =
            scenario::run_scenario(*loaded.scenario, {.seed = seed, .keep_going = true});
        INFO("seed " << seed << ": " << r.reason << " / " << r.run.message);
        // The same first violation and outcome as stop-at-first...
        CHECK(r.run.outcome == sim::Outcome::check_failed);
        CHECK(r.run.message == stop.run.message);
        REQUIRE_FALSE(r.run.failures.empty());
        CHECK(r.run.failures.front().source == "gateway_never_loses");
        CHECK(r.run.failures.front().at == stop.run.end_time);
        // ...reported once: the end-of-run "never claimed" of the same contract is dropped.
        size_t never_loses = 0;
        for (const sim::RunFailure& v : r.run.failures) {
            never_loses += v.source == "gateway_never_loses" ? 1 : 0;
        }
        CHECK(never_loses == 1);
        // ...and the run went on to its normal end, where the claim was rejected.
        CHECK(r.run.end_time > stop.run.end_time);
        CHECK(r.metrics.at("gw.claim_rejected") == 1);
        CHECK(stop.metrics.at("gw.claim_rejected") == 0);
        CHECK(r.metrics.at("gw.refunded") == 1);
        CHECK(r.metrics.at("gw.restarts") == 1);
        CHECK(r.run.fingerprint != stop.run.fingerprint);
        // The same seed in the same mode is the same run.
        scenario::RunReport again =
            scenario::run_scenario(*loaded.scenario, {.seed = seed, .keep_going = true});
        CHECK(again.run.fingerprint == r.run.fingerprint);
    }
}
