// Pathfinding: the BOLT 7 example found by search, liquidity (own exact, remote learned from
// failures), max fee, cltv_limit with LND's 0 quirk, route hints, a 5-hop route, tie-breaking.
#include <catch2/catch.hpp>

#include "actors/lightning/router.h"

using namespace actors::lightning;

namespace {

ChannelPolicy pol(uint64_t base, uint32_t ppm, uint32_t delta) {
    ChannelPolicy p;
    p.fee_base_msat = base;
    p.fee_ppm = ppm;
    p.cltv_expiry_delta = delta;
    return p;
}

ShortChannelId scid(uint32_t block) { return ShortChannelId::from_parts(block, 1, 0); }

void connect(Graph* g, uint32_t block, NodeIndex a, NodeIndex b, ChannelPolicy a_to_b,
             ChannelPolicy b_to_a, uint64_t capacity_msat = 100000000) {
    ChannelInfo c;
    c.scid = scid(block);
    c.node1 = a;
    c.node2 = b;
    c.capacity_msat = capacity_msat;
    c.policy_1to2 = a_to_b;
    c.policy_2to1 = b_to_a;
    REQUIRE(g->add_channel(c).ok());
}

// BOLT 7 example graph: A=0, B=1, C=2, D=3.
Graph bolt7_graph() {
    Graph g;
    for (const char* n : {"A", "B", "C", "D"}) {
        g.add_node(n);
    }
    const ChannelPolicy a = pol(100, 1000, 10), b = pol(200, 2000, 20);
    const ChannelPolicy c = pol(300, 3000, 30), d = pol(400, 4000, 40);
    connect(&g, 1, 0, 1, a, b);  // A-B
    connect(&g, 2, 1, 2, b, c);  // B-C
    connect(&g, 3, 0, 3, a, d);  // A-D
    connect(&g, 4, 3, 2, d, c);  // D-C
    return g;
}

// A request with everything else at its default.
PaymentRequest request(NodeIndex source, NodeIndex target, uint64_t amount_msat, uint32_t tip) {
    PaymentRequest req;
    req.source = source;
    req.target = target;
    req.amount_msat = amount_msat;
    req.tip = tip;
    return req;
}

PaymentRequest bolt7_request(uint32_t tip) {
    PaymentRequest req;
    req.source = 0;
    req.target = 2;
    req.amount_msat = 4999999;
    req.final_cltv_delta = 18;
    req.shadow_cltv_offset = 42;
    req.tip = tip;
    return req;
}

}  // namespace

