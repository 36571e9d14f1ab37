// The payee-to-payer route search behind find_route (see router.h); the rules around it (route
// building, default limits, failure learning) are in route_rules.cc.
#include "actors/lightning/router.h"

#include <algorithm>
#include <bit>
#include <span>
#include <tuple>

#include "actors/lightning/route_queue.h"
#include "sim/assert.h"

namespace actors::lightning {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

// The edge a label forwards over, as its place in the search's lists: entry `index` of the
// edges into `to` (in_edges_of / channel_infos_of), or route hint edge `index - k_hint`.
struct EdgeLink {
    static constexpr uint32_t k_hint = 0x80000000u;
    NodeIndex to = k_no_node;
    uint32_t index = 0;
};

// Best known way from a node to the payee: the HTLC that must arrive at the node.
struct Label {
    uint64_t amount_msat = 0;
    uint32_t cltv = 0;   // expiry of that HTLC minus start height
    uint32_t hops = 0;   // edges from the node to the payee
    EdgeLink next;       // the edge the node forwards over
};

using Key = RouteKey;

struct Limits {
    uint64_t max_fee_msat = UINT64_MAX;
    uint32_t cltv_budget = UINT32_MAX;  // bound on total delta (final + padding included)
};

// Which limits cut an edge during a search. A search under looser limits makes every decision
// the same as this one's (and so returns the same) unless one of the edges this search cut is
// one the looser limits keep: with no cut at all, no limits give the same run; with no edge cut
// by the CLTV budget alone, dropping that budget gives the same run; likewise for the fee.
struct Cuts {
    bool any = false;
    bool fee_alone = false;   // over the fee limit, within the CLTV budget
    bool cltv_alone = false;  // over the CLTV budget, within the fee limit
};

template <class G>
struct Search {
    const G& graph;
    const LiquidityKnowledge& knowledge;
    const PaymentRequest& req;
    std::vector<PathEdge> hint_edges;
    uint32_t final_total = 0;
    // (from, to) pairs whose graph edges a merged hint edge stands for (HintGraphMerge::dearer):
    // the relaxation skips those graph edges.
    std::vector<std::pair<NodeIndex, NodeIndex>> shadowed;
    // The node's exclusions are removals from its network graph (LDK, FailureMemory::
    // ldk_permanent_to_graph): see removed_from_graph.
    bool exclusions_remove_from_graph = false;
};

// LDK: gossip.rs handle_network_update -> channel_failed_permanent removes the channel from
// the network graph, node_failed_permanent the node and every channel of it. They change the
// graph only: router.rs get_route makes a route hint's hop over a channel the graph no longer
// has a CandidateRouteHop::PrivateHop with the hint's own policy, and a node the graph lacks
// is reached only over the payer's own channels (first_hop_targets) or another hint
// (add_entries_to_cheapest_to_target_node walks network_nodes' channels of a node, none for a
// removed one). get_route drops a whole hint whose FIRST hop's source is in neither
// first_hop_targets nor network_nodes (have_hop_src_in_graph); the model keeps its edges,
// which only a path into that source could use (not modelled). Whether the knowledge removed
// channel scid, or either end, from -> to.
bool removed_from_graph(const LiquidityKnowledge& knowledge, ShortChannelId scid,
                        NodeIndex from, NodeIndex to) {
    return knowledge.is_excluded(scid) || knowledge.is_excluded(from) ||
           knowledge.is_excluded(to);
}

// Whether `policy` takes an HTLC of `amount_msat` at all (LND unified_edges.go amtInRange,
// getEdgeNetwork's disabled check).
bool merge_candidate(const ChannelPolicy& policy, uint64_t amount_msat) {
    return !policy.disabled && amount_msat >= policy.htlc_minimum_msat &&
           amount_msat <= policy.htlc_maximum_msat;
}

// LND's unified edge for a hint hop from -> to (Profile HintGraphMerge::dearer): of the hint
// and every graph channel from -> to, the policy with the highest fee on the amount (a later
// one wins a tie, as `fee < maxFee` skips only a lower fee), with the largest
// cltv_expiry_delta among them; the hint's scid unless a graph channel's policy won. The fee is
// compared on the payment's amount: exact for a hint's last hop into the payee, an
// approximation for earlier hops of a longer hint, which see the amount plus later fees.
template <class G>
PathEdge dearest_for_pair(const G& graph, const PathEdge& hint, uint64_t amount_msat) {
    PathEdge best = hint;
    bool have = merge_candidate(hint.policy, amount_msat);
    uint64_t max_fee = have ? forwarding_fee_msat(hint.policy, amount_msat) : 0;
    uint32_t max_delta = have ? hint.policy.cltv_expiry_delta : 0;
    const auto infos = graph.channel_infos_of(hint.to);
    for (const ChannelInfo* c : infos) {
        if (c->other(hint.to) != hint.from) {
            continue;
        }
        const ChannelPolicy& p = c->policy_from(hint.from);
        if (!merge_candidate(p, amount_msat)) {
            continue;
        }
        max_delta = std::max(max_delta, p.cltv_expiry_delta);
        const uint64_t fee = forwarding_fee_msat(p, amount_msat);
        if (!have || fee >= max_fee) {
            best = PathEdge{c->scid, hint.from, hint.to, p};
            max_fee = fee;
            have = true;
        }
    }
    best.policy.cltv_expiry_delta = max_delta;
    return best;
}

// The extra edges a request's route hints add, per the sender's HintGraphMerge. `graph`: a
// hint hop over a channel the graph already holds between the same two nodes adds nothing,
// the search uses the graph's edge and policy (LDK router.rs get_route: a hint hop becomes
// CandidateRouteHop::PublicHop when network_channels has its scid directed to the target,
// PrivateHop only otherwise). `dearer`: a hint hop not from the sender whose two nodes a graph
// channel joins becomes one edge with the dearest policy (dearest_for_pair), and the graph's
// edges for that pair are left out of the search (`shadowed`). `cheaper`: the hint's edge as
// it is, beside the graph's.
template <class G>
std::vector<PathEdge> hint_edges_of(const G& graph, const LiquidityKnowledge& knowledge,
                                    const Profile& sender, const PaymentRequest& req,
                                    std::vector<std::pair<NodeIndex, NodeIndex>>* shadowed) {
    const bool removals = sender.failure_memory == FailureMemory::ldk_permanent_to_graph;
    std::vector<PathEdge> edges;
    for (const RouteHint& hint : req.route_hints) {
        for (size_t i = 0; i < hint.size(); ++i) {
            NodeIndex to = i + 1 < hint.size() ? hint[i + 1].source : req.target;
            SIM_ASSERT(hint[i].source != k_no_node);
            PathEdge edge{hint[i].scid, hint[i].source, to, hint[i].policy};
            if (sender.hint_graph_merge == HintGraphMerge::graph) {
                const ChannelInfo* c = graph.channel(hint[i].scid);
                if (c != nullptr && c->has_endpoint(hint[i].source) && c->has_endpoint(to) &&
                    hint[i].source != to &&
                    !(removals && removed_from_graph(knowledge, hint[i].scid, hint[i].source, to))) {
                    continue;
                }
            }
            if (sender.hint_graph_merge == HintGraphMerge::dearer && edge.from != req.source &&
                edge.from != to && edge.from < graph.node_count() && to < graph.node_count()) {
                const bool joined = std::ranges::any_of(
                    graph.channel_infos_of(to),
                    [&](const ChannelInfo* c) { return c->other(to) == edge.from; });
                if (joined) {
                    edge = dearest_for_pair(graph, edge, req.amount_msat);
                    shadowed->emplace_back(edge.from, to);
                }
            }
            edges.push_back(edge);
        }
    }
    return edges;
}

// An edge u -> v as the general relaxation sees it: `policy` the one u publishes,
// `capacity_msat` the graph's capacity (UINT64_MAX for a route hint the graph does not know),
// `link` where the search found it.
struct EdgeRef {
    ShortChannelId scid;
    NodeIndex from = k_no_node;
    NodeIndex to = k_no_node;
    const ChannelPolicy* policy = nullptr;
    uint64_t capacity_msat = UINT64_MAX;
    EdgeLink link;
};

// Whether `u` may send `amount_msat` over edge e (policy limits apply to remote senders only:
// the sender's own channel charges nothing and its limits are the balance).
template <class G>
bool edge_usable(const Search<G>& s, const EdgeRef& e, uint64_t amount_msat) {
    NodeIndex u = e.from;
    const LiquidityKnowledge* payment = s.req.payment_knowledge;
    // The node's exclusions, unless they are graph removals and e is a hint's private hop
    // (removed_from_graph); the payment's own (LDK's previously_failed_channels) apply to
    // every candidate. A hint edge out of the payer itself still honours them: the payer's
    // own exclusions are not graph removals but its shutting-down channels
    // (LightningNode::sync_own_liquidity), and LDK's first hops are its usable channels only
    // (channelmanager.rs list_usable_channels).
    const bool node_exclusions = !(s.exclusions_remove_from_graph &&
                                   e.link.index >= EdgeLink::k_hint && u != s.req.source);
    if ((node_exclusions && s.knowledge.is_excluded(e.scid)) ||
        (payment != nullptr && payment->is_excluded(e.scid))) {
        return false;
    }
    if (u != s.req.source) {
        if ((node_exclusions && s.knowledge.is_excluded(u)) || e.policy->disabled ||
            (payment != nullptr && payment->is_excluded(u))) {
            return false;
        }
        if (amount_msat < e.policy->htlc_minimum_msat ||
            amount_msat > e.policy->htlc_maximum_msat) {
            return false;
        }
    }
    if (payment != nullptr && amount_msat > payment->learned_max(e.scid, u)) {
        return false;
    }
    return amount_msat <= s.knowledge.bounds_below(e.capacity_msat, e.scid, u).max_msat;
}

// The state of one search, kept between searches so a search on a large graph allocates
// nothing. Laid out for the relaxation loop, which touches a random node per edge: one flag
// byte per node (cleared per search; small enough to stay in the first-level cache) and the
// label's order fields apart from its edge.
struct Workspace {
    enum : uint8_t {
        k_reached = 1,
        k_settled = 2,
        k_marked = 4,
        k_near_reached = 8,   // the bound search (near) has a distance for the node
        k_near_settled = 16,  // ... and it is final
    };
    struct Order {
        uint64_t amount_msat = 0;
        uint32_t cltv = 0;
        uint32_t hops = 0;
    };
    std::vector<uint8_t> flags;
    std::vector<Order> order;
    std::vector<EdgeLink> next;
    RouteQueue queue;
    // The fee bound from the sender (see bound_from_sender): final distances of the nodes it
    // settled, and `radius`, a bound for every other node.
    std::vector<uint64_t> near;
    std::vector<std::pair<uint64_t, NodeIndex>> near_heap;
    uint64_t radius = 0;

