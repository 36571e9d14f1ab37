// GuardianBitcoind: a guardian's own bitcoind, as the guardian's monitor and wallet use it.
//
// Two backends: the chain model's BitcoindNode (lag, freeze, RPC errors and timeouts are the
// node's own faults) and a view of the Lightning model's ChainBackend (so the federation's LN
// module counts the same blocks the gateway's Lightning node sees), with its own seeded RPC
// error ratio and an "RPC down" switch. Either way an RPC failure is a value (nullopt), which
// the monitor turns into "no status".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "actors/chain/bitcoind_node.h"
#include "actors/chain/rpc_client.h"
#include "actors/chain/transaction.h"
#include "actors/lightning/chain_backend.h"
#include "sim/random.h"

namespace actors::federation {

class GuardianBitcoind {
public:
    virtual ~GuardianBitcoind() = default;
    // Blocks the calling actor for the call's latency; nullopt on any RPC failure.
    virtual std::optional<uint64_t> get_block_count() = 0;
    // Broadcasts a federation-signed transaction (a peg-out). Every guardian submits it, so a
    // failure (or "already in the mempool") is ignored.
    virtual void submit(const chain::Transaction& tx) = 0;
    virtual void set_rpc_down(bool down) = 0;

    // The wallet's block sync: get_block_hash(height) and the block with that hash, from this
    // node's active chain. Null on an RPC failure or when the node does not know that height
    // yet. One RPC round trip stands for the pair (upstream fetches both, with retries). Every
    // call is counted, so a world can bound the fetches a consensus change costs (#2773).
    std::shared_ptr<const chain::Block> fetch_block(uint64_t height) {
        ++block_fetches_;
        return fetch_block_impl(height);
    }
    uint64_t block_fetches() const { return block_fetches_; }

private:
    virtual std::shared_ptr<const chain::Block> fetch_block_impl(uint64_t height) = 0;
    uint64_t block_fetches_ = 0;
};

// Over the chain model: counts through BitcoindClient, with the node's count variant.
class ChainModelBitcoind final : public GuardianBitcoind {
public:
    explicit ChainModelBitcoind(chain::BitcoindNode& node) : client_(node) {}
    std::optional<uint64_t> get_block_count() override { return client_.get_block_count(); }
    void submit(const chain::Transaction& tx) override { client_.submit_transaction(tx); }
    void set_rpc_down(bool down) override { client_.node().set_rpc_down(down); }

private:
    std::shared_ptr<const chain::Block> fetch_block_impl(uint64_t height) override {
        std::optional<chain::BlockHash> hash = client_.get_block_hash(height);
        return hash.has_value() ? client_.node().chain().tree()->find(*hash) : nullptr;
    }
    chain::BitcoindClient client_;
};

struct LightningBitcoindConfig {
    std::string name;
    sim::SimDuration lag = sim::SimDuration::zero();
    sim::SimDuration rpc_latency = sim::SimDuration::millis(1);
    sim::Ratio rpc_error = sim::Ratio::never();
};

// Over one view of the Lightning model's chain: count = view height + 1.
class LightningBitcoind final : public GuardianBitcoind {
public:
    LightningBitcoind(lightning::ChainBackend& backend, const LightningBitcoindConfig& config,
                      sim::Random rng);
    std::optional<uint64_t> get_block_count() override;
    void submit(const chain::Transaction& tx) override { backend_->submit(tx); }
    void set_rpc_down(bool down) override { down_ = down; }
    lightning::ViewId view() const { return view_; }

private:
    std::shared_ptr<const chain::Block> fetch_block_impl(uint64_t height) override;
    lightning::ChainBackend* backend_;
    lightning::ViewId view_;
    LightningBitcoindConfig config_;
    sim::Random rng_;
    bool down_ = false;
};

}  // namespace actors::federation
