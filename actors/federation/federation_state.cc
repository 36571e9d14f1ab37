// FederationState: batch application, votes, the wallet (peg-in, peg-out) and the fingerprint.
// The Lightning module's transactions are in federation_state_ln.cc.
#include "actors/federation/federation_state.h"

#include <string_view>
#include <type_traits>
#include <utility>

#include "actors/federation/state_fingerprint.h"
#include "sim/assert.h"
#include "sim/trace.h"

namespace actors::federation {

const char* to_string(StateEventKind kind) {
    switch (kind) {
        case StateEventKind::peg_in:
            return "peg_in";
        case StateEventKind::peg_out:
            return "peg_out";
        case StateEventKind::outgoing_funded:
            return "outgoing_funded";
        case StateEventKind::outgoing_claimed:
            return "outgoing_claimed";
        case StateEventKind::outgoing_refunded:
            return "outgoing_refunded";
        case StateEventKind::outgoing_cancelled:
            return "outgoing_cancelled";
        case StateEventKind::incoming_offered:
            return "incoming_offered";
        case StateEventKind::incoming_funded:
            return "incoming_funded";
        case StateEventKind::incoming_decrypted:
            return "incoming_decrypted";
        case StateEventKind::incoming_claimed:
            return "incoming_claimed";
        case StateEventKind::incoming_refunded:
            return "incoming_refunded";
    }
    SIM_UNREACHABLE("unknown StateEventKind");
}

const char* tx_kind(const FedTxBody& body) {
    static constexpr const char* k_names[] = {
        "peg_in",         "peg_out",          "fund_outgoing",     "spend_outgoing",
        "cancel",         "offer_incoming",   "fund_incoming",     "spend_incoming",
        "fund_outgoing_v2", "spend_outgoing_v2", "fund_incoming_v2", "spend_incoming_v2"};
    static_assert(std::variant_size_v<FedTxBody> == std::size(k_names));
    return k_names[body.index()];
}

uint64_t hash_key(const PaymentHash& hash) {
    uint64_t h = 0;
    for (size_t i = 0; i < 8; ++i) {
        h |= static_cast<uint64_t>(hash[i]) << (8 * i);
    }
    return h;
}

FederationState::FederationState(FederationParams params, const chain::Chain* canonical)
    : params_(std::move(params)),
      canonical_(canonical),
      wallet_votes_(params_.quorum, params_.wallet_rule),
      ln_votes_(params_.quorum, params_.ln_rule),
      lnv2_count_votes_(params_.quorum, VoteRule::ln_v2),
      lnv2_time_votes_(params_.quorum, VoteRule::ln_v2),
      known_(params_.sync),
      offers_(params_.quorum) {
    SIM_ASSERT(params_.quorum.n >= 1);
    SIM_ASSERT(params_.wallet_rule != VoteRule::ln_v1);
}

void FederationState::apply_batch(const Batch& batch, std::vector<StateEvent>* events,
                                  ApplyStats* stats, WalletSyncFeed* sync) {
    SIM_ASSERT(batch.round == rounds_);
    fingerprint_memo_.reset();
    sync_ = sync;
    SIM_ASSERT(batch.proposals.size() >= params_.quorum.t);
    ApplyStats local;
    for (size_t i = 0; i < batch.proposals.size(); ++i) {
        const Proposal& proposal = batch.proposals[i];
        SIM_ASSERT(params_.quorum.contains(proposal.peer));
        SIM_ASSERT(i == 0 || batch.proposals[i - 1].peer < proposal.peer);
        local.items += proposal.items.size();
        for (const ConsensusItem& item : proposal.items) {
            if (const auto* vote = std::get_if<VoteItem>(&item)) {
                local.votes_rejected += apply_vote(proposal.peer, *vote) ? 0 : 1;
            } else if (const auto* tx = std::get_if<FedTx>(&item)) {
                apply_tx(*tx, events);
            } else {
                books_stale_ = true;
                apply_share(proposal.peer, std::get<ShareItem>(item), events);
            }
        }
    }
    SIM_ASSERT_MSG(sync == nullptr || sync->next == sync->fetched.size(),
                   "the guardian fetched exactly the batch's sync ranges");
    sync_ = nullptr;
    ++rounds_;
    if (stats != nullptr) {
        stats->items += local.items;
        stats->votes_rejected += local.votes_rejected;
    }
}

std::vector<WalletCountChange> FederationState::wallet_count_changes(const Batch& batch) const {
    std::vector<WalletCountChange> out;
    VoteBook book = wallet_votes_;  // n optional votes: cheap to copy
    for (const Proposal& proposal : batch.proposals) {
        for (const ConsensusItem& item : proposal.items) {
            const auto* vote = std::get_if<VoteItem>(&item);
            if (vote == nullptr || vote->kind != VoteKind::wallet_count) {
                continue;
            }
            VoteOutcome o = book.submit(proposal.peer, vote->value);
            if (o.consensus_changed()) {
                out.push_back(WalletCountChange{o.consensus_before, o.consensus_after});
            }
        }
    }
    return out;
}

bool FederationState::apply_vote(PeerId peer, const VoteItem& vote) {
    switch (vote.kind) {
        case VoteKind::wallet_count: {
            VoteOutcome outcome = wallet_votes_.submit(peer, vote.value);
            if (outcome.consensus_changed() && outcome.consensus_after > known_.consensus_count()) {
                insert_synced(known_.consensus_count(), outcome.consensus_after);
                known_.on_consensus_change(known_.consensus_count(), outcome.consensus_after);
            }
            return outcome.accepted();
        }
        case VoteKind::ln_count:
            return ln_votes_.submit(peer, vote.value).accepted();
        case VoteKind::lnv2_count:
            return lnv2_count_votes_.submit(peer, vote.value).accepted();
        case VoteKind::lnv2_unix_time:
            return lnv2_time_votes_.submit(peer, vote.value).accepted();
    }
    SIM_UNREACHABLE("unknown VoteKind");
}

// sync_up_to_consensus_count(old, new)'s inserts: the blocks the guardian fetched for the
// heights of wallet_v1_sync_range(old, new), in order.
void FederationState::insert_synced(uint64_t old_count, uint64_t new_count) {
    const SyncRange range = wallet_v1_sync_range(old_count, new_count, params_.sync);
    if (sync_ == nullptr || params_.wallet_rule != VoteRule::wallet_v1) {
        return;
    }
    for (uint64_t h = range.from; h < range.to; ++h) {
        SIM_ASSERT_MSG(
            sync_->next < sync_->fetched.size() && sync_->fetched[sync_->next].first == h,
            "the guardian fetched every height of the sync range, in order");
        sync_->blocks->insert(h, sync_->fetched[sync_->next].second);
        ++sync_->next;
    }
}

void FederationState::apply_tx(const FedTx& tx, std::vector<StateEvent>* events) {
    if (outcomes_.count(tx.id) != 0) {
        return;  // proposed by several guardians (or resubmitted): processed once
    }
    std::string error = apply_body(tx, events);
    books_stale_ = true;
    auto [it, inserted] = outcomes_.emplace(
        tx.id, TxOutcome{.accepted = error.empty(), .error = error, .round = rounds_});
    SIM_ASSERT(inserted);
    add_outcome_words(it->first, it->second);
}

// Three words per outcome, in id order: where `id` goes is a binary search over the ids.
void FederationState::add_outcome_words(FedTxId id, const TxOutcome& outcome) {
    size_t lo = 0;
    size_t hi = outcome_words_.size() / 3;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (outcome_words_[3 * mid] < id.value) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    const uint64_t words[3] = {id.value, outcome.accepted ? 1u : 0u, outcome.round};
    outcome_words_.insert(outcome_words_.begin() + static_cast<std::ptrdiff_t>(3 * lo),
                          std::begin(words), std::end(words));
}

std::string FederationState::apply_body(const FedTx& tx, std::vector<StateEvent>* events) {
    // The LNv1 contract transactions belong to the LNv1 module only.
    const FedTxBody& b = tx.body;
    const bool lnv1_contract =
        std::holds_alternative<FundOutgoingTx>(b) || std::holds_alternative<SpendOutgoingTx>(b) ||
        std::holds_alternative<CancelOutgoingTx>(b) || std::holds_alternative<OfferIncomingTx>(b) ||
        std::holds_alternative<FundIncomingTx>(b) || std::holds_alternative<SpendIncomingTx>(b);
    if (params_.ln_module == LnModule::v2 && lnv1_contract) {
        return "LNv1 module not configured";
    }
    return std::visit(
        [&](const auto& body) -> std::string {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, PegInTx>) {
                return apply_peg_in(tx, body, events);
            } else if constexpr (std::is_same_v<T, PegOutTx>) {
                return apply_peg_out(tx, body, events);
            } else if constexpr (std::is_same_v<T, FundOutgoingTx>) {
                return apply_fund_outgoing(tx, body, events);
            } else if constexpr (std::is_same_v<T, SpendOutgoingTx>) {
                return apply_spend_outgoing(tx, body, events);
            } else if constexpr (std::is_same_v<T, CancelOutgoingTx>) {
                return apply_cancel(tx, body, events);
            } else if constexpr (std::is_same_v<T, OfferIncomingTx>) {
                return apply_offer(tx, body, events);
            } else if constexpr (std::is_same_v<T, FundIncomingTx>) {
                return apply_fund_incoming(tx, body, events);
            } else if constexpr (std::is_same_v<T, SpendIncomingTx>) {
                return apply_spend_incoming(tx, body, events);
            } else if constexpr (std::is_same_v<T, FundOutgoingV2Tx>) {
                return apply_fund_outgoing_v2(tx, body, events);
            } else if constexpr (std::is_same_v<T, SpendOutgoingV2Tx>) {
                return apply_spend_outgoing_v2(tx, body, events);
            } else if constexpr (std::is_same_v<T, FundIncomingV2Tx>) {
                return apply_fund_incoming_v2(tx, body, events);
            } else {
                static_assert(std::is_same_v<T, SpendIncomingV2Tx>);
                return apply_spend_incoming_v2(tx, body, events);
            }
        },
        tx.body);
}