    void begin(size_t nodes, uint64_t first_amount_msat) {
        if (order.size() < nodes) {
            order.resize(nodes);
            next.resize(nodes);
            near.resize(nodes);
        }
        flags.assign(nodes, 0);
        radius = 0;
        queue.begin(first_amount_msat);
    }
    Label label(NodeIndex n) const {
        return Label{order[n].amount_msat, order[n].cltv, order[n].hops, next[n]};
    }
    // The least fee any route from the sender to n pays before n (0 without a bound).
    uint64_t potential(NodeIndex n) const {
        return (flags[n] & k_near_settled) != 0 ? near[n] : radius;
    }
    // A label's place in the queue: its amount plus n's potential, then cltv, hops and node.
    Key key_of(const Label& l, NodeIndex n) const {
        return Key{l.amount_msat + potential(n), (uint64_t{l.cltv} << 32) | l.hops, n};
    }
    Key key(NodeIndex n) const { return key_of(label(n), n); }
    // The order an eager Dijkstra (no potential) settles nodes in: by label, then node.
    Key label_key(NodeIndex n) const {
        return Key{order[n].amount_msat, (uint64_t{order[n].cltv} << 32) | order[n].hops, n};
    }
    // Whether Dijkstra without a potential, relaxing each settled node's edges in list order
    // (route hints last), would offer u a label over `by` before the one over u's current edge.
    // Of two equal labels it keeps the first offered; so does this search, in any order.
    bool offered_first(const EdgeLink& by, NodeIndex u) const {
        const EdgeLink& cur = next[u];
        return std::make_pair(label_key(by.to), by.index) <
               std::make_pair(label_key(cur.to), cur.index);
    }
    bool reached(NodeIndex n) const { return (flags[n] & k_reached) != 0; }
    bool is_settled(NodeIndex n) const { return (flags[n] & k_settled) != 0; }
    void settle(NodeIndex n) { flags[n] |= k_settled; }
    void set(NodeIndex n, const Label& l) {
        order[n] = Order{l.amount_msat, l.cltv, l.hops};
        next[n] = l.next;
        flags[n] |= k_reached;
    }
    // Marks the sender, the payee, every node the knowledge (the node's, and the payment's
    // own) names as a sending side, and both ends of every excluded channel the graph knows.
    // An edge from an unmarked node over a graph channel is then one the knowledge says
    // nothing about: not excluded, bounded by its capacity, and neither from the sender nor
    // from the payee.
    template <class G>
    void mark(const Search<G>& s) {
        auto mark_node = [this](NodeIndex n) {
            if (n < flags.size()) {
                flags[n] |= k_marked;
            }
        };
        mark_node(s.req.source);
        mark_node(s.req.target);
        auto mark_channel = [&](ShortChannelId scid) {
            if (const ChannelInfo* c = s.graph.channel(scid)) {
                mark_node(c->node1);
                mark_node(c->node2);
            }
        };
        s.knowledge.visit_specifics(mark_node, mark_channel);
        if (s.req.payment_knowledge != nullptr) {
            s.req.payment_knowledge->visit_specifics(mark_node, mark_channel);
        }
    }
    bool marked(NodeIndex n) const { return (flags[n] & k_marked) != 0; }
};

Workspace& workspace() {
    // The simulation is single-threaded; one workspace per thread keeps tests that run
    // simulations on several threads safe.
    thread_local Workspace w;
    return w;
}

// The path edge a label's link names.
template <class G>
PathEdge path_edge(const Search<G>& s, const EdgeLink& link) {
    if (link.index >= EdgeLink::k_hint) {
        return s.hint_edges[link.index - EdgeLink::k_hint];
    }
    const ChannelInfo* c = s.graph.channel_infos_of(link.to)[link.index];
    const NodeIndex from = c->other(link.to);
    return PathEdge{c->scid, from, link.to, c->policy_from(from)};
}

// One route search: Dijkstra from the payee; run() returns the path (sender first) or nothing.
//
// Labels settle in increasing (amount + potential, cltv, hops, node) order, the potential being
// a lower bound on the fees still to come between the sender and the node (bound_from_sender;
// 0 everywhere makes this plain Dijkstra). Every edge adds a fee that covers the potential's
// change, a delta >= 0 and one hop; so a settled label never improves, and once the popped
// key plus the sender's hop is worse than the sender's best candidate on (amount, cltv, hops),
// nothing later can beat or tie that candidate and the search stops. The queue
// (route_queue.h) deletes lazily: an entry whose key is no longer its node's label is skipped,
// so the valid entries pop in exactly the order an ordered set of keys would give (keys are
// unique: they end with the node).
//
// The route is the one plain Dijkstra finds, ties included: that search settles nodes in label
// order and relaxes the edges into a settled node in list order (graph channels in scid order,
// then route hints in invoice order), keeping the first of equal labels a node is offered; this
// one keeps, of equal labels, the one that search would have offered first (offered_first),
// and the sender the candidate with the least scid.
//
// An edge from a node the sender's knowledge does not name, with arithmetic that fits 64 bits,
// takes relax_plain: the same decisions as relax, from the edge's copied fields, without the
// knowledge lookups (they would find nothing).
template <class G>
class PathSearch {
public:
    PathSearch(const Search<G>& s, const Limits& limits, Cuts* cuts)
        : s_(s), req_(s.req), limits_(limits), cuts_(cuts), w_(workspace()) {}

