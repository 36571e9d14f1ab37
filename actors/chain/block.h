// Block and BlockTree: immutable blocks, and the store every chain view shares.
//
// A block never changes once made, so the canonical chain and each node's replica hold the same
// shared_ptr<const Block> objects; a replica follows another chain by walking parent hashes in
// the tree. The tree keeps stale branches after a reorg (as Core keeps their headers), which is
// what lets a lagging node still sitting on the old branch be moved across.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "actors/chain/hash.h"
#include "actors/chain/transaction.h"

namespace actors::chain {

struct Block {
    int64_t height = 0;
    BlockHash hash;
    BlockHash prev_hash;  // zero for genesis
    int64_t time = 0;     // header nTime, unix seconds
    std::vector<Transaction> txs;  // txs[0] is the coinbase
    std::vector<Txid> txids;       // txids[i] == txs[i].txid(), computed once
};

class BlockTree {
public:
    // Regtest's genesis timestamp (2011-02-02), used unless a scenario sets its own.
    static constexpr int64_t k_regtest_genesis_time = 1296688602;

    explicit BlockTree(int64_t genesis_time = k_regtest_genesis_time);
    BlockTree(const BlockTree&) = delete;
    BlockTree& operator=(const BlockTree&) = delete;

    const std::shared_ptr<const Block>& genesis() const { return genesis_; }

    // Makes a child of `parent` and stores it. The hash commits to the parent, height, time,
    // txids and a tree-wide serial number, so two otherwise identical blocks (a competing branch
    // re-mining the same transactions at the same time) still get different hashes.
    std::shared_ptr<const Block> add_child(const Block& parent, int64_t time,
                                           std::vector<Transaction> txs);
    // The same, given the txids of txs[1..] (the miner took them from the mempool or computed
    // them to check the block): a txid digests the whole serialised transaction, and a block
    // of 50,000 channel fundings computed each a second time.
    // REQUIRES: known_txids[i] == txs[i + 1].txid() for every i.
    std::shared_ptr<const Block> add_child(const Block& parent, int64_t time,
                                           std::vector<Transaction> txs,
                                           std::span<const Txid> known_txids);

    // Any block ever made, on any branch; nullptr if unknown.
    std::shared_ptr<const Block> find(const BlockHash& hash) const;
    size_t size() const { return blocks_.size(); }

private:
    std::shared_ptr<const Block> genesis_;
    // Looked up by hash, never iterated: hashed rather than ordered (one lookup per block a
    // node learns of, many thousands at scale).
    std::unordered_map<BlockHash, std::shared_ptr<const Block>, Hash256Hasher> blocks_;
    uint64_t serial_ = 0;
};

}  // namespace actors::chain
