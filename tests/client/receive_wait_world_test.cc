// The gateway world waits for a receive as long as the run lasts, and the payment checker's
// unfunded excuse ends where upstream's receive ends (session 15, task recvwait, item 1).
//
// Until session 15 the world stopped waiting 10 min after a paid invoice (2 min after an unpaid
// one) and left the receive pending; the checker excused a receive its client had never read
// as funded, and excused an unfunded receive without end. Here the client (client0) is cut from
// every guardian by a partition, so its reads go unanswered (the guardians and the gateway are
// untouched: the gateway funds, the guardians decrypt, the payer's payment succeeds):
//   - a paid receive cut for 38 of the run's 40 min is claimed after the heal (before:
//     gw.receive_pending; any wait shorter than the run would leave it pending);
//   - an unpaid receive (1 h invoice) cut until the end is reported by gw.payments_terminal
//     once the client's clock passes expiry + 60 s + 5 s (before: never reported);
//   - the same receive healed 14 ms after expiry + 60 s ends failed with every checker passing
//     (the excuse's slack covers the client's poll and reads).
#include <catch2/catch.hpp>

#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

// A gateway world with one payer (a 2,000,000 sat channel to the gateway's node); client0
// receives `amount_msat` at ready + 1 s and is cut from the four guardians at ready + `cut_at`,
// healed `heal_after` later ("": never); `payment_bound` as the world's parameter. With seed 1
// ready is at t = 42.014 s, the invoice is created at 43.02 s (its expiry: unix epoch + 43 +
// 3600 on client0's unskewed clock) and a paid invoice's payment succeeds at 43.43 s: a cut at
// ready + 1.2 s (43.214 s) falls after the offer and before the payer's payment succeeds.
std::string receive_scenario(int64_t amount_msat, const std::string& cut_at,
                             const std::string& heal_after, const std::string& duration,
                             const std::string& payment_bound) {
    const std::string heal =
        heal_after.empty() ? std::string() : ", \"heal_after\": \"" + heal_after + "\"";
    return R"({"name": "t", "world": "gateway",
        "topology": {"nodes": [{"name": "gw", "role": "node", "props": {"profile": "lnd"}},
                               {"name": "payer", "role": "node", "props": {"profile": "lnd"}}],
                     "links": [{"kind": "channel", "from": "payer", "to": "gw",
                                "props": {"capacity_sat": 2000000}}]},
        "params": {"duration": ")" +
           duration + R"(", "payment_bound": ")" + payment_bound +
           R"("},
        "limits": {"max_time": "3h"},
        "timeline": [{"name": "r", "after": "ready", "delay": "1s", "action": "receive",
                      "client": 0, "from": "payer", "amount_msat": )" +
           std::to_string(amount_msat) + R"(},
                     {"name": "cut", "after": "ready", "delay": ")" + cut_at +
           R"(", "action": "partition", "a": ["client0"],
                      "b": ["fed.g0", "fed.g1", "fed.g2", "fed.g3"])" + heal + R"(}]})";
}

scenario::RunReport run(const std::string& json) {
    scenario::LoadResult loaded = scenario::parse_scenario(json, "f.json");
    INFO(loaded.describe("f.json"));
    REQUIRE(loaded.ok());
    return scenario::run_scenario(*loaded.scenario, {.seed = 1});
}

// More than the payer's channel can carry: the invoice is never paid.
constexpr int64_t k_unpayable_msat = 5000000000;
// The invoice (created at 43 s, 1 h expiry) expired 60 s ago at t = 3703 s: the client's own
// end. The checker's excuse ends 5 s later (t = 3708 s).
constexpr int64_t k_expiry_plus_60_ms = 3703000;

}  // namespace

TEST_CASE("gateway world: a paid receive whose client cannot read the federation for 38 min "
          "is claimed after the heal",
          "[client][client-waits][scenario]") {
    // Healed at t = 43.214 s + 38 min = 2323.2 s, 2 min before the run ends (t = 2442 s).
    scenario::RunReport r = run(receive_scenario(1000000, "1200ms", "38m", "40m", "2h"));
    INFO(r.setup_error);
    INFO(r.reason);
    CHECK(r.passed);
    CHECK(r.metrics.at("gw.receives") == 1);
    CHECK(r.metrics.at("gw.received") == 1);
    CHECK(r.metrics.at("gw.receive_pending") == 0);
}

