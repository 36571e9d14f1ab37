// BitcoindNode: the replica's block following, RPC with injected faults, and notifications.
#include "actors/chain/bitcoind_node.h"

#include <algorithm>

#include "actors/chain/bitcoin_network.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::chain {

const char* to_string(RpcStatus s) {
    switch (s) {
        case RpcStatus::ok: return "ok";
        case RpcStatus::error: return "error";
        case RpcStatus::timeout: return "timeout";
    }
    return "unknown";
}

BitcoindNode::BitcoindNode(BitcoinNetwork& network, NodeConfig config, sim::Random rng)
    : network_(&network),
      config_(std::move(config)),
      propagation_rng_(rng.fork("propagation")),
      rpc_rng_(rng.fork("rpc")),
      chain_(network.config().params, network.canonical().tree()) {
    SIM_ASSERT(!config_.name.empty());
}

void BitcoindNode::freeze() {
    frozen_ = true;
    network_->scheduler().trace("chain.node_frozen").field("node", config_.name);
}

void BitcoindNode::unfreeze() {
    if (!frozen_) {
        return;
    }
    frozen_ = false;
    network_->scheduler().trace("chain.node_unfrozen").field("node", config_.name);
    network_->announce_to(*this);
}

sim::SimDuration BitcoindNode::draw_propagation_delay(sim::SimDuration min,
                                                      sim::SimDuration max) {
    return propagation_rng_.duration(min, max) + config_.lag;
}

sim::SimTime BitcoindNode::reserve_delivery(sim::SimTime at) {
    last_delivery_ = std::max(at, last_delivery_);
    return last_delivery_;
}

void BitcoindNode::on_block_announced(const std::shared_ptr<const Block>& tip) {
    // First seen wins among equal work; a frozen node hears nothing.
    if (frozen_ || tip->height <= chain_.tip_height()) {
        return;
    }
    ReorgResult r = chain_.sync_to(tip);
    network_->scheduler()
        .trace("chain.node_tip")
        .field("node", config_.name)
        .field("height", chain_.tip_height())
        .field("disconnected", static_cast<uint64_t>(r.disconnected.size()))
        .field("connected", static_cast<uint64_t>(r.connected.size()));
    SIM_ASSERT_MSG(r.ok(), r.error);
    notify(r);
}

void BitcoindNode::on_tx_relayed(const Transaction& tx) {
    if (!frozen_) {
        chain_.submit(tx);
    }
}

void BitcoindNode::notify(const ReorgResult& r) {
    std::vector<BlockEvent> events;
    for (const BlockHash& h : r.disconnected) {
        events.push_back({BlockEvent::Kind::disconnected, chain_.tree()->find(h)->height, h});
    }
    for (const BlockHash& h : r.connected) {
        events.push_back({BlockEvent::Kind::connected, chain_.tree()->find(h)->height, h});
    }
    for (const auto& sub : subscribers_) {
        for (const BlockEvent& e : events) {
            sub->try_send(e);
        }
    }
}

std::shared_ptr<sim::Channel<BlockEvent>> BitcoindNode::subscribe() {
    auto ch = std::make_shared<sim::Channel<BlockEvent>>(
        config_.name + ".blocks." + std::to_string(subscribers_.size()));
    subscribers_.push_back(ch);
    return ch;
}

// --- RPC -----------------------------------------------------------------------------------

BitcoindNode::Fault BitcoindNode::begin_call(const char* method) {
    // Draw in a fixed order on every call so the stream stays aligned across configurations.
    const sim::SimDuration latency =
        rpc_rng_.duration(config_.rpc.latency_min, config_.rpc.latency_max);
    const bool timeout = rpc_rng_.chance(config_.rpc.timeout);
    const bool error = rpc_rng_.chance(config_.rpc.error);
    Fault fault = Fault::none;
    if (timeout) {
        fault = Fault::timeout;
    } else if (error || rpc_down_) {
        fault = Fault::error;
    }
    const sim::SimDuration wait = fault == Fault::timeout ? config_.rpc.client_timeout : latency;
    if (wait > sim::SimDuration::zero()) {
        sim::this_actor::sleep_for(wait);
    }
    if (fault != Fault::none) {
        network_->scheduler()
            .trace("chain.rpc_fault")
            .field("node", config_.name)
            .field("method", method)
            .field("fault", fault == Fault::timeout ? "timeout" : "error");
    }
    return fault;
}