TEST_CASE("pathfinding reproduces the BOLT 7 example and respects liquidity",
          "[lightning][router]") {
    Graph g = bolt7_graph();
    LiquidityKnowledge know(0);
    // CLN counts from tip and pads nothing, as in the BOLT example.
    Profile cln = cln_profile();
    Result<Route> r = find_route(g, know, cln, bolt7_request(1000));
    REQUIRE(r.ok());
    CHECK(r.value().hops.size() == 2);
    CHECK(r.value().hops[0].node == 1);  // via B
    CHECK(r.value().total_amount_msat == 5010198);
    CHECK(r.value().first_expiry() == 1080);
    CHECK(r.value().hops[1].cltv_expiry == 1060);

    const sim::SimTime t0 = sim::SimTime::zero() + sim::SimDuration::seconds(100);
    auto lnd_learns = [&](FailureCode code) {
        learn_from_failure(lnd_profile(), &know, nullptr, r.value(), 0,
                           FailureReport{0, code, true}, t0);
    };
    SECTION("remote liquidity learned from a failure moves the route to D") {
        lnd_learns(FailureCode::temporary_channel_failure);
        CHECK(know.bounds(g, scid(2), 1).max_msat == 4999998);
        Result<Route> again = find_route(g, know, cln, bolt7_request(1000));
        REQUIRE(again.ok());
        CHECK(again.value().hops[0].node == 3);
        CHECK(again.value().total_amount_msat == 5020398);
        CHECK(again.value().first_expiry() == 1100);
    }
    SECTION("own channel balance is exact: one msat short excludes it") {
        know.set_own_balance(scid(1), 0, 5010197);
        Result<Route> again = find_route(g, know, cln, bolt7_request(1000));
        REQUIRE(again.ok());
        CHECK(again.value().hops[0].node == 3);
        know.set_own_balance(scid(1), 0, 5010198);
        CHECK(find_route(g, know, cln, bolt7_request(1000)).value().hops[0].node == 1);
    }
    SECTION("no liquidity anywhere gives a reason") {
        know.set_own_balance(scid(1), 0, 0);
        know.set_own_balance(scid(3), 0, 0);
        Result<Route> none = find_route(g, know, cln, bolt7_request(1000));
        REQUIRE_FALSE(none.ok());
        CHECK(none.error().find("liquidity") != std::string::npos);
    }
    SECTION("a permanent channel failure takes the channel out both ways for LND's window") {
        lnd_learns(FailureCode::unknown_next_peer);
        CHECK(know.bounds(g, scid(2), 1).max_msat == 0);
        CHECK(know.bounds(g, scid(2), 2).max_msat == 0);
        CHECK(find_route(g, know, cln, bolt7_request(1000)).value().hops[0].node == 3);
        // 182,253,863,052 ns (Profile::pair_penalty_window) later it is forgotten, not 1 ns
        // before.
        const sim::SimDuration window = sim::SimDuration::nanos(182'253'863'052);
        know.forget_expired(t0 + window - sim::SimDuration::nanos(1));
        CHECK(know.bounds(g, scid(2), 1).max_msat == 0);
        know.forget_expired(t0 + window);
        CHECK(know.bounds(g, scid(2), 1).max_msat > 5000000);
        CHECK(find_route(g, know, cln, bolt7_request(1000)).value().hops[0].node == 1);
    }
}

namespace {

// Line 0 - 1 - 2 - 3 - ... with one policy on every forward direction.
Graph line_graph(uint32_t nodes, ChannelPolicy forward, ChannelPolicy last = {}) {
    Graph g;
    for (uint32_t i = 0; i < nodes; ++i) {
        g.add_node("n" + std::to_string(i));
    }
    for (uint32_t i = 0; i + 1 < nodes; ++i) {
        bool is_last = i + 2 == nodes && last.cltv_expiry_delta != 0;
        connect(&g, 10 + i, i, i + 1, is_last ? last : forward, forward);
    }
    return g;
}

PaymentRequest line_request(uint32_t nodes, uint64_t amount) {
    PaymentRequest req;
    req.source = 0;
    req.target = nodes - 1;
    req.amount_msat = amount;
    req.final_cltv_delta = 18;
    req.tip = 1000;
    return req;
}

}  // namespace

TEST_CASE("five-hop route: exact amounts and expiries (LND sender)", "[lightning][router]") {
    Graph g = line_graph(6, pol(1000, 100, 40));
    LiquidityKnowledge know(0);
    Result<Route> r = find_route(g, know, lnd_profile(), line_request(6, 1000000));
    REQUIRE(r.ok());
    const Route& route = r.value();
    REQUIRE(route.hops.size() == 5);
    const uint64_t amounts[] = {1004400, 1003300, 1002200, 1001100, 1000000};
    const uint32_t expiries[] = {1181, 1141, 1101, 1061, 1021};  // payee: 1000 + 18 + 3
    for (size_t i = 0; i < 5; ++i) {
        CHECK(route.hops[i].node == i + 1);
        CHECK(route.hops[i].amount_msat == amounts[i]);
        CHECK(route.hops[i].cltv_expiry == expiries[i]);
    }
    CHECK(route.total_fee_msat == 4400);
    CHECK(route.total_cltv_delta == 181);
}

TEST_CASE("max fee: an expensive last hop fails with a reason, passes when raised",
          "[lightning][router]") {
    // n2 charges 100 000 msat base to reach the payee n3.
    Graph g = line_graph(4, pol(1000, 0, 40), pol(100000, 0, 40));
    LiquidityKnowledge know(0);
    PaymentRequest req = line_request(4, 1000000);
    req.max_fee_msat = 100999;
    Result<Route> r = find_route(g, know, lnd_profile(), req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("needs fee 101000 msat, above the max fee 100999") != std::string::npos);
    req.max_fee_msat = 101000;
    Result<Route> ok = find_route(g, know, lnd_profile(), req);
    REQUIRE(ok.ok());
    CHECK(ok.value().total_fee_msat == 101000);
}

TEST_CASE("default max fee per profile", "[lightning][router]") {
    CHECK(default_max_fee_msat(ldk_profile(), 10000000) == 150000);
    CHECK(default_max_fee_msat(lnd_profile(), 1000000) == 1000000);
    CHECK(default_max_fee_msat(lnd_profile(), 1000001) == 50000);
    CHECK(default_max_fee_msat(cln_profile(), 100000) == 5000);
    CHECK(default_max_fee_msat(cln_profile(), 10000000) == 50000);
}

TEST_CASE("default max fee multiplies before dividing, as LND and CLN do, up to 2^64 - 1",
          "[lightning][router]") {
    // LND lnwallet/parameters.go: a * 5 / 100. Dividing first gave 50000 for all three.
    CHECK(default_max_fee_msat(lnd_profile(), 1000019) == 50000);
    CHECK(default_max_fee_msat(lnd_profile(), 1000020) == 50001);
    CHECK(default_max_fee_msat(lnd_profile(), 1000099) == 50004);
    // CLN plugins/pay.c: amount * 5000 / 1000000, at least exemptfee 5000. Dividing first gave
    // 5000 for 1,000,200 and 1,000,999.
    CHECK(default_max_fee_msat(cln_profile(), 1000199) == 5000);
    CHECK(default_max_fee_msat(cln_profile(), 1000200) == 5001);
    CHECK(default_max_fee_msat(cln_profile(), 1000999) == 5004);
    CHECK(default_max_fee_msat(cln_regtest_profile(), 1000999) == 5004);
    // Near the top the product would overflow 64 bits; the result is the exact quotient.
    CHECK(default_max_fee_msat(lnd_profile(), 1ULL << 63) == 461168601842738790ULL);
    CHECK(default_max_fee_msat(lnd_profile(), UINT64_MAX) == 922337203685477580ULL);
    CHECK(default_max_fee_msat(cln_profile(), 1ULL << 63) == 46116860184273879ULL);
    CHECK(default_max_fee_msat(cln_profile(), UINT64_MAX) == 92233720368547758ULL);
}

TEST_CASE("cltv_limit: exact boundary, LND's 0 means 2016, LDK's 0 means 0",
          "[lightning][router]") {
    Graph g = line_graph(4, pol(0, 0, 40));
    LiquidityKnowledge know(0);
    PaymentRequest req = line_request(4, 100000);
    // LND: 2 forwarding hops * 40 + 18 + padding 3 = 101.
    req.cltv_limit = 101;
    Result<Route> ok = find_route(g, know, lnd_profile(), req);
    REQUIRE(ok.ok());
    CHECK(ok.value().total_cltv_delta == 101);
    req.cltv_limit = 100;
    Result<Route> over = find_route(g, know, lnd_profile(), req);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().find("total CLTV delta of at least 101, above the cltv_limit 100") !=
          std::string::npos);

    req.cltv_limit = 0;
    CHECK(find_route(g, know, lnd_profile(), req).ok());
    CHECK(effective_cltv_limit(lnd_profile(), req).value() == 2016);
    // LDK's get_route refuses a limit that does not exceed the final delta.
    Result<Route> ldk = find_route(g, know, ldk_profile(), req);
    REQUIRE_FALSE(ldk.ok());
    CHECK(ldk.error() == "cltv limit 0 should be greater than 18");

    // LND refuses a limit that does not exceed final + padding (lnd#6241's message).
    req.final_cltv_delta = 650;
    req.cltv_limit = 653;
    Result<uint32_t> lim = effective_cltv_limit(lnd_profile(), req);
    REQUIRE_FALSE(lim.ok());
    CHECK(lim.error() == "cltv limit 653 should be greater than 653");
    req.cltv_limit = 654;
    CHECK(effective_cltv_limit(lnd_profile(), req).ok());

    // LDK: the default 1008 covers Σδ + final, counted from tip + 1.
    req.final_cltv_delta = 18;
    req.cltv_limit.reset();
    Result<Route> ldk_ok = find_route(g, know, ldk_profile(), req);
    REQUIRE(ldk_ok.ok());
    CHECK(ldk_ok.value().start_height == 1001);
    CHECK(ldk_ok.value().first_expiry() == 1001 + 98);
}

