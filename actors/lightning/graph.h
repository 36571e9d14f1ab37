// Graph: a channel graph (a generated topology, or the public graph all gossip builds);
// GraphView: one node's view of the gossip graph; LiquidityKnowledge: what that node knows
// about how much each channel direction can carry.
//
// Nodes are dense indices, channels are keyed by short channel id in ordered maps, and every
// adjacency list is kept sorted by scid, so iteration order never depends on insertion history
// or pointers. Gossip reaches nodes at different times and private channels reach only their
// ends, so views legitimately differ; but most of every view is the same public graph. A
// GraphView is therefore the shared public graph plus this node's differences from it (one
// entry per channel whose state here is not the public one), which is what lets 10,000 nodes
// share one graph of 50,000 channels instead of holding 10,000 copies.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "actors/lightning/policy.h"
#include "actors/lightning/result.h"
#include "sim/assert.h"
#include "sim/time.h"

namespace actors::lightning {

struct ChannelInfo {
    ShortChannelId scid;
    NodeIndex node1 = k_no_node;
    NodeIndex node2 = k_no_node;
    uint64_t capacity_msat = 0;
    ChannelPolicy policy_1to2;  // published by node1, for HTLCs node1 -> node2
    ChannelPolicy policy_2to1;  // published by node2, for HTLCs node2 -> node1

    bool has_endpoint(NodeIndex n) const { return n == node1 || n == node2; }
    NodeIndex other(NodeIndex n) const {
        SIM_ASSERT(has_endpoint(n));
        return n == node1 ? node2 : node1;
    }
    // The policy for HTLCs sent by `from` over this channel.
    const ChannelPolicy& policy_from(NodeIndex from) const {
        SIM_ASSERT(has_endpoint(from));
        return from == node1 ? policy_1to2 : policy_2to1;
    }
    ChannelPolicy& policy_from(NodeIndex from) {
        SIM_ASSERT(has_endpoint(from));
        return from == node1 ? policy_1to2 : policy_2to1;
    }
};

// One direction of a channel as a route search reads it: HTLCs from `from` into the node whose
// list holds this, with what the search's inner loop needs from `from`'s policy, so a search over
// a node's channels reads one small contiguous array instead of one map entry per channel (16
// bytes a record: the lists of the nodes a search settles then mostly stay in cache). The channel
// entry itself is at the same position of channel_infos_of, the exact amount range at the same
// position of in_ranges_of.
struct InEdge {
    // A base fee of UINT32_MAX or more (that value is the marker) or a CLTV delta above 16
    // bits (BOLT 7's field is 16 bits) makes fee_base_msat k_wide: the search then reads the
    // channel entry.
    static constexpr uint32_t k_wide = UINT32_MAX;
    NodeIndex from = k_no_node;
    uint32_t fee_base_msat = 0;
    uint32_t fee_ppm = 0;
    uint16_t cltv_expiry_delta = 0;
    // The amount range by magnitude: min_msat < 2^min_width and 2^max_width - 1 <= max_msat
    // (min_width 255 when the range is empty). An amount of bit width w (2^(w-1) <= amount <
    // 2^w) is then surely in range when min_width < w <= max_width; otherwise ask in_ranges_of.
    uint8_t min_width = 0;
    uint8_t max_width = 0;

