// LNv1 contracts: timelock boundaries, cancellation, threshold decryption and offers.
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/federation/contracts.h"

using namespace actors::federation;

namespace {

const PublicKey k_gateway{101};
const PublicKey k_user{202};
const PublicKey k_stranger{303};
const Preimage k_preimage = preimage_from_label(0xC0FFEE);

OutgoingContractV1 outgoing(uint64_t timelock) {
    return OutgoingContractV1{.hash = payment_hash_of(k_preimage),
                              .gateway_key = k_gateway,
                              .user_key = k_user,
                              .timelock = timelock,
                              .cancelled = false};
}

OutgoingSpendAttemptV1 claim(std::optional<Preimage> preimage = k_preimage) {
    return {.signer = k_gateway, .preimage = preimage};
}

OutgoingSpendAttemptV1 refund() { return {.signer = k_user, .preimage = std::nullopt}; }

IncomingOfferV1 offer(uint64_t amount_msat, Preimage plaintext, uint64_t ciphertext_id) {
    return IncomingOfferV1{.amount_msat = amount_msat,
                           .hash = payment_hash_of(k_preimage),
                           .encrypted_preimage = {.ciphertext_id = ciphertext_id,
                                                  .plaintext = plaintext,
                                                  .well_formed = true},
                           .expiry_time_unix_secs = std::nullopt};
}

}  // namespace

TEST_CASE("the hash lock is SHA-256 of the 32-byte preimage", "[federation][contracts]") {
    // sha256 of 32 zero bytes (the FakeLightningTest preimage), a published test vector.
    const PaymentHash zero_hash = payment_hash_of(Preimage{});
    CHECK(zero_hash[0] == 0x66);
    CHECK(zero_hash[1] == 0x68);
    CHECK(zero_hash[31] == 0x25);
    CHECK(payment_hash_of(k_preimage) == payment_hash_of(preimage_from_label(0xC0FFEE)));
    CHECK(payment_hash_of(k_preimage) != payment_hash_of(preimage_from_label(0xC0FFEF)));
    CHECK(preimage_from_label(0x0102)[0] == 0x02);
    CHECK(preimage_from_label(0x0102)[1] == 0x01);
    CHECK(user_key_from_preimage(k_preimage) != user_key_from_preimage(preimage_from_label(1)));
}

TEST_CASE("LNv1 outgoing: claim iff C <= timelock, refund iff C >= timelock + 1",
          "[federation][contracts][timelock]") {
    const OutgoingContractV1 c = outgoing(1000);
    // C == timelock: the gateway can still claim, the user cannot refund.
    CHECK(lnv1_gateway_may_claim(c, 1000));
    CHECK_FALSE(lnv1_user_may_refund(c, 1000));
    CHECK(check_lnv1_outgoing_spend(c, 1000, refund()) == OutgoingSpendRejection::not_expired);
    CHECK(check_lnv1_outgoing_spend(c, 1000, claim()) == OutgoingSpendRejection::none);
    CHECK(check_lnv1_outgoing_spend(c, 999, claim()) == OutgoingSpendRejection::none);
    // C == timelock + 1: only the user.
    CHECK_FALSE(lnv1_gateway_may_claim(c, 1001));
    CHECK(lnv1_user_may_refund(c, 1001));
    CHECK(check_lnv1_outgoing_spend(c, 1001, refund()) == OutgoingSpendRejection::none);
    CHECK(check_lnv1_outgoing_spend(c, 1001, claim()) == OutgoingSpendRejection::timelock_passed);
    CHECK(lnv1_outgoing_spender(c, 0) == OutgoingSpender::gateway);
}

TEST_CASE("LNv1 outgoing: the claim needs the right preimage", "[federation][contracts]") {
    const OutgoingContractV1 c = outgoing(1000);
    CHECK(check_lnv1_outgoing_spend(c, 10, claim(std::nullopt)) ==
          OutgoingSpendRejection::missing_preimage);
    CHECK(check_lnv1_outgoing_spend(c, 10, claim(preimage_from_label(1))) ==
          OutgoingSpendRejection::invalid_preimage);
    CHECK(check_lnv1_outgoing_spend(c, 10, {.signer = k_stranger, .preimage = k_preimage}) ==
          OutgoingSpendRejection::wrong_key);
    CHECK(check_lnv1_outgoing_spend(c, 2000, {.signer = k_stranger, .preimage = std::nullopt}) ==
          OutgoingSpendRejection::wrong_key);
}

