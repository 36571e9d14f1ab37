// LNv1 incoming side: offers, gateway funding and threshold decryption of the preimage.
#include "actors/federation/contracts.h"

#include "sim/assert.h"

namespace actors::federation {

std::string_view to_string(DecryptedPreimage state) {
    switch (state) {
        case DecryptedPreimage::pending:
            return "pending";
        case DecryptedPreimage::some:
            return "some";
        case DecryptedPreimage::invalid:
            return "invalid";
    }
    SIM_UNREACHABLE("unknown DecryptedPreimage");
}

std::string_view to_string(ShareRejection rejection) {
    switch (rejection) {
        case ShareRejection::none:
            return "accepted";
        case ShareRejection::invalid_share:
            return "invalid decryption share";
        case ShareRejection::duplicate_peer:
            return "peer already contributed a valid share";
        case ShareRejection::already_decrypted:
            return "preimage already decrypted";
    }
    SIM_UNREACHABLE("unknown ShareRejection");
}

std::string_view to_string(IncomingSpendRejection rejection) {
    switch (rejection) {
        case IncomingSpendRejection::none:
            return "accepted";
        case IncomingSpendRejection::contract_not_ready:
            return "ContractNotReady";
        case IncomingSpendRejection::wrong_key:
            return "not the key the decryption outcome designates";
        case IncomingSpendRejection::already_spent:
            return "contract already spent";
    }
    SIM_UNREACHABLE("unknown IncomingSpendRejection");
}

std::string_view to_string(OfferRejection rejection) {
    switch (rejection) {
        case OfferRejection::none:
            return "accepted";
        case OfferRejection::invalid_encrypted_preimage:
            return "encrypted preimage fails verification";
        case OfferRejection::duplicate_encrypted_preimage:
            return "DuplicateEncryptedPreimage";
        case OfferRejection::duplicate_hash:
            return "an offer or funded contract already exists for this hash";
    }
    SIM_UNREACHABLE("unknown OfferRejection");
}

std::string_view to_string(FundingRejection rejection) {
    switch (rejection) {
        case FundingRejection::none:
            return "accepted";
        case FundingRejection::no_offer:
            return "no offer for this hash";
        case FundingRejection::underfunded:
            return "amount below the offer amount";
        case FundingRejection::zero_amount:
            return "zero amount";
        case FundingRejection::already_funded:
            return "contract already funded";
    }
    SIM_UNREACHABLE("unknown FundingRejection");
}

IncomingContractV1::IncomingContractV1(const IncomingOfferV1& offer, uint64_t amount_msat,
                                       PublicKey gateway_key, Quorum quorum)
    : hash_(offer.hash),
      encrypted_(offer.encrypted_preimage),
      gateway_key_(gateway_key),
      amount_msat_(amount_msat),
      quorum_(quorum) {
    SIM_ASSERT(offer.encrypted_preimage.well_formed);
    SIM_ASSERT(amount_msat >= offer.amount_msat);
}

ShareRejection IncomingContractV1::add_decryption_share(PeerId peer, bool share_valid) {
    SIM_ASSERT(quorum_.contains(peer));
    if (state_ != DecryptedPreimage::pending) {
        return ShareRejection::already_decrypted;
    }
    if (shares_.count(peer) != 0) {
        return ShareRejection::duplicate_peer;
    }
    if (!share_valid) {
        return ShareRejection::invalid_share;
    }
    shares_.emplace(peer, true);
    SIM_ASSERT(shares_.size() <= quorum_.t);
    if (shares_.size() == quorum_.t) {
        // Any t valid shares combine to the plaintext; whether it is the right preimage is only
        // known now, which is how a bad offer ends in a refund to the gateway.
        bool matches = payment_hash_of(encrypted_.plaintext) == hash_;
        state_ = matches ? DecryptedPreimage::some : DecryptedPreimage::invalid;
    }
    return ShareRejection::none;
}

std::optional<Preimage> IncomingContractV1::preimage() const {
    if (state_ != DecryptedPreimage::some) {
        return std::nullopt;
    }
    return encrypted_.plaintext;
}

IncomingSpendRejection IncomingContractV1::spend(PublicKey signer) {
    if (state_ == DecryptedPreimage::pending) {
        return IncomingSpendRejection::contract_not_ready;
    }
    if (spent_) {
        return IncomingSpendRejection::already_spent;
    }
    PublicKey expected = state_ == DecryptedPreimage::some
                             ? user_key_from_preimage(encrypted_.plaintext)
                             : gateway_key_;
    if (signer != expected) {
        return IncomingSpendRejection::wrong_key;
    }
    spent_ = true;
    return IncomingSpendRejection::none;
}

IncomingOfferBookV1::IncomingOfferBookV1(Quorum quorum) : quorum_(quorum) {
    SIM_ASSERT(quorum.n >= 1);
}

OfferRejection IncomingOfferBookV1::add_offer(const IncomingOfferV1& offer) {
    if (!offer.encrypted_preimage.well_formed) {
        return OfferRejection::invalid_encrypted_preimage;
    }
    if (ciphertexts_seen_.count(offer.encrypted_preimage.ciphertext_id) != 0) {
        return OfferRejection::duplicate_encrypted_preimage;
    }
    if (offers_.count(offer.hash) != 0 || funded_.count(offer.hash) != 0) {
        return OfferRejection::duplicate_hash;
    }
    ciphertexts_seen_.insert(offer.encrypted_preimage.ciphertext_id);
    offers_.emplace(offer.hash, offer);
    return OfferRejection::none;
}

IncomingOfferBookV1::Funding IncomingOfferBookV1::fund(PaymentHash hash, uint64_t amount_msat,
                                                       PublicKey gateway_key) {
    // Checked first so a second funding names its real cause; upstream the consumed offer would
    // make it fail as NoOffer, which is the same decision.
    if (funded_.count(hash) != 0) {
        return Funding{.rejection = FundingRejection::already_funded, .contract = std::nullopt};
    }
    auto it = offers_.find(hash);
    if (it == offers_.end()) {
        return Funding{.rejection = FundingRejection::no_offer, .contract = std::nullopt};
    }
    if (amount_msat < it->second.amount_msat) {
        return Funding{.rejection = FundingRejection::underfunded, .contract = std::nullopt};
    }
    if (amount_msat == 0) {
        return Funding{.rejection = FundingRejection::zero_amount, .contract = std::nullopt};
    }
    IncomingContractV1 contract(it->second, amount_msat, gateway_key, quorum_);
    offers_.erase(it);
    funded_.insert(hash);
    return Funding{.rejection = FundingRejection::none, .contract = std::move(contract)};
}

}  // namespace actors::federation
