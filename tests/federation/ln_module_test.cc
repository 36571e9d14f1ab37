// The LNv1 module in consensus: outgoing contracts against the LN consensus count (the timelock
// boundary: refund rejected at C == timelock, accepted at timelock + 1; the gateway's claim the
// other way round), cancellation, and incoming contracts with threshold decryption (t valid
// shares, Byzantine shares, an invalid preimage refunding the gateway).
#include "fed_world.h"

using namespace fed_test;
namespace this_actor = sim::this_actor;

namespace {

constexpr PublicKey k_gateway{1001};
constexpr PublicKey k_user{2002};
const ClientId k_alice(1);
const ClientId k_gw(2);

OutgoingContractV1 contract(uint64_t label, uint64_t timelock) {
    return OutgoingContractV1{.hash = payment_hash_of(preimage_from_label(label)),
                              .gateway_key = k_gateway,
                              .user_key = k_user,
                              .timelock = timelock,
                              .cancelled = false};
}

}  // namespace

TEST_CASE("LNv1 outgoing: refund at C == timelock is rejected, at timelock + 1 accepted",
          "[federation][actors][ln][boundary]") {
    World w(WorldOptions{.seed = 2, .guardians = 4, .params = {}});
    w.run([&] {
        w.mine(20);
        w.peg_in(k_alice, 1000000);
        const uint64_t c0 = w.ln_count();
        const OutgoingContractV1 refund_me = contract(1, c0 + 4);
        const OutgoingContractV1 claim_me = contract(2, c0 + 4);
        const OutgoingContractV1 late_claim = contract(3, c0 + 4);
        for (const OutgoingContractV1& c : {refund_me, claim_me, late_claim}) {
            CHECK(w.submit(FundOutgoingTx{.client = k_alice, .contract = c, .amount_msat = 100000})
                      .accepted);
        }
        w.mine_to_ln_count(c0 + 4);  // C == timelock
        TxOutcome early = w.submit(SpendOutgoingTx{.contract = contract_id_of(refund_me),
                                                   .signer = k_user, .preimage = std::nullopt,
                                                   .payout = k_alice});
        CHECK_FALSE(early.accepted);
        CHECK(early.error == to_string(OutgoingSpendRejection::not_expired));
        TxOutcome claim = w.submit(SpendOutgoingTx{.contract = contract_id_of(claim_me),
                                                   .signer = k_gateway,
                                                   .preimage = preimage_from_label(2),
                                                   .payout = k_gw});
        CHECK(claim.accepted);
        w.mine_to_ln_count(c0 + 5);  // C == timelock + 1
        TxOutcome refund = w.submit(SpendOutgoingTx{.contract = contract_id_of(refund_me),
                                                    .signer = k_user, .preimage = std::nullopt,
                                                    .payout = k_alice});
        CHECK(refund.accepted);
        TxOutcome too_late = w.submit(SpendOutgoingTx{.contract = contract_id_of(late_claim),
                                                      .signer = k_gateway,
                                                      .preimage = preimage_from_label(3),
                                                      .payout = k_gw});
        CHECK_FALSE(too_late.accepted);
        CHECK(too_late.error == to_string(OutgoingSpendRejection::timelock_passed));
        // A second refund of the same contract is rejected: ecash is issued once.
        TxOutcome twice = w.submit(SpendOutgoingTx{.contract = contract_id_of(refund_me),
                                                   .signer = k_user, .preimage = std::nullopt,
                                                   .payout = k_alice});
        CHECK_FALSE(twice.accepted);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const FederationState& s = w.fed->store(PeerId(3)).state;
        CHECK(s.mint().balance(k_gw) == 100000);
        CHECK(s.mint().balance(k_alice) == 1000000000 - 200000);
        CHECK(s.escrow_msat() == 100000);
    });
}