// LDK router.rs get_route: an error when max_total_cltv_expiry_delta <= final delta; the
// path's deltas may use (max - final).checked_sub(2 * MEDIAN_HOP_CLTV_EXPIRY_DELTA), or all of
// max - final when that would underflow.
TEST_CASE("LDK route CLTV budget: limit - final - 80, or limit - final below 80",
          "[lightning][router]") {
    // s -> m -> p: the route's Σδ is m's delta on m -> p (the sender's own channel adds none).
    auto routes = [](uint32_t delta, uint32_t limit) {
        Graph g;
        g.add_node("s");
        g.add_node("m");
        g.add_node("p");
        connect(&g, 1, 0, 1, pol(0, 0, 40), pol(0, 0, 40));
        connect(&g, 2, 1, 2, pol(0, 0, delta), pol(0, 0, delta));
        LiquidityKnowledge know(0);
        PaymentRequest req = request(0, 2, 100000, 1000);
        req.final_cltv_delta = 42;
        req.cltv_limit = limit;
        Result<Route> r = find_route(g, know, ldk_profile(), req);
        if (r.ok()) {
            CHECK(r.value().total_cltv_delta == delta + 42);
        }
        return r.ok();
    };
    // limit - final = 158 >= 80: Σδ <= 78.
    CHECK(routes(78, 200));
    CHECK_FALSE(routes(79, 200));
    CHECK_FALSE(routes(100, 200));  // the audit's example: 100 + 42 <= 200, still refused
    // limit - final = 79 < 80: no reduction, Σδ <= 79.
    CHECK(routes(79, 121));
    CHECK_FALSE(routes(80, 121));
    // limit - final = 80: the reduction leaves Σδ <= 0.
    CHECK(routes(0, 122));
    CHECK_FALSE(routes(1, 122));
    CHECK_FALSE(routes(79, 122));
    // The default 1008: Σδ <= 1008 - 42 - 80 = 886.
    auto default_limit = [](uint32_t final_delta) {
        PaymentRequest req = request(0, 1, 1000, 1000);
        req.final_cltv_delta = final_delta;
        return effective_cltv_limit(ldk_profile(), req);
    };
    CHECK(default_limit(42).value() == 1008 - 80);
    CHECK(default_limit(928).value() == 1008 - 80);
    CHECK(default_limit(929).value() == 1008);
    CHECK(default_limit(1007).value() == 1008);
    REQUIRE_FALSE(default_limit(1008).ok());
    CHECK(default_limit(1008).error() == "cltv limit 1008 should be greater than 1008");
}

