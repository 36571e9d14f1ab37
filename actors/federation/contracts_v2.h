// LNv2 contract predicates: the alternative rule set to contracts.h (fedimint.md 2.3, 2.5, 7.4).
//
// Outgoing contracts expire at a block count E (claim iff C < E, refund iff C >= E, or early
// refund with the gateway's forfeit signature); incoming contracts expire at a unix time checked
// against the consensus unix-time vote. C is the LNv2 consensus count (threshold-th highest).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "actors/federation/contracts.h"
#include "actors/federation/fees.h"

namespace actors::federation {

struct OutgoingContractV2 {
    PaymentHash payment_image;
    uint64_t amount_msat = 0;
    uint64_t expiration = 0;  // a block count.
    PublicKey claim_pk;       // the gateway.
    PublicKey refund_pk;      // the user.
};

ContractId contract_id_of(const OutgoingContractV2& contract);

// The gateway's forfeit signature, which lets the user take the early-refund path.
struct ForfeitSignature {
    PublicKey signer;
    ContractId signed_contract;
};

enum class OutgoingWitnessKind { claim, refund, cancel };

struct OutgoingWitnessV2 {
    OutgoingWitnessKind kind = OutgoingWitnessKind::claim;
    std::optional<Preimage> preimage;         // claim only.
    std::optional<ForfeitSignature> forfeit;  // cancel only.
};

enum class OutgoingV2Rejection {
    none,
    expired,                   // claim at C >= E.
    invalid_preimage,          // claim with a missing or wrong preimage.
    not_expired,               // refund at C < E.
    invalid_forfeit_signature, // cancel without the gateway's forfeit over this contract.
};

std::string_view to_string(OutgoingV2Rejection rejection);

struct OutgoingSpendV2 {
    OutgoingV2Rejection rejection = OutgoingV2Rejection::none;
    PublicKey spend_key;  // who must sign the input; meaningful iff accepted.
    bool ok() const { return rejection == OutgoingV2Rejection::none; }
};

// Upstream removes the contract before checking, inside one transaction: a successful spend
// consumes it and the caller must forget the contract; a rejected one changes nothing.
OutgoingSpendV2 check_lnv2_outgoing_spend(const OutgoingContractV2& contract,
                                          uint64_t consensus_count,
                                          const OutgoingWitnessV2& witness);

// `outgoing_contract_expiration`: blocks left, E.saturating_sub(C). The gateway budgets on it.
constexpr uint64_t lnv2_blocks_remaining(uint64_t expiration, uint64_t consensus_count) {
    return saturating_sub(expiration, consensus_count);
}

enum class AwaitStatus { ready, expired, pending };

// `await_preimage`: ready if the claim stored a preimage, else expired once E <= C.
constexpr AwaitStatus lnv2_await_preimage(bool preimage_stored, uint64_t expiration,
                                          uint64_t consensus_count) {
    if (preimage_stored) {
        return AwaitStatus::ready;
    }
    return expiration <= consensus_count ? AwaitStatus::expired : AwaitStatus::pending;
}

struct IncomingContractV2 {
    PaymentHash payment_image;
    uint64_t amount_msat = 0;
    uint64_t expiration_unix_secs = 0;
    PublicKey claim_pk;   // the user (receiver).
    PublicKey refund_pk;  // the gateway.
};

enum class IncomingV2Rejection { none, contract_expired };

std::string_view to_string(IncomingV2Rejection rejection);

// Funding is rejected with ContractExpired iff expiration <= consensus unix time.
constexpr IncomingV2Rejection check_lnv2_incoming_funding(const IncomingContractV2& contract,
                                                          uint64_t consensus_unix_secs) {
    return contract.expiration_unix_secs <= consensus_unix_secs
               ? IncomingV2Rejection::contract_expired
               : IncomingV2Rejection::none;
}

// The spend key after aggregating decryption key shares: the user if the preimage decrypts,
// otherwise the gateway gets its funding back.
constexpr PublicKey lnv2_incoming_spend_key(const IncomingContractV2& contract,
                                            bool decryption_succeeded) {
    return decryption_succeeded ? contract.claim_pk : contract.refund_pk;
}

// `await_incoming_contract`: ready once funded, expired once E <= consensus unix time.
constexpr AwaitStatus lnv2_await_incoming(bool funded, uint64_t expiration_unix_secs,
                                          uint64_t consensus_unix_secs) {
    if (funded) {
        return AwaitStatus::ready;
    }
    return expiration_unix_secs <= consensus_unix_secs ? AwaitStatus::expired
                                                       : AwaitStatus::pending;
}

// ---- LNv2 client send parameters ----

constexpr uint64_t k_expiration_delta_limit = 1440;         // 10 days (older: 1008).
constexpr uint64_t k_contract_confirmation_buffer = 12;     // "a two hour buffer".
constexpr uint64_t k_gateway_expiration_delta_default = 500;
constexpr uint64_t k_gateway_expiration_delta_minimum = 144;

// The gateway's advertised send parameters; direct swaps use the minimum pair.
struct GatewaySendParameters {
    PaymentFee send_fee_default;
    PaymentFee send_fee_minimum;
    uint64_t expiration_delta_default = k_gateway_expiration_delta_default;
    uint64_t expiration_delta_minimum = k_gateway_expiration_delta_minimum;
};

enum class ClientSendRejection { none, fee_above_limit, expiration_delta_above_limit };

std::string_view to_string(ClientSendRejection rejection);

struct ClientSendPlan {
    ClientSendRejection rejection = ClientSendRejection::none;
    PaymentFee send_fee;
    uint64_t expiration = 0;  // C + delta + 12.
    bool ok() const { return rejection == ClientSendRejection::none; }
};

enum class PayeeKind { other_node, gateway_node };

struct FeeCompareOptions {
    // Older clients compared the fee to SEND_FEE_LIMIT with a derived (lexicographic) ordering,
    // so a base under the limit hid any ppm. Default off: both components are bounded.
    bool lexicographic_fee_limit = false;
};

ClientSendPlan lnv2_client_send_plan(const GatewaySendParameters& gateway, PayeeKind payee,
                                     uint64_t consensus_count,
                                     const FeeCompareOptions& options = {});

}  // namespace actors::federation
