// Graph: one node's view of the public channel graph (gossip), and LiquidityKnowledge: what
// that node knows about how much each channel direction can carry.
//
// Nodes are dense indices, channels are keyed by short channel id in ordered maps, and every
// adjacency list is kept sorted by scid, so iteration order never depends on insertion history
// or pointers. Each node actor keeps its own Graph copy: gossip reaches nodes at different
// times, so views legitimately differ.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/lightning/policy.h"
#include "actors/lightning/result.h"

namespace actors::lightning {

struct ChannelInfo {
    ShortChannelId scid;
    NodeIndex node1 = k_no_node;
    NodeIndex node2 = k_no_node;
    uint64_t capacity_msat = 0;
    ChannelPolicy policy_1to2;  // published by node1, for HTLCs node1 -> node2
    ChannelPolicy policy_2to1;  // published by node2, for HTLCs node2 -> node1

    bool has_endpoint(NodeIndex n) const { return n == node1 || n == node2; }
    NodeIndex other(NodeIndex n) const;
    // The policy for HTLCs sent by `from` over this channel.
    const ChannelPolicy& policy_from(NodeIndex from) const;
    ChannelPolicy& policy_from(NodeIndex from);
};

class Graph {
public:
    NodeIndex add_node(std::string alias);
    size_t node_count() const { return aliases_.size(); }
    const std::string& alias(NodeIndex n) const;

    // Fails on an unknown endpoint, a self-channel, a duplicate scid or zero capacity.
    Result<ShortChannelId> add_channel(const ChannelInfo& channel);
    // Returns false when the channel is unknown.
    bool remove_channel(ShortChannelId scid);
    // A channel_update from `from`; false if the channel is unknown or `from` is no endpoint.
    bool update_policy(ShortChannelId scid, NodeIndex from, const ChannelPolicy& policy);

    const ChannelInfo* channel(ShortChannelId scid) const;
    // Channels of a node, ascending by scid.
    const std::vector<ShortChannelId>& channels_of(NodeIndex n) const;
    const std::map<ShortChannelId, ChannelInfo>& channels() const { return channels_; }
    size_t channel_count() const { return channels_.size(); }

private:
    std::vector<std::string> aliases_;
    std::map<ShortChannelId, ChannelInfo> channels_;
    std::vector<std::vector<ShortChannelId>> adjacency_;
};

// Inclusive bounds on the amount a channel direction can carry right now.
struct LiquidityBounds {
    uint64_t min_msat = 0;
    uint64_t max_msat = 0;
};

// A node's knowledge of liquidity: exact for its own channels (it holds the balances), learned
// bounds for remote channels (from payment successes and temporary_channel_failure), and
// channels or nodes excluded after permanent failures.
class LiquidityKnowledge {
public:
    explicit LiquidityKnowledge(NodeIndex self) : self_(self) {}
    NodeIndex self() const { return self_; }

    // Exact spendable amount `from` has on one of our own channels (either direction).
    void set_own_balance(ShortChannelId scid, NodeIndex from, uint64_t spendable_msat);
    // `from` could not forward `amount_msat` over scid: its liquidity is below that.
    void learn_failure(ShortChannelId scid, NodeIndex from, uint64_t amount_msat);
    // `from` did forward `amount_msat` over scid: its liquidity was at least that.
    void learn_success(ShortChannelId scid, NodeIndex from, uint64_t amount_msat);
    void exclude_channel(ShortChannelId scid) { excluded_channels_.insert(scid); }
    void exclude_node(NodeIndex n) { excluded_nodes_.insert(n); }
    // Forgets learned remote bounds and exclusions (own balances stay exact).
    void forget_learned();

    // Bounds for `from` sending over scid. Unknown channels (e.g. route hints) are unbounded;
    // graph channels start at [0, capacity].
    LiquidityBounds bounds(const Graph& graph, ShortChannelId scid, NodeIndex from) const;
    bool can_carry(const Graph& graph, ShortChannelId scid, NodeIndex from,
                   uint64_t amount_msat) const;
    bool is_excluded(ShortChannelId scid) const { return excluded_channels_.count(scid) != 0; }
    bool is_excluded(NodeIndex n) const { return excluded_nodes_.count(n) != 0; }

private:
    struct Key {
        ShortChannelId scid;
        NodeIndex from = k_no_node;
        auto operator<=>(const Key&) const = default;
    };

    NodeIndex self_;
    std::map<Key, uint64_t> own_;
    std::map<Key, LiquidityBounds> learned_;
    std::set<ShortChannelId> excluded_channels_;
    std::set<NodeIndex> excluded_nodes_;
};

}  // namespace actors::lightning
