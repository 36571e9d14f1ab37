// BitcoinNetwork: the canonical chain miners extend, and the bitcoind nodes that follow it.
//
// The canonical chain is the network's consensus: mining, invalidation (reorgs) and the miners'
// mempool live there. Every change is announced to each node after a delay drawn from that
// node's seeded stream (plus its lag); transactions sent to a node are relayed to the miners
// and the other nodes after a seeded relay delay. Block header times are the configured genesis
// unix time plus the sim time, so median-time-past follows the simulation, never an OS clock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/chain/bitcoind_node.h"
#include "actors/chain/chain.h"
#include "sim/clock.h"
#include "sim/random.h"
#include "sim/scheduler.h"

namespace actors::chain {

struct BitcoinNetworkConfig {
    ChainParams params;
    // Header time of genesis, which is mined at sim time 0.
    int64_t genesis_unix_time = sim::Clocks::k_default_epoch_unix_s;
    // Block propagation from the miners to each node, drawn uniformly per node per change.
    sim::SimDuration propagation_min = sim::SimDuration::millis(50);
    sim::SimDuration propagation_max = sim::SimDuration::millis(500);
    // Transaction relay between nodes and to the miners.
    sim::SimDuration relay_min = sim::SimDuration::millis(10);
    sim::SimDuration relay_max = sim::SimDuration::millis(200);
};

class BitcoinNetwork {
public:
    // `rng` is this component's stream (e.g. sim.random("chain")); nodes fork their own.
    BitcoinNetwork(sim::Scheduler& sched, sim::Random rng, BitcoinNetworkConfig config = {});
    BitcoinNetwork(const BitcoinNetwork&) = delete;
    BitcoinNetwork& operator=(const BitcoinNetwork&) = delete;

    const BitcoinNetworkConfig& config() const { return config_; }
    sim::Scheduler& scheduler() { return *sched_; }
    const Chain& canonical() const { return canonical_; }

    // Nodes are kept in creation order; names must be unique.
    BitcoindNode& add_node(NodeConfig config);
    BitcoindNode* find_node(std::string_view name);
    size_t node_count() const { return nodes_.size(); }
    BitcoindNode& node(size_t index) { return *nodes_.at(index); }

    // --- Consensus changes (announced to every node) ------------------------------------
    // generatetoaddress: `n` blocks from the miners' mempool, coinbase to `owner` (n <= 0: none).
    const Block& mine(int64_t n = 1, const std::string& owner = "miner");
    // One block with exactly `txs` (a competing branch's double spend, say).
    TxCheck mine_with(const std::vector<Transaction>& txs, const std::string& owner = "miner");
    // invalidateblock on the top k canonical blocks. Nodes move to the new branch only once it
    // has more work than the one they hold, as in Bitcoin: mine at least k + 1 blocks after.
    ReorgResult invalidate(int64_t k);
    // A transaction reaching the miners directly; relayed to every node.
    TxCheck submit(const Transaction& tx);

    // Unix seconds for a header mined now.
    int64_t now_unix() const;

    // --- Used by nodes ----------------------------------------------------------------------
    // Relays a tx `origin` accepted to the miners and to the other nodes.
    void relay_from(const BitcoindNode* origin, const Transaction& tx);
    // Schedules delivery of the current canonical tip to `node` after its propagation delay.
    void announce_to(BitcoindNode& node);

private:
    void announce_all();
    void trace_tip(sim::TraceName kind);
    size_t index_of(const BitcoindNode& node) const;

    sim::Scheduler* sched_;
    BitcoinNetworkConfig config_;
    sim::Random rng_;
    sim::Random relay_rng_;
    Chain canonical_;
    std::vector<std::unique_ptr<BitcoindNode>> nodes_;
};

}  // namespace actors::chain
