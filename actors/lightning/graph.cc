// Channel graph and liquidity knowledge (see graph.h).
#include "actors/lightning/graph.h"

#include <algorithm>

#include "sim/assert.h"

namespace actors::lightning {

NodeIndex ChannelInfo::other(NodeIndex n) const {
    SIM_ASSERT(has_endpoint(n));
    return n == node1 ? node2 : node1;
}

const ChannelPolicy& ChannelInfo::policy_from(NodeIndex from) const {
    SIM_ASSERT(has_endpoint(from));
    return from == node1 ? policy_1to2 : policy_2to1;
}

ChannelPolicy& ChannelInfo::policy_from(NodeIndex from) {
    SIM_ASSERT(has_endpoint(from));
    return from == node1 ? policy_1to2 : policy_2to1;
}

NodeIndex Graph::add_node(std::string alias) {
    SIM_ASSERT(aliases_.size() < k_no_node);
    aliases_.push_back(std::move(alias));
    adjacency_.emplace_back();
    return static_cast<NodeIndex>(aliases_.size() - 1);
}

const std::string& Graph::alias(NodeIndex n) const {
    SIM_ASSERT(n < aliases_.size());
    return aliases_[n];
}

Result<ShortChannelId> Graph::add_channel(const ChannelInfo& c) {
    if (c.node1 >= node_count() || c.node2 >= node_count()) {
        return Result<ShortChannelId>::failure("channel " + c.scid.to_string() +
                                               ": unknown endpoint");
    }
    if (c.node1 == c.node2) {
        return Result<ShortChannelId>::failure("channel " + c.scid.to_string() +
                                               ": both ends are node " + alias(c.node1));
    }
    if (channels_.count(c.scid) != 0) {
        return Result<ShortChannelId>::failure("channel " + c.scid.to_string() +
                                               ": duplicate short_channel_id");
    }
    if (c.capacity_msat == 0) {
        return Result<ShortChannelId>::failure("channel " + c.scid.to_string() +
                                               ": zero capacity");
    }
    channels_.emplace(c.scid, c);
    for (NodeIndex n : {c.node1, c.node2}) {
        auto& adj = adjacency_[n];
        adj.insert(std::lower_bound(adj.begin(), adj.end(), c.scid), c.scid);
    }
    return Result<ShortChannelId>::success(c.scid);
}

bool Graph::remove_channel(ShortChannelId scid) {
    auto it = channels_.find(scid);
    if (it == channels_.end()) {
        return false;
    }
    for (NodeIndex n : {it->second.node1, it->second.node2}) {
        auto& adj = adjacency_[n];
        adj.erase(std::lower_bound(adj.begin(), adj.end(), scid));
    }
    channels_.erase(it);
    return true;
}

bool Graph::update_policy(ShortChannelId scid, NodeIndex from, const ChannelPolicy& policy) {
    auto it = channels_.find(scid);
    if (it == channels_.end() || !it->second.has_endpoint(from)) {
        return false;
    }
    it->second.policy_from(from) = policy;
    return true;
}

const ChannelInfo* Graph::channel(ShortChannelId scid) const {
    auto it = channels_.find(scid);
    return it == channels_.end() ? nullptr : &it->second;
}

const std::vector<ShortChannelId>& Graph::channels_of(NodeIndex n) const {
    SIM_ASSERT(n < adjacency_.size());
    return adjacency_[n];
}

void LiquidityKnowledge::set_own_balance(ShortChannelId scid, NodeIndex from,
                                         uint64_t spendable_msat) {
    own_[Key{scid, from}] = spendable_msat;
}

void LiquidityKnowledge::learn_failure(ShortChannelId scid, NodeIndex from,
                                       uint64_t amount_msat) {
    SIM_ASSERT(amount_msat > 0);
    auto [it, inserted] = learned_.try_emplace(Key{scid, from}, LiquidityBounds{0, UINT64_MAX});
    LiquidityBounds& b = it->second;
    b.max_msat = std::min(b.max_msat, amount_msat - 1);
    // Newer evidence wins: a lower bound above the new maximum is stale.
    b.min_msat = std::min(b.min_msat, b.max_msat);
}

void LiquidityKnowledge::learn_success(ShortChannelId scid, NodeIndex from,
                                       uint64_t amount_msat) {
    auto [it, inserted] = learned_.try_emplace(Key{scid, from}, LiquidityBounds{0, UINT64_MAX});
    LiquidityBounds& b = it->second;
    b.min_msat = std::max(b.min_msat, amount_msat);
    b.max_msat = std::max(b.max_msat, b.min_msat);
}

void LiquidityKnowledge::forget_learned() {
    learned_.clear();
    excluded_channels_.clear();
    excluded_nodes_.clear();
}

LiquidityBounds LiquidityKnowledge::bounds(const Graph& graph, ShortChannelId scid,
                                           NodeIndex from) const {
    Key key{scid, from};
    if (auto own = own_.find(key); own != own_.end()) {
        return LiquidityBounds{own->second, own->second};
    }
    LiquidityBounds b{0, UINT64_MAX};
    if (const ChannelInfo* c = graph.channel(scid)) {
        b.max_msat = c->capacity_msat;
    }
    if (auto l = learned_.find(key); l != learned_.end()) {
        b.max_msat = std::min(b.max_msat, l->second.max_msat);
        b.min_msat = std::min(l->second.min_msat, b.max_msat);
    }
    return b;
}

bool LiquidityKnowledge::can_carry(const Graph& graph, ShortChannelId scid, NodeIndex from,
                                   uint64_t amount_msat) const {
    return amount_msat <= bounds(graph, scid, from).max_msat;
}

}  // namespace actors::lightning