namespace {

template <typename T>
RpcResult<T> fault_result(bool timeout) {
    return timeout ? RpcResult<T>::timed_out() : RpcResult<T>::failure("injected rpc failure");
}

}  // namespace

RpcResult<int64_t> BitcoindNode::getblockcount() {
    Fault f = begin_call("getblockcount");
    if (f != Fault::none) {
        return fault_result<int64_t>(f == Fault::timeout);
    }
    return RpcResult<int64_t>::success(chain_.tip_height());
}

RpcResult<BlockHash> BitcoindNode::getblockhash(int64_t height) {
    Fault f = begin_call("getblockhash");
    if (f != Fault::none) {
        return fault_result<BlockHash>(f == Fault::timeout);
    }
    auto hash = chain_.block_hash(height);
    if (!hash) {
        return RpcResult<BlockHash>::failure("Block height out of range");
    }
    return RpcResult<BlockHash>::success(*hash);
}

RpcResult<TxStatus> BitcoindNode::gettransaction(const Txid& txid) {
    Fault f = begin_call("gettransaction");
    if (f != Fault::none) {
        return fault_result<TxStatus>(f == Fault::timeout);
    }
    auto status = chain_.tx_status(txid);
    if (!status) {
        return RpcResult<TxStatus>::failure("No such mempool or blockchain transaction");
    }
    return RpcResult<TxStatus>::success(*status);
}

RpcResult<Transaction> BitcoindNode::getrawtransaction(const Txid& txid) {
    Fault f = begin_call("getrawtransaction");
    if (f != Fault::none) {
        return fault_result<Transaction>(f == Fault::timeout);
    }
    const Transaction* tx = chain_.get_transaction(txid);
    if (tx == nullptr) {
        return RpcResult<Transaction>::failure("No such mempool or blockchain transaction");
    }
    return RpcResult<Transaction>::success(*tx);
}

RpcResult<std::shared_ptr<const Block>> BitcoindNode::getblock(const BlockHash& hash) {
    using Result = RpcResult<std::shared_ptr<const Block>>;
    Fault f = begin_call("getblock");
    if (f != Fault::none) {
        return fault_result<std::shared_ptr<const Block>>(f == Fault::timeout);
    }
    if (!chain_.in_active_chain(hash)) {
        return Result::failure("Block not found");
    }
    return Result::success(chain_.tree()->find(hash));
}

RpcResult<std::optional<Coin>> BitcoindNode::gettxout(const OutPoint& op) {
    Fault f = begin_call("gettxout");
    if (f != Fault::none) {
        return fault_result<std::optional<Coin>>(f == Fault::timeout);
    }
    const Coin* coin = chain_.utxo(op);
    if (coin == nullptr || chain_.mempool().spender_of(op) != nullptr) {
        return RpcResult<std::optional<Coin>>::success(std::nullopt);
    }
    return RpcResult<std::optional<Coin>>::success(*coin);
}

RpcResult<int64_t> BitcoindNode::getmediantime() {
    Fault f = begin_call("getmediantime");
    if (f != Fault::none) {
        return fault_result<int64_t>(f == Fault::timeout);
    }
    return RpcResult<int64_t>::success(chain_.tip_median_time_past());
}

RpcResult<Txid> BitcoindNode::sendrawtransaction(const Transaction& tx) {
    Fault f = begin_call("sendrawtransaction");
    if (f != Fault::none) {
        return fault_result<Txid>(f == Fault::timeout);
    }
    Txid txid;
    TxCheck r = chain_.submit(tx, &txid);
    // Core answers a rebroadcast of a tx it already holds with its txid, not an error.
    if (r.error == TxError::already_in_mempool) {
        return RpcResult<Txid>::success(txid);
    }
    if (!r.ok()) {
        network_->scheduler()
            .trace("chain.tx_rejected")
            .field("node", config_.name)
            .field("txid", txid.to_hex().substr(0, 16))
            .field("reason", to_string(r.error));
        RpcResult<Txid> out = RpcResult<Txid>::failure(r.to_string());
        out.reject = r;
        return out;
    }
    network_->relay_from(this, tx);
    return RpcResult<Txid>::success(txid);
}

RpcResult<TxCheck> BitcoindNode::testmempoolaccept(const Transaction& tx) {
    Fault f = begin_call("testmempoolaccept");
    if (f != Fault::none) {
        return fault_result<TxCheck>(f == Fault::timeout);
    }
    return RpcResult<TxCheck>::success(chain_.test_mempool_accept(tx));
}

}  // namespace actors::chain
