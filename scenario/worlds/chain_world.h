// World kind "chain": bitcoind nodes following one canonical chain, a miner and reorgs.
//
// The world owns the BitcoinNetwork (actors/chain), one BitcoindNode per topology node with its
// lag, freeze and RPC fault settings and its count variant, a miner (on demand from the
// timeline, Poisson or fixed interval), a polling ChainMonitor per node so RPC faults are
// exercised, and a small wallet that spends mature coinbases so reorgs have transactions to
// return to the mempool. At the end of the run a driver waits for the nodes to converge and
// checks, for every node, what a user of bitcoind relies on (chain_world_checks.cc).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/chain/bitcoin_network.h"
#include "actors/chain/miner.h"
#include "actors/chain/rpc_client.h"
#include "scenario/world_registry.h"

namespace scenario {

class ChainScenarioWorld : public World {
public:
    ChainScenarioWorld(sim::Simulation& sim, actors::chain::BitcoinNetworkConfig config);

    void on_action(const TimelineEntry& entry) override;
    std::vector<CheckResult> check() const override;
    std::map<std::string, int64_t> metrics() const override;
    // A timeline entry the chain could not carry out when it fired (a reorg deeper than the
    // chain, a send_tx with no mature coinbase): bad input from the draw, not a finding.
    std::optional<Diagnostic> input_error() const override { return input_error_; }

    actors::chain::BitcoinNetwork& network() { return network_; }
    void add_monitor(actors::chain::BitcoindNode& node, sim::SimDuration poll_interval);
    void start_miner(actors::chain::MinerConfig config);
    // Spawns the foreground driver: runs for `duration`, stops the miner, waits up to
    // `converge_within` for every unfrozen node to reach the canonical tip, then checks.
    void start_driver(sim::SimDuration duration, sim::SimDuration converge_within);
    // The reorg depth an entry without "depth" uses, and where it is set (for errors).
    void set_reorg_depth(int64_t depth, SourceLocation where) {
        reorg_depth_ = depth;
        reorg_depth_where_ = std::move(where);
    }
    void set_default_lag(sim::SimDuration lag) { default_lag_ = lag; }

    // The checks, computed on demand (chain_world_checks.cc).
    CheckResult check_converged() const;
    CheckResult check_counts() const;
    CheckResult check_tx_heights() const;
    CheckResult check_wallet_txs() const;

private:
    struct SentTx {
        std::string name;
        actors::chain::Txid txid;
        bool accepted = false;
    };

    void reorg(const TimelineEntry& entry);
    void send_tx(const TimelineEntry& entry);
    std::optional<actors::chain::Transaction> build_spend(const std::string& memo);
    bool converged() const;
    void sample_lag();
    actors::chain::BitcoindNode& node_arg(const TimelineEntry& entry);

    sim::Simulation& sim_;
    actors::chain::BitcoinNetwork network_;
    std::unique_ptr<actors::chain::Miner> miner_;
    std::vector<const actors::chain::BitcoindNode*> nodes_;  // in creation order
    std::vector<std::unique_ptr<actors::chain::ChainMonitor>> monitors_;
    std::vector<SentTx> sent_;
    std::set<actors::chain::OutPoint> spent_;  // coinbases the wallet already used
    std::set<actors::chain::Txid> evicted_txids_;
    sim::SimDuration default_lag_;
    int64_t reorg_depth_ = 1;
    SourceLocation reorg_depth_where_;
    std::optional<Diagnostic> input_error_;
    // Records an impossible timeline entry as bad input and ends the run.
    void refuse_input(SourceLocation where, std::string message);
    int64_t reorgs_ = 0;
    int64_t returned_ = 0;
    int64_t evicted_ = 0;
    int64_t max_behind_ = 0;
    int64_t rpc_updates_ = 0;
    bool finished_ = false;
};

// The chain world's declaration (chain_world.cc).
WorldKind chain_world_kind();

}  // namespace scenario
