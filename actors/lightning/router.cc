// Route construction, the payee-to-payer Dijkstra and failure learning (see router.h).
#include "actors/lightning/router.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "sim/assert.h"

namespace actors::lightning {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

// Best known way from a node to the payee: the HTLC that must arrive at the node.
struct Label {
    bool reached = false;
    uint64_t amount_msat = 0;
    uint32_t cltv = 0;   // expiry of that HTLC minus start height
    uint32_t hops = 0;   // edges from the node to the payee
    PathEdge next;       // the edge the node forwards over
};

using Key = std::tuple<uint64_t, uint32_t, uint32_t, uint64_t>;

Key key_of(const Label& l, NodeIndex node) {
    return {l.amount_msat, l.cltv, l.hops, node};
}

struct Limits {
    uint64_t max_fee_msat = UINT64_MAX;
    uint32_t cltv_budget = UINT32_MAX;  // bound on total delta (final + padding included)
};

struct Search {
    const Graph& graph;
    const LiquidityKnowledge& knowledge;
    const PaymentRequest& req;
    std::vector<PathEdge> hint_edges;
    uint32_t final_total = 0;
};

std::vector<PathEdge> hint_edges_of(const PaymentRequest& req) {
    std::vector<PathEdge> edges;
    for (const RouteHint& hint : req.route_hints) {
        for (size_t i = 0; i < hint.size(); ++i) {
            NodeIndex to = i + 1 < hint.size() ? hint[i + 1].source : req.target;
            SIM_ASSERT(hint[i].source != k_no_node);
            edges.push_back(PathEdge{hint[i].scid, hint[i].source, to, hint[i].policy});
        }
    }
    return edges;
}

// Edges u -> v into `v`: graph channels in scid order, then route hints in invoice order.
std::vector<PathEdge> edges_into(const Search& s, NodeIndex v) {
    std::vector<PathEdge> edges;
    edges.reserve(s.graph.channels_of(v).size());
    for (ShortChannelId scid : s.graph.channels_of(v)) {
        const ChannelInfo* c = s.graph.channel(scid);
        NodeIndex u = c->other(v);
        edges.push_back(PathEdge{scid, u, v, c->policy_from(u)});
    }
    for (const PathEdge& e : s.hint_edges) {
        if (e.to == v) {
            SIM_ASSERT(e.from < s.graph.node_count());
            edges.push_back(e);
        }
    }
    return edges;
}

// Whether `u` may send `amount_msat` over edge e (policy limits apply to remote senders only:
// the sender's own channel charges nothing and its limits are the balance).
bool edge_usable(const Search& s, const PathEdge& e, uint64_t amount_msat) {
    NodeIndex u = e.from;
    if (s.knowledge.is_excluded(e.scid)) {
        return false;
    }
    if (u != s.req.source) {
        if (s.knowledge.is_excluded(u) || e.policy.disabled) {
            return false;
        }
        if (amount_msat < e.policy.htlc_minimum_msat ||
            amount_msat > e.policy.htlc_maximum_msat) {
            return false;
        }
    }
    return s.knowledge.can_carry(s.graph, e.scid, u, amount_msat);
}

// Dijkstra from the payee; returns the path (sender first) or nothing.
std::optional<std::vector<PathEdge>> search_path(const Search& s, const Limits& limits) {
    const PaymentRequest& req = s.req;
    std::vector<Label> labels(s.graph.node_count());
    labels[req.target] = Label{true, req.amount_msat, s.final_total, 0, PathEdge{}};
    std::set<Key> queue{key_of(labels[req.target], req.target)};
    std::optional<Label> best;  // the sender's own label
    while (!queue.empty()) {
        auto v = static_cast<NodeIndex>(std::get<3>(*queue.begin()));
        queue.erase(queue.begin());
        const Label lv = labels[v];
        if (lv.hops + 1 > req.max_hops) {
            continue;
        }
        for (const PathEdge& e : edges_into(s, v)) {
            NodeIndex u = e.from;
            if (u == req.target || !edge_usable(s, e, lv.amount_msat)) {
                continue;
            }
            Label lu{true, lv.amount_msat, lv.cltv, lv.hops + 1, e};
            if (u != req.source) {
                lu.amount_msat = amount_with_fee_msat(e.policy, lv.amount_msat);
                lu.cltv = lv.cltv + e.policy.cltv_expiry_delta;
            }
            if (lu.amount_msat - req.amount_msat > limits.max_fee_msat ||
                lu.cltv > limits.cltv_budget) {
                continue;
            }
            if (u == req.source) {
                auto cand = std::make_tuple(lu.amount_msat, lu.cltv, lu.hops, e.scid.value);
                if (!best || cand < std::make_tuple(best->amount_msat, best->cltv, best->hops,
                                                    best->next.scid.value)) {
                    best = lu;
                }
                continue;
            }
            if (labels[u].reached && key_of(labels[u], u) <= key_of(lu, u)) {
                continue;
            }
            if (labels[u].reached) {
                queue.erase(key_of(labels[u], u));
            }
            labels[u] = lu;
            queue.insert(key_of(lu, u));
        }
    }
    if (!best) {
        return std::nullopt;
    }
    std::vector<PathEdge> path{best->next};
    while (path.back().to != req.target) {
        path.push_back(labels[path.back().to].next);
        SIM_ASSERT(path.size() <= req.max_hops);
    }
    return path;
}

std::string describe_failure(const Search& s, const Limits& limits, uint32_t start_height) {
    const PaymentRequest& req = s.req;
    std::string what = "no route from " + s.graph.alias(req.source) + " to " +
                       s.graph.alias(req.target) + " for " + num(req.amount_msat) + " msat";
    auto relaxed = search_path(s, Limits{});
    if (!relaxed) {
        return what + ": no path with enough known liquidity within " + num(req.max_hops) +
               " hops";
    }
    Route r = build_route(*relaxed, req.amount_msat, start_height, s.final_total);
    if (!search_path(s, Limits{limits.max_fee_msat, UINT32_MAX})) {
        return what + ": cheapest route needs fee " + num(r.total_fee_msat) +
               " msat, above the max fee " + num(limits.max_fee_msat) + " msat";
    }
    if (!search_path(s, Limits{UINT64_MAX, limits.cltv_budget})) {
        return what + ": routes need a total CLTV delta of at least " +
               num(r.total_cltv_delta) + ", above the cltv_limit " + num(limits.cltv_budget);
    }
    return what + ": no route meets both the max fee " + num(limits.max_fee_msat) +
           " msat and the cltv_limit " + num(limits.cltv_budget);
}

}  // namespace