    bool surely_carries(unsigned amount_width) const {
        return min_width < amount_width && amount_width <= max_width;
    }
    bool operator==(const InEdge&) const = default;
};
// Four records to a cache line: the layout the search's cost was measured with.
static_assert(sizeof(InEdge) == 16);

// One direction of a channel as seen from its sending end: HTLCs from the node whose list holds
// this to `to`, with that node's fee (a base fee of UINT32_MAX stands for UINT32_MAX or more).
// A route search reads these to bound from below the fees between the sender and a node.
struct OutEdge {
    NodeIndex to = k_no_node;
    uint32_t fee_base_msat = 0;
    uint32_t fee_ppm = 0;
    bool operator==(const OutEdge&) const = default;
};

// The amounts a direction takes when the sender knows nothing more: htlc_minimum to the lesser
// of htlc_maximum and the capacity; empty (1, 0) when the direction is disabled.
struct InRange {
    uint64_t min_msat = 1;
    uint64_t max_msat = 0;
    bool carries(uint64_t amount_msat) const {
        return min_msat <= amount_msat && amount_msat <= max_msat;
    }
    bool operator==(const InRange&) const = default;
};

// Not safe to read from two threads at once: the const reads below may rebuild the search's
// records (mutable, see refresh_flat). Runs are single-threaded; sweeps use processes.
class Graph {
public:
    Graph() = default;
    // A copy points its adjacency at its own channel entries; a move keeps the map's nodes.
    Graph(const Graph& other);
    Graph& operator=(const Graph& other);
    Graph(Graph&&) = default;
    Graph& operator=(Graph&&) = default;

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
    // The same channels' entries, in the same order (for searches: no lookup per edge).
    std::span<const ChannelInfo* const> channel_infos_of(NodeIndex n) const;
    // The same channels as edges into n (from the other end), in the same order. The span (and
    // in_ranges_of's) stays valid until the graph next changes: adding or removing a node or a
    // channel reallocates every node's records on the next read.
    std::span<const InEdge> in_edges_of(NodeIndex n) const;
    // Their amount ranges, in the same order.
    std::span<const InRange> in_ranges_of(NodeIndex n) const;
    // The same channels as edges out of n, in the same order; valid as long as in_edges_of's.
    std::span<const OutEdge> out_edges_of(NodeIndex n) const;
    // A hint that a search is about to read in_edges_of(n): starts loading its first records.
    void prefetch_in_edges(NodeIndex n) const {
        if (!flat_stale_ && n < node_count()) {
            __builtin_prefetch(flat_edges_.data() + flat_begin_[n]);
        }
    }
    const std::map<ShortChannelId, ChannelInfo>& channels() const { return channels_; }
    size_t channel_count() const { return channels_.size(); }

private:
    void rebuild_adjacency();

    std::vector<std::string> aliases_;
    std::map<ShortChannelId, ChannelInfo> channels_;
    std::vector<std::vector<ShortChannelId>> adjacency_;
    std::vector<std::vector<const ChannelInfo*>> adjacency_info_;  // parallel to adjacency_
    // The search's records of every node, one flat array in node order (node n's are
    // [flat_begin_[n], flat_begin_[n + 1])), so a search walks one compact array instead of a
    // separate allocation per node. Rebuilt on the first read after a node or channel was added
    // or removed (a run adds its channels while it sets up and then rarely changes them); a
    // policy update patches it in place.
    void refresh_flat() const;
    mutable std::vector<uint32_t> flat_begin_;
    mutable std::vector<InEdge> flat_edges_;
    mutable std::vector<InRange> flat_ranges_;
    mutable std::vector<OutEdge> flat_out_;
    mutable bool flat_stale_ = true;
};

// The edge into `to` over channel c (from its other end), copied from c's entry, and its range.
InEdge in_edge(const ChannelInfo& c, NodeIndex to);
InRange in_range(const ChannelInfo& c, NodeIndex to);
// The edge out of `from` over channel c.
OutEdge out_edge(const ChannelInfo& c, NodeIndex from);

// The public graph (every public gossip item applied in the order it was sent) and, per
// channel, the nodes whose view of it differs from the public one.
struct SharedGraph {
    Graph graph;
    std::map<ShortChannelId, std::set<NodeIndex>> diverged;
};

// One node's view: `shared.graph` where the node agrees with it, its own entry where not.
// Reads behave exactly as a Graph holding the view's channels would.
class GraphView {
public:
    GraphView(SharedGraph& shared, NodeIndex owner) : shared_(&shared), owner_(owner) {}
    GraphView(const GraphView&) = delete;
    GraphView& operator=(const GraphView&) = delete;

