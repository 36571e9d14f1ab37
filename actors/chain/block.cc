// Block construction and the shared block store.
#include "actors/chain/block.h"

#include <utility>

#include "sim/assert.h"

namespace actors::chain {
namespace {

BlockHash block_hash_of(const Block& b, uint64_t serial) {
    std::string buf = "block:";
    append_hash(&buf, b.prev_hash);
    append_i64(&buf, b.height);
    append_i64(&buf, b.time);
    append_u64(&buf, serial);
    append_u64(&buf, b.txids.size());
    for (const Txid& id : b.txids) {
        append_hash(&buf, id);
    }
    return digest(buf);
}

}  // namespace

BlockTree::BlockTree(int64_t genesis_time) {
    auto g = std::make_shared<Block>();
    g->height = 0;
    g->time = genesis_time;
    // Like Bitcoin's, the genesis coinbase exists but its output is never spendable.
    g->txs.push_back(make_coinbase(0, 50 * k_coin, "genesis"));
    g->txids.push_back(g->txs[0].txid());
    g->hash = block_hash_of(*g, serial_++);
    genesis_ = g;
    blocks_.emplace(g->hash, g);
}

std::shared_ptr<const Block> BlockTree::add_child(const Block& parent, int64_t time,
                                                  std::vector<Transaction> txs) {
    std::vector<Txid> ids;
    ids.reserve(txs.empty() ? 0 : txs.size() - 1);
    for (size_t i = 1; i < txs.size(); ++i) {
        ids.push_back(txs[i].txid());
    }
    return add_child(parent, time, std::move(txs), ids);
}

std::shared_ptr<const Block> BlockTree::add_child(const Block& parent, int64_t time,
                                                  std::vector<Transaction> txs,
                                                  std::span<const Txid> known_txids) {
    SIM_ASSERT(find(parent.hash) != nullptr);
    SIM_ASSERT(!txs.empty() && txs[0].is_coinbase());
    SIM_ASSERT(known_txids.size() == txs.size() - 1);
    auto b = std::make_shared<Block>();
    b->height = parent.height + 1;
    b->prev_hash = parent.hash;
    b->time = time;
    b->txs = std::move(txs);
    b->txids.reserve(b->txs.size());
    b->txids.push_back(b->txs[0].txid());
    b->txids.insert(b->txids.end(), known_txids.begin(), known_txids.end());
    b->hash = block_hash_of(*b, serial_++);
    SIM_ASSERT(blocks_.count(b->hash) == 0);
    blocks_.emplace(b->hash, b);
    return b;
}

std::shared_ptr<const Block> BlockTree::find(const BlockHash& hash) const {
    auto it = blocks_.find(hash);
    return it != blocks_.end() ? it->second : nullptr;
}

}  // namespace actors::chain