TEST_CASE("LNv1 cancellation: gateway-signed, opens the refund at once",
          "[federation][contracts][cancel]") {
    OutgoingAccountV1 account(outgoing(1000), 5000);
    CHECK(account.cancel({.signer = k_user, .signed_contract = account.id()}) ==
          CancelRejection::invalid_signature);
    CHECK(account.cancel({.signer = k_gateway, .signed_contract = ContractId{1}}) ==
          CancelRejection::invalid_signature);
    CHECK_FALSE(account.contract().cancelled);
    CHECK(account.spend(500, refund()) == OutgoingSpendRejection::not_expired);
    CHECK(account.cancel({.signer = k_gateway, .signed_contract = account.id()}) ==
          CancelRejection::none);
    CHECK(account.contract().cancelled);
    // Cancelling does not change the contract id (the flag is state, not identity).
    CHECK(contract_id_of(account.contract()) == account.id());
    CHECK(account.spend(500, claim()) == OutgoingSpendRejection::cancelled);
    CHECK(account.spend(500, refund()) == OutgoingSpendRejection::none);
    CHECK(account.spent());
    CHECK(account.spend(2000, refund()) == OutgoingSpendRejection::already_spent);
}

TEST_CASE("LNv1 outgoing account is spent once", "[federation][contracts]") {
    OutgoingAccountV1 account(outgoing(1000), 5000);
    CHECK(account.spend(1000, claim()) == OutgoingSpendRejection::none);
    CHECK(account.spend(1001, refund()) == OutgoingSpendRejection::already_spent);
}

TEST_CASE("LNv1 client timelock includes min_final (and the #6241 knob drops it)",
          "[federation][contracts][timelock]") {
    CHECK(lnv1_client_timelock(800, 18) == 1317);  // 800 + 18 + 500 - 1
    CHECK(lnv1_client_timelock(800, 650) == 1949);
    CHECK(lnv1_client_timelock(800, 650, {.ignore_min_final_cltv = true}) == 1299);
    MsatResult amount = lnv1_client_contract_amount(1000000, k_gateway_default_fees);
    REQUIRE(amount.ok());
    CHECK(amount.msat == 1010000);  // 1% by the legacy formula: divisor 100.
}

TEST_CASE("LNv1 decryption: t-1 shares pending, t shares decrypt",
          "[federation][contracts][decryption]") {
    IncomingOfferBookV1 book(Quorum::of(4));
    REQUIRE(book.add_offer(offer(1000, k_preimage, 1)) == OfferRejection::none);
    IncomingOfferBookV1::Funding funding = book.fund(payment_hash_of(k_preimage), 1000, k_gateway);
    REQUIRE(funding.rejection == FundingRejection::none);
    IncomingContractV1 contract = *funding.contract;

    CHECK(contract.add_decryption_share(PeerId(0), true) == ShareRejection::none);
    CHECK(contract.add_decryption_share(PeerId(1), true) == ShareRejection::none);
    CHECK(contract.add_decryption_share(PeerId(2), false) == ShareRejection::invalid_share);
    CHECK(contract.add_decryption_share(PeerId(0), true) == ShareRejection::duplicate_peer);
    CHECK(contract.share_count() == 2);  // t - 1
    CHECK(contract.state() == DecryptedPreimage::pending);
    CHECK(contract.spend(user_key_from_preimage(k_preimage)) ==
          IncomingSpendRejection::contract_not_ready);

    CHECK(contract.add_decryption_share(PeerId(3), true) == ShareRejection::none);
    CHECK(contract.state() == DecryptedPreimage::some);
    CHECK(contract.preimage() == k_preimage);
    CHECK(contract.add_decryption_share(PeerId(2), true) == ShareRejection::already_decrypted);
    CHECK(contract.spend(k_gateway) == IncomingSpendRejection::wrong_key);
    CHECK(contract.spend(user_key_from_preimage(k_preimage)) == IncomingSpendRejection::none);
    CHECK(contract.spend(user_key_from_preimage(k_preimage)) ==
          IncomingSpendRejection::already_spent);
}

