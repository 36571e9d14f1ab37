// FederationState: one guardian's consensus state — the module states every honest guardian
// must hold identically after each round — and the deterministic function that applies a
// decided batch to it.
//
// Modules: the wallet (block-count votes, known blocks, peg-ins, peg-outs, the federation's
// UTXO set as consensus sees it), the mint (ecash balances per client), and the LNv1 Lightning
// module (count votes, outgoing and incoming contracts, decryption shares; the gateway directory
// is each guardian's own, gateway_directory.h, not consensus state),
// plus LNv2 count and unix-time votes. Every decision calls the rule core (vote_aggregation.h,
// wallet_rules.h, contracts.h); this file only routes items to it and keeps the books.
// Nothing here reads a clock, a random stream or the guardian's own bitcoind: besides the batch,
// the inputs are the blocks the guardian's wallet sync fetched for the batch (WalletSyncFeed,
// which wallet v1 peg-in proofs are checked against) and, for wallet v2 only, the canonical
// chain. fingerprint() hashes the whole consensus state, so checkers can compare guardians.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "actors/chain/chain.h"
#include "actors/federation/consensus_items.h"
#include "actors/federation/contracts.h"
#include "actors/federation/mint_ledger.h"
#include "actors/federation/state_fingerprint.h"
#include "actors/federation/synced_blocks.h"
#include "actors/federation/vote_aggregation.h"
#include "actors/federation/wallet_rules.h"

namespace actors::federation {

// Which Lightning module rule set the federation runs (fedimint.md 2.1-2.3): LNv1 contracts
// (timelock against the LNv1 count) or LNv2 contracts (expiration against the LNv2 count and
// unix time). The other module's contract transactions are rejected.
enum class LnModule : uint8_t { v1, v2 };

struct FederationParams {
    Quorum quorum = Quorum::of(k_default_guardian_count);
    // Aggregation per module: wallet_v1 or ln_v2 (wallet v2) for the wallet; ln_v1 or ln_v2
    // for the Lightning module's block count.
    VoteRule wallet_rule = VoteRule::wallet_v1;
    VoteRule ln_rule = VoteRule::ln_v1;
    LnModule ln_module = LnModule::v1;
    uint64_t finality_delay = k_default_finality_delay;
    WalletSyncOptions sync;
    // The federation's on-chain multisig: one key name per guardian, threshold t.
    std::vector<std::string> multisig_keys;
    // The miner fee of a peg-out transaction, charged to the client in ecash.
    uint64_t peg_out_fee_sat = 500;
};

struct TxOutcome {
    bool accepted = false;
    std::string error;  // the rule core's rejection text; empty when accepted
    uint64_t round = 0;
};

// What a round changed, for checkers: one event per value movement or contract transition.
enum class StateEventKind : uint8_t {
    peg_in,
    peg_out,
    outgoing_funded,
    outgoing_claimed,
    outgoing_refunded,
    outgoing_cancelled,
    incoming_offered,
    incoming_funded,
    incoming_decrypted,
    incoming_claimed,   // paid to the user: ecash for the receiver
    incoming_refunded,  // invalid decryption: back to the gateway
};
const char* to_string(StateEventKind kind);

// What apply_batch processed, for the guardian's counters.
struct ApplyStats {
    uint64_t items = 0;           // consensus items (votes, transactions, shares) processed
    uint64_t votes_rejected = 0;  // vote items rejected as redundant or outdated
};

// One move of the wallet's consensus count while a batch is processed (each accepted vote
// item may move it); the wallet syncs blocks on each (wallet_v1_sync_range).
struct WalletCountChange {
    uint64_t old_count = 0;
    uint64_t new_count = 0;
};

// The guardian's side of a batch's wallet v1 sync: its synced-block tables and the blocks it
// fetched for the batch's count changes (heights in increasing order, exactly the heights the
// changes' sync ranges cover). apply_batch inserts each change's blocks when processing reaches
// the vote that makes it, so a peg-in earlier in the batch does not see them (as upstream,
// where the sync runs inside that vote's processing).
struct WalletSyncFeed {
    SyncedBlocks* blocks = nullptr;
    std::vector<std::pair<uint64_t, std::shared_ptr<const chain::Block>>> fetched;
    size_t next = 0;  // the first fetched block not inserted yet
};

struct StateEvent {
    StateEventKind kind = StateEventKind::peg_in;
    FedTxId tx;
    uint64_t contract_key = 0;  // ContractId value, or the hash folded to 64 bits
    ClientId client;            // who paid or was paid, when a client is involved
    uint64_t amount_msat = 0;
};

struct OutgoingRecord {
    OutgoingAccountV1 account;
    std::optional<OutgoingSpender> spent_by;
    std::optional<Preimage> preimage;  // the gateway's witness, once claimed
    uint64_t funded_round = 0;
};

struct OutgoingV2Record {
    OutgoingContractV2 contract;
    std::optional<OutgoingWitnessKind> spent_by;  // set once spent (upstream removes it)
    std::optional<Preimage> preimage;             // the gateway's claim witness
};

struct IncomingV2Record {
    IncomingContractV2 contract;
    bool decrypts = true;
    ClientId funder;
    bool spent = false;
};

struct IncomingRecord {
    IncomingContractV1 contract;
    ClientId funder;
    std::optional<ClientId> paid_to;
    bool refunded = false;
};

class FederationState {
public:
    // `canonical` checks wallet v2 peg-in proofs; it must outlive the state (null: those are
    // rejected).
    FederationState(FederationParams params, const chain::Chain* canonical);

