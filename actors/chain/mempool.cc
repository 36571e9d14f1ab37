// Mempool storage, descendant removal and the chain-plus-mempool coin view.
#include "actors/chain/mempool.h"

#include <deque>

#include "sim/assert.h"

namespace actors::chain {

const Mempool::Entry* Mempool::find(const Txid& txid) const {
    auto it = entries_.find(txid);
    return it != entries_.end() ? &it->second : nullptr;
}

const Txid* Mempool::spender_of(const OutPoint& op) const {
    auto it = spent_by_.find(op);
    return it != spent_by_.end() ? &it->second : nullptr;
}

const TxOut* Mempool::output(const OutPoint& op) const {
    const Entry* e = find(op.txid);
    if (e == nullptr || op.vout >= e->tx.outputs.size()) {
        return nullptr;
    }
    return &e->tx.outputs[op.vout];
}

std::vector<const Mempool::Entry*> Mempool::in_order() const {
    std::vector<const Entry*> out;
    out.reserve(order_.size());
    for (const auto& [seq, txid] : order_) {
        out.push_back(&entries_.at(txid));
    }
    return out;
}

void Mempool::add(const Transaction& tx, const Txid& txid, Amount fee) {
    SIM_ASSERT(!contains(txid));
    const uint64_t seq = next_seq_++;
    for (const TxIn& in : tx.inputs) {
        SIM_ASSERT_MSG(spent_by_.count(in.prevout) == 0, "mempool double spend");
        spent_by_.emplace(in.prevout, txid);
    }
    entries_.emplace(txid, Entry{tx, txid, fee, seq});
    order_.emplace(seq, txid);
}

void Mempool::remove(const Txid& txid) {
    auto it = entries_.find(txid);
    SIM_ASSERT(it != entries_.end());
    for (const TxIn& in : it->second.tx.inputs) {
        spent_by_.erase(in.prevout);
    }
    order_.erase(it->second.seq);
    entries_.erase(it);
}

std::vector<Txid> Mempool::remove_with_descendants(const Txid& txid) {
    std::vector<Txid> removed;
    std::deque<Txid> work{txid};
    while (!work.empty()) {
        const Txid id = work.front();
        work.pop_front();
        const Entry* e = find(id);
        if (e == nullptr) {
            continue;  // reached twice through two outputs
        }
        for (uint32_t i = 0; i < e->tx.outputs.size(); ++i) {
            if (const Txid* child = spender_of(OutPoint{id, i})) {
                work.push_back(*child);
            }
        }
        remove(id);
        removed.push_back(id);
    }
    return removed;
}

void Mempool::clear() {
    entries_.clear();
    order_.clear();
    spent_by_.clear();
}

const Coin* MempoolCoinView::find(const OutPoint& op) const {
    if (pool_->spender_of(op) != nullptr) {
        return nullptr;
    }
    auto it = utxos_->find(op);
    if (it != utxos_->end()) {
        return &it->second;
    }
    const TxOut* out = pool_->output(op);
    if (out == nullptr) {
        return nullptr;
    }
    auto [slot, inserted] = scratch_.insert_or_assign(op, Coin{*out, next_height_, false});
    (void)inserted;
    return &slot->second;
}

}  // namespace actors::chain
