// LNv1 contract predicates and state machines.
#include "actors/federation/contracts.h"

#include <utility>

#include "sim/assert.h"

namespace actors::federation {

namespace {

// The splitmix64 finaliser: a bijection on 64-bit values, standing in for sha256.
constexpr uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Domain separators so a preimage, a key derivation and a contract id never collide by design.
constexpr uint64_t k_domain_payment_hash = 0x5041594D454E5448ULL;
constexpr uint64_t k_domain_user_key = 0x555345524B455921ULL;
constexpr uint64_t k_domain_contract = 0x4F5554434F4E5452ULL;

}  // namespace

PaymentHash payment_hash_of(Preimage preimage) {
    return PaymentHash{mix64(preimage.value ^ k_domain_payment_hash)};
}

PublicKey user_key_from_preimage(Preimage preimage) {
    return PublicKey{mix64(preimage.value ^ k_domain_user_key)};
}

ContractId contract_id_of(const OutgoingContractV1& contract) {
    uint64_t h = mix64(k_domain_contract ^ contract.hash.value);
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