TEST_CASE("LDK refuses a cltv limit equal to the final delta; one more routes a direct channel",
          "[lightning][router]") {
    Graph g;
    g.add_node("s");
    g.add_node("p");
    connect(&g, 1, 0, 1, pol(0, 0, 40), pol(0, 0, 40));
    LiquidityKnowledge know(0);
    PaymentRequest req = request(0, 1, 100000, 1000);
    req.final_cltv_delta = 42;
    req.cltv_limit = 42;
    CHECK_FALSE(effective_cltv_limit(ldk_profile(), req).ok());
    CHECK_FALSE(find_route(g, know, ldk_profile(), req).ok());
    req.cltv_limit = 43;
    Result<Route> r = find_route(g, know, ldk_profile(), req);
    REQUIRE(r.ok());
    CHECK(r.value().total_cltv_delta == 42);
    // CLN keeps no such rule: a limit equal to the final delta routes a direct channel.
    req.cltv_limit = 42;
    CHECK(find_route(g, know, cln_profile(), req).ok());
}

TEST_CASE("route hints reach a private payee", "[lightning][router]") {
    Graph g;
    NodeIndex a = g.add_node("A"), b = g.add_node("B"), e = g.add_node("E-private");
    connect(&g, 1, a, b, pol(0, 0, 40), pol(0, 0, 40), 10000000000ULL);
    LiquidityKnowledge know(a);
    PaymentRequest req;
    req.source = a;
    req.target = e;
    req.amount_msat = 2000000000;
    req.final_cltv_delta = 18;
    req.tip = 500;
    CHECK_FALSE(find_route(g, know, cln_profile(), req).ok());

    req.route_hints = {{RouteHintHop{b, ShortChannelId::from_parts(589390, 3312, 1),
                                     pol(1000, 2500, 40)}}};
    Result<Route> r = find_route(g, know, cln_profile(), req);
    REQUIRE(r.ok());
    REQUIRE(r.value().hops.size() == 2);
    CHECK(r.value().hops[1].scid.to_string() == "589390x3312x1");
    CHECK(r.value().hops[0].fee_msat == 5001000);
    CHECK(r.value().first_expiry() == 500 + 18 + 40);
}

