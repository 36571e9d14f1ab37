// Federation set-up and controls.
#include "actors/federation/federation.h"

#include <algorithm>

#include "sim/assert.h"

namespace actors::federation {

Federation::Federation(sim::Simulation& sim, FederationConfig config,
                       const chain::Chain* canonical, const BitcoindFactory& make_bitcoind)
    : sim_(sim), config_(std::move(config)), quorum_(Quorum::of(config_.guardians)) {
    params_ = config_.params;
    params_.quorum = quorum_;
    params_.sync.sync_from_genesis =
        params_.sync.sync_from_genesis || config_.variants.sync_from_genesis;
    params_.multisig_keys.clear();
    for (uint64_t i = 0; i < quorum_.n; ++i) {
        params_.multisig_keys.push_back(config_.name + ".g" + std::to_string(i));
    }
    SIM_ASSERT(config_.node_names.empty() || config_.node_names.size() == quorum_.n);
    SIM_ASSERT(config_.guardian_timing.empty() || config_.guardian_timing.size() == quorum_.n);
    for (uint64_t i = 0; i < quorum_.n; ++i) {
        nodes_.push_back(sim_.network().add_node(
            config_.node_names.empty() ? params_.multisig_keys[i] : config_.node_names[i]));
    }
    for (uint64_t i = 0; i < quorum_.n; ++i) {
        const PeerId peer(static_cast<uint32_t>(i));
        stores_.push_back(std::make_unique<GuardianStore>(FederationState(params_, canonical)));
        bitcoinds_.push_back(make_bitcoind(peer));
        SIM_ASSERT(bitcoinds_.back() != nullptr);
        guardians_.push_back(std::make_unique<Guardian>(
            sim_, GuardianConfig{.peer = peer, .nodes = nodes_,
                                 .timing = config_.guardian_timing.empty()
                                               ? config_.timing
                                               : config_.guardian_timing[i],
                                 .byzantine = {},
                                 .variants = config_.variants},
            stores_.back().get(), bitcoinds_.back().get(), this));
    }
}

void Federation::start() {
    for (auto& g : guardians_) {
        g->start();
    }
}

chain::SpendCondition Federation::multisig() const {
    return chain::PayToMultisig{params_.multisig_keys, static_cast<uint32_t>(quorum_.t)};
}

uint32_t Federation::partition(const std::vector<PeerId>& side_a) {
    std::vector<sim::NodeId> a;
    std::vector<sim::NodeId> b;
    for (uint32_t p = 0; p < nodes_.size(); ++p) {
        bool in_a = std::find(side_a.begin(), side_a.end(), PeerId(p)) != side_a.end();
        (in_a ? a : b).push_back(nodes_[p]);
    }
    return sim_.network().partition(a, b, sim::PartitionKind::symmetric);
}

uint64_t Federation::max_round() const {
    uint64_t r = 0;
    for (size_t i = 0; i < guardians_.size(); ++i) {
        if (guardians_[i]->running()) {
            r = std::max<uint64_t>(r, stores_[i]->state.rounds_applied());
        }
    }
    return r;
}

uint64_t Federation::min_round() const {
    uint64_t r = UINT64_MAX;
    for (size_t i = 0; i < guardians_.size(); ++i) {
        if (guardians_[i]->running()) {
            r = std::min<uint64_t>(r, stores_[i]->state.rounds_applied());
        }
    }
    return r == UINT64_MAX ? 0 : r;
}

void Federation::on_round(PeerId peer, const Batch& batch, const FederationState& state,
                          const std::vector<StateEvent>& events) {
    for (RoundObserver* o : observers_) {
        o->on_round(peer, batch, state, events);
    }
}

}  // namespace actors::federation
