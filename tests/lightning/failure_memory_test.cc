// What a failed attempt teaches each payer and for how long (Profile::failure_memory,
// learn_from_failure): LDK keeps a temporarily failed channel out of that payment only and a
// permanently failed one out for good; LND's mission control shares a failure with every later
// payment for its window (173 s for a pair); CLN's pay keeps it for the payment only. And LDK's
// re-check of the invoice's expiry before a retry, at the nanosecond.
#include <catch2/catch.hpp>

#include "tests/lightning/ln_test_util.h"

using namespace ln_test;

namespace {

constexpr int64_t k_ns = 1000000000;

// s pays t over a (cheaper, but a holds only 10 000 sat towards t) or b (dearer, liquid):
// the first attempt of a 100 000 sat payment fails at a with temporary_channel_failure.
struct Diamond {
    explicit Diamond(const std::string& payer) : w(2) {
        s = w.add("s", payer);
        a = w.add("a", "lnd");
        b = w.add("b", "lnd");
        t = w.add("t", "lnd");
        w.connect(s, a);
        w.connect(s, b);
        w.connect(ChannelOptions{.funder = a, .peer = t, .capacity_sat = 1000000,
                                 .push_msat = 990000000});
        ChannelPolicy dear = default_channel_policy(lnd_profile(), 1000000000);
        dear.fee_base_msat = 5000;
        w.connect(ChannelOptions{.funder = b, .peer = t, .capacity_sat = 1000000,
                                 .push_msat = 500000000, .funder_policy = dear});
    }
    PaymentResult pay() {
        Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 100000000});
        return w.ln.node(s).pay(inv);
    }
    World w;
    NodeIndex s = 0, a = 0, b = 0, t = 0;
};

// The first hop of each attempt.
std::vector<NodeIndex> first_hops(const PaymentResult& r) {
    std::vector<NodeIndex> out;
    for (const AttemptRecord& at : r.attempts) {
        out.push_back(at.route.hops.front().node);
    }
    return out;
}

// A three-hop route s -> 1 -> 2 -> 3 over channels 1, 2, 3 carrying `amounts`.
Route line_route(uint64_t a0, uint64_t a1, uint64_t a2) {
    Route route;
    route.hops = {RouteHop{1, ShortChannelId{1}, a0}, RouteHop{2, ShortChannelId{2}, a1},
                  RouteHop{3, ShortChannelId{3}, a2}};
    return route;
}

// The round trip of a failed attempt over a: a lone attempt (send_to_route teaches nothing)
// over the route s's search finds, with a second's rest after it so every channel is idle.
sim::SimDuration failed_round_trip(Diamond& d) {
    LightningNode& s = d.w.ln.node(d.s);
    Invoice probe = d.w.ln.node(d.t).create_invoice(InvoiceOptions{.amount_msat = 100000000});
    Result<Route> r = find_route(s.graph(), LiquidityKnowledge(d.s), s.profile(),
                                 payment_request_from_invoice(s.profile(), d.s, probe, s.tip()));
    REQUIRE(r.ok());
    REQUIRE(r.value().hops.front().node == d.a);
    const sim::SimTime t0 = sim::this_actor::now();
    REQUIRE_FALSE(s.send_to_route(r.value(), probe.payment_hash).succeeded);
    const sim::SimDuration round_trip = sim::this_actor::now() - t0;
    sim::this_actor::sleep_for(sim::SimDuration::seconds(1));
    return round_trip;
}

}  // namespace