TEST_CASE("equal-cost paths break ties by node and channel id, run after run",
          "[lightning][router]") {
    // Two identical two-hop paths 0 -> {1, 2} -> 3.
    Graph g;
    for (const char* n : {"s", "x", "y", "t"}) {
        g.add_node(n);
    }
    ChannelPolicy p = pol(10, 10, 10);
    connect(&g, 4, 0, 2, p, p);
    connect(&g, 3, 2, 3, p, p);
    connect(&g, 2, 0, 1, p, p);
    connect(&g, 1, 1, 3, p, p);
    LiquidityKnowledge know(0);
    PaymentRequest req = line_request(4, 100000);
    Result<Route> first = find_route(g, know, cln_profile(), req);
    REQUIRE(first.ok());
    CHECK(first.value().hops[0].node == 1);
    for (int i = 0; i < 5; ++i) {
        CHECK(find_route(g, know, cln_profile(), req).value().hops[0].scid ==
              first.value().hops[0].scid);
    }
}

TEST_CASE("channel_update changes the route; closed channels leave the graph",
          "[lightning][router]") {
    Graph g = bolt7_graph();
    LiquidityKnowledge know(0);
    Profile cln = cln_profile();
    // B raises its B->C fee above D's: the cheaper path is now via D.
    REQUIRE(g.update_policy(scid(2), 1, pol(30000, 2000, 20)));
    Result<Route> r = find_route(g, know, cln, bolt7_request(1000));
    REQUIRE(r.ok());
    CHECK(r.value().hops[0].node == 3);
    CHECK(r.value().total_fee_msat == 20399);
    // C's policy for C->B is a different direction and does not matter here.
    CHECK(g.channel(scid(2))->policy_from(2).fee_base_msat == 300);
    CHECK_FALSE(g.update_policy(scid(2), 3, pol(0, 0, 0)));  // D is not an endpoint

    REQUIRE(g.remove_channel(scid(4)));
    CHECK(g.channels_of(3).size() == 1);
    PaymentRequest req = bolt7_request(1000);
    CHECK_FALSE(find_route(g, know, cln, req).ok());  // 39 999 msat > CLN's default 24 995
    req.max_fee_msat = 39999;
    Result<Route> via_b = find_route(g, know, cln, req);
    REQUIRE(via_b.ok());
    CHECK(via_b.value().hops[0].node == 1);
    CHECK(via_b.value().total_fee_msat == 39999);
    CHECK_FALSE(g.remove_channel(scid(4)));

    ChannelInfo dup = *g.channel(scid(1));
    Result<ShortChannelId> again = g.add_channel(dup);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().find("duplicate") != std::string::npos);
}

TEST_CASE("a failed search names the limit that stopped it: liquidity, or both limits together",
          "[lightning][router]") {
    // 0 -> 1 -> 3 costs 50 000 msat and 10 blocks; 0 -> 2 -> 3 is free but takes 200 blocks.
    Graph g;
    for (const char* n : {"s", "fast", "cheap", "t"}) {
        g.add_node(n);
    }
    connect(&g, 1, 0, 1, pol(0, 0, 10), pol(0, 0, 10));
    connect(&g, 2, 1, 3, pol(50000, 0, 10), pol(0, 0, 10));
    connect(&g, 3, 0, 2, pol(0, 0, 10), pol(0, 0, 10));
    connect(&g, 4, 2, 3, pol(0, 0, 200), pol(0, 0, 10));
    LiquidityKnowledge know(0);
    PaymentRequest req;
    req.source = 0;
    req.target = 3;
    req.amount_msat = 100000;
    req.final_cltv_delta = 18;
    req.tip = 1000;
    req.max_fee_msat = 1000;
    req.cltv_limit = 121;  // LND: 18 + padding 3 + 10 fits, + 200 does not
    Result<Route> both = find_route(g, know, lnd_profile(), req);
    REQUIRE_FALSE(both.ok());
    CHECK(both.error().find(": no route meets both the max fee 1000 msat and the cltv_limit 121") !=
          std::string::npos);
    req.max_fee_msat = 50000;
    REQUIRE(find_route(g, know, lnd_profile(), req).ok());

    req.amount_msat = 100000001;  // above every capacity
    req.max_fee_msat.reset();
    req.cltv_limit.reset();
    Result<Route> none = find_route(g, know, lnd_profile(), req);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().find("no route from s to t for 100000001 msat: no path with enough known "
                            "liquidity within 20 hops") != std::string::npos);
}

