// The LNv2 module in consensus (fedimint.md 2.3), the alternative rule set to LNv1: outgoing
// contracts against the LNv2 consensus count C (claim iff C < E, refund iff C >= E, an early
// refund with the gateway's forfeit signature), incoming funding against the LNv2 consensus unix
// time (rejected iff expiration <= T), and the spend key of an incoming contract after
// decryption. Each boundary is crossed by one block or one second.
#include "fed_world.h"

using namespace fed_test;
namespace this_actor = sim::this_actor;

namespace {

constexpr PublicKey k_gateway{1001};
constexpr PublicKey k_user{2002};
const ClientId k_alice(1);
const ClientId k_gw(2);

FederationParams lnv2_params() {
    FederationParams p;
    p.ln_module = LnModule::v2;
    return p;
}

OutgoingContractV2 outgoing(uint64_t label, uint64_t expiration) {
    return OutgoingContractV2{.payment_image = payment_hash_of(preimage_from_label(label)),
                              .amount_msat = 100000,
                              .expiration = expiration,
                              .claim_pk = k_gateway,
                              .refund_pk = k_user};
}

SpendOutgoingV2Tx claim(const OutgoingContractV2& c, uint64_t label) {
    return SpendOutgoingV2Tx{.contract = contract_id_of(c),
                             .witness = {.kind = OutgoingWitnessKind::claim,
                                         .preimage = preimage_from_label(label),
                                         .forfeit = std::nullopt},
                             .signer = k_gateway,
                             .payout = k_gw};
}

SpendOutgoingV2Tx refund(const OutgoingContractV2& c) {
    return SpendOutgoingV2Tx{.contract = contract_id_of(c),
                             .witness = {.kind = OutgoingWitnessKind::refund,
                                         .preimage = std::nullopt,
                                         .forfeit = std::nullopt},
                             .signer = k_user,
                             .payout = k_alice};
}

// Mines until every guardian's LNv2 consensus count is `count`.
void mine_to_lnv2_count(World& w, uint64_t count) {
    while (static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1 < count) {
        w.mine(1, sim::SimDuration::millis(200));
    }
    for (int i = 0; i < 100; ++i) {
        bool all = true;
        for (uint32_t p = 0; p < 4; ++p) {
            all = all && w.fed->store(PeerId(p)).state.lnv2_count() == count;
        }
        if (all) {
            return;
        }
        this_actor::sleep_for(sim::SimDuration::millis(200));
    }
    FAIL("LNv2 count never reached " << count);
}

}  // namespace

TEST_CASE("LNv2 outgoing in consensus: claim iff C < E, refund iff C >= E",
          "[federation][actors][lnv2][boundary]") {
    World w(WorldOptions{.seed = 21, .guardians = 4, .params = lnv2_params(), .variants = {},
                         .timing = {}});
    w.run([&] {
        w.mine(20);
        w.peg_in(k_alice, 1000000);
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        const uint64_t c0 = w.fed->store(PeerId(0)).state.lnv2_count();
        const uint64_t e = c0 + 4;
        const OutgoingContractV2 refund_me = outgoing(1, e);
        const OutgoingContractV2 claim_me = outgoing(2, e);
        const OutgoingContractV2 late_claim = outgoing(3, e);
        for (const OutgoingContractV2& c : {refund_me, claim_me, late_claim}) {
            CHECK(w.submit(FundOutgoingV2Tx{.client = k_alice, .contract = c}).accepted);
        }
        mine_to_lnv2_count(w, e - 1);  // C == E - 1
        TxOutcome early = w.submit(refund(refund_me));
        CHECK_FALSE(early.accepted);
        CHECK(early.error == "NotExpired");
        SpendOutgoingV2Tx by_user = claim(claim_me, 2);
        by_user.signer = k_user;
        CHECK(w.submit(by_user).error == "wrong key");
        SpendOutgoingV2Tx wrong_preimage = claim(claim_me, 99);
        CHECK(w.submit(wrong_preimage).error == "InvalidPreimage");
        CHECK(w.submit(claim(claim_me, 2)).accepted);
        mine_to_lnv2_count(w, e);  // C == E
        CHECK(w.submit(refund(refund_me)).accepted);
        TxOutcome too_late = w.submit(claim(late_claim, 3));
        CHECK_FALSE(too_late.accepted);
        CHECK(too_late.error == "Expired");
        // Spent contracts are gone: a second refund is rejected, ecash is issued once.
        CHECK(w.submit(refund(refund_me)).error == "unknown contract");
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const FederationState& s = w.fed->store(PeerId(3)).state;
        CHECK(s.mint().balance(k_gw) == 100000);
        CHECK(s.mint().balance(k_alice) == 1000000000 - 200000);
        CHECK(s.escrow_msat() == 100000);
        CHECK(s.outgoing_v2().at(contract_id_of(claim_me)).preimage == preimage_from_label(2));
    });
}