TEST_CASE("a temporary channel failure: LDK and CLN avoid it for that payment only, LND for "
          "173 s across payments",
          "[lightning][failure-memory]") {
    for (const std::string payer : {"ldk", "cln", "lnd"}) {
        CAPTURE(payer);
        Diamond d(payer);
        PaymentResult first, second, later;
        d.w.run([&] {
            first = d.pay();
            second = d.pay();
            // Past LND's pair window (173 s after the failure, which came before `second`).
            sim::this_actor::sleep_for(sim::SimDuration::seconds(173));
            later = d.pay();
        });
        INFO(first.reason << " / " << second.reason << " / " << later.reason);
        REQUIRE(first.succeeded);
        REQUIRE(second.succeeded);
        REQUIRE(later.succeeded);
        // Within the payment the failed channel is not retried.
        CHECK(first_hops(first) == std::vector<NodeIndex>{d.a, d.b});
        REQUIRE(first.attempts[0].failure.has_value());
        CHECK(first.attempts[0].failure->code == FailureCode::temporary_channel_failure);
        if (payer == "lnd") {
            // Mission control is shared: the next payment goes straight to b.
            CHECK(first_hops(second) == std::vector<NodeIndex>{d.b});
        } else {
            // The next payment tries a again.
            CHECK(first_hops(second) == std::vector<NodeIndex>{d.a, d.b});
        }
        // Once the window has passed LND tries a again too.
        CHECK(first_hops(later) == std::vector<NodeIndex>{d.a, d.b});
    }
}

TEST_CASE("LND's pair window ends at 173 s after the failure, not a nanosecond earlier",
          "[lightning][failure-memory]") {
    Diamond d("lnd");
    PaymentResult first, before, at;
    d.w.run([&] {
        const sim::SimDuration round_trip = failed_round_trip(d);
        // pay's first attempt fails at t1 + round_trip: mission control's failure time.
        const sim::SimTime t1 = sim::this_actor::now();
        first = d.pay();
        const sim::SimTime failed_at = t1 + round_trip;
        sim::this_actor::sleep_for((failed_at + sim::SimDuration::seconds(173) -
                                    sim::SimDuration::nanos(1)) -
                                   sim::this_actor::now());
        before = d.pay();
        sim::this_actor::sleep_for((failed_at + sim::SimDuration::seconds(173)) -
                                   sim::this_actor::now());
        at = d.pay();
    });
    REQUIRE(first.succeeded);
    REQUIRE(before.succeeded);
    REQUIRE(at.succeeded);
    CHECK(first_hops(first) == std::vector<NodeIndex>{d.a, d.b});
    CHECK(first_hops(before) == std::vector<NodeIndex>{d.b});
    CHECK(first_hops(at) == std::vector<NodeIndex>{d.a, d.b});
}

TEST_CASE("LDK: a permanent failure leaves the graph for good; a temporary one teaches the node "
          "nothing",
          "[lightning][failure-memory]") {
    // Node 1 reports.
    const Route route = line_route(1000, 1000, 1000);
    const Profile ldk = ldk_profile();
    const sim::SimTime far = sim::SimTime::zero() + sim::SimDuration::seconds(86400);
    auto learn = [&](FailureCode code, bool has_update, LiquidityKnowledge* node,
                     LiquidityKnowledge* payment) {
        learn_from_failure(ldk, node, payment, route, 0, FailureReport{0, code, has_update},
                           sim::SimTime::zero());
        node->forget_expired(far);
    };
    SECTION("temporary_channel_failure and temporary_node_failure change nothing") {
        LiquidityKnowledge node(0), payment(0);
        learn(FailureCode::temporary_channel_failure, true, &node, &payment);
        learn(FailureCode::temporary_node_failure, false, &node, &payment);
        learn(FailureCode::channel_disabled, true, &node, &payment);
        CHECK_FALSE(node.is_excluded(ShortChannelId{2}));
        CHECK_FALSE(node.is_excluded(NodeIndex{1}));
        CHECK(node.learned_max(ShortChannelId{2}, 1) == UINT64_MAX);
        CHECK(payment.empty_of_learned());
    }
    SECTION("permanent_channel_failure removes the channel out of the reporter, for good") {
        LiquidityKnowledge node(0), payment(0);
        learn(FailureCode::permanent_channel_failure, false, &node, &payment);
        CHECK(node.is_excluded(ShortChannelId{2}));
        CHECK_FALSE(node.is_excluded(NodeIndex{1}));
    }
    SECTION("an UPDATE failure without its channel_update removes the reporting node") {
        LiquidityKnowledge node(0), payment(0);
        learn(FailureCode::fee_insufficient, false, &node, &payment);
        CHECK(node.is_excluded(NodeIndex{1}));
        LiquidityKnowledge with_update(0);
        learn(FailureCode::fee_insufficient, true, &with_update, &payment);
        CHECK_FALSE(with_update.is_excluded(NodeIndex{1}));
    }
    SECTION("the blamed channel: out of the reporter with the update, into it without") {
        CHECK(ldk_blamed_channel(route, 0, FailureCode::fee_insufficient, true) ==
              ShortChannelId{2});
        CHECK(ldk_blamed_channel(route, 0, FailureCode::fee_insufficient, false) ==
              ShortChannelId{1});
        CHECK(ldk_blamed_channel(route, 0, FailureCode::temporary_channel_failure, false) ==
              ShortChannelId{1});
        CHECK(ldk_blamed_channel(route, 0, FailureCode::unknown_next_peer, false) ==
              ShortChannelId{2});
    }
}

