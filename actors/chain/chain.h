// Chain: one bitcoind's view of the block chain, with its UTXO set, tx index and mempool.
//
// The same class serves as the canonical chain (the one miners extend) and as each node's
// replica, which follows the canonical chain through sync_to(). Heights follow Bitcoin Core:
// genesis is height 0 and tip_height() is what getblockcount returns; Fedimint's "count" is
// tip_height() + 1 and lives in block_count.h. Invalid input is answered with a TxCheck naming
// the rule, never an assertion.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/chain/block.h"
#include "actors/chain/locks.h"
#include "actors/chain/mempool.h"
#include "actors/chain/transaction.h"
#include "actors/chain/tx_error.h"
#include "actors/chain/validation.h"

namespace actors::chain {

struct ChainParams {
    int64_t coinbase_maturity = 100;         // COINBASE_MATURITY
    int64_t subsidy_halving_interval = 150;  // regtest
    // Header time of a block mined without an explicit time: parent time plus this.
    int64_t default_block_spacing_s = 600;
};

// Where a confirmed transaction sits.
struct TxLocation {
    BlockHash block_hash;
    int64_t height = 0;
    size_t index = 0;  // position in the block, 0 = coinbase
};

// What getrawtransaction / gettransaction report.
struct TxStatus {
    bool in_mempool = false;
    int64_t height = -1;         // -1 while unconfirmed
    int64_t confirmations = 0;   // tip - height + 1, 0 while unconfirmed
    BlockHash block_hash;        // zero while unconfirmed
};

struct MineOptions {
    std::string coinbase_owner = "miner";
    // Requested header time (unix seconds). The block gets max(time, MTP(tip) + 1), as
    // generatetoaddress does; unset: parent time + default_block_spacing_s.
    std::optional<int64_t> time;
    // At most this many mempool transactions (a full block); the rest wait.
    size_t max_txs = SIZE_MAX;
};

// What a reorg (or a sync across branches) did.
struct ReorgResult {
    std::string error;                       // empty, or why the reorg could not complete
    std::vector<BlockHash> disconnected;     // highest first
    std::vector<BlockHash> connected;        // lowest first
    std::vector<Txid> returned_to_mempool;   // txs of disconnected blocks back in the mempool
    std::vector<Txid> evicted;               // txs dropped: conflicts, no longer valid
    bool ok() const { return error.empty(); }
};

class Chain : public MedianTimeSource {
public:
    explicit Chain(ChainParams params = {},
                   std::shared_ptr<BlockTree> tree = std::make_shared<BlockTree>());
    Chain(const Chain&) = delete;
    Chain& operator=(const Chain&) = delete;

    const ChainParams& params() const { return params_; }
    const std::shared_ptr<BlockTree>& tree() const { return tree_; }

    // --- Blocks of the active chain ---------------------------------------------------------
    int64_t tip_height() const { return static_cast<int64_t>(active_.size()) - 1; }
    const Block& tip() const { return *active_.back(); }
    const std::shared_ptr<const Block>& tip_ptr() const { return active_.back(); }
    // nullptr unless 0 <= height <= tip_height() (getblockhash's rule).
    const Block* block_at(int64_t height) const;
    std::optional<BlockHash> block_hash(int64_t height) const;
    bool in_active_chain(const BlockHash& hash) const;
    // BIP 113 median-time-past of the block at `height` (<= tip): the median of its own and up
    // to 10 ancestors' header times (the upper median when fewer than 11 exist, as in Core).
    int64_t median_time_past(int64_t height) const override;
    int64_t tip_median_time_past() const { return median_time_past(tip_height()); }
    // The context a mempool check uses: the next block's height and MTP(tip).
    LockContext next_block_context() const;

