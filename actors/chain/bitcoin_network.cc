// BitcoinNetwork: mining and reorgs on the canonical chain, and their seeded propagation.
#include "actors/chain/bitcoin_network.h"

#include "sim/assert.h"

namespace actors::chain {

BitcoinNetwork::BitcoinNetwork(sim::Scheduler& sched, sim::Random rng,
                               BitcoinNetworkConfig config)
    : sched_(&sched),
      config_(std::move(config)),
      rng_(rng),
      relay_rng_(rng.fork("relay")),
      canonical_(config_.params, std::make_shared<BlockTree>(config_.genesis_unix_time)) {
    SIM_ASSERT(config_.propagation_min <= config_.propagation_max);
    SIM_ASSERT(config_.relay_min <= config_.relay_max);
}

BitcoindNode& BitcoinNetwork::add_node(NodeConfig config) {
    SIM_ASSERT_MSG(find_node(config.name) == nullptr, "duplicate bitcoind node " + config.name);
    const std::string stream = "node:" + config.name;
    nodes_.push_back(std::make_unique<BitcoindNode>(*this, std::move(config), rng_.fork(stream)));
    // A node added mid-run starts at the current tip, as if it had synced before joining.
    nodes_.back()->on_block_announced(canonical_.tip_ptr());
    return *nodes_.back();
}

BitcoindNode* BitcoinNetwork::find_node(std::string_view name) {
    for (const auto& n : nodes_) {
        if (n->name() == name) {
            return n.get();
        }
    }
    return nullptr;
}

size_t BitcoinNetwork::index_of(const BitcoindNode& node) const {
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].get() == &node) {
            return i;
        }
    }
    SIM_UNREACHABLE("node does not belong to this network");
}

int64_t BitcoinNetwork::now_unix() const {
    return config_.genesis_unix_time + sched_->now().ns() / 1000000000;
}

void BitcoinNetwork::announce_to(BitcoindNode& node) {
    const size_t index = index_of(node);
    const sim::SimDuration delay =
        node.draw_propagation_delay(config_.propagation_min, config_.propagation_max);
    const sim::SimTime at = node.reserve_delivery(sched_->now() + delay);
    std::shared_ptr<const Block> tip = canonical_.tip_ptr();
    sched_->schedule_at(at, [this, index, tip] { nodes_[index]->on_block_announced(tip); });
}

void BitcoinNetwork::announce_all() {
    for (const auto& n : nodes_) {
        announce_to(*n);
    }
}

void BitcoinNetwork::trace_tip(sim::TraceName kind) {
    sched_->trace(kind)
        .field("height", canonical_.tip_height())
        .field("hash", canonical_.tip().hash.to_hex().substr(0, 16))
        .field("txs", static_cast<uint64_t>(canonical_.tip().txs.size()));
}

const Block& BitcoinNetwork::mine(int64_t n, const std::string& owner) {
    if (n <= 0) {
        return canonical_.tip();
    }
    for (int64_t i = 0; i < n; ++i) {
        canonical_.mine(MineOptions{.coinbase_owner = owner, .time = now_unix()});
        trace_tip("chain.mined");
    }
    // One announcement per call: a burst of blocks travels together, as with generate N.
    announce_all();
    return canonical_.tip();
}

TxCheck BitcoinNetwork::mine_with(const std::vector<Transaction>& txs, const std::string& owner) {
    TxCheck r = canonical_.mine_with(txs, MineOptions{.coinbase_owner = owner, .time = now_unix()});
    if (r.ok()) {
        trace_tip("chain.mined");
        announce_all();
    }
    return r;
}

ReorgResult BitcoinNetwork::invalidate(int64_t k) {
    ReorgResult r = canonical_.invalidate_top(k);
    if (r.ok()) {
        sched_->trace("chain.invalidated")
            .field("blocks", k)
            .field("height", canonical_.tip_height())
            .field("returned", static_cast<uint64_t>(r.returned_to_mempool.size()))
            .field("evicted", static_cast<uint64_t>(r.evicted.size()));
        announce_all();
    }
    return r;
}

TxCheck BitcoinNetwork::submit(const Transaction& tx) {
    TxCheck r = canonical_.submit(tx);
    if (r.ok()) {
        relay_from(nullptr, tx);
    }
    return r;
}

void BitcoinNetwork::relay_from(const BitcoindNode* origin, const Transaction& tx) {
    auto shared = std::make_shared<const Transaction>(tx);
    if (origin != nullptr) {
        const sim::SimDuration d = relay_rng_.duration(config_.relay_min, config_.relay_max);
        sched_->schedule_after(d, [this, shared] {
            TxCheck r = canonical_.submit(*shared);
            if (!r.ok() && r.error != TxError::already_in_mempool) {
                sched_->trace("chain.relay_rejected")
                    .field("txid", shared->txid().to_hex().substr(0, 16))
                    .field("reason", to_string(r.error));
            }
        });
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].get() == origin) {
            continue;
        }
        const sim::SimDuration d = relay_rng_.duration(config_.relay_min, config_.relay_max);
        sched_->schedule_after(d, [this, i, shared] { nodes_[i]->on_tx_relayed(*shared); });
    }
}

}  // namespace actors::chain