void FederationState::issue(ClientId client, uint64_t amount_msat) {
    clients_.insert(client);
    MintRejection r = mint_.issue(client, amount_msat);
    SIM_ASSERT_MSG(r == MintRejection::none, "issuance of a checked amount cannot fail");
}

std::string FederationState::apply_peg_in(const FedTx& tx, const PegInTx& peg_in,
                                          std::vector<StateEvent>* events) {
    const chain::Block* block = nullptr;
    if (params_.wallet_rule == VoteRule::wallet_v1) {
        // block_is_known(proof_block): the hash is in this guardian's BlockHashKey table, filled
        // from its own bitcoind by the sync (fedimint.md 1.3). A block a later reorg orphaned
        // stays known; a competing block at a synced height never was.
        block = sync_ != nullptr ? sync_->blocks->find(peg_in.block_hash) : nullptr;
        if (block == nullptr) {
            return "Unknown block hash in peg-in proof";
        }
    } else {
        // Wallet v2 has no sync in processing; the model checks the proof's height against the
        // consensus count and its hash against the chain (docs/federation.md).
        if (check_peg_in(known_, peg_in.block_height) != PegInRejection::none) {
            return "Unknown block hash in peg-in proof";
        }
        if (canonical_ == nullptr) {
            return "no chain to verify the proof against";
        }
        block = canonical_->block_at(static_cast<int64_t>(peg_in.block_height));
        if (block == nullptr || block->hash != peg_in.block_hash) {
            return "peg-in proof does not match the block";
        }
    }
    const chain::Transaction* found = nullptr;
    for (size_t i = 0; i < block->txs.size(); ++i) {
        if (block->txids[i] == peg_in.outpoint.txid) {
            found = &block->txs[i];
        }
    }
    if (found == nullptr || peg_in.outpoint.vout >= found->outputs.size()) {
        return "peg-in proof does not match the block";
    }
    const chain::TxOut& out = found->outputs[peg_in.outpoint.vout];
    const auto* multisig = std::get_if<chain::PayToMultisig>(&out.condition);
    if (multisig == nullptr || multisig->keys != params_.multisig_keys) {
        return "output does not pay the federation";
    }
    if (!pegged_in_.insert(peg_in.outpoint).second) {
        return "output already pegged in";
    }
    uint64_t msat = static_cast<uint64_t>(out.value) * k_msat_per_sat;
    add_utxo(peg_in.outpoint, out.value);
    issue(peg_in.client, msat);
    events->push_back(StateEvent{.kind = StateEventKind::peg_in, .tx = tx.id,
                                 .client = peg_in.client, .amount_msat = msat});
    return std::string();
}