Route build_route(const std::vector<PathEdge>& path, uint64_t amount_msat, uint32_t start_height,
                  uint32_t final_cltv_delta) {
    SIM_ASSERT(!path.empty());
    Route route;
    route.start_height = start_height;
    route.amount_msat = amount_msat;
    route.hops.resize(path.size());
    for (size_t i = path.size(); i-- > 0;) {
        RouteHop& hop = route.hops[i];
        hop.node = path[i].to;
        hop.scid = path[i].scid;
        if (i + 1 == path.size()) {
            hop.amount_msat = amount_msat;
            hop.cltv_expiry = start_height + final_cltv_delta;
            continue;
        }
        SIM_ASSERT(path[i].to == path[i + 1].from);
        const RouteHop& next = route.hops[i + 1];
        const ChannelPolicy& out = path[i + 1].policy;
        hop.fee_msat = forwarding_fee_msat(out, next.amount_msat);
        hop.cltv_delta = out.cltv_expiry_delta;
        hop.amount_msat = next.amount_msat + hop.fee_msat;
        hop.cltv_expiry = next.cltv_expiry + hop.cltv_delta;
    }
    route.total_amount_msat = route.hops.front().amount_msat;
    route.total_fee_msat = route.total_amount_msat - amount_msat;
    route.total_cltv_delta = route.hops.front().cltv_expiry - start_height;
    return route;
}

uint64_t default_max_fee_msat(const Profile& sender, uint64_t amount_msat) {
    switch (sender.default_fee_limit) {
        case DefaultFeeLimit::ldk_one_percent_plus_50_sat:
            return amount_msat / 100 + 50000;
        case DefaultFeeLimit::lnd_full_below_1000_sat_else_5_percent:
            return amount_msat <= 1000000 ? amount_msat : amount_msat / 100 * 5;
        case DefaultFeeLimit::cln_half_percent_exempt_5000:
            return std::max<uint64_t>(5000, amount_msat / 1000 * 5);
    }
    return 0;
}