TEST_CASE("LNv1 outgoing: the gateway's cancellation opens the refund at once",
          "[federation][actors][ln]") {
    World w(WorldOptions{.seed = 6, .guardians = 4, .params = {}});
    w.run([&] {
        w.mine(20);
        w.peg_in(k_alice, 1000000);
        const OutgoingContractV1 c = contract(9, w.ln_count() + 100);
        const ContractId id = contract_id_of(c);
        CHECK(w.submit(FundOutgoingTx{.client = k_alice, .contract = c, .amount_msat = 5000})
                  .accepted);
        CHECK_FALSE(w.submit(CancelOutgoingTx{.contract = id,
                                              .signature = {.signer = k_user,
                                                            .signed_contract = id}})
                        .accepted);
        CHECK(w.submit(CancelOutgoingTx{.contract = id,
                                        .signature = {.signer = k_gateway, .signed_contract = id}})
                  .accepted);
        CHECK(w.submit(SpendOutgoingTx{.contract = id, .signer = k_user, .preimage = std::nullopt,
                                       .payout = k_alice})
                  .accepted);
        std::optional<OutgoingSnapshot> snap = w.api->outgoing(id);
        REQUIRE(snap.has_value());
        CHECK(snap->spent_by == OutgoingSpender::user);
        CHECK(snap->contract.cancelled);
    });
}

namespace {

IncomingOfferV1 offer(uint64_t label, uint64_t amount, bool matching) {
    const Preimage p = preimage_from_label(label);
    return IncomingOfferV1{
        .amount_msat = amount,
        .hash = payment_hash_of(matching ? p : preimage_from_label(label + 1000)),
        .encrypted_preimage = {.ciphertext_id = label, .plaintext = p, .well_formed = true},
        .expiry_time_unix_secs = std::nullopt};
}

}  // namespace

TEST_CASE("LNv1 incoming: funding, t decryption shares, the user's claim",
          "[federation][actors][ln][incoming]") {
    for (uint32_t byzantine : {0U, 1U, 2U}) {
        World w(WorldOptions{.seed = 8 + byzantine, .guardians = 4, .params = {}});
        for (uint32_t b = 0; b < byzantine; ++b) {
            w.fed->set_byzantine(PeerId(b), ByzantineConfig{.invalid_shares = true});
        }
        w.run([&] {
            w.mine(20);
            w.peg_in(k_gw, 1000000);
            const IncomingOfferV1 o = offer(5, 70000, true);
            CHECK(w.submit(OfferIncomingTx{o}).accepted);
            CHECK(w.submit(FundIncomingTx{.gateway_client = k_gw, .hash = o.hash,
                                          .amount_msat = 70000, .gateway_key = k_gateway})
                      .accepted);
            this_actor::sleep_for(sim::SimDuration::seconds(3));
            std::optional<IncomingSnapshot> snap = w.api->incoming(o.hash);
            REQUIRE(snap.has_value());
            CHECK(snap->funded);
            if (byzantine >= 2) {
                // Only n - 2 = 2 < t valid shares: the preimage stays encrypted.
                CHECK(snap->state == DecryptedPreimage::pending);
                return;
            }
            REQUIRE(snap->state == DecryptedPreimage::some);
            REQUIRE(snap->preimage == preimage_from_label(5));
            const ClientId bob(3);
            CHECK(w.submit(SpendIncomingTx{.hash = o.hash,
                                           .signer = user_key_from_preimage(*snap->preimage),
                                           .payout = bob})
                      .accepted);
            this_actor::sleep_for(sim::SimDuration::seconds(1));
            CHECK(w.fed->store(PeerId(2)).state.mint().balance(bob) == 70000);
        });
    }
}

TEST_CASE("LNv1 incoming: an invalid preimage refunds the gateway",
          "[federation][actors][ln][incoming]") {
    World w(WorldOptions{.seed = 12, .guardians = 4, .params = {}});
    w.run([&] {
        w.mine(20);
        w.peg_in(k_gw, 1000000);
        const IncomingOfferV1 o = offer(6, 42000, false);
        CHECK(w.submit(OfferIncomingTx{o}).accepted);
        CHECK(w.submit(FundIncomingTx{.gateway_client = k_gw, .hash = o.hash,
                                      .amount_msat = 42000, .gateway_key = k_gateway})
                  .accepted);
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        std::optional<IncomingSnapshot> snap = w.api->incoming(o.hash);
        REQUIRE(snap.has_value());
        CHECK(snap->state == DecryptedPreimage::invalid);
        CHECK(w.submit(SpendIncomingTx{.hash = o.hash, .signer = k_gateway, .payout = k_gw})
                  .accepted);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        CHECK(w.fed->store(PeerId(0)).state.mint().balance(k_gw) == 1000000000);
    });
}
