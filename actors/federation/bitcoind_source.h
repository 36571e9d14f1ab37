// GuardianBitcoind: a guardian's own bitcoind, as the guardian's monitor and wallet use it.
//
// Two backends: the chain model's BitcoindNode (lag, freeze, RPC errors and timeouts are the
// node's own faults) and a view of the Lightning model's ChainBackend (so the federation's LN
// module counts the same blocks the gateway's Lightning node sees), with its own seeded RPC
// error ratio and an "RPC down" switch. Either way an RPC failure is a value (nullopt), which
// the monitor turns into "no status".
#pragma once

#include <cstdint>
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

    // The wallet's block sync: get_block_hash(height) (and the block with it). False on an RPC
    // failure or when the node does not know that height yet. Every call is counted, so a world
    // can bound the fetches a consensus change costs (fedimint #2773).
    bool fetch_block(uint64_t height) {
        ++block_fetches_;
        return fetch_block_impl(height);
    }
    uint64_t block_fetches() const { return block_fetches_; }

private:
    virtual bool fetch_block_impl(uint64_t height) = 0;
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
    bool fetch_block_impl(uint64_t height) override {
        return client_.get_block_hash(height).has_value();
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
    bool fetch_block_impl(uint64_t height) override;
    lightning::ChainBackend* backend_;
    lightning::ViewId view_;
    LightningBitcoindConfig config_;
    sim::Random rng_;
    bool down_ = false;
};

}  // namespace actors::federation