TEST_CASE("gateway world: an unfunded receive still pending 65 s after its invoice expired "
          "(the client's clock) is reported by gw.payments_terminal",
          "[client][client-waits][scenario]") {
    // Cut at ready + 30 s and never healed: the client never reads again, so it cannot end the
    // receive. While the cut holds, payment_bound waits (a generic fault in effect, World::
    // on_fault; until the review of 00d5c4c it ran from t = 0 and this run failed at the
    // checker's first 5 s pass past expiry + 60 s + 5 s, 3710 s), so the end-of-run check
    // judges it: a run ending at 3708.014 s (duration 3666 s after ready at 42.014 s), past
    // the excuse's end (3708 s), reports it; one ending a second earlier does not.
    scenario::RunReport r = run(receive_scenario(k_unpayable_msat, "30s", "", "3666s", "1m"));
    INFO(r.setup_error);
    INFO(r.reason);
    CHECK_FALSE(r.passed);
    CHECK(r.reason.find("payment_terminal") != std::string::npos);
    CHECK(r.reason.find("never reached a terminal state") != std::string::npos);
    CHECK(r.metrics.at("run.end_ms") == k_expiry_plus_60_ms + 5014);

    scenario::RunReport excused =
        run(receive_scenario(k_unpayable_msat, "30s", "", "3665s", "1m"));
    INFO(excused.reason);
    CHECK(excused.passed);
    CHECK(excused.metrics.at("run.end_ms") == k_expiry_plus_60_ms + 4014);
    CHECK(excused.metrics.at("gw.receive_pending") == 1);
}

TEST_CASE("gateway world: an unfunded receive whose client can read again at expiry + 60 s "
          "ends failed with every checker passing",
          "[client][client-waits][scenario]") {
    // Healed at t = 72.014 s + 3631 s = 3703.014 s: the read in flight then times out (2 s),
    // the next (after the 1 s poll) is answered and ends the receive, within the 5 s slack.
    scenario::RunReport r = run(receive_scenario(k_unpayable_msat, "30s", "3631s", "70m", "1m"));
    INFO(r.setup_error);
    INFO(r.reason);
    CHECK(r.passed);
    CHECK(r.metrics.at("gw.receive_failed") == 1);
    CHECK(r.metrics.at("gw.receive_pending") == 0);
}

namespace {

// client0 receives 1,000,000 msat at ready + 1 s from the payer; the gateway crashes at ready +
// `crash_at` and is never restarted; no block is mined after the set-up (block_interval 0), so
// an HTLC the gateway holds stays in flight to the end and the payer's pay() never returns.
std::string crashed_gateway_scenario(const std::string& crash_at) {
    return R"({"name": "t", "world": "gateway",
        "topology": {"nodes": [{"name": "gw", "role": "node", "props": {"profile": "lnd"}},
                               {"name": "payer", "role": "node", "props": {"profile": "lnd"}}],
                     "links": [{"kind": "channel", "from": "payer", "to": "gw",
                                "props": {"capacity_sat": 2000000}}]},
        "params": {"duration": "70m", "payment_bound": "1m", "block_interval": "0s"},
        "limits": {"max_time": "3h"},
        "timeline": [{"name": "r", "after": "ready", "delay": "1s", "action": "receive",
                      "client": 0, "from": "payer", "amount_msat": 1000000},
                     {"name": "crash", "after": "ready", "delay": ")" +
           crash_at + R"(", "action": "crash_gateway"}]})";
}

}  // namespace

// Before the review of 00d5c4c (M3) the world started the client's receive only after the
// payer's pay() returned, so with the HTLC held by a crashed gateway the client never read and
// the checker reported the receive (here at t = 110 s: crash + payment_bound, the contract
// being funded in consensus). The client now reads from the offer on: the guardians decrypt the
// preimage the gateway funded before it crashed and the client claims it.
TEST_CASE("gateway world: a receive funded by a gateway that crashed holding the HTLC is "
          "claimed while the payer's payment is still in flight",
          "[client][client-waits][scenario]") {
    scenario::RunReport r = run(crashed_gateway_scenario("1200ms"));
    INFO(r.setup_error);
    INFO(r.reason);
    CHECK(r.passed);
    CHECK(r.metrics.at("gw.received") == 1);
    CHECK(r.metrics.at("gw.receive_pending") == 0);
}

// The gateway crashes as the receive starts (same instant; it never funds): the payer's
// HTLC stays in flight, and the client's receive ends unfunded at expiry + 60 s as upstream's
// (Timeout). Before M3's fix the client never read: reported at t = 3710 s (expiry + 65 s).
TEST_CASE("gateway world: an unfunded receive whose payer's payment never returns ends failed "
          "at expiry + 60 s",
          "[client][client-waits][scenario]") {
    scenario::RunReport r = run(crashed_gateway_scenario("1000ms"));
    INFO(r.setup_error);
    INFO(r.reason);
    CHECK(r.passed);
    CHECK(r.metrics.at("gw.receive_failed") == 1);
    CHECK(r.metrics.at("gw.receive_pending") == 0);
}
