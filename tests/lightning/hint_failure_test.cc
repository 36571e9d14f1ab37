// What each payer does when its invoice's route hint under-states the hinted channel's fee by
// 1 msat (the LND-gateway hint quirk, docs/bug-catalogue.md): the hinted node refuses with
// fee_insufficient and its channel_update, then
//   LND retries with the update applied to the hint (routing/payment_session.go
//       UpdateAdditionalEdge) and succeeds on the 2nd attempt;
//   LDK leaves the blamed channel out of the retry (onion_utils.rs process_onion_failure ->
//       short_channel_id -> PaymentParameters::previously_failed_channels, skipped by
//       router.rs get_route, private hops included), finds no route and gives up;
//   CLN's pay plugin retries the hint unchanged (libplugin-pay.c handle_intermediate_failure
//       marks nothing for fee_insufficient; the routehints modifier takes the invoice's fees)
//       until its retry budget ends: 11 attempts (retry_data_init: 10 retries).
// With the exact fee every payer succeeds first time.
#include "ln_test_util.h"

using namespace ln_test;

namespace {

constexpr uint64_t k_amount_msat = 2000000;

struct HintRun {
    PaymentResult result;
    NodeIndex hinted = k_no_node;  // the hint's source, the node that checks its fee
    uint64_t exact_fee_msat = 0;   // the hinted channel's real fee on k_amount_msat
};

// payer -> a (lnd) -> p over a channel a announces only when `announced`; the invoice's one
// hint is a's real policy with its base fee lowered by `understate_msat` (negative: raised).
HintRun pay_over_hint(const std::string& payer, int64_t understate_msat,
                      bool announced = false) {
    World w(7);
    NodeIndex s = w.add("s", payer);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex p = w.add("p", "ldk");
    w.connect(s, a);
    ChannelIndex priv = w.connect(ChannelOptions{.funder = a, .peer = p, .capacity_sat = 500000,
                                                 .push_msat = 250000000, .announce = announced});
    HintRun run;
    run.hinted = a;
    w.run([&] {
        const ChannelLedger& ch = w.ln.channel(priv);
        ChannelPolicy hinted = ch.side(ch.side_of(a)).policy;
        run.exact_fee_msat = hinted.fee_base_msat + k_amount_msat * hinted.fee_ppm / 1000000;
        REQUIRE(static_cast<int64_t>(hinted.fee_base_msat) >= understate_msat);
        hinted.fee_base_msat = static_cast<uint64_t>(
            static_cast<int64_t>(hinted.fee_base_msat) - understate_msat);
        RouteHint hint{RouteHintHop{a, ch.scid(), hinted}};
        Invoice invoice = w.ln.node(p).create_invoice(
            InvoiceOptions{.amount_msat = k_amount_msat, .route_hints = {hint}});
        run.result = w.ln.node(s).pay(invoice);
    });
    return run;
}

void check_first_attempt_fee_insufficient_at_hint(const HintRun& run) {
    REQUIRE_FALSE(run.result.attempts.empty());
    const std::optional<HtlcFailure>& f = run.result.attempts[0].failure;
    REQUIRE(f.has_value());
    CHECK(f->code == FailureCode::fee_insufficient);
    CHECK(f->failing_node == run.hinted);
    CHECK(run.result.attempts[0].route.total_fee_msat == run.exact_fee_msat - 1);
}

}  // namespace

TEST_CASE("a hint 1 msat under the fee: LND applies the channel_update to the hint and retries",
          "[lightning][actors][hints]") {
    HintRun run = pay_over_hint("lnd", 1);
    INFO(run.result.reason);
    check_first_attempt_fee_insufficient_at_hint(run);
    CHECK(run.result.succeeded);
    CHECK(run.result.attempts.size() == 2);
    CHECK(run.result.fee_msat == run.exact_fee_msat);
}

TEST_CASE("a hint 1 msat under the fee: LDK excludes the hinted channel and finds no route",
          "[lightning][actors][hints]") {
    HintRun run = pay_over_hint("ldk", 1);
    INFO(run.result.reason);
    check_first_attempt_fee_insufficient_at_hint(run);
    CHECK_FALSE(run.result.succeeded);
    CHECK(run.result.attempts.size() == 1);
    CHECK(run.result.reason.rfind("no route after 1 failed attempts", 0) == 0);
    CHECK(run.result.reason.find("fee_insufficient") != std::string::npos);
}

