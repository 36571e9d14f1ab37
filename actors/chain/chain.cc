// Chain: block connection and disconnection with undo data, mempool admission, mining and
// reorgs. The rule order follows Bitcoin Core's AcceptToMemoryPool and ConnectBlock.
#include "actors/chain/chain.h"

#include <algorithm>

#include "sim/assert.h"

namespace actors::chain {

Chain::Chain(ChainParams params, std::shared_ptr<BlockTree> tree)
    : params_(params), tree_(std::move(tree)) {
    SIM_ASSERT(tree_ != nullptr);
    SIM_ASSERT(params_.coinbase_maturity >= 0);
    // The genesis coinbase is neither indexed nor spendable, as in Bitcoin Core.
    active_.push_back(tree_->genesis());
    undo_.emplace_back();
}

const Block* Chain::block_at(int64_t height) const {
    if (height < 0 || height > tip_height()) {
        return nullptr;
    }
    return active_[static_cast<size_t>(height)].get();
}

std::optional<BlockHash> Chain::block_hash(int64_t height) const {
    const Block* b = block_at(height);
    return b != nullptr ? std::optional<BlockHash>(b->hash) : std::nullopt;
}

bool Chain::in_active_chain(const BlockHash& hash) const {
    std::shared_ptr<const Block> b = tree_->find(hash);
    return b != nullptr && b->height <= tip_height() &&
           active_[static_cast<size_t>(b->height)]->hash == hash;
}

int64_t Chain::median_time_past(int64_t height) const {
    SIM_ASSERT(height >= 0 && height <= tip_height());
    std::vector<int64_t> times;
    for (int64_t h = height; h >= 0 && h > height - 11; --h) {
        times.push_back(active_[static_cast<size_t>(h)]->time);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

LockContext Chain::next_block_context() const {
    return LockContext{tip_height() + 1, tip_median_time_past()};
}

std::optional<TxLocation> Chain::find_tx(const Txid& txid) const {
    auto it = tx_index_.find(txid);
    return it != tx_index_.end() ? std::optional<TxLocation>(it->second) : std::nullopt;
}

std::optional<TxStatus> Chain::tx_status(const Txid& txid) const {
    if (auto loc = find_tx(txid)) {
        return TxStatus{false, loc->height, tip_height() - loc->height + 1, loc->block_hash};
    }
    if (mempool_.contains(txid)) {
        return TxStatus{true, -1, 0, BlockHash::zero()};
    }
    return std::nullopt;
}

int64_t Chain::confirmations(const Txid& txid) const {
    auto loc = find_tx(txid);
    return loc ? tip_height() - loc->height + 1 : 0;
}

const Transaction* Chain::get_transaction(const Txid& txid) const {
    if (auto loc = find_tx(txid)) {
        return &active_[static_cast<size_t>(loc->height)]->txs[loc->index];
    }
    const Mempool::Entry* e = mempool_.find(txid);
    return e != nullptr ? &e->tx : nullptr;
}

std::optional<Txid> Chain::spender_of(const OutPoint& op) const {
    auto it = spent_index_.find(op);
    return it != spent_index_.end() ? std::optional<Txid>(it->second) : std::nullopt;
}

const Coin* Chain::utxo(const OutPoint& op) const {
    auto it = utxos_.find(op);
    return it != utxos_.end() ? &it->second : nullptr;
}

std::vector<std::pair<OutPoint, Coin>> Chain::owned_by(const std::string& owner) const {
    std::vector<std::pair<OutPoint, Coin>> out;
    for (const auto& [op, coin] : utxos_) {
        const auto* p = std::get_if<PayToOwner>(&coin.out.condition);
        if (p != nullptr && p->owner == owner) {
            out.emplace_back(op, coin);
        }
    }
    return out;
}

// --- Mempool -------------------------------------------------------------------------------

TxCheck Chain::check_for_mempool(const Transaction& tx, const Txid& txid, Amount* fee) const {
    TxCheck r = check_transaction(tx);
    if (!r.ok()) {
        return r;
    }
    if (tx.is_coinbase()) {
        return TxCheck::fail(TxError::coinbase_not_allowed, -1, "");
    }
    // CheckFinalTxAtTip: the tx must be final in the next block (height tip + 1, MTP(tip)).
    const LockContext ctx = next_block_context();
    if (!is_final_tx(tx, ctx.height, ctx.mtp_prev)) {
        return TxCheck::fail(TxError::non_final, -1,
                             "lock_time " + std::to_string(tx.lock_time) +
                                 " not below next height " + std::to_string(ctx.height) +
                                 " / mtp " +
                                 std::to_string(ctx.mtp_prev));
    }
    if (mempool_.contains(txid)) {
        return TxCheck::fail(TxError::already_in_mempool, -1, txid.to_hex());
    }
    for (size_t i = 0; i < tx.inputs.size(); ++i) {
        if (const Txid* other = mempool_.spender_of(tx.inputs[i].prevout)) {
            return TxCheck::fail(TxError::mempool_conflict, static_cast<int64_t>(i),
                                 "spent by " + other->to_hex());
        }
    }
    MempoolCoinView view(utxos_, mempool_, ctx.height);
    r = check_tx_inputs(tx, view, ctx, *this, params_.coinbase_maturity, fee);
    if (r.error == TxError::missing_inputs && tx_index_.count(txid) != 0) {
        return TxCheck::fail(TxError::already_confirmed, -1, txid.to_hex());
    }
    return r;
}

TxCheck Chain::test_mempool_accept(const Transaction& tx) const {
    Amount fee = 0;
    return check_for_mempool(tx, tx.txid(), &fee);
}

TxCheck Chain::submit(const Transaction& tx, Txid* txid_out) {
    const Txid txid = tx.txid();
    if (txid_out != nullptr) {
        *txid_out = txid;
    }
    Amount fee = 0;
    TxCheck r = check_for_mempool(tx, txid, &fee);
    if (r.ok()) {
        mempool_.add(tx, txid, fee);
    }
    return r;
}

// --- Blocks --------------------------------------------------------------------------------

TxCheck Chain::check_block_txs(std::span<const Transaction> txs, std::span<const Txid> ids,
                               const LockContext& ctx, Amount* fees) const {
    SIM_ASSERT(txs.size() == ids.size());
    CoinOverlay view(utxos_);
    std::set<Txid> seen;
    Amount total = 0;
    for (size_t i = 0; i < txs.size(); ++i) {
        const Transaction& tx = txs[i];
        const auto index = static_cast<int64_t>(i + 1);  // position in the block after the coinbase
        TxCheck r = check_transaction(tx);
        if (r.ok() && tx.is_coinbase()) {
            r = TxCheck::fail(TxError::bad_coinbase, -1, "second coinbase");
        }
        if (r.ok() && !seen.insert(ids[i]).second) {
            r = TxCheck::fail(TxError::duplicate_tx, -1, "");
        }
        // ContextualCheckBlock: final at the block's own height and its parent's MTP.
        if (r.ok() && !is_final_tx(tx, ctx.height, ctx.mtp_prev)) {
            r = TxCheck::fail(TxError::non_final, -1,
                              "lock_time " + std::to_string(tx.lock_time) + " in block " +
                                  std::to_string(ctx.height));
        }
        Amount fee = 0;
        if (r.ok()) {
            r = check_tx_inputs(tx, view, ctx, *this, params_.coinbase_maturity, &fee);
        }
        if (!r.ok()) {
            std::string where = r.index >= 0 ? "input " + std::to_string(r.index) + ": " : "";
            return TxCheck::fail(r.error, index, where + r.detail);
        }
        view.apply(tx, ids[i], ctx.height);
        total += fee;
    }
    *fees = total;
    return TxCheck::success();
}

TxCheck Chain::check_block(const Block& block) const {
    SIM_ASSERT(block.prev_hash == tip().hash);
    SIM_ASSERT(block.height == tip_height() + 1);
    const LockContext ctx = next_block_context();
    if (block.txs.empty() || !block.txs[0].is_coinbase()) {
        return TxCheck::fail(TxError::bad_coinbase, 0, "first tx is not a coinbase");
    }
    SIM_ASSERT(block.txids.size() == block.txs.size());
    Amount fees = 0;
    TxCheck r = check_block_txs(std::span(block.txs).subspan(1), std::span(block.txids).subspan(1),
                                ctx, &fees);
    if (!r.ok()) {
        return r;
    }
    const Amount limit = block_subsidy(block.height, params_.subsidy_halving_interval) + fees;
    if (block.txs[0].total_out() > limit) {
        return TxCheck::fail(TxError::coinbase_too_large, 0,
                             std::to_string(block.txs[0].total_out()) + " > " +
                                 std::to_string(limit));
    }
    return TxCheck::success();
}

void Chain::apply_block(const std::shared_ptr<const Block>& block) {
    BlockUndo undo;
    for (size_t i = 0; i < block->txs.size(); ++i) {
        const Transaction& tx = block->txs[i];
        std::vector<std::pair<OutPoint, Coin>> spent;
        if (!tx.is_coinbase()) {
            for (const TxIn& in : tx.inputs) {
                auto it = utxos_.find(in.prevout);
                SIM_ASSERT(it != utxos_.end());
                spent.emplace_back(it->first, it->second);
                utxos_.erase(it);
                spent_index_[in.prevout] = block->txids[i];
            }
        }
        for (uint32_t v = 0; v < tx.outputs.size(); ++v) {
            utxos_[OutPoint{block->txids[i], v}] =
                Coin{tx.outputs[v], block->height, tx.is_coinbase()};
        }
        tx_index_[block->txids[i]] = TxLocation{block->hash, block->height, i};
        undo.spent_by_tx.push_back(std::move(spent));
    }
    active_.push_back(block);
    undo_.push_back(std::move(undo));
}

TxCheck Chain::connect_block(const std::shared_ptr<const Block>& block,
                             std::vector<Txid>* evicted) {
    TxCheck r = check_block(*block);
    if (!r.ok()) {
        return r;
    }
    apply_block(block);
    remove_for_block(*block, evicted);
    return r;
}

std::shared_ptr<const Block> Chain::disconnect_tip() {
    SIM_ASSERT(tip_height() > 0);
    std::shared_ptr<const Block> block = active_.back();
    BlockUndo& undo = undo_.back();
    // Undo in reverse so a coin created and spent inside the block ends up absent.
    for (size_t i = block->txs.size(); i-- > 0;) {
        for (uint32_t v = 0; v < block->txs[i].outputs.size(); ++v) {
            utxos_.erase(OutPoint{block->txids[i], v});
        }
        for (auto& [op, coin] : undo.spent_by_tx[i]) {
            utxos_[op] = coin;
            spent_index_.erase(op);
        }
        tx_index_.erase(block->txids[i]);
    }
    active_.pop_back();
    undo_.pop_back();
    return block;
}

void Chain::remove_for_block(const Block& block, std::vector<Txid>* evicted) {
    for (size_t i = 1; i < block.txs.size(); ++i) {
        if (mempool_.contains(block.txids[i])) {
            mempool_.remove(block.txids[i]);
        }
    }
    // removeForBlock -> removeConflicts: mempool txs spending what the block spent.
    for (size_t i = 1; i < block.txs.size(); ++i) {
        for (const TxIn& in : block.txs[i].inputs) {
            if (const Txid* other = mempool_.spender_of(in.prevout)) {
                std::vector<Txid> gone = mempool_.remove_with_descendants(*other);
                evicted->insert(evicted->end(), gone.begin(), gone.end());
            }
        }
    }
}

// --- Mining --------------------------------------------------------------------------------

int64_t Chain::next_block_time(const MineOptions& options) const {
    const int64_t requested = options.time.value_or(tip().time + params_.default_block_spacing_s);
    // A header time must exceed MTP(parent); generatetoaddress bumps it rather than fail.
    return std::max(requested, tip_median_time_past() + 1);
}

const Block& Chain::mine(const MineOptions& options) {
    const LockContext ctx = next_block_context();
    CoinOverlay view(utxos_);
    std::vector<Transaction> txs;
    std::vector<Txid> ids;  // of txs[1..], as the mempool computed them on admission
    txs.emplace_back();     // coinbase placeholder
    Amount fees = 0;
    for (const Mempool::Entry* e : mempool_.in_order()) {
        if (txs.size() - 1 >= options.max_txs) {
            break;
        }
        Amount fee = 0;
        // Admission already checked the next block's context; re-check against the block
        // being built so a block is valid by construction even if the mempool is stale.
        if (!is_final_tx(e->tx, ctx.height, ctx.mtp_prev) ||
            !check_tx_inputs(e->tx, view, ctx, *this, params_.coinbase_maturity, &fee).ok()) {
            continue;
        }
        view.apply(e->tx, e->txid, ctx.height);
        txs.push_back(e->tx);
        ids.push_back(e->txid);
        fees += fee;
    }
    const Amount reward = block_subsidy(ctx.height, params_.subsidy_halving_interval) + fees;
    txs[0] = make_coinbase(ctx.height, reward, options.coinbase_owner);
    auto block = tree_->add_child(tip(), next_block_time(options), std::move(txs), ids);
    std::vector<Txid> evicted;
    TxCheck r = connect_block(block, &evicted);
    SIM_ASSERT_MSG(r.ok(), "mined an invalid block: " + r.to_string());
    return tip();
}

TxCheck Chain::mine_with(const std::vector<Transaction>& txs, const MineOptions& options) {
    const LockContext ctx = next_block_context();
    Amount fees = 0;
    std::vector<Txid> ids;
    ids.reserve(txs.size());
    for (const Transaction& tx : txs) {
        ids.push_back(tx.txid());
    }
    TxCheck r = check_block_txs(txs, ids, ctx, &fees);
    if (!r.ok()) {
        return r;
    }
    std::vector<Transaction> all;
    all.reserve(txs.size() + 1);
    const Amount reward = block_subsidy(ctx.height, params_.subsidy_halving_interval) + fees;
    all.push_back(make_coinbase(ctx.height, reward, options.coinbase_owner));
    all.insert(all.end(), txs.begin(), txs.end());
    auto block = tree_->add_child(tip(), next_block_time(options), std::move(all), ids);
    std::vector<Txid> evicted;
    r = connect_block(block, &evicted);
    SIM_ASSERT_MSG(r.ok(), "checked block failed to connect: " + r.to_string());
    return r;
}

// --- Reorgs --------------------------------------------------------------------------------

void Chain::refill_mempool(const std::vector<std::shared_ptr<const Block>>& disconnected,
                           ReorgResult* result) {
    // Core re-admits disconnected transactions first (they are older), then the remaining
    // mempool; every one is re-checked at the new tip, so locks, maturity and conflicts with
    // the new branch evict what no longer fits.
    std::vector<Transaction> previous;
    for (const Mempool::Entry* e : mempool_.in_order()) {
        previous.push_back(e->tx);
    }
    mempool_.clear();
    for (const auto& block : disconnected) {
        for (size_t i = 1; i < block->txs.size(); ++i) {
            TxCheck r = submit(block->txs[i]);
            if (r.ok()) {
                result->returned_to_mempool.push_back(block->txids[i]);
            } else if (r.error != TxError::already_confirmed) {
                result->evicted.push_back(block->txids[i]);
            }
        }
    }
    for (const Transaction& tx : previous) {
        if (!submit(tx).ok()) {
            result->evicted.push_back(tx.txid());
        }
    }
}

ReorgResult Chain::invalidate_top(int64_t k) {
    ReorgResult result;
    if (k <= 0 || k > tip_height()) {
        result.error = "cannot invalidate " + std::to_string(k) + " blocks at tip height " +
                       std::to_string(tip_height());
        return result;
    }
    std::vector<std::shared_ptr<const Block>> gone;
    for (int64_t i = 0; i < k; ++i) {
        gone.push_back(disconnect_tip());
        result.disconnected.push_back(gone.back()->hash);
    }
    std::reverse(gone.begin(), gone.end());
    refill_mempool(gone, &result);
    return result;
}

ReorgResult Chain::sync_to(const std::shared_ptr<const Block>& target) {
    SIM_ASSERT(target != nullptr);
    ReorgResult result;
    std::vector<std::shared_ptr<const Block>> path;  // target's branch above the fork, top first
    std::shared_ptr<const Block> cur = target;
    while (!in_active_chain(cur->hash)) {
        path.push_back(cur);
        cur = tree_->find(cur->prev_hash);
        SIM_ASSERT_MSG(cur != nullptr, "sync target is not in this chain's block tree");
    }
    std::vector<std::shared_ptr<const Block>> gone;
    while (tip_height() > cur->height) {
        gone.push_back(disconnect_tip());
        result.disconnected.push_back(gone.back()->hash);
    }
    std::reverse(gone.begin(), gone.end());
    for (size_t i = path.size(); i-- > 0;) {
        TxCheck r = connect_block(path[i], &result.evicted);
        if (!r.ok()) {
            result.error = "block " + path[i]->hash.to_hex() + " invalid: " + r.to_string();
            break;
        }
        result.connected.push_back(path[i]->hash);
    }
    if (!gone.empty()) {
        refill_mempool(gone, &result);
    }
    return result;
}

}  // namespace actors::chain