    std::optional<std::vector<PathEdge>> run() {
        w_.begin(s_.graph.node_count(), req_.amount_msat);
        w_.mark(s_);
        bound_from_sender();
        w_.set(req_.target, Label{req_.amount_msat, s_.final_total, 0, EdgeLink{}});
        w_.queue.push(w_.key(req_.target));
        auto current = [this](const Key& k) {
            return w_.key(static_cast<NodeIndex>(k.node)) == k;
        };
        while (!w_.queue.empty() || w_.queue.refill(current)) {
            const Key top = w_.queue.pop();
            auto v = static_cast<NodeIndex>(top.node);
            if (!current(top)) {
                continue;  // superseded by a better label
            }
            w_.settle(v);
            const Label lv = w_.label(v);
            // Every candidate still to come is at least the popped key plus a hop (the
            // sender's neighbours have potential 0).
            if (best_ && std::make_tuple(top.amount_msat, lv.cltv, lv.hops + 1) >
                             std::make_tuple(best_->amount_msat, best_->cltv, best_->hops)) {
                break;
            }
            if (lv.hops + 1 > req_.max_hops) {
                continue;
            }
            // The next node to settle is most likely the queue's next key: start loading its
            // records while v's are relaxed (a settled node's list is usually not in cache).
            if (const Key* next = w_.queue.peek()) {
                s_.graph.prefetch_in_edges(static_cast<NodeIndex>(next->node));
            }
            relax_into(v, lv);
        }
        if (!best_) {
            return std::nullopt;
        }
        std::vector<PathEdge> path{path_edge(s_, best_->next)};
        while (path.back().to != req_.target) {
            SIM_ASSERT(w_.reached(path.back().to));
            path.push_back(path_edge(s_, w_.label(path.back().to).next));
            SIM_ASSERT(path.size() <= req_.max_hops);
        }
        return path;
    }

private:
    // Edges the bound search may relax before it stops (see bound_from_sender).
    static constexpr size_t k_near_edges = 1024;
    // Distances past this are kept at it, so that a label's amount (below 2^63) plus a
    // potential fits 64 bits. Capping keeps the bound consistent (the least of a consistent
    // potential and a constant is one), only less tight for fees above 2^40 msat.
    static constexpr uint64_t k_near_cap = uint64_t{1} << 40;