TEST_CASE("LNv2 outgoing in consensus: the gateway's forfeit opens the refund before E",
          "[federation][actors][lnv2]") {
    World w(WorldOptions{.seed = 22, .guardians = 4, .params = lnv2_params(), .variants = {},
                         .timing = {}});
    w.run([&] {
        w.mine(20);
        w.peg_in(k_alice, 1000000);
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        const OutgoingContractV2 c = outgoing(5, w.fed->store(PeerId(0)).state.lnv2_count() + 100);
        CHECK(w.submit(FundOutgoingV2Tx{.client = k_alice, .contract = c}).accepted);
        SpendOutgoingV2Tx cancel = refund(c);
        cancel.witness.kind = OutgoingWitnessKind::cancel;
        cancel.witness.forfeit = ForfeitSignature{.signer = k_user, .signed_contract =
                                                                        contract_id_of(c)};
        CHECK(w.submit(cancel).error == "invalid forfeit signature");
        cancel.witness.forfeit->signer = k_gateway;
        CHECK(w.submit(cancel).accepted);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        CHECK(w.fed->store(PeerId(0)).state.mint().balance(k_alice) == 1000000000);
    });
}

TEST_CASE("LNv2 incoming in consensus: funding rejected iff expiration <= consensus unix time",
          "[federation][actors][lnv2][boundary]") {
    World w(WorldOptions{.seed = 23, .guardians = 4, .params = lnv2_params(), .variants = {},
                         .timing = {}});
    w.run([&] {
        w.mine(20);
        w.peg_in(k_gw, 1000000);
        // Right after the consensus minute turns, so it stays put while the funding is ordered.
        const uint64_t before = w.fed->store(PeerId(0)).state.lnv2_unix_time();
        while (w.fed->store(PeerId(0)).state.lnv2_unix_time() == before) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const uint64_t t = w.fed->store(PeerId(0)).state.lnv2_unix_time();
        auto contract = [&](uint64_t label, uint64_t expiration) {
            return IncomingContractV2{.payment_image = payment_hash_of(preimage_from_label(label)),
                                      .amount_msat = 50000,
                                      .expiration_unix_secs = expiration,
                                      .claim_pk = k_user,
                                      .refund_pk = k_gateway};
        };
        TxOutcome at_t = w.submit(FundIncomingV2Tx{.gateway_client = k_gw,
                                                   .contract = contract(1, t), .decrypts = true});
        CHECK_FALSE(at_t.accepted);
        CHECK(at_t.error == "ContractExpired");
        CHECK(w.submit(FundIncomingV2Tx{.gateway_client = k_gw, .contract = contract(1, t + 1),
                                        .decrypts = true})
                  .accepted);
        CHECK(w.fed->store(PeerId(0)).state.lnv2_unix_time() == t);
        // Decrypted: the user's key spends it; the gateway's does not.
        const PaymentHash h1 = payment_hash_of(preimage_from_label(1));
        CHECK(w.submit(SpendIncomingV2Tx{.hash = h1, .signer = k_gateway, .payout = k_gw}).error ==
              "wrong key");
        CHECK(w.submit(SpendIncomingV2Tx{.hash = h1, .signer = k_user, .payout = k_alice})
                  .accepted);
        // Not decrypted: the gateway takes its funding back.
        CHECK(w.submit(FundIncomingV2Tx{.gateway_client = k_gw, .contract = contract(2, t + 600),
                                        .decrypts = false})
                  .accepted);
        const PaymentHash h2 = payment_hash_of(preimage_from_label(2));
        CHECK(w.submit(SpendIncomingV2Tx{.hash = h2, .signer = k_user, .payout = k_alice}).error ==
              "wrong key");
        CHECK(w.submit(SpendIncomingV2Tx{.hash = h2, .signer = k_gateway, .payout = k_gw})
                  .accepted);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const FederationState& s = w.fed->store(PeerId(2)).state;
        CHECK(s.mint().balance(k_alice) == 50000);
        CHECK(s.mint().balance(k_gw) == 1000000000 - 50000);
        CHECK(s.escrow_msat() == 0);
    });
}

TEST_CASE("each Lightning module rejects the other's contract transactions",
          "[federation][actors][lnv2]") {
    for (LnModule module : {LnModule::v1, LnModule::v2}) {
        FederationParams params;
        params.ln_module = module;
        World w(WorldOptions{.seed = 24, .guardians = 4, .params = params, .variants = {},
                             .timing = {}});
        w.run([&] {
            w.mine(20);
            w.peg_in(k_alice, 1000000);
            TxOutcome v2 = w.submit(FundOutgoingV2Tx{.client = k_alice, .contract = outgoing(1, 10000)});
            TxOutcome v1 = w.submit(FundOutgoingTx{
                .client = k_alice,
                .contract = OutgoingContractV1{.hash = payment_hash_of(preimage_from_label(2)),
                                               .gateway_key = k_gateway, .user_key = k_user,
                                               .timelock = 10000, .cancelled = false},
                .amount_msat = 1000});
            if (module == LnModule::v1) {
                CHECK(v1.accepted);
                CHECK(v2.error == "LNv2 module not configured");
            } else {
                CHECK(v2.accepted);
                CHECK(v1.error == "LNv1 module not configured");
            }
        });
    }
}