std::string FederationState::apply_peg_out(const FedTx& tx, const PegOutTx& out,
                                           std::vector<StateEvent>* events) {
    const uint64_t need_sat = saturating_add(out.amount_sat, params_.peg_out_fee_sat);
    if (out.amount_sat == 0) {
        return "zero peg-out";
    }
    if (mint_.balance(out.client) < need_sat * k_msat_per_sat) {
        return std::string(to_string(MintRejection::insufficient_balance));
    }
    // Deterministic coin selection: outpoint order until the amount and fee are covered.
    chain::Transaction ptx;
    uint64_t have_sat = 0;
    for (const auto& [op, value] : utxos_) {
        if (have_sat >= need_sat) {
            break;
        }
        std::vector<std::string> signers(params_.multisig_keys.begin(),
                                         params_.multisig_keys.begin() +
                                             static_cast<std::ptrdiff_t>(params_.quorum.t));
        ptx.inputs.push_back(chain::TxIn{op, chain::k_sequence_default,
                                         chain::MultisigSigned{std::move(signers)}});
        have_sat += static_cast<uint64_t>(value);
    }
    if (have_sat < need_sat) {
        return "federation wallet has too few funds";
    }
    ptx.outputs.push_back(chain::TxOut{static_cast<chain::Amount>(out.amount_sat),
                                       chain::PayToOwner{out.address}});
    if (have_sat > need_sat) {
        ptx.outputs.push_back(chain::TxOut{
            static_cast<chain::Amount>(have_sat - need_sat),
            chain::PayToMultisig{params_.multisig_keys,
                                 static_cast<uint32_t>(params_.quorum.t)}});
    }
    ptx.memo = "pegout:" + std::to_string(tx.id.value);
    for (const chain::TxIn& in : ptx.inputs) {
        remove_utxo(in.prevout);
    }
    if (ptx.outputs.size() == 2) {
        add_utxo(chain::OutPoint{ptx.txid(), 1}, ptx.outputs[1].value);
    }
    MintRejection r = mint_.redeem(out.client, need_sat * k_msat_per_sat);
    SIM_ASSERT(r == MintRejection::none);
    peg_outs_.push_back(std::move(ptx));
    events->push_back(StateEvent{.kind = StateEventKind::peg_out, .tx = tx.id,
                                 .client = out.client, .amount_msat = need_sat * k_msat_per_sat});
    return std::string();
}