TEST_CASE("a base fee wider than 32 bits is charged in full; a disabled direction and an "
          "htlc_maximum below the amount are never used",
          "[lightning][router]") {
    // s=0 reaches t=4 through x=1, y=2 or z=3; only the middle hops' policies differ. The
    // search keeps a compact copy of each direction (a 32-bit base fee, the usable amount
    // range): these are the cases the copy cannot or must not get wrong.
    Graph g;
    for (const char* n : {"s", "x", "y", "z", "t"}) {
        g.add_node(n);
    }
    const uint64_t cap = 100000000000;  // 10^11 msat: room for the large fees below
    const ChannelPolicy free_hop = pol(0, 0, 10);
    ChannelPolicy y_out = pol(0, 0, 10);
    y_out.disabled = true;
    connect(&g, 1, 0, 1, free_hop, free_hop, cap);
    connect(&g, 2, 0, 2, free_hop, free_hop, cap);
    connect(&g, 3, 0, 3, free_hop, free_hop, cap);
    connect(&g, 4, 1, 4, pol(5000000000, 0, 10), free_hop, cap);  // x -> t: 5e9 msat base
    connect(&g, 5, 2, 4, y_out, free_hop, cap);                   // y -> t: disabled
    connect(&g, 6, 3, 4, pol(6000000000, 0, 10), free_hop, cap);  // z -> t: 6e9 msat base
    LiquidityKnowledge know(0);
    PaymentRequest req;
    req.source = 0;
    req.target = 4;
    req.amount_msat = 1000;
    req.max_fee_msat = 10000000000;
    req.tip = 100;
    auto via = [&](Graph& graph) {
        Result<Route> r = find_route(graph, know, cln_profile(), req);
        REQUIRE(r.ok());
        return std::make_pair(r.value().hops.front().node, r.value().total_fee_msat);
    };
    CHECK(via(g) == std::make_pair(NodeIndex{1}, uint64_t{5000000000}));
    REQUIRE(g.update_policy(scid(4), 1, pol(7000000000, 0, 10)));
    CHECK(via(g) == std::make_pair(NodeIndex{3}, uint64_t{6000000000}));
    ChannelPolicy y_small = pol(0, 0, 10);
    y_small.htlc_maximum_msat = 999;
    REQUIRE(g.update_policy(scid(5), 2, y_small));
    CHECK(via(g) == std::make_pair(NodeIndex{3}, uint64_t{6000000000}));
    y_small.htlc_maximum_msat = 1000;
    REQUIRE(g.update_policy(scid(5), 2, y_small));
    CHECK(via(g) == std::make_pair(NodeIndex{2}, uint64_t{0}));
}

TEST_CASE("a fee past 64 bits or an expiry past 32 makes an edge unusable and ends no run",
          "[lightning][router]") {
    // s=0 reaches t=3 through x=1 or y=2. x's hop into t asks a base fee near 2^64, or a CLTV
    // delta near 2^32; the search must route through y, or say there is no route when y is
    // gone, under any limits (describe_failure repeats the search without them).
    Graph g;
    for (const char* n : {"s", "x", "y", "t"}) {
        g.add_node(n);
    }
    const uint64_t cap = UINT64_MAX;
    const ChannelPolicy free_hop = pol(0, 0, 10);
    connect(&g, 1, 0, 1, free_hop, free_hop, cap);
    connect(&g, 2, 0, 2, free_hop, free_hop, cap);
    connect(&g, 3, 1, 3, pol(UINT64_MAX - 10, 0, 10), free_hop, cap);  // x -> t
    connect(&g, 4, 2, 3, pol(0, 1000000, 10), free_hop, cap);          // y -> t: fee = amount
    LiquidityKnowledge know(0);
    PaymentRequest req = request(0, 3, 1000, 100);
    req.max_fee_msat = UINT64_MAX;
    Result<Route> r = find_route(g, know, cln_profile(), req);
    REQUIRE(r.ok());
    CHECK(r.value().hops.front().node == 2);
    CHECK(r.value().total_fee_msat == 1000);

    // An amount so large that y's fee overflows too: neither hop is usable.
    req.amount_msat = UINT64_MAX / 2 + 1;
    r = find_route(g, know, cln_profile(), req);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("no path"));

    // x's delta near 2^32: over every CLTV limit, so y again.
    req.amount_msat = 1000;
    REQUIRE(g.update_policy(scid(3), 1, pol(0, 0, UINT32_MAX - 5)));
    REQUIRE(g.update_policy(scid(4), 2, pol(1, 0, 10)));
    req.cltv_limit = UINT32_MAX;
    r = find_route(g, know, cln_profile(), req);
    REQUIRE(r.ok());
    CHECK(r.value().hops.front().node == 2);
    REQUIRE(g.remove_channel(scid(4)));
    r = find_route(g, know, cln_profile(), req);
    REQUIRE_FALSE(r.ok());
}

