// Mempool: accepted, unconfirmed transactions in arrival order.
//
// The mempool only stores; Chain decides what may enter (it owns the coins and the tip). Arrival
// order is kept because a child can only arrive after its parent, so mining in that order is
// always topological, and it is deterministic (no fee ordering by pointer or hash map).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "actors/chain/transaction.h"
#include "actors/chain/validation.h"

namespace actors::chain {

class Mempool {
public:
    struct Entry {
        Transaction tx;
        Txid txid;
        Amount fee = 0;
        uint64_t seq = 0;  // arrival number
    };

    size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    bool contains(const Txid& txid) const { return entries_.count(txid) != 0; }
    const Entry* find(const Txid& txid) const;
    // The mempool tx spending `op`, if any.
    const Txid* spender_of(const OutPoint& op) const;
    // An output created by a mempool transaction (spent or not).
    const TxOut* output(const OutPoint& op) const;
    // Entries in arrival order.
    std::vector<const Entry*> in_order() const;

    // REQUIRES: the tx was validated against the chain plus this mempool.
    void add(const Transaction& tx, const Txid& txid, Amount fee);
    // Removes one tx (its spends are released; descendants stay).
    void remove(const Txid& txid);
    // Removes `txid` and every mempool tx that spends its outputs, transitively. Returns the
    // removed txids, `txid` first.
    std::vector<Txid> remove_with_descendants(const Txid& txid);
    void clear();

private:
    std::map<Txid, Entry> entries_;
    std::map<uint64_t, Txid> order_;
    std::map<OutPoint, Txid> spent_by_;
    uint64_t next_seq_ = 0;
};

// The coins a new mempool tx may spend: the confirmed UTXO set plus outputs of mempool txs not
// yet spent by another mempool tx. Unconfirmed coins report `next_height` as their height, as
// Core does for BIP 68 (a coin in the mempool would be mined in the next block at the earliest).
class MempoolCoinView : public CoinView {
public:
    MempoolCoinView(const CoinMap& utxos, const Mempool& pool, int64_t next_height)
        : utxos_(&utxos), pool_(&pool), next_height_(next_height) {}
    const Coin* find(const OutPoint& op) const override;

private:
    const CoinMap* utxos_;
    const Mempool* pool_;
    int64_t next_height_;
    mutable std::map<OutPoint, Coin> scratch_;  // stable storage for returned mempool coins
};

}  // namespace actors::chain