void FederationState::add_utxo(const chain::OutPoint& op, chain::Amount value) {
    utxos_.emplace(op, value);
    utxo_words_.emplace(op, state_fingerprint::outpoint_word(op));
}

void FederationState::remove_utxo(const chain::OutPoint& op) {
    utxos_.erase(op);
    utxo_words_.erase(op);
}

uint64_t FederationState::utxo_total_sat() const {
    uint64_t total = 0;
    for (const auto& [op, value] : utxos_) {
        total += static_cast<uint64_t>(value);
    }
    return total;
}

const TxOutcome* FederationState::outcome(FedTxId id) const {
    auto it = outcomes_.find(id);
    return it == outcomes_.end() ? nullptr : &it->second;
}

namespace {

// The definition, item by item (fingerprint_reference); fingerprint() folds the same words.
struct Hasher {
    uint64_t h = state_fingerprint::k_seed;
    void add(uint64_t v) { h = sim::fingerprint_mix(h, v); }
    void add(const Digest32& d) { add(hash_key(d)); }
    void add(const chain::OutPoint& op) { h = sim::fingerprint_bytes(h, op.to_string()); }
};

void hash_votes(Hasher* hs, const VoteBook& book) {
    for (uint32_t p = 0; p < book.quorum().n; ++p) {
        std::optional<uint64_t> v = book.vote_of(PeerId(p));
        hs->add(v.has_value() ? *v + 1 : 0);
    }
    hs->add(book.consensus());
}

uint64_t* write_votes(uint64_t* out, const VoteBook& book) {
    for (uint32_t p = 0; p < book.quorum().n; ++p) {
        std::optional<uint64_t> v = book.vote_of(PeerId(p));
        *out++ = v.has_value() ? *v + 1 : 0;
    }
    *out++ = book.consensus();
    return out;
}

}  // namespace

// Not hashed: the guardian's synced block hashes (SyncedBlocks). They come from each guardian's
// own bitcoind, so they are database state rather than consensus: equal across honest guardians
// whose nodes agreed on every synced height, but a guardian that synced a height before a reorg
// and one that synced it after hold different hashes without either being faulty. Hashing them
// would report that as divergent consensus state on the next round, before anything consensus
// decides differs; whatever does differ because of them (a peg-in's outcome, the UTXO set) is
// hashed below and reported then.
uint64_t FederationState::fingerprint_reference() const {
    Hasher hs;
    hs.add(rounds_);
    hash_votes(&hs, wallet_votes_);
    hash_votes(&hs, ln_votes_);
    hash_votes(&hs, lnv2_count_votes_);
    hash_votes(&hs, lnv2_time_votes_);
    hs.add(known_.consensus_count());
    for (ClientId c : clients_) {
        hs.add(c.value);
        hs.add(mint_.balance(c));
    }
    hs.add(mint_.total_issued_msat());
    hs.add(mint_.total_redeemed_msat());
    for (const auto& [op, value] : utxos_) {
        hs.add(op);
        hs.add(static_cast<uint64_t>(value));
    }
    hs.add(escrow_msat_);
    for (const auto& [id, rec] : outgoing_) {
        hs.add(id.value);
        hs.add(rec.account.spent() ? 1 : 0);
        hs.add(rec.account.contract().cancelled ? 1 : 0);
    }
    for (const PaymentHash& h : offered_) {
        hs.add(h);
    }
    for (const auto& [hash, rec] : incoming_) {
        hs.add(hash);
        hs.add(static_cast<uint64_t>(rec.contract.state()));
        hs.add(rec.contract.share_count());
        hs.add(rec.contract.spent() ? 1 : 0);
    }
    // LNv2 contracts (nothing is hashed while there are none).
    for (const auto& [id, rec] : outgoing_v2_) {
        hs.add(id.value);
        hs.add(rec.spent_by.has_value() ? 1 + static_cast<uint64_t>(*rec.spent_by) : 0);
    }
    for (const auto& [hash, rec] : incoming_v2_) {
        hs.add(hash);
        hs.add(rec.spent ? 1 : 0);
    }
    for (const auto& [id, outcome] : outcomes_) {
        hs.add(id.value);
        hs.add(outcome.accepted ? 1 : 0);
        hs.add(outcome.round);
    }
    return hs.h;
}

