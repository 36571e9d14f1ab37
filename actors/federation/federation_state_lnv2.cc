// FederationState: the LNv2 module's transactions (fedimint.md 2.3), the alternative rule set to
// LNv1, processed only when FederationParams::ln_module is LnModule::v2. Every decision is the
// rule core's (contracts_v2.h) against the LNv2 consensus values: outgoing contracts against the
// LNv2 block count C (threshold-th highest; claim iff C < E, refund iff C >= E, or early with
// the gateway's forfeit), incoming funding against the LNv2 consensus unix time. This file moves
// ecash in and out of escrow around those decisions.
#include "actors/federation/federation_state.h"

#include "sim/assert.h"

namespace actors::federation {

namespace {

constexpr const char* k_not_v2 = "LNv2 module not configured";

}  // namespace

std::string FederationState::apply_fund_outgoing_v2(const FedTx& tx, const FundOutgoingV2Tx& fund,
                                                    std::vector<StateEvent>* events) {
    if (params_.ln_module != LnModule::v2) {
        return k_not_v2;
    }
    const uint64_t amount = fund.contract.amount_msat;
    if (amount == 0) {
        return "zero amount";
    }
    const ContractId id = contract_id_of(fund.contract);
    if (outgoing_v2_.count(id) != 0) {
        return "contract already funded";
    }
    MintRejection r = mint_.redeem(fund.client, amount);
    if (r != MintRejection::none) {
        return std::string(to_string(r));
    }
    outgoing_v2_.emplace(id, OutgoingV2Record{.contract = fund.contract});
    note_outgoing_v2(id);
    escrow_msat_ += amount;
    events->push_back(StateEvent{.kind = StateEventKind::outgoing_funded, .tx = tx.id,
                                 .contract_key = id.value, .client = fund.client,
                                 .amount_msat = amount});
    return std::string();
}

std::string FederationState::apply_spend_outgoing_v2(const FedTx& tx,
                                                     const SpendOutgoingV2Tx& spend,
                                                     std::vector<StateEvent>* events) {
    if (params_.ln_module != LnModule::v2) {
        return k_not_v2;
    }
    auto it = outgoing_v2_.find(spend.contract);
    // Upstream removes the contract on a successful spend: a spent one is unknown.
    if (it == outgoing_v2_.end() || it->second.spent_by.has_value()) {
        return "unknown contract";
    }
    OutgoingV2Record& rec = it->second;
    const OutgoingSpendV2 s = check_lnv2_outgoing_spend(rec.contract, lnv2_count(), spend.witness);
    if (!s.ok()) {
        return std::string(to_string(s.rejection));
    }
    if (spend.signer != s.spend_key) {
        return "wrong key";
    }
    rec.spent_by = spend.witness.kind;
    note_outgoing_v2(spend.contract);
    const bool claim = spend.witness.kind == OutgoingWitnessKind::claim;
    if (claim) {
        rec.preimage = spend.witness.preimage;
    }
    const uint64_t amount = rec.contract.amount_msat;
    SIM_ASSERT(escrow_msat_ >= amount);
    escrow_msat_ -= amount;
    issue(spend.payout, amount);
    events->push_back(StateEvent{
        .kind = claim ? StateEventKind::outgoing_claimed : StateEventKind::outgoing_refunded,
        .tx = tx.id, .contract_key = spend.contract.value, .client = spend.payout,
        .amount_msat = amount});
    return std::string();
}

std::string FederationState::apply_fund_incoming_v2(const FedTx& tx, const FundIncomingV2Tx& fund,
                                                    std::vector<StateEvent>* events) {
    if (params_.ln_module != LnModule::v2) {
        return k_not_v2;
    }
    const IncomingV2Rejection r = check_lnv2_incoming_funding(fund.contract, lnv2_unix_time());
    if (r != IncomingV2Rejection::none) {
        return std::string(to_string(r));
    }
    const uint64_t amount = fund.contract.amount_msat;
    if (amount == 0) {
        return "zero amount";
    }
    const PaymentHash& hash = fund.contract.payment_image;
    if (incoming_v2_.count(hash) != 0) {
        return "contract already funded";
    }
    MintRejection m = mint_.redeem(fund.gateway_client, amount);
    if (m != MintRejection::none) {
        return std::string(to_string(m));
    }
    incoming_v2_.emplace(hash, IncomingV2Record{.contract = fund.contract,
                                                .decrypts = fund.decrypts,
                                                .funder = fund.gateway_client});
    note_incoming_v2(hash);
    escrow_msat_ += amount;
    events->push_back(StateEvent{.kind = StateEventKind::incoming_funded, .tx = tx.id,
                                 .contract_key = hash_key(hash), .client = fund.gateway_client,
                                 .amount_msat = amount});
    return std::string();
}

std::string FederationState::apply_spend_incoming_v2(const FedTx& tx,
                                                     const SpendIncomingV2Tx& spend,
                                                     std::vector<StateEvent>* events) {
    if (params_.ln_module != LnModule::v2) {
        return k_not_v2;
    }
    auto it = incoming_v2_.find(spend.hash);
    if (it == incoming_v2_.end() || it->second.spent) {
        return "unknown contract";
    }
    IncomingV2Record& rec = it->second;
    if (spend.signer != lnv2_incoming_spend_key(rec.contract, rec.decrypts)) {
        return "wrong key";
    }
    rec.spent = true;
    note_incoming_v2(spend.hash);
    const uint64_t amount = rec.contract.amount_msat;
    SIM_ASSERT(escrow_msat_ >= amount);
    escrow_msat_ -= amount;
    issue(spend.payout, amount);
    events->push_back(StateEvent{
        .kind = rec.decrypts ? StateEventKind::incoming_claimed : StateEventKind::incoming_refunded,
        .tx = tx.id, .contract_key = hash_key(spend.hash), .client = spend.payout,
        .amount_msat = amount});
    return std::string();
}

}  // namespace actors::federation