    // --- Transactions and coins ---------------------------------------------------------
    std::optional<TxLocation> find_tx(const Txid& txid) const;
    // Confirmed or in the mempool; nullopt if this node does not know the tx.
    std::optional<TxStatus> tx_status(const Txid& txid) const;
    // tip - height + 1 for a confirmed tx, 0 otherwise.
    int64_t confirmations(const Txid& txid) const;
    // The transaction itself, confirmed in the active chain or in the mempool; nullptr if
    // unknown. (Lightning reads HTLC preimages from on-chain witnesses this way.)
    const Transaction* get_transaction(const Txid& txid) const;
    // The confirmed transaction in the active chain that spent `op`, if any.
    std::optional<Txid> spender_of(const OutPoint& op) const;
    // gettxout without the mempool: the confirmed unspent coin, or nullptr.
    const Coin* utxo(const OutPoint& op) const;
    const CoinMap& utxos() const { return utxos_; }
    // Confirmed unspent outputs paying PayToOwner{owner}, in outpoint order (a minimal wallet).
    std::vector<std::pair<OutPoint, Coin>> owned_by(const std::string& owner) const;

    // --- Mempool ------------------------------------------------------------------------
    const Mempool& mempool() const { return mempool_; }
    // testmempoolaccept: would submit() accept it now? Does not change anything.
    TxCheck test_mempool_accept(const Transaction& tx) const;
    // sendrawtransaction: validate at the next block's context and add to the mempool.
    // `*txid`, if given, receives the tx's txid (computed once here; hashing is not free).
    TxCheck submit(const Transaction& tx, Txid* txid = nullptr);

    // --- Mining -------------------------------------------------------------------------
    // generatetoaddress for one block: the mempool in arrival order, up to max_txs.
    const Block& mine(const MineOptions& options = {});
    // Mines a block holding exactly `txs` (after the coinbase), bypassing the mempool, e.g. a
    // competing branch's double spend. Validated as a block; on error nothing changes.
    TxCheck mine_with(const std::vector<Transaction>& txs, const MineOptions& options = {});

    // --- Reorgs -------------------------------------------------------------------------
    // invalidateblock on the block at height tip - k + 1: disconnects the top k blocks; their
    // transactions return to the mempool if still valid at the new tip. REQUIRES 0 < k <= tip.
    ReorgResult invalidate_top(int64_t k);
    // Makes `target` (a block of this chain's tree) the tip: disconnects back to the fork point
    // and connects the target's branch. Does nothing (ok) if target is already the tip.
    ReorgResult sync_to(const std::shared_ptr<const Block>& target);

private:
    // The coins each transaction of a connected block spent, to restore on disconnect.
    struct BlockUndo {
        std::vector<std::vector<std::pair<OutPoint, Coin>>> spent_by_tx;
    };

    // ids[i] is txs[i].txid(): callers have them already (a block's txids, a mempool entry).
    TxCheck check_block_txs(std::span<const Transaction> txs, std::span<const Txid> ids,
                            const LockContext& ctx, Amount* fees) const;
    TxCheck check_for_mempool(const Transaction& tx, const Txid& txid, Amount* fee) const;
    int64_t next_block_time(const MineOptions& options) const;
    TxCheck check_block(const Block& block) const;
    TxCheck connect_block(const std::shared_ptr<const Block>& block, std::vector<Txid>* evicted);
    void apply_block(const std::shared_ptr<const Block>& block);
    std::shared_ptr<const Block> disconnect_tip();
    void remove_for_block(const Block& block, std::vector<Txid>* evicted);
    void refill_mempool(const std::vector<std::shared_ptr<const Block>>& disconnected,
                        ReorgResult* result);

    ChainParams params_;
    std::shared_ptr<BlockTree> tree_;
    std::vector<std::shared_ptr<const Block>> active_;  // active_[h] is the block at height h
    std::vector<BlockUndo> undo_;                       // parallel to active_
    CoinMap utxos_;
    // Looked up by key and never iterated, so hashed: a Lightning node asks for its funding
    // transaction on every block until it confirms (50,000 channels at scale).
    std::unordered_map<Txid, TxLocation, Hash256Hasher> tx_index_;
    // Confirmed spends in the active chain.
    std::unordered_map<OutPoint, Txid, OutPointHasher> spent_index_;
    Mempool mempool_;
};

}  // namespace actors::chain
