// The Lightning-chain backend of a guardian's bitcoind (the chain-model one is inline).
#include "actors/federation/bitcoind_source.h"

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::federation {

LightningBitcoind::LightningBitcoind(lightning::ChainBackend& backend,
                                     const LightningBitcoindConfig& config, sim::Random rng)
    : backend_(&backend),
      view_(backend.add_view(config.name, config.lag)),
      config_(config),
      rng_(std::move(rng)) {}

std::optional<uint64_t> LightningBitcoind::get_block_count() {
    sim::this_actor::sleep_for(config_.rpc_latency);
    if (down_ || rng_.chance(config_.rpc_error)) {
        return std::nullopt;
    }
    return static_cast<uint64_t>(backend_->view_height(view_) + 1);
}

// The Lightning chain never reorganises, so the view's block at a height it has reached is the
// chain's block there.
std::shared_ptr<const chain::Block> LightningBitcoind::fetch_block_impl(uint64_t height) {
    sim::this_actor::sleep_for(config_.rpc_latency);
    if (down_ || rng_.chance(config_.rpc_error) ||
        height >= static_cast<uint64_t>(backend_->view_height(view_) + 1)) {
        return nullptr;
    }
    const chain::Chain& c = backend_->chain();
    std::optional<chain::BlockHash> hash = c.block_hash(static_cast<int64_t>(height));
    SIM_ASSERT(hash.has_value());
    return c.tree()->find(*hash);
}

}  // namespace actors::federation