TEST_CASE("LNv1 decryption thresholds for n = 1 and n = 7", "[federation][contracts][decryption]") {
    IncomingContractV1 solo(offer(1, k_preimage, 1), 1, k_gateway, Quorum::of(1));
    CHECK(solo.add_decryption_share(PeerId(0), true) == ShareRejection::none);
    CHECK(solo.state() == DecryptedPreimage::some);

    IncomingContractV1 seven(offer(1, k_preimage, 2), 1, k_gateway, Quorum::of(7));
    for (uint32_t p = 0; p < 4; ++p) {
        REQUIRE(seven.add_decryption_share(PeerId(p), true) == ShareRejection::none);
    }
    CHECK(seven.state() == DecryptedPreimage::pending);
    CHECK(seven.add_decryption_share(PeerId(6), true) == ShareRejection::none);
    CHECK(seven.state() == DecryptedPreimage::some);
}

TEST_CASE("LNv1 invalid preimage refunds the gateway", "[federation][contracts][decryption]") {
    const Preimage wrong = preimage_from_label(42);
    IncomingContractV1 bad(offer(1000, wrong, 1), 1000, k_gateway, Quorum::of(4));
    for (uint32_t p = 0; p < 3; ++p) {
        REQUIRE(bad.add_decryption_share(PeerId(p), true) == ShareRejection::none);
    }
    CHECK(bad.state() == DecryptedPreimage::invalid);
    CHECK_FALSE(bad.preimage().has_value());
    CHECK(bad.spend(user_key_from_preimage(wrong)) == IncomingSpendRejection::wrong_key);
    CHECK(bad.spend(k_gateway) == IncomingSpendRejection::none);
}

TEST_CASE("LNv1 offers and funding", "[federation][contracts][incoming]") {
    IncomingOfferBookV1 book(Quorum::of(4));
    const PaymentHash hash = payment_hash_of(k_preimage);
    IncomingOfferV1 malformed = offer(1000, k_preimage, 7);
    malformed.encrypted_preimage.well_formed = false;
    CHECK(book.add_offer(malformed) == OfferRejection::invalid_encrypted_preimage);
    CHECK(book.fund(hash, 1000, k_gateway).rejection == FundingRejection::no_offer);

    REQUIRE(book.add_offer(offer(1000, k_preimage, 1)) == OfferRejection::none);
    CHECK(book.add_offer(offer(1000, k_preimage, 2)) == OfferRejection::duplicate_hash);
    IncomingOfferV1 other = offer(5, preimage_from_label(9), 1);
    other.hash = payment_hash_of(preimage_from_label(9));
    CHECK(book.add_offer(other) == OfferRejection::duplicate_encrypted_preimage);

    CHECK(book.fund(hash, 999, k_gateway).rejection == FundingRejection::underfunded);
    IncomingOfferBookV1::Funding ok = book.fund(hash, 1000, k_gateway);
    CHECK(ok.rejection == FundingRejection::none);
    REQUIRE(ok.contract.has_value());
    CHECK(ok.contract->amount_msat() == 1000);
    CHECK_FALSE(book.has_offer(hash));
    CHECK(book.fund(hash, 1000, k_gateway).rejection == FundingRejection::already_funded);
    CHECK(book.add_offer(offer(1000, k_preimage, 3)) == OfferRejection::duplicate_hash);

    IncomingOfferV1 zero = offer(0, preimage_from_label(11), 11);
    zero.hash = payment_hash_of(preimage_from_label(11));
    REQUIRE(book.add_offer(zero) == OfferRejection::none);
    CHECK(book.fund(zero.hash, 0, k_gateway).rejection == FundingRejection::zero_amount);
}