TEST_CASE("LDK routes over at most 19 channels and LND and CLN over 20", "[lightning][router]") {
    // A line of free channels 0 - 1 - ... - 20: the only route from 0 to 20 uses 20 channels,
    // from 1 to 20 it uses 19 (LDK's MAX_PATH_LENGTH_ESTIMATE, the default max_path_length).
    Graph g;
    for (int n = 0; n <= 20; ++n) {
        g.add_node("n" + std::to_string(n));
    }
    for (uint32_t n = 0; n < 20; ++n) {
        connect(&g, n + 1, n, n + 1, pol(0, 0, 10), pol(0, 0, 10));
    }
    PaymentRequest req = request(0, 20, 1000, 100);
    for (const Profile& p : {lnd_profile(), cln_profile()}) {
        Result<Route> r = find_route(g, LiquidityKnowledge(0), p, req);
        REQUIRE(r.ok());
        CHECK(r.value().hops.size() == 20);
    }
    Result<Route> ldk = find_route(g, LiquidityKnowledge(0), ldk_profile(), req);
    REQUIRE_FALSE(ldk.ok());
    CHECK_THAT(ldk.error(), Catch::Contains("within 19 hops"));
    req.source = 1;
    ldk = find_route(g, LiquidityKnowledge(1), ldk_profile(), req);
    REQUIRE(ldk.ok());
    CHECK(ldk.value().hops.size() == 19);
    // A request's own lower limit still applies.
    req.max_hops = 18;
    CHECK_FALSE(find_route(g, LiquidityKnowledge(1), ldk_profile(), req).ok());
}

TEST_CASE("a route's expiries never wrap past 32 bits", "[lightning][router]") {
    // s=0 reaches t=3 through x=1, whose hop into t asks a CLTV delta of 2^32 - 501, or
    // through y=2 (delta 10) once it exists. Expiries are absolute heights in 32 bits: from a
    // start height of 1,000 the delta through x leaves no room, whatever cltv_limit says.
    Graph g;
    for (const char* n : {"s", "x", "y", "t"}) {
        g.add_node(n);
    }
    connect(&g, 1, 0, 1, pol(0, 0, 10), pol(0, 0, 10));
    connect(&g, 2, 1, 3, pol(0, 0, UINT32_MAX - 500), pol(0, 0, 10));
    PaymentRequest req = request(0, 3, 1000, 1000);
    req.cltv_limit = UINT32_MAX;
    // No looser limit exists, so the failure is "no path" (as for a fee past 64 bits).
    Result<Route> r = find_route(g, LiquidityKnowledge(0), cln_profile(), req);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("no path"));
    connect(&g, 3, 0, 2, pol(0, 0, 10), pol(0, 0, 10));
    connect(&g, 4, 2, 3, pol(0, 0, 10), pol(0, 0, 10));
    r = find_route(g, LiquidityKnowledge(0), cln_profile(), req);
    REQUIRE(r.ok());
    CHECK(r.value().hops.front().node == 2);
    for (size_t i = 0; i + 1 < r.value().hops.size(); ++i) {
        CHECK(r.value().hops[i].cltv_expiry >= r.value().hops[i + 1].cltv_expiry);
    }
}

TEST_CASE("a route hint cheaper than every graph path is found", "[lightning][router]") {
    // s=0 pays t=3. In the graph t is reached from a=1 only at a 100,000 msat base fee; the
    // invoice's hint adds b=2 -> t for free, and a -> b costs 1 msat. A fee bound computed from
    // the graph alone would put t 100,000 msat from the sender, more than the hint route's
    // whole fee: the search must not use a bound that ignores the hints.
    Graph g;
    for (const char* n : {"s", "a", "b", "t"}) {
        g.add_node(n);
    }
    connect(&g, 1, 0, 1, pol(0, 0, 10), pol(0, 0, 10));       // s - a
    connect(&g, 2, 1, 3, pol(100000, 0, 10), pol(0, 0, 10));  // a -> t: 100,000 msat
    connect(&g, 3, 1, 2, pol(1, 0, 10), pol(0, 0, 10));       // a -> b: 1 msat
    PaymentRequest req = request(0, 3, 5000, 100);
    req.max_fee_msat = 200000;
    req.route_hints = {{RouteHintHop{2, ShortChannelId::from_parts(900, 1, 0), pol(0, 0, 10)}}};
    for (uint64_t amount : {uint64_t{5000}, uint64_t{100000}, uint64_t{7777777}}) {
        req.amount_msat = amount;
        Result<Route> r = find_route(g, LiquidityKnowledge(0), cln_profile(), req);
        REQUIRE(r.ok());
        REQUIRE(r.value().hops.size() == 3);
        CHECK(r.value().hops[1].node == 2);
        CHECK(r.value().total_fee_msat == 1);
    }
}