    size_t node_count() const { return shared_->graph.node_count(); }
    const std::string& alias(NodeIndex n) const { return shared_->graph.alias(n); }
    const ChannelInfo* channel(ShortChannelId scid) const;
    // Channels of a node in this view, ascending by scid. The span stays valid until the next
    // channels_of call on this view or the next change to the view or the shared graph.
    std::span<const ShortChannelId> channels_of(NodeIndex n) const;
    // The entries of those channels, in the same order; valid under the same terms (its own
    // scratch, so a channels_of span and a channel_infos_of span may be held together).
    std::span<const ChannelInfo* const> channel_infos_of(NodeIndex n) const;
    // Those channels as edges into n, in the same order; valid under the same terms (its own
    // scratch too, so it may be held together with a channel_infos_of span).
    std::span<const InEdge> in_edges_of(NodeIndex n) const;
    // Their amount ranges, in the same order; the same terms (and its own scratch).
    std::span<const InRange> in_ranges_of(NodeIndex n) const;
    // Those channels as edges out of n, in the same order; the same terms (its own scratch).
    std::span<const OutEdge> out_edges_of(NodeIndex n) const;
    // Graph::prefetch_in_edges of the shared graph (a hint: right for most nodes).
    void prefetch_in_edges(NodeIndex n) const { shared_->graph.prefetch_in_edges(n); }

    // Graph's operations on this view only (the shared graph is never changed through a view):
    // a duplicate or invalid announcement is ignored, an update of an unknown channel or from
    // a non-endpoint returns false.
    void add_channel(const ChannelInfo& channel);
    bool remove_channel(ShortChannelId scid);
    bool update_policy(ShortChannelId scid, NodeIndex from, const ChannelPolicy& policy);

    // This view's state of a channel (empty: unknown here).
    std::optional<ChannelInfo> entry(ShortChannelId scid) const;
    // Sets this view's state of a channel; an entry equal to the shared graph's is dropped.
    // Call with the view's old entry after the shared graph changed a channel this node has
    // not heard about yet, so the view keeps what it knew.
    void set_entry(ShortChannelId scid, const std::optional<ChannelInfo>& entry);
    bool diverges(ShortChannelId scid) const { return own_.count(scid) != 0; }
    size_t divergence_count() const { return own_.size(); }

private:
    void touch(NodeIndex n, ShortChannelId scid, bool add);
    // For a node whose channels this view changed: `of` applied to each of its channels in
    // channels_of order, collected in the scratch buffer `out`.
    template <class T, class Of>
    std::span<const T> per_merged_channel(NodeIndex n, std::vector<T>* out, Of of) const {
        out->clear();
        for (ShortChannelId scid : channels_of(n)) {
            out->push_back(of(*channel(scid)));
        }
        return *out;
    }

    SharedGraph* shared_;
    NodeIndex owner_;
    struct Own {
        std::optional<ChannelInfo> entry;  // empty: the channel is unknown in this view
        NodeIndex node1 = k_no_node;       // the channel's endpoints (kept for an empty entry)
        NodeIndex node2 = k_no_node;
    };
    std::map<ShortChannelId, Own> own_;  // entries unlike the shared one
    std::map<NodeIndex, std::set<ShortChannelId>> own_by_node_;  // own_ keys, per endpoint
    mutable std::vector<ShortChannelId> merged_;                // channels_of scratch
    mutable std::vector<const ChannelInfo*> merged_infos_;      // channel_infos_of scratch
    mutable std::vector<InEdge> merged_in_;                      // in_edges_of scratch
    mutable std::vector<InRange> merged_ranges_;                 // in_ranges_of scratch
    mutable std::vector<OutEdge> merged_out_;                    // out_edges_of scratch
};

// Inclusive bounds on the amount a channel direction can carry right now.
struct LiquidityBounds {
    uint64_t min_msat = 0;
    uint64_t max_msat = 0;
};

// A node's knowledge of liquidity: exact for its own channels (it holds the balances), learned
// bounds for remote channels (from payment successes and failures), and channels or nodes
// excluded after failures. What a failure teaches may hold until a time (`until`; never: for
// good): forget_expired(now) drops what has run out, so a search at `now` sees an entry whose
// `until` is after `now` and not one whose `until` is at or before it. A payment's own memory
// (what only its later attempts avoid) is a second LiquidityKnowledge the route search reads
// on top (PaymentRequest::payment_knowledge).
class LiquidityKnowledge {
public:
    explicit LiquidityKnowledge(NodeIndex self) : self_(self) {}
    NodeIndex self() const { return self_; }

