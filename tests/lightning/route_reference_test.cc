// The route search against a textbook Dijkstra, on random graphs that change between searches.
//
// The search (router.cc) is tuned: compact per-node records in one flat array, rebuilt after
// channels come and go and patched in place by policy updates, a bucketed queue, an amount range
// read only when it matters, and a fee bound from the sender that changes the order nodes settle
// in. The reference below is the plain algorithm over the graph's ChannelInfo entries, with the
// same label order (amount, cltv, hops, node), the same edge rules and the same ties, so on
// every search both must agree on whether a route exists and on the route itself, channel for
// channel; and every route must be usable on the graph as it is now.
// Policies sit on the HTLC limits' edges (an amount one below, at and one above a minimum or a
// maximum, a capacity equal to the amount), where an off-by-one in the compact records shows.
// Last, a small graph whose labels come within 2^40 of 2^64, where the fee bound must be off.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "actors/lightning/policy.h"
#include "actors/lightning/router.h"
#include "sim/random.h"

using namespace actors::lightning;

namespace {

struct Best {
    uint64_t amount_msat = 0;
    uint32_t cltv = 0;
    uint32_t hops = 0;
    bool operator==(const Best&) const = default;
};

// The reference's answer: the best label and its channels, sender first.
struct Found {
    Best best;
    std::vector<ShortChannelId> path;
};

// Dijkstra from the payee with no liquidity knowledge, no route hints and limits too loose to
// cut: the sender's own channel charges nothing and only its capacity limits it; any other
// channel u -> v needs u's policy enabled, the amount within its HTLC limits and the capacity.
// Ties as the router documents them: a node keeps the first of equal labels offered (nodes
// settle in label order and relax their channels in scid order), the sender the candidate
// with the least scid.
std::optional<Found> reference_search(const Graph& g, const PaymentRequest& req) {
    using Key = std::tuple<uint64_t, uint32_t, uint32_t, NodeIndex>;
    std::vector<std::optional<Key>> label(g.node_count());
    std::vector<ShortChannelId> via(g.node_count());  // the channel a node forwards over
    std::vector<bool> settled(g.node_count(), false);
    std::set<Key> open;
    label[req.target] = Key{req.amount_msat, req.final_cltv_delta, 0, req.target};
    open.insert(*label[req.target]);
    std::optional<Best> best;
    ShortChannelId best_scid;
    while (!open.empty()) {
        const auto [amount, cltv, hops, v] = *open.begin();
        open.erase(open.begin());
        settled[v] = true;
        if (best && std::make_tuple(amount, cltv, hops + 1) >
                        std::make_tuple(best->amount_msat, best->cltv, best->hops)) {
            break;
        }
        if (hops + 1 > req.max_hops) {
            continue;
        }
        for (ShortChannelId scid : g.channels_of(v)) {
            const ChannelInfo& c = *g.channel(scid);
            const NodeIndex u = c.node1 == v ? c.node2 : c.node1;
            if (u == req.target || settled[u] || amount > c.capacity_msat) {
                continue;
            }
            if (u == req.source) {
                Best cand{amount, cltv, hops + 1};
                if (!best || std::make_tuple(cand.amount_msat, cand.cltv, cand.hops, scid) <
                                 std::make_tuple(best->amount_msat, best->cltv, best->hops,
                                                 best_scid)) {
                    best = cand;
                    best_scid = scid;
                }
                continue;
            }
            const ChannelPolicy& p = c.policy_from(u);
            if (p.disabled || amount < p.htlc_minimum_msat || amount > p.htlc_maximum_msat) {
                continue;
            }
            const Key ku{amount_with_fee_msat(p, amount), cltv + p.cltv_expiry_delta, hops + 1, u};
            if (label[u] && !(ku < *label[u])) {
                continue;
            }
            if (label[u]) {
                open.erase(*label[u]);
            }
            label[u] = ku;
            via[u] = scid;
            open.insert(ku);
        }
    }
    if (!best) {
        return std::nullopt;
    }
    Found found{*best, {best_scid}};
    NodeIndex at = g.channel(best_scid)->other(req.source);
    while (at != req.target) {
        found.path.push_back(via[at]);
        at = g.channel(via[at])->other(at);
    }
    return found;
}

std::vector<ShortChannelId> scids_of(const Route& r) {
    std::vector<ShortChannelId> scids;
    for (const RouteHop& hop : r.hops) {
        scids.push_back(hop.scid);
    }
    return scids;
}

// With `ties`, fees and deltas come from a few round values, so many routes to a node cost
// exactly the same and the tie rules decide the route.
ChannelPolicy random_policy(sim::Random& rng, uint64_t amount_msat, bool ties) {
    ChannelPolicy p;
    if (ties) {
        p.fee_base_msat = 500 * rng.below(3);
        p.fee_ppm = 0;
        p.cltv_expiry_delta = static_cast<uint32_t>(40 * rng.below(2));
    } else {
        p.fee_base_msat = rng.below(4) == 0 ? 0 : rng.below(2000);
        p.fee_ppm = static_cast<uint32_t>(rng.below(3) == 0 ? 1 : rng.below(5000));
        p.cltv_expiry_delta = static_cast<uint32_t>(rng.below(4) == 0 ? 0 : 6 + rng.below(200));
    }
    // Limits around the amounts routes forward (the payee's amount is `amount_msat` plus up to
    // 1,000 msat, and fees add up to a few thousand per hop), so they fall on both sides of
    // the forwarded amounts, often by one.
    switch (rng.below(5)) {
        case 0: p.htlc_minimum_msat = amount_msat + rng.below(4000); break;
        case 1: p.htlc_maximum_msat = amount_msat + rng.below(4000); break;
        case 2: p.htlc_maximum_msat = amount_msat - 1 + rng.below(1002); break;
        default: break;
    }
    p.disabled = rng.below(12) == 0;
    return p;
}

ChannelInfo random_channel(sim::Random& rng, uint32_t block, NodeIndex a, NodeIndex b,
                           uint64_t amount_msat, bool ties) {
    ChannelInfo c;
    c.scid = ShortChannelId::from_parts(block, 1, 0);
    c.node1 = a;
    c.node2 = b;
    c.capacity_msat = rng.below(5) == 0 ? amount_msat + rng.below(2) : 1000 * amount_msat;
    c.policy_1to2 = random_policy(rng, amount_msat, ties);
    c.policy_2to1 = random_policy(rng, amount_msat, ties);
    return c;
}

// The route's numbers recomputed from the graph as it is: every hop on a channel that exists
// between the two nodes, every forwarded amount within the forwarder's enabled policy and the
// capacity, every fee and delta the forwarder's current one.
void check_usable(const Graph& g, const PaymentRequest& req, const Route& r) {
    NodeIndex from = req.source;
    for (size_t i = 0; i < r.hops.size(); ++i) {
        const RouteHop& hop = r.hops[i];
        const ChannelInfo* c = g.channel(hop.scid);
        REQUIRE(c != nullptr);
        REQUIRE(c->has_endpoint(from));
        REQUIRE(c->has_endpoint(hop.node));
        CHECK(hop.amount_msat <= c->capacity_msat);
        if (i + 1 < r.hops.size()) {
            const RouteHop& next = r.hops[i + 1];
            const ChannelPolicy& p = g.channel(next.scid)->policy_from(hop.node);
            CHECK_FALSE(p.disabled);
            CHECK(next.amount_msat >= p.htlc_minimum_msat);
            CHECK(next.amount_msat <= p.htlc_maximum_msat);
            CHECK(hop.amount_msat == amount_with_fee_msat(p, next.amount_msat));
            CHECK(hop.cltv_expiry == next.cltv_expiry + p.cltv_expiry_delta);
        }
        from = hop.node;
    }
    CHECK(from == req.target);
    CHECK(r.hops.back().amount_msat == req.amount_msat);
}

// Searches random graphs of `nodes_base` + up to `nodes_spread` nodes (3 channels a node, one
// end of every other channel drawn from the ends of earlier ones, so some nodes become hubs),
// 12 steps of 5 searches each, changing the graph between steps. With `mark_all` the sender's
// knowledge says each channel carried 1 msat both ways: no bound changes (every amount is at
// least that), but every node is then one the knowledge names, so every edge takes the search's
// general path instead of its compact records. Returns (searches, routes).
std::pair<uint64_t, uint64_t> compare_on_random_graphs(uint64_t seeds, uint32_t nodes_base,
                                                       uint32_t nodes_spread, bool ties,
                                                       bool mark_all) {
    const Profile cln = cln_profile();
    uint64_t searches = 0;
    uint64_t routes = 0;
    for (uint64_t seed = 1; seed <= seeds; ++seed) {
        sim::Random rng(seed);
        const uint64_t amount = 100000 + rng.below(2000000);
        const auto nodes = static_cast<uint32_t>(nodes_base + rng.below(nodes_spread));
        Graph g;
        for (uint32_t n = 0; n < nodes; ++n) {
            g.add_node("n" + std::to_string(n));
        }
        uint32_t block = 1;
        std::vector<ShortChannelId> open;
        std::vector<NodeIndex> ends;
        auto add_random_channel = [&] {
            const auto a = static_cast<NodeIndex>(rng.below(g.node_count()));
            const auto b = ends.empty() || rng.below(2) == 0
                               ? static_cast<NodeIndex>(rng.below(g.node_count()))
                               : ends[rng.below(ends.size())];
            if (a != b) {
                ChannelInfo c = random_channel(rng, block++, a, b, amount, ties);
                REQUIRE(g.add_channel(c).ok());
                open.push_back(c.scid);
                ends.push_back(a);
                ends.push_back(b);
            }
        };
        for (uint32_t i = 0; i < 3 * nodes; ++i) {
            add_random_channel();
        }
        for (int step = 0; step < 12; ++step) {
            for (int k = 0; k < 5; ++k) {
                PaymentRequest req;
                req.source = static_cast<NodeIndex>(rng.below(g.node_count()));
                req.target = static_cast<NodeIndex>(rng.below(g.node_count()));
                if (req.source == req.target) {
                    continue;
                }
                req.amount_msat = amount + rng.below(1000);
                req.final_cltv_delta = 18;
                req.tip = 1000;
                req.max_fee_msat = UINT64_MAX / 4;
                req.cltv_limit = 1u << 30;
                INFO("seed " << seed << " step " << step << " " << req.source << " -> "
                             << req.target << " for " << req.amount_msat);
                const std::optional<Found> want = reference_search(g, req);
                LiquidityKnowledge knowledge(req.source);
                if (mark_all) {
                    for (const auto& [scid, c] : g.channels()) {
                        knowledge.learn_success(scid, c.node1, 1);
                        knowledge.learn_success(scid, c.node2, 1);
                    }
                }
                const Result<Route> got = find_route(g, knowledge, cln, req);
                ++searches;
                REQUIRE(got.ok() == want.has_value());
                if (!want) {
                    continue;
                }
                ++routes;
                const Route& r = got.value();
                CHECK(Best{r.total_amount_msat, r.total_cltv_delta,
                           static_cast<uint32_t>(r.hops.size())} == want->best);
                CHECK(scids_of(r) == want->path);
                check_usable(g, req, r);
            }
            // Change the graph between searches: policies updated in place, a channel closed,
            // a node and channels added (the search's flat records are patched or rebuilt).
            for (int k = 0; k < 4 && !open.empty(); ++k) {
                const ShortChannelId scid = open[rng.below(open.size())];
                const ChannelInfo* c = g.channel(scid);
                const NodeIndex from = rng.below(2) == 0 ? c->node1 : c->node2;
                REQUIRE(g.update_policy(scid, from, random_policy(rng, amount, ties)));
            }
            if (rng.below(2) == 0 && !open.empty()) {
                const size_t i = rng.below(open.size());
                REQUIRE(g.remove_channel(open[i]));
                open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
            }
            if (rng.below(3) == 0) {
                g.add_node("late" + std::to_string(step));
            }
            add_random_channel();
        }
    }
    return {searches, routes};
}

}  // namespace