    // Applies a decided batch: proposals in guardian order, items in proposal order. A
    // transaction already processed (proposed by several guardians) is skipped. `sync` (wallet
    // v1) receives the synced blocks and is what peg-in proofs are checked against; without it
    // no block is ever known and every v1 peg-in is rejected.
    // REQUIRES: batch.round == rounds_applied(); sync->fetched covers the batch's sync ranges.
    void apply_batch(const Batch& batch, std::vector<StateEvent>* events,
                     ApplyStats* stats = nullptr, WalletSyncFeed* sync = nullptr);
    // The wallet consensus moves apply_batch(batch) will make, in order, without applying it:
    // the guardian waits for its node and syncs blocks for them before the batch commits.
    std::vector<WalletCountChange> wallet_count_changes(const Batch& batch) const;

    uint64_t rounds_applied() const { return rounds_; }
    // A hash of the whole state (state_fingerprint.h), from the words kept between rounds.
    uint64_t fingerprint() const;
    // The same value by walking every map and hashing item by item: the definition
    // fingerprint() must keep (tests compare the two).
    uint64_t fingerprint_reference() const;

    // --- Reads (guardian queries, checkers, tests) ----------------------------------------
    const FederationParams& params() const { return params_; }
    uint64_t wallet_count() const { return wallet_votes_.consensus(); }
    uint64_t ln_count() const { return ln_votes_.consensus(); }
    uint64_t lnv2_count() const { return lnv2_count_votes_.consensus(); }
    uint64_t lnv2_unix_time() const { return lnv2_time_votes_.consensus(); }
    const VoteBook& wallet_votes() const { return wallet_votes_; }
    const VoteBook& ln_votes() const { return ln_votes_; }
    const VoteBook& lnv2_count_votes() const { return lnv2_count_votes_; }
    const VoteBook& lnv2_time_votes() const { return lnv2_time_votes_; }
    const KnownBlocks& known_blocks() const { return known_; }
    const MintLedger& mint() const { return mint_; }
    const std::set<ClientId>& clients() const { return clients_; }
    const std::map<chain::OutPoint, chain::Amount>& utxos() const { return utxos_; }
    uint64_t utxo_total_sat() const;
    uint64_t escrow_msat() const { return escrow_msat_; }
    const std::vector<chain::Transaction>& peg_out_txs() const { return peg_outs_; }
    const std::map<ContractId, OutgoingRecord>& outgoing() const { return outgoing_; }
    const std::map<PaymentHash, IncomingRecord>& incoming() const { return incoming_; }
    const std::map<ContractId, OutgoingV2Record>& outgoing_v2() const { return outgoing_v2_; }
    const std::map<PaymentHash, IncomingV2Record>& incoming_v2() const { return incoming_v2_; }
    const TxOutcome* outcome(FedTxId id) const;
    bool has_offer(const PaymentHash& hash) const { return offers_.has_offer(hash); }
    // Incoming contracts still waiting for decryption shares, in hash order.
    std::vector<PaymentHash> pending_decryptions() const;
    // Whether `peer`'s share for `hash` is already stored (so it need not propose it again).
    bool has_share(const PaymentHash& hash, PeerId peer) const;

private:
    bool apply_vote(PeerId peer, const VoteItem& vote);  // false: rejected
    void insert_synced(uint64_t old_count, uint64_t new_count);
    void apply_share(PeerId peer, const ShareItem& share, std::vector<StateEvent>* events);
    void apply_tx(const FedTx& tx, std::vector<StateEvent>* events);
    std::string apply_body(const FedTx& tx, std::vector<StateEvent>* events);
    std::string apply_peg_in(const FedTx& tx, const PegInTx& peg_in, std::vector<StateEvent>* ev);
    std::string apply_peg_out(const FedTx& tx, const PegOutTx& out, std::vector<StateEvent>* ev);
    std::string apply_fund_outgoing(const FedTx& tx, const FundOutgoingTx& fund,
                                    std::vector<StateEvent>* events);
    std::string apply_spend_outgoing(const FedTx& tx, const SpendOutgoingTx& spend,
                                     std::vector<StateEvent>* events);
    std::string apply_cancel(const FedTx& tx, const CancelOutgoingTx& cancel,
                             std::vector<StateEvent>* events);
    std::string apply_offer(const FedTx& tx, const OfferIncomingTx& offer,
                            std::vector<StateEvent>* events);
    std::string apply_fund_incoming(const FedTx& tx, const FundIncomingTx& fund,
                                    std::vector<StateEvent>* events);
    std::string apply_spend_incoming(const FedTx& tx, const SpendIncomingTx& spend,
                                     std::vector<StateEvent>* events);
    std::string apply_fund_outgoing_v2(const FedTx& tx, const FundOutgoingV2Tx& fund,
                                       std::vector<StateEvent>* events);
    std::string apply_spend_outgoing_v2(const FedTx& tx, const SpendOutgoingV2Tx& spend,
                                        std::vector<StateEvent>* events);
    std::string apply_fund_incoming_v2(const FedTx& tx, const FundIncomingV2Tx& fund,
                                       std::vector<StateEvent>* events);
    std::string apply_spend_incoming_v2(const FedTx& tx, const SpendIncomingV2Tx& spend,
                                        std::vector<StateEvent>* events);
    void issue(ClientId client, uint64_t amount_msat);
    size_t header_words() const;
    void write_header(uint64_t* out) const;
    void append_books(std::vector<uint64_t>* out) const;
    // After every change to a contract record: its fingerprint words (BookWords).
    void note_outgoing(ContractId id);
    void note_incoming(const PaymentHash& hash);
    void note_outgoing_v2(ContractId id);
    void note_incoming_v2(const PaymentHash& hash);
    void add_outcome_words(FedTxId id, const TxOutcome& outcome);
    void add_utxo(const chain::OutPoint& op, chain::Amount value);
    void remove_utxo(const chain::OutPoint& op);