TEST_CASE("LDK: a channel or node its graph lost to a permanent failure still carries a route "
          "hint, as a private hop with the hint's policy",
          "[lightning][router][failure-memory]") {
    // s=0 pays t=2. a=1 -> t is public (1,000 msat) and the invoice hints it at 7 msat; s has
    // its own channel to a and a path s - b=3 - a. LDK's channel_failed_permanent /
    // node_failed_permanent remove from the network graph only (router.rs get_route: a hint
    // hop over a channel the graph lacks is a PrivateHop with the hint's policy).
    Graph g;
    for (const char* n : {"s", "a", "t", "b"}) {
        g.add_node(n);
    }
    connect(&g, 1, 0, 1, pol(0, 0, 10), pol(0, 0, 10));     // s - a
    connect(&g, 2, 1, 2, pol(1000, 0, 10), pol(0, 0, 10));  // a -> t: 1,000 msat
    connect(&g, 3, 0, 3, pol(0, 0, 10), pol(0, 0, 10));     // s - b
    connect(&g, 4, 3, 1, pol(0, 0, 10), pol(0, 0, 10));     // b - a
    PaymentRequest req = request(0, 2, 5000, 100);
    req.max_fee_msat = 100000;
    req.route_hints = {{RouteHintHop{1, scid(2), pol(7, 0, 10)}}};
    const Profile ldk = ldk_profile();
    LiquidityKnowledge know(0);
    auto route = [&](const LiquidityKnowledge* payment = nullptr) {
        PaymentRequest r = req;
        r.payment_knowledge = payment;
        return find_route(g, know, ldk, r);
    };
    SECTION("in the graph the hint's hop is the public channel, with the graph's policy") {
        Result<Route> r = route();
        REQUIRE(r.ok());
        CHECK(r.value().hops.back().scid == scid(2));
        CHECK(r.value().total_fee_msat == 1000);
    }
    SECTION("the channel removed: the hint's private hop at 7 msat") {
        know.exclude_channel(scid(2));
        Result<Route> r = route();
        REQUIRE(r.ok());
        CHECK(r.value().hops.front().node == 1);
        CHECK(r.value().hops.back().scid == scid(2));
        CHECK(r.value().total_fee_msat == 7);
        // The payment's own exclusion (previously_failed_channels) covers the hint too.
        LiquidityKnowledge payment(0);
        payment.exclude_channel(scid(2));
        CHECK_FALSE(route(&payment).ok());
    }
    SECTION("the hint's source removed: reached over the payer's own channel only") {
        know.exclude_node(1);
        Result<Route> r = route();
        REQUIRE(r.ok());
        REQUIRE(r.value().hops.size() == 2);
        CHECK(r.value().hops.front().scid == scid(1));
        CHECK(r.value().total_fee_msat == 7);
        // Without that channel, b -> a left the graph with a: no route.
        know.exclude_channel(scid(1));
        CHECK_FALSE(route().ok());
    }
    SECTION("a hint over the payer's own shutting-down channel is not used") {
        // sync_own_liquidity excludes the payer's own channel while it shuts down: not a graph
        // removal, and LDK's first hops are its usable channels only (list_usable_channels).
        req.route_hints = {{RouteHintHop{0, scid(1), pol(0, 0, 10)},
                            RouteHintHop{1, scid(2), pol(7, 0, 10)}}};
        know.exclude_channel(scid(1));
        Result<Route> r = route();
        REQUIRE(r.ok());
        CHECK(r.value().hops.front().scid == scid(3));
        CHECK(r.value().hops.front().node == 3);
        for (const auto& hop : r.value().hops) {
            CHECK(hop.scid != scid(1));
        }
        // With the other own channel shutting down too, the hint over s - a is no way out.
        know.exclude_channel(scid(3));
        CHECK_FALSE(route().ok());
    }
}
