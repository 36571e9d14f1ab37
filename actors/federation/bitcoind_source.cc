// The Lightning-chain backend of a guardian's bitcoind (the chain-model one is inline).
#include "actors/federation/bitcoind_source.h"

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

bool LightningBitcoind::fetch_block_impl(uint64_t height) {
    sim::this_actor::sleep_for(config_.rpc_latency);
    if (down_ || rng_.chance(config_.rpc_error)) {
        return false;
    }
    return height < static_cast<uint64_t>(backend_->view_height(view_) + 1);
}

}  // namespace actors::federation
