// LNv2 outgoing spend rules and the client's send plan.
#include "actors/federation/contracts_v2.h"

#include "sim/assert.h"

namespace actors::federation {

ContractId contract_id_of(const OutgoingContractV2& contract) {
    // Reuse the v1 derivation over the identifying fields; only uniqueness matters here.
    OutgoingContractV1 shape{.hash = contract.payment_image,
                             .gateway_key = contract.claim_pk,
                             .user_key = contract.refund_pk,
                             .timelock = contract.expiration,
                             .cancelled = false};
    ContractId id = contract_id_of(shape);
    return ContractId{id.value ^ contract.amount_msat};
}

std::string_view to_string(OutgoingV2Rejection rejection) {
    switch (rejection) {
        case OutgoingV2Rejection::none:
            return "accepted";
        case OutgoingV2Rejection::expired:
            return "Expired";
        case OutgoingV2Rejection::invalid_preimage:
            return "InvalidPreimage";
        case OutgoingV2Rejection::not_expired:
            return "NotExpired";
        case OutgoingV2Rejection::invalid_forfeit_signature:
            return "invalid forfeit signature";
    }
    SIM_UNREACHABLE("unknown OutgoingV2Rejection");
}

OutgoingSpendV2 check_lnv2_outgoing_spend(const OutgoingContractV2& contract,
                                          uint64_t consensus_count,
                                          const OutgoingWitnessV2& witness) {
    switch (witness.kind) {
        case OutgoingWitnessKind::claim:
            if (contract.expiration <= consensus_count) {
                return {OutgoingV2Rejection::expired, {}};
            }
            if (!witness.preimage.has_value() ||
                payment_hash_of(*witness.preimage) != contract.payment_image) {
                return {OutgoingV2Rejection::invalid_preimage, {}};
            }
            return {OutgoingV2Rejection::none, contract.claim_pk};
        case OutgoingWitnessKind::refund:
            if (contract.expiration > consensus_count) {
                return {OutgoingV2Rejection::not_expired, {}};
            }
            return {OutgoingV2Rejection::none, contract.refund_pk};
        case OutgoingWitnessKind::cancel:
            if (!witness.forfeit.has_value() || witness.forfeit->signer != contract.claim_pk ||
                witness.forfeit->signed_contract != contract_id_of(contract)) {
                return {OutgoingV2Rejection::invalid_forfeit_signature, {}};
            }
            return {OutgoingV2Rejection::none, contract.refund_pk};
    }
    SIM_UNREACHABLE("unknown OutgoingWitnessKind");
}

std::string_view to_string(IncomingV2Rejection rejection) {
    return rejection == IncomingV2Rejection::none ? "accepted" : "ContractExpired";
}

std::string_view to_string(ClientSendRejection rejection) {
    switch (rejection) {
        case ClientSendRejection::none:
            return "accepted";
        case ClientSendRejection::fee_above_limit:
            return "send fee exceeds SEND_FEE_LIMIT";
        case ClientSendRejection::expiration_delta_above_limit:
            return "expiration delta exceeds EXPIRATION_DELTA_LIMIT";
    }
    SIM_UNREACHABLE("unknown ClientSendRejection");
}

ClientSendPlan lnv2_client_send_plan(const GatewaySendParameters& gateway, PayeeKind payee,
                                     uint64_t consensus_count, const FeeCompareOptions& options) {
    bool direct = payee == PayeeKind::gateway_node;
    ClientSendPlan plan;
    plan.send_fee = direct ? gateway.send_fee_minimum : gateway.send_fee_default;
    uint64_t delta = direct ? gateway.expiration_delta_minimum : gateway.expiration_delta_default;
    bool fee_ok = options.lexicographic_fee_limit
                      ? plan.send_fee.le_lexicographic(k_send_fee_limit)
                      : plan.send_fee.is_within(k_send_fee_limit);
    if (!fee_ok) {
        plan.rejection = ClientSendRejection::fee_above_limit;
        return plan;
    }
    if (delta > k_expiration_delta_limit) {
        plan.rejection = ClientSendRejection::expiration_delta_above_limit;
        return plan;
    }
    plan.expiration = consensus_count + delta + k_contract_confirmation_buffer;
    return plan;
}

}  // namespace actors::federation