    // Exact spendable amount `from` has on one of our own channels (either direction).
    void set_own_balance(ShortChannelId scid, NodeIndex from, uint64_t spendable_msat);
    // `from` could not forward `amount_msat` over scid: its liquidity is below that, until
    // `until` (a later failure for the same direction moves it).
    void learn_failure(ShortChannelId scid, NodeIndex from, uint64_t amount_msat,
                       sim::SimTime until = sim::SimTime::never());
    // `from` did forward `amount_msat` over scid: its liquidity was at least that.
    void learn_success(ShortChannelId scid, NodeIndex from, uint64_t amount_msat);
    // Excludes until `until`; an exclusion already there that lasts longer stays as it is.
    void exclude_channel(ShortChannelId scid, sim::SimTime until = sim::SimTime::never());
    void exclude_node(NodeIndex n, sim::SimTime until = sim::SimTime::never());
    // Forgets learned remote bounds and exclusions (own balances stay exact).
    void forget_learned();
    // Forgets every failure bound and exclusion whose `until` is at or before `now`.
    void forget_expired(sim::SimTime now);
    // Whether nothing but own balances is known (a payment's memory before its first failure).
    bool empty_of_learned() const {
        return learned_.empty() && excluded_channels_.empty() && excluded_nodes_.empty();
    }

    // Bounds for `from` sending over scid. Unknown channels (e.g. route hints) are unbounded;
    // graph channels start at [0, capacity].
    LiquidityBounds bounds(const Graph& graph, ShortChannelId scid, NodeIndex from) const {
        return bounds(graph.channel(scid), scid, from);
    }
    LiquidityBounds bounds(const GraphView& graph, ShortChannelId scid, NodeIndex from) const {
        return bounds(graph.channel(scid), scid, from);
    }
    // `channel` is the graph's entry for scid (null when the graph does not know it).
    LiquidityBounds bounds(const ChannelInfo* channel, ShortChannelId scid, NodeIndex from) const {
        return bounds_below(channel != nullptr ? channel->capacity_msat : UINT64_MAX, scid, from);
    }
    // The same with the channel's capacity (UINT64_MAX for a channel the graph does not know).
    LiquidityBounds bounds_below(uint64_t capacity_msat, ShortChannelId scid,
                                 NodeIndex from) const;
    template <class G>
    bool can_carry(const G& graph, ShortChannelId scid, NodeIndex from,
                   uint64_t amount_msat) const {
        return amount_msat <= bounds(graph.channel(scid), scid, from).max_msat;
    }
    bool is_excluded(ShortChannelId scid) const { return excluded_channels_.count(scid) != 0; }
    bool is_excluded(NodeIndex n) const { return excluded_nodes_.count(n) != 0; }
    // The largest learned maximum `from` can send over scid (UINT64_MAX when nothing is known).
    uint64_t learned_max(ShortChannelId scid, NodeIndex from) const {
        auto l = learned_.find(Key{scid, from});
        return l == learned_.end() ? UINT64_MAX : l->second.bounds.max_msat;
    }
    // Everything this knowledge says about particular senders: node(n) for every node with an
    // own balance, a learned bound or an exclusion as the sending side, channel(scid) for every
    // excluded channel. For any (scid, from) that neither names, bounds are [0, capacity] and
    // neither is excluded (a route search skips its lookups for those).
    template <class NodeFn, class ChannelFn>
    void visit_specifics(NodeFn&& node, ChannelFn&& channel) const {
        for (const auto& [key, v] : own_) {
            node(key.from);
        }
        for (const auto& [key, v] : learned_) {
            node(key.from);
        }
        for (const auto& [n, until] : excluded_nodes_) {
            node(n);
        }
        for (const auto& [scid, until] : excluded_channels_) {
            channel(scid);
        }
    }

private:
    struct Key {
        ShortChannelId scid;
        NodeIndex from = k_no_node;
        auto operator<=>(const Key&) const = default;
    };

    struct Learned {
        LiquidityBounds bounds;
        sim::SimTime until = sim::SimTime::never();  // when the failure bound runs out
    };

    NodeIndex self_;
    std::map<Key, uint64_t> own_;
    std::map<Key, Learned> learned_;
    std::map<ShortChannelId, sim::SimTime> excluded_channels_;  // value: until
    std::map<NodeIndex, sim::SimTime> excluded_nodes_;          // value: until
    // The earliest `until` of any entry (never: nothing expires); forget_expired returns at
    // once before it, so a knowledge that forgets nothing costs one comparison per attempt.
    sim::SimTime next_expiry_ = sim::SimTime::never();
};

}  // namespace actors::lightning