TEST_CASE("CLN: a temporary channel failure caps the direction at the amount - 2 msat for the "
          "payment; a node failure excludes the node",
          "[lightning][failure-memory]") {
    const Route route = line_route(5000, 4000, 4000);
    const Profile cln = cln_profile();
    LiquidityKnowledge node(0), payment(0);
    learn_from_failure(cln, &node, &payment, route, 0,
                       FailureReport{0, FailureCode::temporary_channel_failure, true},
                       sim::SimTime::zero());
    // libplugin-pay.c: estimate = 4000 - 1; payment_route_check refuses amount >= estimate.
    CHECK(payment.learned_max(ShortChannelId{2}, 1) == 3998);
    CHECK(payment.learned_max(ShortChannelId{2}, 2) == UINT64_MAX);
    CHECK(node.learned_max(ShortChannelId{2}, 1) == UINT64_MAX);
    learn_from_failure(cln, &node, &payment, route, 0,
                       FailureReport{0, FailureCode::temporary_node_failure, false},
                       sim::SimTime::zero());
    CHECK(payment.is_excluded(NodeIndex{1}));
    CHECK_FALSE(node.is_excluded(NodeIndex{1}));
}

TEST_CASE("LDK re-checks the invoice's expiry before a retry: a retry at timestamp + x pays, "
          "one nanosecond later gives up; LND checks once",
          "[lightning][failure-memory][expiry]") {
    for (const std::string payer : {"ldk", "lnd"}) {
        for (const int64_t late_ns : {0, 1}) {
            CAPTURE(payer, late_ns);
            Diamond d(payer);
            PaymentResult result;
            d.w.run([&] {
                const sim::SimDuration round_trip = failed_round_trip(d);
                Invoice inv =
                    d.w.ln.node(d.t).create_invoice(InvoiceOptions{.amount_msat = 100000000});
                // Start so that the retry comes at expires_at + late_ns.
                inv.expiry_seconds = 600;
                const int64_t boundary = inv.expires_at_unix() * k_ns;
                const int64_t start = boundary + late_ns - round_trip.ns();
                const int64_t now = d.w.ln.node(d.s).unix_now_ns();
                REQUIRE(start >= now);
                sim::this_actor::sleep_for(sim::SimDuration::nanos(start - now));
                result = d.w.ln.node(d.s).pay(inv);
            });
            INFO(result.reason);
            const bool gives_up = payer == "ldk" && late_ns == 1;
            CHECK(result.succeeded == !gives_up);
            if (gives_up) {
                CHECK(result.attempts.size() == 1);
                CHECK(result.reason.find("before retry 1") != std::string::npos);
            } else {
                CHECK(first_hops(result) == std::vector<NodeIndex>{d.a, d.b});
            }
        }
    }
}
