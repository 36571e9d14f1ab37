// LNv1 contract predicates and state machines.
#include "actors/federation/contracts.h"

#include <type_traits>
#include <utility>

#include "actors/lightning/sha256.h"
#include "sim/assert.h"

namespace actors::federation {

static_assert(std::is_same_v<Digest32, lightning::Digest32>,
              "federation hashes must be the Lightning model's digests");

namespace {

// The splitmix64 finaliser: a well-mixed bijection on 64-bit values, for derived ids and keys.
constexpr uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Domain separators so a key derivation and a contract id never collide by design.
constexpr uint64_t k_domain_user_key = 0x555345524B455921ULL;
constexpr uint64_t k_domain_contract = 0x4F5554434F4E5452ULL;

// Folds a digest into a running 64-bit mix, 8 bytes at a time (little-endian).
uint64_t mix_digest(uint64_t h, const Digest32& digest) {
    for (size_t lane = 0; lane < 4; ++lane) {
        uint64_t word = 0;
        for (size_t i = 0; i < 8; ++i) {
            word |= static_cast<uint64_t>(digest[lane * 8 + i]) << (8 * i);
        }
        h = mix64(h ^ word);
    }
    return h;
}

}  // namespace

PaymentHash payment_hash_of(const Preimage& preimage) {
    return lightning::sha256(preimage.data(), preimage.size());
}

Preimage preimage_from_label(uint64_t label) {
    Preimage p{};
    for (size_t i = 0; i < 8; ++i) {
        p[i] = static_cast<uint8_t>(label >> (8 * i));
    }
    return p;
}

PublicKey user_key_from_preimage(const Preimage& preimage) {
    return PublicKey{mix_digest(k_domain_user_key, preimage)};
}

ContractId contract_id_of(const OutgoingContractV1& contract) {
    uint64_t h = mix_digest(k_domain_contract, contract.hash);
    h = mix64(h ^ contract.gateway_key.value);
    h = mix64(h ^ contract.timelock);
    h = mix64(h ^ contract.user_key.value);
    return ContractId{h};
}

OutgoingSpender lnv1_outgoing_spender(const OutgoingContractV1& contract,
                                      uint64_t consensus_count) {
    // Upstream writes `timelock + 1 > C`; `C <= timelock` is the same without overflow.
    bool before_timelock = consensus_count <= contract.timelock;
    return before_timelock && !contract.cancelled ? OutgoingSpender::gateway
                                                  : OutgoingSpender::user;
}

bool lnv1_gateway_may_claim(const OutgoingContractV1& contract, uint64_t consensus_count) {
    return lnv1_outgoing_spender(contract, consensus_count) == OutgoingSpender::gateway;
}

bool lnv1_user_may_refund(const OutgoingContractV1& contract, uint64_t consensus_count) {
    return lnv1_outgoing_spender(contract, consensus_count) == OutgoingSpender::user;
}

std::string_view to_string(OutgoingSpendRejection rejection) {
    switch (rejection) {
        case OutgoingSpendRejection::none:
            return "accepted";
        case OutgoingSpendRejection::not_expired:
            return "refund before the timelock (spend key is the gateway's)";
        case OutgoingSpendRejection::missing_preimage:
            return "MissingPreimage";
        case OutgoingSpendRejection::invalid_preimage:
            return "InvalidPreimage";
        case OutgoingSpendRejection::timelock_passed:
            return "claim after the timelock (spend key is the user's)";
        case OutgoingSpendRejection::cancelled:
            return "claim of a cancelled contract (spend key is the user's)";
        case OutgoingSpendRejection::wrong_key:
            return "signed by neither the gateway nor the user";
        case OutgoingSpendRejection::already_spent:
            return "contract already spent";
    }
    SIM_UNREACHABLE("unknown OutgoingSpendRejection");
}

OutgoingSpendRejection check_lnv1_outgoing_spend(const OutgoingContractV1& contract,
                                                 uint64_t consensus_count,
                                                 const OutgoingSpendAttemptV1& attempt) {
    OutgoingSpender spender = lnv1_outgoing_spender(contract, consensus_count);
    if (spender == OutgoingSpender::gateway) {
        if (attempt.signer == contract.gateway_key) {
            if (!attempt.preimage.has_value()) {
                return OutgoingSpendRejection::missing_preimage;
            }
            if (payment_hash_of(*attempt.preimage) != contract.hash) {
                return OutgoingSpendRejection::invalid_preimage;
            }
            return OutgoingSpendRejection::none;
        }
        return attempt.signer == contract.user_key ? OutgoingSpendRejection::not_expired
                                                   : OutgoingSpendRejection::wrong_key;
    }
    if (attempt.signer == contract.user_key) {
        return OutgoingSpendRejection::none;
    }
    if (attempt.signer == contract.gateway_key) {
        return contract.cancelled ? OutgoingSpendRejection::cancelled
                                  : OutgoingSpendRejection::timelock_passed;
    }
    return OutgoingSpendRejection::wrong_key;
}

std::string_view to_string(CancelRejection rejection) {
    return rejection == CancelRejection::none ? "accepted" : "invalid cancellation signature";
}

CancelRejection check_lnv1_cancel(const OutgoingContractV1& contract,
                                  const CancellationSignature& signature) {
    if (signature.signer != contract.gateway_key) {
        return CancelRejection::invalid_signature;
    }
    if (signature.signed_contract != contract_id_of(contract)) {
        return CancelRejection::invalid_signature;
    }
    return CancelRejection::none;
}

OutgoingAccountV1::OutgoingAccountV1(OutgoingContractV1 contract, uint64_t amount_msat)
    : contract_(contract), id_(contract_id_of(contract)), amount_msat_(amount_msat) {
    SIM_ASSERT(amount_msat > 0);
}

CancelRejection OutgoingAccountV1::cancel(const CancellationSignature& signature) {
    CancelRejection rejection = check_lnv1_cancel(contract_, signature);
    if (rejection == CancelRejection::none) {
        contract_.cancelled = true;
    }
    return rejection;
}

OutgoingSpendRejection OutgoingAccountV1::spend(uint64_t consensus_count,
                                                const OutgoingSpendAttemptV1& attempt) {
    if (spent_) {
        return OutgoingSpendRejection::already_spent;
    }
    OutgoingSpendRejection rejection =
        check_lnv1_outgoing_spend(contract_, consensus_count, attempt);
    if (rejection == OutgoingSpendRejection::none) {
        spent_ = true;
    }
    return rejection;
}

uint64_t lnv1_client_timelock(uint64_t consensus_count, uint64_t min_final_cltv_delta,
                              const ClientTimelockOptions& options) {
    uint64_t min_final = options.ignore_min_final_cltv ? 0 : min_final_cltv_delta;
    return consensus_count + min_final + k_outgoing_ln_contract_timelock - 1;
}

MsatResult lnv1_client_contract_amount(uint64_t invoice_msat, const RoutingFees& gateway_fees,
                                      const LegacyFeeOptions& options) {
    MsatResult fee = gateway_fees.to_amount_legacy(invoice_msat, options);
    if (!fee.ok()) {
        return fee;
    }
    return MsatResult{.error = FeeError::none,
                     .msat = saturating_add(invoice_msat, fee.msat)};
}

}  // namespace actors::federation
