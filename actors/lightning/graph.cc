// Channel graph and liquidity knowledge (see graph.h).
#include "actors/lightning/graph.h"

#include <algorithm>
#include <bit>

#include "sim/assert.h"

namespace actors::lightning {

InEdge in_edge(const ChannelInfo& c, NodeIndex to) {
    const NodeIndex from = c.other(to);
    const ChannelPolicy& p = c.policy_from(from);
    const InRange r = in_range(c, to);
    const bool wide = p.fee_base_msat >= InEdge::k_wide || p.cltv_expiry_delta > UINT16_MAX;
    InEdge e;
    e.from = from;
    e.fee_base_msat = wide ? InEdge::k_wide : static_cast<uint32_t>(p.fee_base_msat);
    e.fee_ppm = p.fee_ppm;
    e.cltv_expiry_delta = static_cast<uint16_t>(wide ? 0 : p.cltv_expiry_delta);
    if (r.min_msat > r.max_msat) {
        e.min_width = UINT8_MAX;
        e.max_width = 0;
    } else {
        e.min_width = static_cast<uint8_t>(std::bit_width(r.min_msat));
        e.max_width = static_cast<uint8_t>(
            r.max_msat == UINT64_MAX ? 64 : std::bit_width(r.max_msat + 1) - 1);
    }
    return e;
}

OutEdge out_edge(const ChannelInfo& c, NodeIndex from) {
    const ChannelPolicy& p = c.policy_from(from);
    return OutEdge{c.other(from),
                   static_cast<uint32_t>(std::min<uint64_t>(p.fee_base_msat, UINT32_MAX)),
                   p.fee_ppm};
}

InRange in_range(const ChannelInfo& c, NodeIndex to) {
    const ChannelPolicy& p = c.policy_from(c.other(to));
    if (p.disabled) {
        return InRange{1, 0};
    }
    return InRange{p.htlc_minimum_msat, std::min(p.htlc_maximum_msat, c.capacity_msat)};
}

Graph::Graph(const Graph& other)
    : aliases_(other.aliases_), channels_(other.channels_), adjacency_(other.adjacency_) {
    rebuild_adjacency();
}

void Graph::rebuild_adjacency() {
    adjacency_info_.assign(adjacency_.size(), {});
    for (size_t n = 0; n < adjacency_.size(); ++n) {
        for (ShortChannelId scid : adjacency_[n]) {
            adjacency_info_[n].push_back(&channels_.at(scid));
        }
    }
    flat_stale_ = true;
}

void Graph::refresh_flat() const {
    if (!flat_stale_) {
        return;
    }
    flat_begin_.assign(1, 0);
    flat_edges_.clear();
    flat_ranges_.clear();
    flat_out_.clear();
    for (size_t n = 0; n < adjacency_info_.size(); ++n) {
        for (const ChannelInfo* c : adjacency_info_[n]) {
            flat_edges_.push_back(in_edge(*c, static_cast<NodeIndex>(n)));
            flat_ranges_.push_back(in_range(*c, static_cast<NodeIndex>(n)));
            flat_out_.push_back(out_edge(*c, static_cast<NodeIndex>(n)));
        }
        SIM_ASSERT(flat_edges_.size() < UINT32_MAX);
        flat_begin_.push_back(static_cast<uint32_t>(flat_edges_.size()));
    }
    flat_stale_ = false;
}

Graph& Graph::operator=(const Graph& other) {
    if (this != &other) {
        Graph copy(other);
        *this = std::move(copy);
    }
    return *this;
}

NodeIndex Graph::add_node(std::string alias) {
    SIM_ASSERT(aliases_.size() < k_no_node);
    aliases_.push_back(std::move(alias));
    adjacency_.emplace_back();
    adjacency_info_.emplace_back();
    flat_stale_ = true;
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
    const ChannelInfo* info = &channels_.emplace(c.scid, c).first->second;
    for (NodeIndex n : {c.node1, c.node2}) {
        auto& adj = adjacency_[n];
        auto at = std::lower_bound(adj.begin(), adj.end(), c.scid);
        adjacency_info_[n].insert(adjacency_info_[n].begin() + (at - adj.begin()), info);
        adj.insert(at, c.scid);
    }
    flat_stale_ = true;
    return Result<ShortChannelId>::success(c.scid);
}

bool Graph::remove_channel(ShortChannelId scid) {
    auto it = channels_.find(scid);
    if (it == channels_.end()) {
        return false;
    }
    for (NodeIndex n : {it->second.node1, it->second.node2}) {
        auto& adj = adjacency_[n];
        auto at = std::lower_bound(adj.begin(), adj.end(), scid);
        adjacency_info_[n].erase(adjacency_info_[n].begin() + (at - adj.begin()));
        adj.erase(at);
    }
    channels_.erase(it);
    flat_stale_ = true;
    return true;
}

bool Graph::update_policy(ShortChannelId scid, NodeIndex from, const ChannelPolicy& policy) {
    auto it = channels_.find(scid);
    if (it == channels_.end() || !it->second.has_endpoint(from)) {
        return false;
    }
    it->second.policy_from(from) = policy;
    // The copy sits in the other end's list of edges in.
    const NodeIndex to = it->second.other(from);
    const auto& adj = adjacency_[to];
    const auto at =
        static_cast<size_t>(std::lower_bound(adj.begin(), adj.end(), scid) - adj.begin());
    if (!flat_stale_) {
        flat_edges_[flat_begin_[to] + at] = in_edge(it->second, to);
        flat_ranges_[flat_begin_[to] + at] = in_range(it->second, to);
        // And in the sending end's list of edges out.
        const auto& own = adjacency_[from];
        const auto mine =
            static_cast<size_t>(std::lower_bound(own.begin(), own.end(), scid) - own.begin());
        flat_out_[flat_begin_[from] + mine] = out_edge(it->second, from);
    }
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

std::span<const ChannelInfo* const> Graph::channel_infos_of(NodeIndex n) const {
    SIM_ASSERT(n < adjacency_info_.size());
    return adjacency_info_[n];
}

std::span<const InEdge> Graph::in_edges_of(NodeIndex n) const {
    SIM_ASSERT(n < node_count());
    refresh_flat();
    return {flat_edges_.data() + flat_begin_[n], flat_edges_.data() + flat_begin_[n + 1]};
}

std::span<const InRange> Graph::in_ranges_of(NodeIndex n) const {
    SIM_ASSERT(n < node_count());
    refresh_flat();
    return {flat_ranges_.data() + flat_begin_[n], flat_ranges_.data() + flat_begin_[n + 1]};
}

std::span<const OutEdge> Graph::out_edges_of(NodeIndex n) const {
    SIM_ASSERT(n < node_count());
    refresh_flat();
    return {flat_out_.data() + flat_begin_[n], flat_out_.data() + flat_begin_[n + 1]};
}

// --- GraphView -----------------------------------------------------------------------------

const ChannelInfo* GraphView::channel(ShortChannelId scid) const {
    if (!own_.empty()) {
        auto it = own_.find(scid);
        if (it != own_.end()) {
            return it->second.entry.has_value() ? &*it->second.entry : nullptr;
        }
    }
    return shared_->graph.channel(scid);
}

std::span<const ShortChannelId> GraphView::channels_of(NodeIndex n) const {
    const std::vector<ShortChannelId>& base = shared_->graph.channels_of(n);
    auto mine = own_by_node_.find(n);
    if (mine == own_by_node_.end()) {
        return base;
    }
    // Merge the two sorted lists: the shared channels this view does not know drop out, the
    // view's own channels (private ones, or ones the shared graph has already dropped) join.
    merged_.clear();
    auto b = base.begin();
    for (ShortChannelId scid : mine->second) {
        for (; b != base.end() && *b < scid; ++b) {
            merged_.push_back(*b);
        }
        if (b != base.end() && *b == scid) {
            ++b;
        }
        if (own_.at(scid).entry.has_value()) {
            merged_.push_back(scid);
        }
    }
    merged_.insert(merged_.end(), b, base.end());
    return merged_;
}

std::span<const ChannelInfo* const> GraphView::channel_infos_of(NodeIndex n) const {
    if (own_by_node_.count(n) == 0) {
        return shared_->graph.channel_infos_of(n);
    }
    return per_merged_channel(n, &merged_infos_,
                              [](const ChannelInfo& c) -> const ChannelInfo* { return &c; });
}

std::span<const InEdge> GraphView::in_edges_of(NodeIndex n) const {
    if (own_by_node_.count(n) == 0) {
        return shared_->graph.in_edges_of(n);
    }
    return per_merged_channel(n, &merged_in_, [n](const ChannelInfo& c) { return in_edge(c, n); });
}

std::span<const InRange> GraphView::in_ranges_of(NodeIndex n) const {
    if (own_by_node_.count(n) == 0) {
        return shared_->graph.in_ranges_of(n);
    }
    return per_merged_channel(n, &merged_ranges_,
                              [n](const ChannelInfo& c) { return in_range(c, n); });
}

std::span<const OutEdge> GraphView::out_edges_of(NodeIndex n) const {
    if (own_by_node_.count(n) == 0) {
        return shared_->graph.out_edges_of(n);
    }
    return per_merged_channel(n, &merged_out_,
                              [n](const ChannelInfo& c) { return out_edge(c, n); });
}

std::optional<ChannelInfo> GraphView::entry(ShortChannelId scid) const {
    const ChannelInfo* c = channel(scid);
    return c == nullptr ? std::nullopt : std::optional<ChannelInfo>(*c);
}

void GraphView::add_channel(const ChannelInfo& c) {
    if (c.node1 >= node_count() || c.node2 >= node_count() || c.node1 == c.node2 ||
        c.capacity_msat == 0 || channel(c.scid) != nullptr) {
        return;  // the same cases Graph::add_channel refuses
    }
    set_entry(c.scid, c);
}

bool GraphView::remove_channel(ShortChannelId scid) {
    if (channel(scid) == nullptr) {
        return false;
    }
    set_entry(scid, std::nullopt);
    return true;
}

bool GraphView::update_policy(ShortChannelId scid, NodeIndex from, const ChannelPolicy& policy) {
    std::optional<ChannelInfo> e = entry(scid);
    if (!e.has_value() || !e->has_endpoint(from)) {
        return false;
    }
    e->policy_from(from) = policy;
    set_entry(scid, e);
    return true;
}

namespace {

bool same(const std::optional<ChannelInfo>& a, const ChannelInfo* b) {
    if (!a.has_value() || b == nullptr) {
        return !a.has_value() && b == nullptr;
    }
    return a->node1 == b->node1 && a->node2 == b->node2 &&
           a->capacity_msat == b->capacity_msat && a->policy_1to2 == b->policy_1to2 &&
           a->policy_2to1 == b->policy_2to1;
}

}  // namespace

void GraphView::set_entry(ShortChannelId scid, const std::optional<ChannelInfo>& e) {
    const ChannelInfo* base = shared_->graph.channel(scid);
    auto mine = own_.find(scid);
    if (same(e, base)) {
        if (mine != own_.end()) {
            const NodeIndex n1 = mine->second.node1;
            const NodeIndex n2 = mine->second.node2;
            own_.erase(mine);
            touch(n1, scid, false);
            touch(n2, scid, false);
            auto d = shared_->diverged.find(scid);
            // One view per owner: a second view of the same node would have dropped it already.
            SIM_ASSERT(d != shared_->diverged.end());
            d->second.erase(owner_);
            if (d->second.empty()) {
                shared_->diverged.erase(d);
            }
        }
        return;
    }
    if (mine != own_.end()) {
        SIM_ASSERT(!e.has_value() ||
                   (e->node1 == mine->second.node1 && e->node2 == mine->second.node2));
        mine->second.entry = e;
        return;
    }
    // A channel's endpoints never change: the new entry or the shared one names them.
    const ChannelInfo* ends = e.has_value() ? &*e : base;
    SIM_ASSERT(ends != nullptr);
    SIM_ASSERT(base == nullptr || (base->node1 == ends->node1 && base->node2 == ends->node2));
    own_.emplace(scid, Own{e, ends->node1, ends->node2});
    touch(ends->node1, scid, true);
    touch(ends->node2, scid, true);
    shared_->diverged[scid].insert(owner_);
}

void GraphView::touch(NodeIndex n, ShortChannelId scid, bool add) {
    if (add) {
        own_by_node_[n].insert(scid);
        return;
    }
    auto it = own_by_node_.find(n);
    it->second.erase(scid);
    if (it->second.empty()) {
        own_by_node_.erase(it);
    }
}

// --- LiquidityKnowledge ----------------------------------------------------------------------

void LiquidityKnowledge::set_own_balance(ShortChannelId scid, NodeIndex from,
                                         uint64_t spendable_msat) {
    own_[Key{scid, from}] = spendable_msat;
}

void LiquidityKnowledge::learn_failure(ShortChannelId scid, NodeIndex from,
                                       uint64_t amount_msat, sim::SimTime until) {
    SIM_ASSERT(amount_msat > 0);
    auto [it, inserted] = learned_.try_emplace(Key{scid, from}, Learned{{0, UINT64_MAX}});
    LiquidityBounds& b = it->second.bounds;
    b.max_msat = std::min(b.max_msat, amount_msat - 1);
    // Newer evidence wins: a lower bound above the new maximum is stale.
    b.min_msat = std::min(b.min_msat, b.max_msat);
    // The latest failure sets how long the bound holds (LND keeps a pair's last result).
    it->second.until = until;
    next_expiry_ = std::min(next_expiry_, until);
}

void LiquidityKnowledge::learn_success(ShortChannelId scid, NodeIndex from,
                                       uint64_t amount_msat) {
    auto [it, inserted] = learned_.try_emplace(Key{scid, from}, Learned{{0, UINT64_MAX}});
    LiquidityBounds& b = it->second.bounds;
    b.min_msat = std::max(b.min_msat, amount_msat);
    b.max_msat = std::max(b.max_msat, b.min_msat);
}

namespace {

// Records an exclusion until `until`, or keeps the one already there if it lasts longer: a
// later, shorter exclusion (a temporary one after a permanent one) must not shorten it.
template <class Map, class K>
void exclude_until(Map* m, const K& key, sim::SimTime until) {
    auto [it, inserted] = m->try_emplace(key, until);
    if (!inserted) {
        it->second = std::max(it->second, until);
    }
}

}  // namespace

void LiquidityKnowledge::exclude_channel(ShortChannelId scid, sim::SimTime until) {
    exclude_until(&excluded_channels_, scid, until);
    next_expiry_ = std::min(next_expiry_, until);
}

void LiquidityKnowledge::exclude_node(NodeIndex n, sim::SimTime until) {
    exclude_until(&excluded_nodes_, n, until);
    next_expiry_ = std::min(next_expiry_, until);
}

void LiquidityKnowledge::forget_learned() {
    learned_.clear();
    excluded_channels_.clear();
    excluded_nodes_.clear();
    next_expiry_ = sim::SimTime::never();
}

namespace {

// Erases the entries of `m` whose `until(value)` is at or before now; returns the earliest
// `until` left.
template <class Map, class Until>
sim::SimTime erase_expired(Map* m, sim::SimTime now, Until until) {
    sim::SimTime next = sim::SimTime::never();
    for (auto it = m->begin(); it != m->end();) {
        const sim::SimTime u = until(it->second);
        if (u <= now) {
            it = m->erase(it);
        } else {
            next = std::min(next, u);
            ++it;
        }
    }
    return next;
}

}  // namespace

void LiquidityKnowledge::forget_expired(sim::SimTime now) {
    if (now < next_expiry_) {
        return;
    }
    // A learned entry whose failure ran out goes whole: the lower bound a success left in it
    // is never read by a search (only max_msat is).
    const sim::SimTime a =
        erase_expired(&learned_, now, [](const Learned& l) { return l.until; });
    const sim::SimTime b =
        erase_expired(&excluded_channels_, now, [](sim::SimTime u) { return u; });
    const sim::SimTime c = erase_expired(&excluded_nodes_, now, [](sim::SimTime u) { return u; });
    next_expiry_ = std::min({a, b, c});
}

LiquidityBounds LiquidityKnowledge::bounds_below(uint64_t capacity_msat, ShortChannelId scid,
                                                 NodeIndex from) const {
    Key key{scid, from};
    if (auto own = own_.find(key); own != own_.end()) {
        return LiquidityBounds{own->second, own->second};
    }
    LiquidityBounds b{0, capacity_msat};
    if (learned_.empty()) {
        return b;
    }
    if (auto l = learned_.find(key); l != learned_.end()) {
        b.max_msat = std::min(b.max_msat, l->second.bounds.max_msat);
        b.min_msat = std::min(l->second.bounds.min_msat, b.max_msat);
    }
    return b;
}


}  // namespace actors::lightning