    // Gives the search a potential: for each node, a lower bound on the fees any route from the
    // sender to it pays before it. It is a Dijkstra from the sender over the view's channels,
    // with the sender's own edges free and every other edge charging its fee on the payment's
    // amount (a hop forwards at least that much, and fees only grow with the amount), over
    // every channel whatever the knowledge says (more edges only lower a bound). It stops
    // after k_near_edges edges: the nodes it settled keep their distance, every other node
    // gets `radius`, the least distance it had not settled (no unsettled node is closer).
    //
    // The main search then orders labels by amount plus potential. That is Dijkstra on
    // reduced costs: an edge u -> v adds fee + potential(u) - potential(v) >= 0, since the
    // potential is consistent (a distance, or capped by radius), so every node settles with
    // the label a search without it would give it, and the sender's neighbours, at potential
    // 0, still stop the search. Only the order in which nodes settle changes; equal labels
    // keep the edge that search would have offered first (offered_first), so the route is
    // the same, decided by settling about the nodes near the cheapest routes instead of every
    // node closer to the payee: the region a payee-side search covers grows steeply with its
    // radius on a large graph.
    //
    // No potential (0 everywhere) with route hints (edges outside the view) or with amounts
    // or fee limits near 64 bits (the sum must not overflow).
    void bound_from_sender() {
        constexpr uint64_t k_large = uint64_t{1} << 62;
        if (!req_.route_hints.empty() || req_.amount_msat >= k_large ||
            limits_.max_fee_msat >= k_large) {
            return;
        }
        auto& heap = w_.near_heap;
        auto later = [](const auto& a, const auto& b) { return b < a; };
        heap.clear();
        heap.emplace_back(0, req_.source);
        w_.near[req_.source] = 0;
        w_.flags[req_.source] |= Workspace::k_near_reached;
        size_t relaxed = 0;
        while (!heap.empty()) {
            std::pop_heap(heap.begin(), heap.end(), later);
            const auto [d, x] = heap.back();
            heap.pop_back();
            if ((w_.flags[x] & Workspace::k_near_settled) != 0 || d != w_.near[x]) {
                continue;
            }
            w_.radius = d;
            if (relaxed >= k_near_edges) {
                return;
            }
            w_.flags[x] |= Workspace::k_near_settled;
            for (const OutEdge& e : s_.graph.out_edges_of(x)) {
                ++relaxed;
                const uint64_t fee = x == req_.source ? 0 : near_fee(e);
                const uint64_t to = std::min(d + fee, k_near_cap);
                uint8_t& f = w_.flags[e.to];
                if ((f & Workspace::k_near_settled) == 0 &&
                    ((f & Workspace::k_near_reached) == 0 || to < w_.near[e.to])) {
                    f |= Workspace::k_near_reached;
                    w_.near[e.to] = to;
                    heap.emplace_back(to, e.to);
                    std::push_heap(heap.begin(), heap.end(), later);
                }
            }
        }
    }

