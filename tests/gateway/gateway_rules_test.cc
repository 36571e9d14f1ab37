// Gateway pay/send decisions: the max_delay boundary, fees, invoice expiry and HTLC safety.
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/gateway/gateway_rules.h"

using namespace actors::gateway;
using actors::federation::OutgoingContractV1;
using actors::federation::OutgoingContractV2;
using actors::federation::Preimage;
using actors::federation::RoutingFees;
using actors::federation::payment_hash_of;
using actors::federation::preimage_from_label;

namespace {

const PublicKey k_gateway{101};
const PublicKey k_user{202};
const Preimage k_preimage = preimage_from_label(5);
constexpr int64_t k_ns = 1000000000;
constexpr uint64_t k_invoice_ts = 1767225600;  // 2026-01-01T00:00:00Z

InvoiceTerms invoice(uint64_t amount_msat) {
    return InvoiceTerms{.payment_hash = payment_hash_of(k_preimage),
                        .amount_msat = amount_msat,
                        .timestamp_unix_secs = k_invoice_ts,
                        .expiry_secs = 3600,
                        .min_final_cltv_delta = 18};
}

// A contract for a 1_000_000 msat invoice funded with 1% by the legacy formula.
PayRequestV1 request(uint64_t timelock, uint64_t consensus_count) {
    return PayRequestV1{.contract = OutgoingContractV1{.hash = payment_hash_of(k_preimage),
                                                       .gateway_key = k_gateway,
                                                       .user_key = k_user,
                                                       .timelock = timelock,
                                                       .cancelled = false},
                        .contract_amount_msat = 1010000,
                        .invoice = invoice(1000000),
                        .our_key = k_gateway,
                        .consensus_count = consensus_count,
                        .now_unix_ns = static_cast<int64_t>(k_invoice_ts) * k_ns,
                        .routing_fees = RoutingFees{.base_msat = 0,
                                                    .proportional_millionths = 10000},
                        .mode = DispatchMode::fresh};
}

}  // namespace

TEST_CASE("LNv1 max_delay at 1, 0 and -1", "[gateway][max_delay]") {
    // timelock 1000: raw = 1000 - (C - 1) - 10.
    CHECK(lnv1_max_delay_raw(1000, 990) == 1);
    CHECK(lnv1_max_delay_raw(1000, 991) == 0);
    CHECK(lnv1_max_delay_raw(1000, 992) == -1);
    CHECK(lnv1_max_delay(1000, 990) == 1);
    CHECK_FALSE(lnv1_max_delay(1000, 991).has_value());
    CHECK_FALSE(lnv1_max_delay(1000, 992).has_value());
    CHECK_FALSE(lnv1_max_delay(1000, 1002).has_value());  // C - 1 > timelock
    CHECK(lnv1_max_delay(1000, 0) == 990);                 // C - 1 saturates at 0
    // The old gateway without the `> 0` filter dispatches 0, which LND reads as "no limit".
    PayRuleOptions legacy{.allow_zero_max_delay = true};
    CHECK(lnv1_max_delay(1000, 991, legacy) == 0);
    CHECK_FALSE(lnv1_max_delay(1000, 992, legacy).has_value());

    CHECK(decide_lnv1_payment(request(1000, 990)).max_delay == 1);
    CHECK(decide_lnv1_payment(request(1000, 991)).rejection == PayRejection::timeout_too_close);
    CHECK(decide_lnv1_payment(request(1000, 992)).rejection == PayRejection::timeout_too_close);
}

TEST_CASE("LNv1 budget worked example and #6241", "[gateway][max_delay]") {
    // Client at c0 = 800 with min_final 18: timelock 1317, budget (c0 - c) + m + 490.
    uint64_t timelock = actors::federation::lnv1_client_timelock(800, 18);
    CHECK(lnv1_max_delay(timelock, 800) == 508);
    CHECK(lnv1_max_delay(timelock, 805) == 503);
    uint64_t buggy = actors::federation::lnv1_client_timelock(800, 650,
                                                               {.ignore_min_final_cltv = true});
    CHECK(lnv1_max_delay(buggy, 800) == 490);  // "cltv limit 490" of #6241
    uint64_t fixed = actors::federation::lnv1_client_timelock(800, 650);
    CHECK(lnv1_max_delay(fixed, 800) == 1140);
}

TEST_CASE("LNv1 pay decision: checks in upstream order", "[gateway][pay]") {
    PayRequestV1 r = request(1317, 800);
    PayDecision ok = decide_lnv1_payment(r);
    REQUIRE(ok.ok());
    CHECK(ok.max_delay == 508);
    CHECK(ok.max_fee_msat == 10000);  // contract - invoice

    PayRequestV1 cancelled = r;
    cancelled.contract.cancelled = true;
    cancelled.our_key = k_user;  // both wrong: the cancel check comes first.
    CHECK(decide_lnv1_payment(cancelled).rejection == PayRejection::cancelled_contract);
    PayRequestV1 other_key = r;
    other_key.our_key = k_user;
    CHECK(decide_lnv1_payment(other_key).rejection == PayRejection::not_our_key);
    PayRequestV1 other_hash = r;
    other_hash.invoice.payment_hash = payment_hash_of(preimage_from_label(6));
    CHECK(decide_lnv1_payment(other_hash).rejection == PayRejection::payment_hash_mismatch);
    PayRequestV1 amountless = r;
    amountless.invoice.amount_msat = std::nullopt;
    CHECK(decide_lnv1_payment(amountless).rejection == PayRejection::invoice_missing_amount);
}

