// FederationState: the LNv1 module's transactions and decryption shares. Every decision is the
// rule core's (contracts.h); this file moves ecash in and out of escrow around those decisions
// and records who spent each contract, which the checkers read.
#include "actors/federation/federation_state.h"

#include "sim/assert.h"

namespace actors::federation {

std::string FederationState::apply_fund_outgoing(const FedTx& tx, const FundOutgoingTx& fund,
                                                 std::vector<StateEvent>* events) {
    if (fund.amount_msat == 0) {
        return "zero amount";
    }
    ContractId id = contract_id_of(fund.contract);
    if (outgoing_.count(id) != 0) {
        return "contract already funded";
    }
    if (fund.contract.cancelled) {
        return "contract funded as cancelled";
    }
    MintRejection r = mint_.redeem(fund.client, fund.amount_msat);
    if (r != MintRejection::none) {
        return std::string(to_string(r));
    }
    outgoing_.emplace(id, OutgoingRecord{.account = OutgoingAccountV1(fund.contract,
                                                                      fund.amount_msat),
                                         .spent_by = std::nullopt,
                                         .preimage = std::nullopt,
                                         .funded_round = rounds_});
    note_outgoing(id);
    escrow_msat_ += fund.amount_msat;
    events->push_back(StateEvent{.kind = StateEventKind::outgoing_funded, .tx = tx.id,
                                 .contract_key = id.value, .client = fund.client,
                                 .amount_msat = fund.amount_msat});
    return std::string();
}

std::string FederationState::apply_spend_outgoing(const FedTx& tx, const SpendOutgoingTx& spend,
                                                  std::vector<StateEvent>* events) {
    auto it = outgoing_.find(spend.contract);
    if (it == outgoing_.end()) {
        return "unknown contract";
    }
    OutgoingRecord& rec = it->second;
    // The consensus count the timelock is compared with is the LN module's (ln_count()).
    OutgoingSpendRejection r = rec.account.spend(
        ln_count(), OutgoingSpendAttemptV1{.signer = spend.signer, .preimage = spend.preimage});
    note_outgoing(spend.contract);
    if (r != OutgoingSpendRejection::none) {
        return std::string(to_string(r));
    }
    const bool by_gateway = spend.signer == rec.account.contract().gateway_key;
    rec.spent_by = by_gateway ? OutgoingSpender::gateway : OutgoingSpender::user;
    if (by_gateway) {
        rec.preimage = spend.preimage;
    }
    const uint64_t amount = rec.account.amount_msat();
    SIM_ASSERT(escrow_msat_ >= amount);
    escrow_msat_ -= amount;
    issue(spend.payout, amount);
    events->push_back(StateEvent{
        .kind = by_gateway ? StateEventKind::outgoing_claimed : StateEventKind::outgoing_refunded,
        .tx = tx.id, .contract_key = spend.contract.value, .client = spend.payout,
        .amount_msat = amount});
    return std::string();
}

std::string FederationState::apply_cancel(const FedTx& tx, const CancelOutgoingTx& cancel,
                                          std::vector<StateEvent>* events) {
    auto it = outgoing_.find(cancel.contract);
    if (it == outgoing_.end()) {
        return "unknown contract";
    }
    CancelRejection r = it->second.account.cancel(cancel.signature);
    note_outgoing(cancel.contract);
    if (r != CancelRejection::none) {
        return std::string(to_string(r));
    }
    events->push_back(StateEvent{.kind = StateEventKind::outgoing_cancelled, .tx = tx.id,
                                 .contract_key = cancel.contract.value});
    return std::string();
}

std::string FederationState::apply_offer(const FedTx& tx, const OfferIncomingTx& offer,
                                         std::vector<StateEvent>* events) {
    OfferRejection r = offers_.add_offer(offer.offer);
    if (r != OfferRejection::none) {
        return std::string(to_string(r));
    }
    offered_.insert(offer.offer.hash);
    offered_words_.put(offer.offer.hash, {hash_key(offer.offer.hash)});
    events->push_back(StateEvent{.kind = StateEventKind::incoming_offered, .tx = tx.id,
                                 .contract_key = hash_key(offer.offer.hash),
                                 .amount_msat = offer.offer.amount_msat});
    return std::string();
}

std::string FederationState::apply_fund_incoming(const FedTx& tx, const FundIncomingTx& fund,
                                                 std::vector<StateEvent>* events) {
    // The funding input is checked before the offer is consumed, so a gateway short of ecash
    // leaves the offer in place for a retry.
    if (mint_.balance(fund.gateway_client) < fund.amount_msat) {
        return std::string(to_string(MintRejection::insufficient_balance));
    }
    IncomingOfferBookV1::Funding f = offers_.fund(fund.hash, fund.amount_msat, fund.gateway_key);
    if (f.rejection != FundingRejection::none) {
        return std::string(to_string(f.rejection));
    }
    MintRejection r = mint_.redeem(fund.gateway_client, fund.amount_msat);
    SIM_ASSERT(r == MintRejection::none);
    escrow_msat_ += fund.amount_msat;
    auto [it, inserted] = incoming_.emplace(fund.hash,
                                            IncomingRecord{.contract = std::move(*f.contract),
                                                           .funder = fund.gateway_client,
                                                           .paid_to = std::nullopt,
                                                           .refunded = false});
    note_incoming(fund.hash);
    if (inserted && it->second.contract.state() == DecryptedPreimage::pending) {
        pending_.insert(fund.hash);
    }
    events->push_back(StateEvent{.kind = StateEventKind::incoming_funded, .tx = tx.id,
                                 .contract_key = hash_key(fund.hash),
                                 .client = fund.gateway_client,
                                 .amount_msat = fund.amount_msat});
    return std::string();
}

std::string FederationState::apply_spend_incoming(const FedTx& tx, const SpendIncomingTx& spend,
                                                  std::vector<StateEvent>* events) {
    auto it = incoming_.find(spend.hash);
    if (it == incoming_.end()) {
        return "unknown incoming contract";
    }
    IncomingRecord& rec = it->second;
    IncomingSpendRejection r = rec.contract.spend(spend.signer);
    note_incoming(spend.hash);
    if (r != IncomingSpendRejection::none) {
        return std::string(to_string(r));
    }
    const uint64_t amount = rec.contract.amount_msat();
    SIM_ASSERT(escrow_msat_ >= amount);
    escrow_msat_ -= amount;
    issue(spend.payout, amount);
    rec.paid_to = spend.payout;
    rec.refunded = rec.contract.state() == DecryptedPreimage::invalid;
    events->push_back(StateEvent{
        .kind = rec.refunded ? StateEventKind::incoming_refunded : StateEventKind::incoming_claimed,
        .tx = tx.id, .contract_key = hash_key(spend.hash), .client = spend.payout,
        .amount_msat = amount});
    return std::string();
}

void FederationState::apply_share(PeerId peer, const ShareItem& share,
                                  std::vector<StateEvent>* events) {
    auto it = incoming_.find(share.hash);
    if (it == incoming_.end()) {
        return;  // a share for a contract this state does not hold: ignored, as upstream
    }
    IncomingContractV1& contract = it->second.contract;
    const bool was_pending = contract.state() == DecryptedPreimage::pending;
    contract.add_decryption_share(peer, share.valid);
    note_incoming(share.hash);
    if (was_pending && contract.state() != DecryptedPreimage::pending) {
        pending_.erase(share.hash);
        events->push_back(StateEvent{.kind = StateEventKind::incoming_decrypted,
                                     .contract_key = hash_key(share.hash),
                                     .amount_msat = contract.amount_msat()});
    }
}

std::vector<PaymentHash> FederationState::pending_decryptions() const {
    return std::vector<PaymentHash>(pending_.begin(), pending_.end());
}

bool FederationState::has_share(const PaymentHash& hash, PeerId peer) const {
    auto it = incoming_.find(hash);
    if (it == incoming_.end()) {
        return false;
    }
    // Once decrypted no share is needed; before that, only a valid share is stored.
    return it->second.contract.state() != DecryptedPreimage::pending ||
           it->second.contract.has_share_from(peer);
}

}  // namespace actors::federation
