// BitcoindClient's count translation and ChainMonitor's polling loop.
#include "actors/chain/rpc_client.h"

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::chain {

std::optional<uint64_t> BitcoindClient::get_block_count() {
    RpcResult<int64_t> r = node_->getblockcount();
    if (!r.ok()) {
        return std::nullopt;
    }
    return variant_block_count(variant_, *r.value);
}

std::optional<BlockHash> BitcoindClient::get_block_hash(uint64_t height) {
    auto real = variant_hash_lookup(variant_, height);
    if (!real) {
        return std::nullopt;
    }
    RpcResult<BlockHash> r = node_->getblockhash(*real);
    return r.ok() ? r.value : std::nullopt;
}

std::optional<int64_t> BitcoindClient::get_tx_block_height(const Txid& txid) {
    RpcResult<TxStatus> r = node_->gettransaction(txid);
    if (!r.ok() || r.value->in_mempool) {
        return std::nullopt;
    }
    return variant_tx_height(variant_, r.value->height);
}

ChainMonitor::ChainMonitor(std::string name, BitcoindClient client, MonitorConfig config,
                           sim::Random rng)
    : name_(std::move(name)), client_(client), config_(config) {
    SIM_ASSERT(config_.poll_interval > sim::SimDuration::zero());
    phase_ = config_.random_phase
                 ? rng.duration(sim::SimDuration::zero(),
                                config_.poll_interval - sim::SimDuration::nanos(1))
                 : sim::SimDuration::zero();
}

void ChainMonitor::start(sim::Scheduler& sched) {
    sched.spawn(name_, [this] { run(); }, sim::SpawnOptions{.kind = sim::ActorKind::daemon});
}

void ChainMonitor::run() {
    sim::this_actor::sleep_for(phase_);
    sim::SimTime next = sim::this_actor::now();
    while (!stopped_) {
        status_ = client_.get_block_count();
        ++polls_;
        if (status_ && status_ != last_count_) {
            last_count_ = status_;
            sim::this_actor::trace("chain.monitor_update")
                .field("monitor", name_)
                .field("count", *status_);
            if (on_update_) {
                on_update_(*status_);
            }
        }
        // Ticks keep their phase even when a slow call overruns, like a tokio interval that
        // skips missed ticks.
        next = next + config_.poll_interval;
        while (next <= sim::this_actor::now()) {
            next = next + config_.poll_interval;
        }
        sim::this_actor::sleep_until(next);
    }
}

}  // namespace actors::chain
