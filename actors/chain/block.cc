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
    SIM_ASSERT(find(parent.hash) != nullptr);
    SIM_ASSERT(!txs.empty() && txs[0].is_coinbase());
    auto b = std::make_shared<Block>();
    b->height = parent.height + 1;
    b->prev_hash = parent.hash;
    b->time = time;
    b->txs = std::move(txs);
    b->txids.reserve(b->txs.size());
    for (const Transaction& tx : b->txs) {
        b->txids.push_back(tx.txid());
    }
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