TEST_CASE("LNv1 pay decision: fee too low is Underfunded", "[gateway][pay][fees]") {
    PayRequestV1 r = request(1317, 800);
    r.contract_amount_msat = 1009999;  // one msat short of invoice + 1%
    CHECK(decide_lnv1_payment(r).rejection == PayRejection::underfunded);
    r.contract_amount_msat = 1010000;
    CHECK(decide_lnv1_payment(r).ok());
    // A 3000 ppm gateway: the client funds 3003 (legacy) but the gateway asks only 3000.
    r.routing_fees = RoutingFees{.base_msat = 0, .proportional_millionths = 3000};
    r.contract_amount_msat = 1003000;
    PayDecision exact = decide_lnv1_payment(r);
    REQUIRE(exact.ok());
    CHECK(exact.max_fee_msat == 3000);
    r.contract_amount_msat = 1002999;
    CHECK(decide_lnv1_payment(r).rejection == PayRejection::underfunded);
}

TEST_CASE("LNv1 pay decision: invoice expiry by wall clock", "[gateway][pay][expiry]") {
    PayRequestV1 r = request(1317, 800);
    r.now_unix_ns = static_cast<int64_t>(k_invoice_ts + 3600) * k_ns;
    CHECK(decide_lnv1_payment(r).ok());  // exactly at timestamp + expiry: not yet expired
    r.now_unix_ns += 1;
    CHECK(decide_lnv1_payment(r).rejection == PayRejection::invoice_expired);
    CHECK(decide_lnv1_payment(r, {.skip_invoice_expiry_check = true}).ok());  // #2627
    // Budget is checked before expiry.
    PayRequestV1 both = request(1000, 991);
    both.now_unix_ns = r.now_unix_ns;
    CHECK(decide_lnv1_payment(both).rejection == PayRejection::timeout_too_close);
}

TEST_CASE("LNv1 resume path does not cancel a dispatched payment", "[gateway][pay]") {
    PayRequestV1 r = request(1000, 995);
    r.mode = DispatchMode::resume;
    r.now_unix_ns = static_cast<int64_t>(k_invoice_ts + 7200) * k_ns;
    PayDecision d = decide_lnv1_payment(r);
    CHECK(d.ok());
    CHECK(d.max_delay == 0);  // fail-closed sentinel
    r.contract.cancelled = true;
    CHECK(decide_lnv1_payment(r).rejection == PayRejection::cancelled_contract);
}

TEST_CASE("LNv2 send decision", "[gateway][send]") {
    SendRequestV2 r{.contract = OutgoingContractV2{.payment_image = payment_hash_of(k_preimage),
                                                   .amount_msat = 1010000,
                                                   .expiration = 1312,
                                                   .claim_pk = k_gateway,
                                                   .refund_pk = k_user},
                    .consensus_count = 800,
                    .invoice = invoice(1000000),
                    .send_fee_minimum = {.base_msat = 0, .parts_per_million = 5000},
                    .expiration_delta_minimum = 144,
                    .now_unix_ns = static_cast<int64_t>(k_invoice_ts) * k_ns};
    PayDecision ok = decide_lnv2_send(r);
    REQUIRE(ok.ok());
    CHECK(ok.max_delay == 368);      // 512 - 144
    CHECK(ok.max_fee_msat == 5000);  // 1_010_000 - 1_005_000
    r.consensus_count = 1312 - 145;
    CHECK(decide_lnv2_send(r).max_delay == 1);
    r.consensus_count = 1312 - 144;
    CHECK(decide_lnv2_send(r).rejection == PayRejection::timeout_too_close);
    r.consensus_count = 800;
    r.contract.amount_msat = 1004999;
    CHECK(decide_lnv2_send(r).rejection == PayRejection::underfunded);
    r.now_unix_ns = static_cast<int64_t>(k_invoice_ts + 3601) * k_ns;
    CHECK(decide_lnv2_send(r).rejection == PayRejection::invoice_expired);
}

TEST_CASE("incoming HTLC expiry: height + 30 rejected, + 31 accepted", "[gateway][htlc]") {
    CHECK(check_incoming_htlc_expiry(830, 800) == HtlcRejection::expiry_unsafe);
    CHECK(check_incoming_htlc_expiry(831, 800) == HtlcRejection::none);
    CHECK(check_incoming_htlc_expiry(700, 800) == HtlcRejection::expiry_unsafe);
    CHECK(check_incoming_htlc_expiry(30, 0) == HtlcRejection::expiry_unsafe);
    CHECK(check_incoming_htlc_expiry(31, 0) == HtlcRejection::none);
}

TEST_CASE("payment timeout: 180 s for the LND and CLN gateways, the node's default for LDK",
          "[gateway][pay]") {
    using actors::lightning::Implementation;
    CHECK(payment_timeout_secs(Implementation::lnd) == std::optional<uint64_t>(180));
    CHECK(payment_timeout_secs(Implementation::cln) == std::optional<uint64_t>(180));
    CHECK_FALSE(payment_timeout_secs(Implementation::ldk).has_value());
}