    // An edge's fee on the payment's amount, at most k_near_cap.
    uint64_t near_fee(const OutEdge& e) const {
        uint64_t product = 0;
        if (__builtin_mul_overflow(req_.amount_msat, uint64_t{e.fee_ppm}, &product)) {
            return k_near_cap;
        }
        return std::min(product / 1000000 + e.fee_base_msat, k_near_cap);
    }

    void relax_into(NodeIndex v, const Label& lv) {
        const std::span<const InEdge> ins = s_.graph.in_edges_of(v);
        Into into{v, lv, static_cast<unsigned>(std::bit_width(lv.amount_msat)), {}};
        std::span<const ChannelInfo* const> infos;  // fetched for the first general edge
        // A node removed from the graph has no graph channels: only the sender's own reach it
        // (removed_from_graph).
        const bool removed = s_.exclusions_remove_from_graph && s_.knowledge.is_excluded(v);
        for (uint32_t i = 0; i < ins.size(); ++i) {
            const InEdge& in = ins[i];
            if (!s_.shadowed.empty() && is_shadowed(in.from, v)) {
                continue;  // a merged hint edge below stands for it
            }
            if (removed && in.from != req_.source) {
                continue;
            }
            if (relax_plain(into, in, i)) {
                continue;
            }
            if (infos.empty()) {
                infos = s_.graph.channel_infos_of(v);
            }
            const ChannelInfo* c = infos[i];
            relax(lv, EdgeRef{c->scid, in.from, v, &c->policy_from(in.from), c->capacity_msat,
                              EdgeLink{v, i}});
        }
        for (uint32_t j = 0; j < s_.hint_edges.size(); ++j) {
            const PathEdge& e = s_.hint_edges[j];
            if (e.to == v) {
                SIM_ASSERT(e.from < s_.graph.node_count());
                // A hint over a channel the graph does not hold (or no longer does:
                // removed_from_graph) is a private hop: no capacity known.
                const ChannelInfo* c = s_.graph.channel(e.scid);
                const bool private_hop =
                    c == nullptr || (s_.exclusions_remove_from_graph &&
                                     removed_from_graph(s_.knowledge, e.scid, e.from, v));
                relax(lv, EdgeRef{e.scid, e.from, v, &e.policy,
                                  private_hop ? UINT64_MAX : c->capacity_msat,
                                  EdgeLink{v, EdgeLink::k_hint + j}});
            }
        }
    }

