// LNv2 predicates: claim iff C < E, refund iff C >= E, forfeit cancel, incoming unix expiry.
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/federation/contracts_v2.h"

using namespace actors::federation;

namespace {

const PublicKey k_gateway{101};
const PublicKey k_user{202};
const Preimage k_preimage = preimage_from_label(77);

OutgoingContractV2 outgoing(uint64_t expiration) {
    return OutgoingContractV2{.payment_image = payment_hash_of(k_preimage),
                              .amount_msat = 10000,
                              .expiration = expiration,
                              .claim_pk = k_gateway,
                              .refund_pk = k_user};
}

OutgoingWitnessV2 claim(Preimage p) {
    return {.kind = OutgoingWitnessKind::claim, .preimage = p, .forfeit = std::nullopt};
}

OutgoingWitnessV2 refund() {
    return {.kind = OutgoingWitnessKind::refund, .preimage = std::nullopt, .forfeit = std::nullopt};
}

}  // namespace

TEST_CASE("LNv2 outgoing: expiration boundary", "[federation][contracts_v2][timelock]") {
    const OutgoingContractV2 c = outgoing(1000);
    OutgoingSpendV2 early = check_lnv2_outgoing_spend(c, 999, claim(k_preimage));
    CHECK(early.ok());
    CHECK(early.spend_key == k_gateway);
    CHECK(check_lnv2_outgoing_spend(c, 1000, claim(k_preimage)).rejection ==
          OutgoingV2Rejection::expired);
    CHECK(check_lnv2_outgoing_spend(c, 999, refund()).rejection ==
          OutgoingV2Rejection::not_expired);
    OutgoingSpendV2 late = check_lnv2_outgoing_spend(c, 1000, refund());
    CHECK(late.ok());
    CHECK(late.spend_key == k_user);
    CHECK(check_lnv2_outgoing_spend(c, 10, claim(preimage_from_label(78))).rejection ==
          OutgoingV2Rejection::invalid_preimage);
    OutgoingWitnessV2 no_preimage{.kind = OutgoingWitnessKind::claim,
                                  .preimage = std::nullopt,
                                  .forfeit = std::nullopt};
    CHECK(check_lnv2_outgoing_spend(c, 10, no_preimage).rejection ==
          OutgoingV2Rejection::invalid_preimage);
}

TEST_CASE("LNv2 outgoing: forfeit signature allows an early refund",
          "[federation][contracts_v2][cancel]") {
    const OutgoingContractV2 c = outgoing(1000);
    OutgoingWitnessV2 w{.kind = OutgoingWitnessKind::cancel,
                        .preimage = std::nullopt,
                        .forfeit = ForfeitSignature{k_gateway, contract_id_of(c)}};
    OutgoingSpendV2 ok = check_lnv2_outgoing_spend(c, 10, w);
    CHECK(ok.ok());
    CHECK(ok.spend_key == k_user);
    w.forfeit = ForfeitSignature{k_user, contract_id_of(c)};
    CHECK(check_lnv2_outgoing_spend(c, 10, w).rejection ==
          OutgoingV2Rejection::invalid_forfeit_signature);
    w.forfeit = ForfeitSignature{k_gateway, contract_id_of(outgoing(1001))};
    CHECK(check_lnv2_outgoing_spend(c, 10, w).rejection ==
          OutgoingV2Rejection::invalid_forfeit_signature);
    w.forfeit = std::nullopt;
    CHECK(check_lnv2_outgoing_spend(c, 10, w).rejection ==
          OutgoingV2Rejection::invalid_forfeit_signature);
}

TEST_CASE("LNv2 blocks remaining and await_preimage", "[federation][contracts_v2]") {
    CHECK(lnv2_blocks_remaining(1000, 990) == 10);
    CHECK(lnv2_blocks_remaining(1000, 1000) == 0);
    CHECK(lnv2_blocks_remaining(1000, 1200) == 0);
    CHECK(lnv2_await_preimage(true, 1000, 2000) == AwaitStatus::ready);
    CHECK(lnv2_await_preimage(false, 1000, 999) == AwaitStatus::pending);
    CHECK(lnv2_await_preimage(false, 1000, 1000) == AwaitStatus::expired);
}

TEST_CASE("LNv2 incoming: funding expires at the consensus unix time",
          "[federation][contracts_v2][incoming]") {
    IncomingContractV2 c{.payment_image = payment_hash_of(k_preimage),
                         .amount_msat = 1000,
                         .expiration_unix_secs = 1767229200,
                         .claim_pk = k_user,
                         .refund_pk = k_gateway};
    CHECK(check_lnv2_incoming_funding(c, 1767229199) == IncomingV2Rejection::none);
    CHECK(check_lnv2_incoming_funding(c, 1767229200) == IncomingV2Rejection::contract_expired);
    CHECK(lnv2_incoming_spend_key(c, true) == k_user);
    CHECK(lnv2_incoming_spend_key(c, false) == k_gateway);
    CHECK(lnv2_await_incoming(false, 1767229200, 1767229140) == AwaitStatus::pending);
    CHECK(lnv2_await_incoming(false, 1767229200, 1767229200) == AwaitStatus::expired);
    CHECK(lnv2_await_incoming(true, 1767229200, 1767229200) == AwaitStatus::ready);
}

TEST_CASE("LNv2 client send plan", "[federation][contracts_v2][client]") {
    GatewaySendParameters gw{.send_fee_default = {.base_msat = 0, .parts_per_million = 10000},
                             .send_fee_minimum = {.base_msat = 0, .parts_per_million = 0}};
    ClientSendPlan remote = lnv2_client_send_plan(gw, PayeeKind::other_node, 800);
    REQUIRE(remote.ok());
    CHECK(remote.expiration == 1312);  // 800 + 500 + 12
    CHECK(remote.send_fee.parts_per_million == 10000);
    ClientSendPlan direct = lnv2_client_send_plan(gw, PayeeKind::gateway_node, 800);
    REQUIRE(direct.ok());
    CHECK(direct.expiration == 956);  // 800 + 144 + 12

    gw.expiration_delta_default = 1441;
    CHECK(lnv2_client_send_plan(gw, PayeeKind::other_node, 800).rejection ==
          ClientSendRejection::expiration_delta_above_limit);
    gw.expiration_delta_default = 1440;
    CHECK(lnv2_client_send_plan(gw, PayeeKind::other_node, 800).ok());

    // A low base with an excessive rate: rejected by both-component bounds, waved through by
    // the old lexicographic comparison.
    gw.send_fee_default = {.base_msat = 50000, .parts_per_million = 20000};
    CHECK(lnv2_client_send_plan(gw, PayeeKind::other_node, 800).rejection ==
          ClientSendRejection::fee_above_limit);
    CHECK(lnv2_client_send_plan(gw, PayeeKind::other_node, 800, {.lexicographic_fee_limit = true})
              .ok());
}
