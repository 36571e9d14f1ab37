// BitcoindNode: one bitcoind as the rest of the simulation sees it.
//
// Each node keeps its own Chain replica, so its tip, confirmations and mempool verdicts are its
// own: a node that lags or is frozen answers from an old tip, exactly what a federation guardian
// or Lightning node connected to it would see. Blocks reach it from BitcoinNetwork after a
// seeded propagation delay (plus its configured lag); it switches branch only to a chain with
// more work (longer), as Core does. RPC calls block the calling actor for a seeded latency and
// may fail or time out. Block notifications (ZMQ's sequence topic) go to subscriber channels.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/chain/block_count.h"
#include "actors/chain/chain.h"
#include "actors/chain/rpc.h"
#include "sim/channel.h"
#include "sim/random.h"
#include "sim/time.h"

namespace actors::chain {

class BitcoinNetwork;

struct NodeConfig {
    std::string name;
    // Added to every block propagation delay: a node that is persistently behind.
    sim::SimDuration lag = sim::SimDuration::zero();
    RpcConfig rpc;
    // How count-speaking clients of this node translate heights (block_count.h). Correct unless
    // a scenario names a historical bug for this node.
    CountVariant count_variant = CountVariant::correct;
};

// A block connected to or disconnected from the node's active chain, in the order applied.
struct BlockEvent {
    enum class Kind : uint8_t { connected, disconnected };
    Kind kind = Kind::connected;
    int64_t height = 0;
    BlockHash hash;
};

class BitcoindNode {
public:
    BitcoindNode(BitcoinNetwork& network, NodeConfig config, sim::Random rng);
    BitcoindNode(const BitcoindNode&) = delete;
    BitcoindNode& operator=(const BitcoindNode&) = delete;

    const std::string& name() const { return config_.name; }
    CountVariant count_variant() const { return config_.count_variant; }
    // The node's own chain state, read directly (for checkers and tests; no latency, no faults).
    const Chain& chain() const { return chain_; }

    // --- Faults ---------------------------------------------------------------------------
    // A frozen node ignores new blocks; unfreezing catches up after a propagation delay.
    void freeze();
    void unfreeze();
    bool frozen() const { return frozen_; }
    void set_lag(sim::SimDuration lag) { config_.lag = lag; }
    sim::SimDuration lag() const { return config_.lag; }
    void set_rpc(const RpcConfig& rpc) { config_.rpc = rpc; }
    // A down RPC answers every call with a connection error.
    void set_rpc_down(bool down) { rpc_down_ = down; }

    // --- RPC (call from an actor; blocks for the call's latency) ----------------------------
    RpcResult<int64_t> getblockcount();               // the tip height
    RpcResult<BlockHash> getblockhash(int64_t height);  // error unless 0 <= height <= tip
    RpcResult<TxStatus> gettransaction(const Txid& txid);
    // The tx itself (confirmed or in the mempool), e.g. to read an HTLC preimage.
    RpcResult<Transaction> getrawtransaction(const Txid& txid);
    // A block of this node's active chain ("Block not found" for others, including blocks it
    // has not received yet).
    RpcResult<std::shared_ptr<const Block>> getblock(const BlockHash& hash);
    // The confirmed unspent output, nullopt if spent (also if spent in the mempool) or unknown.
    RpcResult<std::optional<Coin>> gettxout(const OutPoint& op);
    RpcResult<int64_t> getmediantime();               // MTP of the tip
    // Validates against this node's tip and mempool, then relays to the network.
    RpcResult<Txid> sendrawtransaction(const Transaction& tx);
    RpcResult<TxCheck> testmempoolaccept(const Transaction& tx);

    // --- Notifications --------------------------------------------------------------------
    // A channel receiving every BlockEvent from now on (unbounded; readers should keep up).
    std::shared_ptr<sim::Channel<BlockEvent>> subscribe();

    // --- Driven by BitcoinNetwork ---------------------------------------------------------
    // A block announcement arrives: follow it if it has more work than the current tip.
    void on_block_announced(const std::shared_ptr<const Block>& tip);
    // A relayed transaction arrives: admit it to this node's mempool if valid here.
    void on_tx_relayed(const Transaction& tx);
    // The propagation delay of the next announcement to this node, including its lag.
    sim::SimDuration draw_propagation_delay(sim::SimDuration min, sim::SimDuration max);
    // Deliveries to a node keep their order: returns max(at, last scheduled delivery).
    sim::SimTime reserve_delivery(sim::SimTime at);

private:
    enum class Fault : uint8_t { none, error, timeout };
    Fault begin_call(const char* method);
    void notify(const ReorgResult& r);

    BitcoinNetwork* network_;
    NodeConfig config_;
    sim::Random propagation_rng_;  // separate streams: RPC traffic never shifts block delays
    sim::Random rpc_rng_;
    Chain chain_;
    bool frozen_ = false;
    bool rpc_down_ = false;
    sim::SimTime last_delivery_;
    std::vector<std::shared_ptr<sim::Channel<BlockEvent>>> subscribers_;
};

}  // namespace actors::chain