    bool is_shadowed(NodeIndex from, NodeIndex to) const {
        return std::ranges::find(s_.shadowed, std::make_pair(from, to)) != s_.shadowed.end();
    }

    // The settled node whose edges in are being relaxed.
    struct Into {
        NodeIndex v = k_no_node;
        Label lv;
        unsigned amount_width = 0;           // std::bit_width(lv.amount_msat)
        std::span<const InRange> ranges;     // fetched when a record's magnitudes cannot tell
    };

    // Whether edge i into v takes lv's amount (edge_usable's answer for an unmarked sender).
    bool carries(Into& into, const InEdge& in, uint32_t i) {
        if (in.surely_carries(into.amount_width)) {
            return true;
        }
        if (into.ranges.empty()) {
            into.ranges = s_.graph.in_ranges_of(into.v);
        }
        return into.ranges[i].carries(into.lv.amount_msat);
    }

    // relax for the common edge, from its copied fields: from a node that is not marked (so
    // neither the sender nor the payee, and the knowledge says nothing about it), with a base
    // fee in 32 bits, a CLTV delta in 16 and arithmetic that fits 64 bits. Returns false, having
    // decided nothing, for any other edge. The amount range is asked only where its answer
    // changes something (a cut or a better label): a settled sender or a label no better than
    // u's has the same outcome either way.
    bool relax_plain(Into& into, const InEdge& in, uint32_t i) {
        const Label& lv = into.lv;
        const NodeIndex u = in.from;
        const uint8_t flags = w_.flags[u];
        if ((flags & Workspace::k_marked) != 0 || in.fee_base_msat == InEdge::k_wide) {
            return false;
        }
        uint64_t product = 0;
        uint64_t fee = 0;
        uint64_t amount = 0;
        if (in.cltv_expiry_delta > UINT32_MAX - lv.cltv ||
            __builtin_mul_overflow(lv.amount_msat, uint64_t{in.fee_ppm}, &product) ||
            __builtin_add_overflow(product / 1000000, uint64_t{in.fee_base_msat}, &fee) ||
            __builtin_add_overflow(lv.amount_msat, fee, &amount)) {
            return false;
        }
        if ((flags & Workspace::k_settled) != 0) {
            return true;
        }
        const uint32_t cltv = lv.cltv + in.cltv_expiry_delta;
        const bool over_fee = amount - req_.amount_msat > limits_.max_fee_msat;
        const bool over_cltv = cltv > limits_.cltv_budget;
        if (over_fee || over_cltv) [[unlikely]] {
            if (carries(into, in, i)) {
                cut(over_fee, over_cltv);
            }
            return true;
        }
        const Key ku{amount + w_.potential(u), (uint64_t{cltv} << 32) | (lv.hops + 1), u};
        const EdgeLink link{into.v, i};
        bool no_better = false;
        if ((flags & Workspace::k_reached) != 0) {
            const Key current = w_.key(u);
            no_better = !(ku < current);
            if (no_better && !(ku == current && w_.offered_first(link, u))) {
                return true;
            }
        }
        if (!carries(into, in, i)) {
            return true;
        }
        if (no_better) {
            w_.next[u] = link;  // the same label, over the edge offered first (offered_first)
            return true;
        }
        w_.set(u, Label{amount, cltv, lv.hops + 1, link});
        w_.queue.push(ku);
        return true;
    }