// Small graphs: the search's fee bound from the sender (router.cc) usually covers all of them.
TEST_CASE("the route search agrees with a textbook Dijkstra as the graph changes",
          "[lightning][router][property]") {
    const auto [searches, routes] = compare_on_random_graphs(200, 8, 50, false, false);
    // The property is only as good as the searches that found something.
    CHECK(routes > searches / 4);
}

// Fees and deltas from a few round values: many equal-cost routes, settled by the tie rules.
TEST_CASE("the route search breaks ties as a textbook Dijkstra does",
          "[lightning][router][property]") {
    const auto [searches, routes] = compare_on_random_graphs(100, 8, 50, true, false);
    CHECK(routes > searches / 4);
    const auto [large_searches, large_routes] = compare_on_random_graphs(6, 400, 200, true, false);
    CHECK(large_routes > large_searches / 4);
}

// The same with every node named by the sender's knowledge: the general relaxation's ties.
TEST_CASE("the route search's general path breaks ties as a textbook Dijkstra does",
          "[lightning][router][property]") {
    const auto [searches, routes] = compare_on_random_graphs(100, 8, 50, true, true);
    CHECK(routes > searches / 4);
    const auto [large_searches, large_routes] = compare_on_random_graphs(6, 400, 200, true, true);
    CHECK(large_routes > large_searches / 4);
}