PaymentRequest payment_request_from_invoice(const Profile& sender, NodeIndex source,
                                            const Invoice& invoice, uint32_t tip) {
    PaymentRequest req;
    req.source = source;
    req.target = invoice.payee;
    req.amount_msat = invoice.amount_msat.value_or(0);
    req.final_cltv_delta = invoice.final_cltv_delta_or(sender.assumed_final_cltv_delta);
    req.route_hints = invoice.route_hints;
    req.tip = tip;
    return req;
}

Result<uint32_t> effective_cltv_limit(const Profile& sender, const PaymentRequest& req) {
    uint32_t limit = req.cltv_limit.value_or(sender.default_cltv_limit);
    if (limit == 0 && sender.cltv_limit_zero_means_default) {
        // LND treats 0 as "unset" and applies --max-cltv-expiry (2016) instead.
        limit = sender.default_cltv_limit;
    }
    uint32_t final_total = req.final_cltv_delta + req.shadow_cltv_offset +
                           sender.final_cltv_padding;
    if (sender.cltv_limit_must_exceed_final && limit <= final_total) {
        return Result<uint32_t>::failure("cltv limit " + num(limit) +
                                         " should be greater than " + num(final_total));
    }
    return Result<uint32_t>::success(limit);
}

Result<Route> find_route(const Graph& graph, const LiquidityKnowledge& knowledge,
                         const Profile& sender, const PaymentRequest& req) {
    SIM_ASSERT(req.source < graph.node_count());
    SIM_ASSERT(req.target < graph.node_count());
    if (req.source == req.target || req.amount_msat == 0) {
        return Result<Route>::failure("nothing to route: source is the payee or amount is 0");
    }
    Result<uint32_t> limit = effective_cltv_limit(sender, req);
    if (!limit.ok()) {
        return Result<Route>::failure(limit.error());
    }
    Search s{graph, knowledge, req, hint_edges_of(req),
             req.final_cltv_delta + req.shadow_cltv_offset + sender.final_cltv_padding};
    Limits limits{req.max_fee_msat.value_or(default_max_fee_msat(sender, req.amount_msat)),
                  limit.value()};
    uint32_t start_height = req.tip + sender.send_height_offset;
    if (s.final_total > limits.cltv_budget) {
        return Result<Route>::failure("final CLTV delta " + num(s.final_total) +
                                      " alone exceeds the cltv_limit " + num(limits.cltv_budget));
    }
    auto path = search_path(s, limits);
    if (!path) {
        return Result<Route>::failure(describe_failure(s, limits, start_height));
    }
    Route route = build_route(*path, req.amount_msat, start_height, s.final_total);
    SIM_ASSERT(route.total_fee_msat <= limits.max_fee_msat);
    SIM_ASSERT(route.total_cltv_delta <= limits.cltv_budget);
    return Result<Route>::success(std::move(route));
}

void learn_from_failure(LiquidityKnowledge* knowledge, const Route& route, NodeIndex sender,
                        int failing_hop, FailureCode code) {
    SIM_ASSERT(failing_hop >= -1);
    SIM_ASSERT(failing_hop < static_cast<int>(route.hops.size()));
    // Every channel up to the reporting node carried the HTLC.
    for (int i = 0; i <= failing_hop; ++i) {
        auto idx = static_cast<size_t>(i);
        NodeIndex from = i == 0 ? sender : route.hops[idx - 1].node;
        knowledge->learn_success(route.hops[idx].scid, from, route.hops[idx].amount_msat);
    }
    bool is_final = failing_hop + 1 == static_cast<int>(route.hops.size());
    if (failing_hop < 0 || is_final) {
        return;
    }
    const RouteHop& reporter = route.hops[static_cast<size_t>(failing_hop)];
    const RouteHop& next = route.hops[static_cast<size_t>(failing_hop) + 1];
    if (is_node_failure(code)) {
        knowledge->exclude_node(reporter.node);
    } else if (code == FailureCode::temporary_channel_failure) {
        knowledge->learn_failure(next.scid, reporter.node, next.amount_msat);
    } else if (is_permanent(code) || code == FailureCode::channel_disabled) {
        knowledge->exclude_channel(next.scid);
    }
    // Policy failures (fee_insufficient, incorrect_cltv_expiry, ...) carry a channel_update;
    // applying it to the graph is the node actor's job.
}

}  // namespace actors::lightning