    void cut(bool over_fee, bool over_cltv) {
        if (cuts_ != nullptr) {
            cuts_->any = true;
            cuts_->fee_alone = cuts_->fee_alone || !over_cltv;
            cuts_->cltv_alone = cuts_->cltv_alone || !over_fee;
        }
    }

    void relax(const Label& lv, const EdgeRef& e) {
        NodeIndex u = e.from;
        if (u == req_.target) {
            return;
        }
        // u was popped before v, so its label is at most v's; the label through v adds a fee
        // >= 0, a delta >= 0 and a hop, so it is strictly worse and the comparison in consider
        // would discard it whatever the liquidity and the limits say. Skipped without those
        // lookups when the arithmetic cannot overflow (an overflow takes the path below).
        uint64_t with_fee = 0;
        const bool fits = e.policy->cltv_expiry_delta <= UINT32_MAX - lv.cltv &&
                          amount_with_fee_msat_64(*e.policy, lv.amount_msat, &with_fee);
        if (fits && w_.is_settled(u)) {
            return;
        }
        if (!edge_usable(s_, e, lv.amount_msat)) {
            return;
        }
        Label lu{lv.amount_msat, lv.cltv, lv.hops + 1, e.link};
        if (u != req_.source) {
            if (!fits) {
                // An amount past 64 bits or an expiry past 32 is over every limit a search can
                // have (a scenario can set such fees and deltas): the edge is unusable.
                const std::optional<uint64_t> amount =
                    amount_with_fee_msat_checked(*e.policy, lv.amount_msat);
                if (!amount || e.policy->cltv_expiry_delta > UINT32_MAX - lv.cltv) {
                    return;
                }
                with_fee = *amount;
            }
            lu.amount_msat = with_fee;
            lu.cltv = lv.cltv + e.policy->cltv_expiry_delta;
        }
        consider(u, lu, e.scid);
    }

    // The limits, then the sender's candidates (ordered by scid after the label) or u's label.
    void consider(NodeIndex u, const Label& lu, ShortChannelId scid) {
        const bool over_fee = lu.amount_msat - req_.amount_msat > limits_.max_fee_msat;
        const bool over_cltv = lu.cltv > limits_.cltv_budget;
        if (over_fee || over_cltv) {
            cut(over_fee, over_cltv);
            return;
        }
        if (u == req_.source) {
            auto cand = std::make_tuple(lu.amount_msat, lu.cltv, lu.hops, scid.value);
            if (!best_ || cand < std::make_tuple(best_->amount_msat, best_->cltv, best_->hops,
                                                 best_scid_.value)) {
                best_ = lu;
                best_scid_ = scid;
            }
            return;
        }
        const Key ku = w_.key_of(lu, u);
        if (w_.reached(u) && !(ku < w_.key(u))) {
            if (ku == w_.key(u) && w_.offered_first(lu.next, u)) {
                w_.next[u] = lu.next;  // as in relax_plain
            }
            return;
        }
        w_.set(u, lu);
        w_.queue.push(ku);
    }