// Graphs of 400-600 nodes and about 1,500 channels: the fee bound from the sender stops after
// its first 1,024 edges, so most nodes get the bound's radius, not their distance; the route,
// equal labels included, must still be the textbook one.
TEST_CASE("the route search agrees with a textbook Dijkstra on graphs larger than its bound",
          "[lightning][router][property]") {
    const auto [searches, routes] = compare_on_random_graphs(12, 400, 200, false, false);
    CHECK(routes > searches / 4);
}

namespace {

// s=0 pays t=4 over s - b=1 - a=2, then a -> t directly (an expensive last hop) or a -> c=3 -> t
// (10 msat a hop). b -> a charges `b_fee`, so the search's fee bound from the sender puts a
// `b_fee` away: a's label over the direct hop, plus that bound, passes 2^64 exactly when the
// label itself still fits. A search that ordered labels by that wrapped sum would settle a
// first over the direct hop, find b's edge past 64 bits, and miss the route over c.
Graph graph_near_64_bits(uint64_t direct_fee_msat, uint64_t b_fee_msat) {
    Graph g;
    for (const char* n : {"s", "b", "a", "c", "t"}) {
        g.add_node(n);
    }
    auto connect = [&g](uint32_t block, NodeIndex from, NodeIndex to, uint64_t fee_msat) {
        ChannelInfo c;
        c.scid = ShortChannelId::from_parts(block, 1, 0);
        c.node1 = from;
        c.node2 = to;
        c.capacity_msat = UINT64_MAX;
        c.policy_1to2.fee_base_msat = fee_msat;
        REQUIRE(g.add_channel(c).ok());
    };
    connect(1, 0, 1, 0);                // s - b
    connect(2, 1, 2, b_fee_msat);       // b -> a
    connect(3, 2, 4, direct_fee_msat);  // a -> t
    connect(4, 2, 3, 10);               // a -> c
    connect(5, 3, 4, 10);               // c -> t
    return g;
}

// The route the search returns equals the reference's, and goes over c.
void check_against_reference(const Graph& g, const PaymentRequest& req) {
    const std::optional<Found> want = reference_search(g, req);
    REQUIRE(want.has_value());
    const Result<Route> got = find_route(g, LiquidityKnowledge(req.source), cln_profile(), req);
    REQUIRE(got.ok());
    CHECK(scids_of(got.value()) == want->path);
    CHECK(got.value().total_amount_msat == want->best.amount_msat);
    CHECK(got.value().hops[1].node == 2);
    CHECK(got.value().hops[2].node == 3);
}

}  // namespace