TEST_CASE("a hint 1 msat under the fee: CLN retries the stale hint until its attempts run out",
          "[lightning][actors][hints]") {
    HintRun run = pay_over_hint("cln", 1);
    INFO(run.result.reason);
    check_first_attempt_fee_insufficient_at_hint(run);
    CHECK_FALSE(run.result.succeeded);
    // libplugin-pay.c: the root payment and its 10 retries (retry_data_init, retry_step_cb),
    // fewer than PayLimits' default 16.
    const uint32_t max_attempts = 11;
    REQUIRE(PayLimits{}.max_attempts > max_attempts);
    REQUIRE(run.result.attempts.size() == max_attempts);
    for (const AttemptRecord& a : run.result.attempts) {
        REQUIRE(a.failure.has_value());
        CHECK(a.failure->code == FailureCode::fee_insufficient);
        CHECK(a.route.total_fee_msat == run.exact_fee_msat - 1);  // the hint, unchanged
    }
    CHECK(run.result.reason.rfind("gave up after " + std::to_string(max_attempts) +
                                      " attempts",
                                  0) == 0);
}

TEST_CASE("a hint with the exact fee: every payer succeeds on the first attempt",
          "[lightning][actors][hints]") {
    for (const char* payer : {"ldk", "lnd", "cln"}) {
        HintRun run = pay_over_hint(payer, 0);
        INFO(payer << ": " << run.result.reason);
        CHECK(run.result.succeeded);
        CHECK(run.result.attempts.size() == 1);
        CHECK(run.result.fee_msat == run.exact_fee_msat);
    }
}

// LDK routes a hinted channel its graph knows with the graph's policy (router.rs get_route:
// PublicHop, not PrivateHop), so the under-stated hint costs it nothing. LND unifies the hint
// with the graph's channel for the same node pair and keeps the dearer policy (pathfind.go
// findPath -> unified_edges.go getEdgeNetwork: highest fee, largest time lock), so it too pays
// the graph's fee first time.
TEST_CASE("a hint 1 msat under the fee of an announced channel: LDK and LND pay the graph's "
          "fee first time",
          "[lightning][actors][hints]") {
    for (const char* payer : {"ldk", "lnd"}) {
        HintRun run = pay_over_hint(payer, 1, true);
        INFO(payer << ": " << run.result.reason);
        CHECK(run.result.succeeded);
        CHECK(run.result.attempts.size() == 1);
        CHECK(run.result.fee_msat == run.exact_fee_msat);
    }
}

// The other side of LND's dearer rule: a hint that over-states an announced channel's fee wins
// over the graph's policy, and LND overpays by the difference (the hop keeps it). LDK still
// takes the graph's policy.
TEST_CASE("a hint 1 msat over the fee of an announced channel: LND pays the hint's fee, LDK the "
          "graph's",
          "[lightning][actors][hints]") {
    HintRun lnd = pay_over_hint("lnd", -1, true);
    INFO(lnd.result.reason);
    CHECK(lnd.result.succeeded);
    CHECK(lnd.result.attempts.size() == 1);
    CHECK(lnd.result.fee_msat == lnd.exact_fee_msat + 1);
    HintRun ldk = pay_over_hint("ldk", -1, true);
    INFO(ldk.result.reason);
    CHECK(ldk.result.succeeded);
    CHECK(ldk.result.fee_msat == ldk.exact_fee_msat);
}

// The blame rule LDK's process_onion_failure applies (onion_utils.rs), hop by hop.
TEST_CASE("ldk_blamed_channel: the channel out of a forwarder for PERM and UPDATE failures, "
          "the channel into it for NODE failures",
          "[lightning][hints]") {
    Route route;
    for (uint64_t i = 1; i <= 3; ++i) {
        RouteHop hop;
        hop.scid = ShortChannelId{i};
        hop.node = static_cast<NodeIndex>(i);
        route.hops.push_back(hop);
    }
    CHECK(ldk_blamed_channel(route, -1, FailureCode::temporary_channel_failure) ==
          ShortChannelId{1});
    CHECK(ldk_blamed_channel(route, 0, FailureCode::fee_insufficient) == ShortChannelId{2});
    CHECK(ldk_blamed_channel(route, 1, FailureCode::temporary_channel_failure) ==
          ShortChannelId{3});
    CHECK(ldk_blamed_channel(route, 1, FailureCode::unknown_next_peer) == ShortChannelId{3});
    CHECK(ldk_blamed_channel(route, 1, FailureCode::temporary_node_failure) ==
          ShortChannelId{2});
    CHECK(ldk_blamed_channel(route, 1, FailureCode::expiry_too_far) == ShortChannelId{2});
    CHECK_FALSE(ldk_blamed_channel(route, 2, FailureCode::fee_insufficient).has_value());
}