    const Search<G>& s_;
    const PaymentRequest& req_;
    const Limits& limits_;
    Cuts* cuts_;
    Workspace& w_;
    std::optional<Label> best_;  // the sender's own label
    ShortChannelId best_scid_;
};

template <class G>
std::optional<std::vector<PathEdge>> search_path(const Search<G>& s, const Limits& limits,
                                                 Cuts* cuts = nullptr) {
    return PathSearch<G>(s, limits, cuts).run();
}

// Says which limit stopped a search that found nothing under `limits` (and cut `cuts`). Each
// looser search that would repeat the failed one decision for decision (see Cuts) is not run:
// its answer, no path, is known.
// The largest total CLTV delta a route starting at `start_height` can have: every expiry is
// an absolute height in 32 bits (BOLT 4's outgoing_cltv_value), so a larger one would wrap.
uint32_t expiry_room(uint32_t start_height) { return UINT32_MAX - start_height; }

template <class G>
std::string describe_failure(const Search<G>& s, const Limits& limits, const Cuts& cuts,
                             uint32_t start_height) {
    const PaymentRequest& req = s.req;
    std::string what = "no route from " + s.graph.alias(req.source) + " to " +
                       s.graph.alias(req.target) + " for " + num(req.amount_msat) + " msat";
    using Path = std::optional<std::vector<PathEdge>>;
    const uint32_t room = expiry_room(start_height);  // no looser CLTV limit exists
    const Path relaxed = cuts.any ? search_path(s, Limits{UINT64_MAX, room}) : Path{};
    if (!relaxed) {
        return what + ": no path with enough known liquidity within " + num(req.max_hops) +
               " hops";
    }
    Route r = build_route(*relaxed, req.amount_msat, start_height, s.final_total);
    if (!cuts.cltv_alone || !search_path(s, Limits{limits.max_fee_msat, room})) {
        return what + ": cheapest route needs fee " + num(r.total_fee_msat) +
               " msat, above the max fee " + num(limits.max_fee_msat) + " msat";
    }
    if (!cuts.fee_alone || !search_path(s, Limits{UINT64_MAX, limits.cltv_budget})) {
        return what + ": routes need a total CLTV delta of at least " +
               num(r.total_cltv_delta) + ", above the cltv_limit " + num(limits.cltv_budget);
    }
    return what + ": no route meets both the max fee " + num(limits.max_fee_msat) +
           " msat and the cltv_limit " + num(limits.cltv_budget);
}

}  // namespace

template <class G>
Result<Route> find_route_in(const G& graph, const LiquidityKnowledge& knowledge,
                            const Profile& sender, const PaymentRequest& req_in) {
    // The sender's implementation caps the route's length (LDK: 19 channels).
    PaymentRequest capped;
    const PaymentRequest* chosen = &req_in;
    if (req_in.max_hops > sender.max_path_length) {
        capped = req_in;
        capped.max_hops = sender.max_path_length;
        chosen = &capped;
    }
    const PaymentRequest& req = *chosen;
    SIM_ASSERT(req.source < graph.node_count());
    SIM_ASSERT(req.target < graph.node_count());
    if (req.source == req.target || req.amount_msat == 0) {
        return Result<Route>::failure("nothing to route: source is the payee or amount is 0");
    }
    Result<uint32_t> limit = effective_cltv_limit(sender, req);
    if (!limit.ok()) {
        return Result<Route>::failure(limit.error());
    }
    std::vector<std::pair<NodeIndex, NodeIndex>> shadowed;
    std::vector<PathEdge> hints = hint_edges_of(graph, knowledge, sender, req, &shadowed);
    Search<G> s{graph, knowledge, req, std::move(hints),
                req.final_cltv_delta + req.shadow_cltv_offset + sender.final_cltv_padding,
                std::move(shadowed),
                sender.failure_memory == FailureMemory::ldk_permanent_to_graph};
    const uint32_t start_height = req.tip + sender.send_height_offset;
    // The effective limit: the profile's or the request's, and never past what a 32-bit
    // expiry can hold (failure messages name this value).
    Limits limits{req.max_fee_msat.value_or(default_max_fee_msat(sender, req.amount_msat)),
                  std::min(limit.value(), expiry_room(start_height))};
    if (s.final_total > limits.cltv_budget) {
        return Result<Route>::failure("final CLTV delta " + num(s.final_total) +
                                      " alone exceeds the cltv_limit " + num(limits.cltv_budget));
    }
    Cuts cuts;
    auto path = search_path(s, limits, &cuts);
    if (!path) {
        return Result<Route>::failure(describe_failure(s, limits, cuts, start_height));
    }
    Route route = build_route(*path, req.amount_msat, start_height, s.final_total);
    SIM_ASSERT(route.total_fee_msat <= limits.max_fee_msat);
    SIM_ASSERT(route.total_cltv_delta <= limits.cltv_budget);
    return Result<Route>::success(std::move(route));
}

Result<Route> find_route(const Graph& graph, const LiquidityKnowledge& knowledge,
                         const Profile& sender, const PaymentRequest& req) {
    return find_route_in(graph, knowledge, sender, req);
}

Result<Route> find_route(const GraphView& graph, const LiquidityKnowledge& knowledge,
                         const Profile& sender, const PaymentRequest& req) {
    return find_route_in(graph, knowledge, sender, req);
}

}  // namespace actors::lightning