// The fee bound from the sender adds to every label's amount, so router.cc leaves it out when
// the amount or the max fee is 2^62 or more: below both, a label (at most amount + max fee)
// plus the bound (at most 2^40) fits 64 bits. The cases a bound would wrap need a label within
// 2^40 of 2^64, so only amounts or max fees near 2^64 tell whether the guards are there; around
// 2^62 itself the search must still agree with the reference on either side.
TEST_CASE("the route search's fee bound is off for amounts and max fees near 64 bits",
          "[lightning][router]") {
    constexpr uint64_t k_2_62 = uint64_t{1} << 62;
    const uint64_t b_fee = 1024;
    PaymentRequest req;
    req.source = 0;
    req.target = 4;
    req.final_cltv_delta = 18;
    req.tip = 100;
    SECTION("an amount near 2^64 under a small max fee") {
        // a's direct label is 2^64 - 512; with b's 1,024 msat bound it would be 2^64 + 512.
        req.amount_msat = UINT64_MAX - (uint64_t{1} << 20) + 1;
        req.max_fee_msat = uint64_t{1} << 20;
        const uint64_t direct = UINT64_MAX - req.amount_msat - 511;
        check_against_reference(graph_near_64_bits(direct, b_fee), req);
    }
    SECTION("a max fee near 2^64 for a small amount") {
        req.amount_msat = 1000;
        const uint64_t direct = UINT64_MAX - req.amount_msat - 511;
        for (uint64_t max_fee : {UINT64_MAX, UINT64_MAX - 1}) {
            req.max_fee_msat = max_fee;
            check_against_reference(graph_near_64_bits(direct, b_fee), req);
        }
    }
    SECTION("an amount and a max fee just under 2^63") {
        // Both under 2^63 but over 2^62: a guard at 2^63 would keep the bound, and a's direct
        // label (2^64 - 512) plus b's bound would wrap (review, session 7).
        req.amount_msat = (uint64_t{1} << 63) - 1;
        req.max_fee_msat = (uint64_t{1} << 63) - 1;
        const uint64_t direct = (uint64_t{1} << 63) - 511;
        check_against_reference(graph_near_64_bits(direct, b_fee), req);
    }
    SECTION("amounts and max fees around 2^62") {
        for (uint64_t at : {k_2_62 - 1, k_2_62, k_2_62 + 1}) {
            INFO("at " << at);
            // The amount there, under a max fee that keeps the direct hop.
            req.amount_msat = at;
            req.max_fee_msat = uint64_t{1} << 40;
            check_against_reference(graph_near_64_bits(uint64_t{1} << 30, b_fee), req);
            // The max fee there, with a direct hop it allows.
            req.amount_msat = 1000;
            req.max_fee_msat = at;
            check_against_reference(graph_near_64_bits(uint64_t{1} << 61, b_fee), req);
        }
    }
}