// The round, four vote books (a word per guardian and the consensus), the known count.
size_t FederationState::header_words() const {
    return 1 + 4 * (static_cast<size_t>(params_.quorum.n) + 1) + 1;
}

void FederationState::write_header(uint64_t* out) const {
    *out++ = rounds_;
    out = write_votes(out, wallet_votes_);
    out = write_votes(out, ln_votes_);
    out = write_votes(out, lnv2_count_votes_);
    out = write_votes(out, lnv2_time_votes_);
    *out = known_.consensus_count();
}

// What fingerprint_reference hashes between the known count and the outgoing contracts.
void FederationState::append_books(std::vector<uint64_t>* out) const {
    std::vector<uint64_t>& w = *out;
    for (ClientId c : clients_) {
        w.push_back(c.value);
        w.push_back(mint_.balance(c));
    }
    w.push_back(mint_.total_issued_msat());
    w.push_back(mint_.total_redeemed_msat());
    SIM_ASSERT(utxo_words_.size() == utxos_.size());
    auto word = utxo_words_.begin();
    for (const auto& [op, value] : utxos_) {
        w.push_back((word++)->second);
        w.push_back(static_cast<uint64_t>(value));
    }
    w.push_back(escrow_msat_);
}

void FederationState::note_outgoing(ContractId id) {
    const OutgoingRecord& rec = outgoing_.at(id);
    outgoing_words_.put(id, {id.value, rec.account.spent() ? 1u : 0u,
                             rec.account.contract().cancelled ? 1u : 0u});
}

void FederationState::note_incoming(const PaymentHash& hash) {
    const IncomingContractV1& c = incoming_.at(hash).contract;
    incoming_words_.put(hash, {hash_key(hash), static_cast<uint64_t>(c.state()), c.share_count(),
                               c.spent() ? 1u : 0u});
}

void FederationState::note_outgoing_v2(ContractId id) {
    const OutgoingV2Record& rec = outgoing_v2_.at(id);
    outgoing_v2_words_.put(
        id, {id.value, rec.spent_by.has_value() ? 1 + static_cast<uint64_t>(*rec.spent_by) : 0});
}

void FederationState::note_incoming_v2(const PaymentHash& hash) {
    incoming_v2_words_.put(hash, {hash_key(hash), incoming_v2_.at(hash).spent ? 1u : 0u});
}

uint64_t FederationState::fingerprint() const {
    if (fingerprint_memo_.has_value()) {
        return *fingerprint_memo_;
    }
    const size_t header = header_words();
    if (books_stale_ || words_.size() < header) {
        words_.resize(header);
        append_books(&words_);
        books_stale_ = false;
    }
    write_header(words_.data());
    SIM_ASSERT(outgoing_words_.size() == outgoing_.size());
    SIM_ASSERT(offered_words_.size() == offered_.size());
    SIM_ASSERT(incoming_words_.size() == incoming_.size());
    SIM_ASSERT(outgoing_v2_words_.size() == outgoing_v2_.size());
    SIM_ASSERT(incoming_v2_words_.size() == incoming_v2_.size());
    fingerprint_memo_ = state_fingerprint::fold_memoised(
        {words_, outgoing_words_.words(), offered_words_.words(), incoming_words_.words(),
         outgoing_v2_words_.words(), incoming_v2_words_.words(), outcome_words_});
    return *fingerprint_memo_;
}

}  // namespace actors::federation
