// Miner: the on-demand, Poisson and fixed-interval block schedules.
#include "actors/chain/miner.h"

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::chain {

const char* to_string(MiningMode m) {
    switch (m) {
        case MiningMode::on_demand: return "on_demand";
        case MiningMode::poisson: return "poisson";
        case MiningMode::fixed: return "fixed";
    }
    return "unknown";
}

std::optional<MiningMode> parse_mining_mode(std::string_view name) {
    for (MiningMode m : {MiningMode::on_demand, MiningMode::poisson, MiningMode::fixed}) {
        if (name == to_string(m)) {
            return m;
        }
    }
    return std::nullopt;
}

Miner::Miner(BitcoinNetwork& network, MinerConfig config, sim::Random rng)
    : network_(&network), config_(std::move(config)), rng_(rng) {
    SIM_ASSERT(config_.mode == MiningMode::on_demand ||
               config_.interval > sim::SimDuration::zero());
}

sim::SimDuration Miner::next_gap() {
    if (config_.mode == MiningMode::poisson) {
        return rng_.exponential(config_.interval);
    }
    return config_.interval;
}

void Miner::start() {
    if (config_.mode == MiningMode::on_demand) {
        return;
    }
    network_->scheduler().spawn(config_.name, [this] { run(); },
                                sim::SpawnOptions{.kind = sim::ActorKind::daemon});
}

void Miner::run() {
    while (!stopped_ && (config_.max_blocks == 0 || mined_ < config_.max_blocks)) {
        sim::this_actor::sleep_for(next_gap());
        if (stopped_) {
            break;
        }
        network_->mine(1, config_.coinbase_owner);
        ++mined_;
    }
}

}  // namespace actors::chain
