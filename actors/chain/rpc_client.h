// The federation side of bitcoind: a count-speaking RPC client and a polling status monitor.
//
// BitcoindClient is Fedimint's bitcoind backend over one node: counts instead of heights, with
// the historical count variants selectable by name, and nullopt for any failed call. ChainMonitor
// is its ServerBitcoinRpcMonitor: a daemon that polls get_block_count every interval, starting at
// a seeded phase, and holds "no status" (nullopt) whenever the last poll failed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "actors/chain/bitcoind_node.h"
#include "actors/chain/block_count.h"
#include "sim/random.h"
#include "sim/scheduler.h"

namespace actors::chain {

class BitcoindClient {
public:
    // Uses the node's configured count variant.
    explicit BitcoindClient(BitcoindNode& node) : BitcoindClient(node, node.count_variant()) {}
    BitcoindClient(BitcoindNode& node, CountVariant variant) : node_(&node), variant_(variant) {}

    BitcoindNode& node() { return *node_; }
    CountVariant variant() const { return variant_; }

    // All calls block the current actor for the RPC's latency; nullopt on any RPC failure.
    std::optional<uint64_t> get_block_count();
    std::optional<BlockHash> get_block_hash(uint64_t height);
    std::optional<int64_t> get_tx_block_height(const Txid& txid);
    // The hash of block 1, which Fedimint uses to identify the network.
    std::optional<BlockHash> get_chain_id() { return get_block_hash(1); }
    RpcResult<Txid> submit_transaction(const Transaction& tx) {
        return node_->sendrawtransaction(tx);
    }

private:
    BitcoindNode* node_;
    CountVariant variant_;
};

struct MonitorConfig {
    // Fedimint: 100 ms in tests, 60 s in production.
    sim::SimDuration poll_interval = sim::SimDuration::millis(100);
    // Start polling at a seeded offset in [0, poll_interval) instead of at once.
    bool random_phase = true;
};

class ChainMonitor {
public:
    using UpdateFn = std::function<void(uint64_t count)>;

    // `rng` decides the phase; pass a stream forked for this monitor.
    ChainMonitor(std::string name, BitcoindClient client, MonitorConfig config, sim::Random rng);
    ChainMonitor(const ChainMonitor&) = delete;
    ChainMonitor& operator=(const ChainMonitor&) = delete;

    // Spawns the polling daemon on `sched`. The monitor must outlive the run.
    void start(sim::Scheduler& sched);
    // The daemon exits at its next wake-up.
    void stop() { stopped_ = true; }

    // The last poll's count, or nullopt if it failed (or none has completed yet).
    std::optional<uint64_t> status() const { return status_; }
    uint64_t polls() const { return polls_; }
    sim::SimDuration phase() const { return phase_; }
    // Called after a successful poll whose count differs from the last successful one.
    void on_update(UpdateFn fn) { on_update_ = std::move(fn); }

private:
    void run();

    std::string name_;
    BitcoindClient client_;
    MonitorConfig config_;
    sim::SimDuration phase_;
    std::optional<uint64_t> status_;
    std::optional<uint64_t> last_count_;
    uint64_t polls_ = 0;
    bool stopped_ = false;
    UpdateFn on_update_;
};

}  // namespace actors::chain