    FederationParams params_;
    const chain::Chain* canonical_;
    // Set only while apply_batch runs (a copied state never carries another guardian's feed).
    WalletSyncFeed* sync_ = nullptr;
    uint64_t rounds_ = 0;
    VoteBook wallet_votes_;
    VoteBook ln_votes_;
    VoteBook lnv2_count_votes_;
    VoteBook lnv2_time_votes_;
    KnownBlocks known_;
    MintLedger mint_;
    std::set<ClientId> clients_;
    std::map<chain::OutPoint, chain::Amount> utxos_;
    // state_fingerprint::outpoint_word of each UTXO (a hex rendering and 75 bytes of FNV each,
    // so kept rather than recomputed whenever the books are rebuilt).
    std::map<chain::OutPoint, uint64_t> utxo_words_;
    std::set<chain::OutPoint> pegged_in_;
    std::vector<chain::Transaction> peg_outs_;
    uint64_t escrow_msat_ = 0;
    std::map<ContractId, OutgoingRecord> outgoing_;
    IncomingOfferBookV1 offers_;
    std::set<PaymentHash> offered_;
    std::map<PaymentHash, IncomingRecord> incoming_;
    // The incoming contracts still pending decryption: guardians ask at every round start.
    std::set<PaymentHash> pending_;
    std::map<ContractId, OutgoingV2Record> outgoing_v2_;
    std::map<PaymentHash, IncomingV2Record> incoming_v2_;
    std::map<FedTxId, TxOutcome> outcomes_;
    // fingerprint() of the current state: the state only changes in apply_batch, which clears
    // it, and every applied round is fingerprinted twice (trace record and checker).
    mutable std::optional<uint64_t> fingerprint_memo_;
    // fingerprint()'s words, in fingerprint_reference()'s order. words_ is the header (round,
    // votes, known count: rewritten on every call) then the small books (clients, mint totals,
    // UTXOs, escrow): rebuilt only after a round that applied a transaction or a share, the only
    // items that change them. The contract books, which grow with every payment, keep their
    // words entry by entry as records change (the note_* calls); outcome_words_ is (id,
    // accepted, round) per outcome in id order, kept as outcomes are added.
    mutable std::vector<uint64_t> words_;
    mutable bool books_stale_ = true;
    state_fingerprint::BookWords<ContractId, 3> outgoing_words_;
    state_fingerprint::BookWords<PaymentHash, 1> offered_words_;
    state_fingerprint::BookWords<PaymentHash, 4> incoming_words_;
    state_fingerprint::BookWords<ContractId, 2> outgoing_v2_words_;
    state_fingerprint::BookWords<PaymentHash, 2> incoming_v2_words_;
    std::vector<uint64_t> outcome_words_;
};

// The hash folded to 64 bits: the key events and checkers use for incoming contracts.
uint64_t hash_key(const PaymentHash& hash);

}  // namespace actors::federation
