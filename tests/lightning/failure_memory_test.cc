// What a failed attempt teaches each payer and for how long (Profile::failure_memory,
// learn_from_failure): LDK keeps a temporarily failed channel out of that payment only and a
// permanently failed one out for good; LND's mission control shares a failure with every later
// payment for its window (182,253,863,052 ns for a pair, 271,037,258,296 ns for a failed node's own directions); CLN's
// pay keeps channel hints across payments and relaxes them in place before each route
// computation (ClnChannelHints: nothing changes for 60 s after the hint's timestamp, then the
// estimate refills linearly over 2 h in steps that reset the timestamp and round down, a
// disabled direction comes back with a step of more than 60 s, a disable keeps the estimate)
// and excluded nodes for the payment only. And LDK's re-check of the invoice's expiry
// before a retry, at the nanosecond.
#include <catch2/catch.hpp>

#include "actors/lightning/cln_channel_hints.h"
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

TEST_CASE("a temporary channel failure: LDK avoids it for that payment only, CLN and LND on the "
          "next payment too, until the hint refills (CLN) or 182 s (LND)",
          "[lightning][failure-memory]") {
    for (const std::string payer : {"ldk", "cln", "lnd"}) {
        CAPTURE(payer);
        Diamond d(payer);
        PaymentResult first, second, later;
        d.w.run([&] {
            first = d.pay();
            second = d.pay();
            // Past LND's pair window (182.25 s after the failure, which came before `second`).
            sim::this_actor::sleep_for(sim::SimDuration::seconds(183));
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
        if (payer == "ldk") {
            // The next payment tries a again.
            CHECK(first_hops(second) == std::vector<NodeIndex>{d.a, d.b});
        } else {
            // Mission control (LND) and the channel hints (CLN) are the node's: the next
            // payment, within a minute, goes straight to b.
            CHECK(first_hops(second) == std::vector<NodeIndex>{d.b});
        }
        // Once LND's window has passed both try a again (CLN's hint refilled by 1,000,000
        // sat * 183 s / 7200 s, far above the 1 msat it lacked).
        CHECK(first_hops(later) == std::vector<NodeIndex>{d.a, d.b});
    }
}

TEST_CASE("LND's pair window ends at 182,253,863,052 ns after the failure, not a nanosecond "
          "earlier",
          "[lightning][failure-memory]") {
    Diamond d("lnd");
    PaymentResult first, before, at;
    d.w.run([&] {
        const sim::SimDuration round_trip = failed_round_trip(d);
        // pay's first attempt fails at t1 + round_trip: mission control's failure time.
        const sim::SimTime t1 = sim::this_actor::now();
        first = d.pay();
        const sim::SimTime failed_at = t1 + round_trip;
        // 1 h * log2(29/28) = 182.253863051885 s, rounded up (profile.cc).
        const sim::SimDuration window = sim::SimDuration::nanos(182'253'863'052);
        sim::this_actor::sleep_for((failed_at + window - sim::SimDuration::nanos(1)) -
                                   sim::this_actor::now());
        before = d.pay();
        sim::this_actor::sleep_for((failed_at + window) - sim::this_actor::now());
        at = d.pay();
    });
    REQUIRE(first.succeeded);
    REQUIRE(before.succeeded);
    REQUIRE(at.succeeded);
    CHECK(first_hops(first) == std::vector<NodeIndex>{d.a, d.b});
    CHECK(first_hops(before) == std::vector<NodeIndex>{d.b});
    CHECK(first_hops(at) == std::vector<NodeIndex>{d.a, d.b});
}

TEST_CASE("LND: a node failure keeps the reporter's own directions out 271,037,258,296 ns and "
          "its peers' 182,253,863,052 ns, not a nanosecond less; a policy failure teaches nothing",
          "[lightning][failure-memory]") {
    // Node 1 reports; channel 1 is s -> 1, channel 2 is 1 -> 2.
    const Route route = line_route(1000, 1000, 1000);
    const Profile lnd = lnd_profile();
    const sim::SimTime t0 = sim::SimTime::zero() + sim::SimDuration::seconds(10);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    // 1 h * log2(29/28) and 1 h * log2(59/56), rounded up to the nanosecond (profile.cc).
    const sim::SimDuration pair_window = sim::SimDuration::nanos(182'253'863'052);
    const sim::SimDuration node_window = sim::SimDuration::nanos(271'037'258'296);
    SECTION("temporary_node_failure: failNode") {
        LiquidityKnowledge node(0);
        learn_from_failure(lnd, &node, nullptr, route, 0,
                           FailureReport{0, FailureCode::temporary_node_failure, false}, t0);
        node.forget_expired(t0 + pair_window - ns);
        CHECK(node.learned_max(ShortChannelId{2}, 1) == 0);  // the reporter's own direction
        CHECK(node.learned_max(ShortChannelId{2}, 2) == 0);  // its peer's, towards it
        node.forget_expired(t0 + pair_window);
        CHECK(node.learned_max(ShortChannelId{2}, 1) == 0);
        CHECK(node.learned_max(ShortChannelId{1}, 1) == 0);
        CHECK(node.learned_max(ShortChannelId{2}, 2) == UINT64_MAX);
        node.forget_expired(t0 + node_window - ns);
        CHECK(node.learned_max(ShortChannelId{2}, 1) == 0);
        CHECK(node.learned_max(ShortChannelId{1}, 1) == 0);
        node.forget_expired(t0 + node_window);
        CHECK(node.learned_max(ShortChannelId{2}, 1) == UINT64_MAX);
        CHECK(node.learned_max(ShortChannelId{1}, 1) == UINT64_MAX);
    }
    SECTION("policy failures and expiry_too_soon: nothing learned about the next channel") {
        for (FailureCode code :
             {FailureCode::amount_below_minimum, FailureCode::fee_insufficient,
              FailureCode::incorrect_cltv_expiry, FailureCode::channel_disabled,
              FailureCode::expiry_too_soon}) {
            CAPTURE(to_string(code));
            LiquidityKnowledge node(0);
            learn_from_failure(lnd, &node, nullptr, route, 0, FailureReport{0, code, true}, t0);
            CHECK(node.learned_max(ShortChannelId{2}, 1) == UINT64_MAX);
            CHECK(node.learned_max(ShortChannelId{2}, 2) == UINT64_MAX);
            CHECK(node.learned_max(ShortChannelId{1}, 1) == UINT64_MAX);
            CHECK_FALSE(node.is_excluded(ShortChannelId{2}));
            CHECK_FALSE(node.is_excluded(NodeIndex{1}));
        }
    }
}

TEST_CASE("an exclusion keeps the later of two ends: a shorter one after it does not shorten "
          "it",
          "[lightning][failure-memory]") {
    const sim::SimTime t0 = sim::SimTime::zero();
    const sim::SimTime soon = t0 + sim::SimDuration::seconds(10);
    const sim::SimTime later = t0 + sim::SimDuration::seconds(20);
    for (const bool shorter_second : {true, false}) {
        CAPTURE(shorter_second);
        LiquidityKnowledge k(0);
        const sim::SimTime first = shorter_second ? sim::SimTime::never() : soon;
        const sim::SimTime second = shorter_second ? soon : sim::SimTime::never();
        k.exclude_channel(ShortChannelId{5}, first);
        k.exclude_channel(ShortChannelId{5}, second);
        k.exclude_node(NodeIndex{3}, first);
        k.exclude_node(NodeIndex{3}, second);
        k.forget_expired(t0 + sim::SimDuration::seconds(86400));
        CHECK(k.is_excluded(ShortChannelId{5}));
        CHECK(k.is_excluded(NodeIndex{3}));
    }
    // Two finite ends: the later holds, to the nanosecond.
    LiquidityKnowledge k(0);
    k.exclude_channel(ShortChannelId{5}, later);
    k.exclude_channel(ShortChannelId{5}, soon);
    k.forget_expired(later - sim::SimDuration::nanos(1));
    CHECK(k.is_excluded(ShortChannelId{5}));
    k.forget_expired(later);
    CHECK_FALSE(k.is_excluded(ShortChannelId{5}));
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

TEST_CASE("CLN: a temporary channel failure caps the direction's estimate at the amount - 1 "
          "msat in the node's hints; a node failure excludes the node for the payment",
          "[lightning][failure-memory]") {
    const Route route = line_route(5000, 4000, 4000);
    const Profile cln = cln_profile();
    LiquidityKnowledge node(0), payment(0);
    const FailureReport temporary{0, FailureCode::temporary_channel_failure, true};
    learn_from_failure(cln, &node, &payment, route, 0, temporary, sim::SimTime::zero());
    CHECK(payment.empty_of_learned());
    CHECK(node.learned_max(ShortChannelId{2}, 1) == UINT64_MAX);
    const std::optional<ClnHintUpdate> u = cln_hint_update(route, 0, temporary);
    REQUIRE(u.has_value());
    CHECK(u->scid == ShortChannelId{2});
    CHECK(u->from == 1);
    CHECK(u->enabled);
    CHECK(u->estimate_msat == 3999);
    for (FailureCode code : {FailureCode::permanent_channel_failure,
                             FailureCode::channel_disabled, FailureCode::unknown_next_peer}) {
        const std::optional<ClnHintUpdate> d =
            cln_hint_update(route, 0, FailureReport{0, code, false});
        REQUIRE(d.has_value());
        CHECK_FALSE(d->enabled);
    }
    const FailureReport node_failure{0, FailureCode::temporary_node_failure, false};
    CHECK_FALSE(cln_hint_update(route, 0, node_failure).has_value());
    learn_from_failure(cln, &node, &payment, route, 0, node_failure, sim::SimTime::zero());
    CHECK(payment.is_excluded(NodeIndex{1}));
    CHECK_FALSE(node.is_excluded(NodeIndex{1}));
    // From the payee or the sender's own channel: no hint.
    CHECK_FALSE(cln_hint_update(route, 0, FailureReport{2, FailureCode::temporary_channel_failure,
                                                        true})
                    .has_value());
    CHECK_FALSE(cln_hint_update(route, 0, FailureReport{-1, FailureCode::temporary_channel_failure,
                                                         true})
                    .has_value());
}

namespace {

// The most scid 2's direction from node 1 passes once `hints` are updated in place at `now_s`
// (channel_hint_set_update before a route computation), then written into a view.
uint64_t max_after_update(ClnChannelHints* hints, int64_t now_s) {
    hints->update(now_s);
    LiquidityKnowledge view(0);
    hints->project(&view);
    return view.learned_max(ShortChannelId{2}, 1);
}

// The same for a single update of a copy: what the hints say at `now_s` when nothing updated
// them since they were set.
uint64_t max_after_one_update(ClnChannelHints hints, int64_t now_s) {
    return max_after_update(&hints, now_s);
}

}  // namespace

TEST_CASE("CLN's channel hints relax at the second: unchanged for 60 s, then refilled by "
          "capacity * seconds / 7200, a disabled direction back after more than 60 s",
          "[lightning][failure-memory]") {
    // Capacity 7,200,000 msat: the refill is 1,000 msat a second.
    const uint64_t capacity = 7200000;
    const ShortChannelId scid{2};
    SECTION("an estimate, one update from the failure") {
        ClnChannelHints hints;
        hints.cap(scid, 1, 3999, capacity, 1000);
        CHECK(max_after_one_update(hints, 1000) == 3998);  // amounts >= the estimate refused
        CHECK(max_after_one_update(hints, 1059) == 3998);
        CHECK(max_after_one_update(hints, 1060) == 63998);  // 3,999 + 60 * 1,000, minus one
        CHECK(max_after_one_update(hints, 1061) == 64998);
        CHECK(max_after_one_update(hints, 1000 + 7196) == 7199998);
        // At the capacity: no restriction.
        CHECK(max_after_one_update(hints, 1000 + 7197) == UINT64_MAX);
    }
    SECTION("a disabled direction, one update from the failure") {
        ClnChannelHints hints;
        hints.disable(scid, 1, capacity, 1000);
        CHECK(max_after_one_update(hints, 1000) == 0);
        CHECK(max_after_one_update(hints, 1060) == 0);      // 60 s: refilled, still disabled
        CHECK(max_after_one_update(hints, 1061) == 60999);  // enabled, the estimate from 0
    }
    SECTION("a newer failure replaces the hint; an older one does not") {
        ClnChannelHints hints;
        hints.cap(scid, 1, 3999, capacity, 1000);
        hints.disable(scid, 1, capacity, 1010);
        CHECK(max_after_update(&hints, 1069) == 0);
        hints.cap(scid, 1, 500000, capacity, 1005);
        CHECK(max_after_update(&hints, 1069) == 0);
        hints.cap(scid, 1, 500000, capacity, 1010);
        CHECK(max_after_update(&hints, 1069) == 499999);
    }
    SECTION("a channel of unknown capacity (0): the estimate holds for the hysteresis only") {
        ClnChannelHints hints;
        hints.cap(scid, 1, 3999, 0, 1000);
        CHECK(max_after_update(&hints, 1059) == 3998);
        CHECK(max_after_update(&hints, 1060) == UINT64_MAX);
    }
}

TEST_CASE("CLN's channel hints are updated in place: each update resets the timestamp, so the "
          "refill comes in steps at least 60 s apart, rounded down at each step",
          "[lightning][failure-memory]") {
    const ShortChannelId scid{2};
    SECTION("between steps the estimate holds: at +119 s it is the +60 s step's") {
        ClnChannelHints hints;
        hints.cap(scid, 1, 3999, 7200000, 1000);  // 1,000 msat a second
        CHECK(max_after_update(&hints, 1060) == 63998);
        // 59 s after the step: unchanged (one update from the failure: 3,999 + 119,000).
        CHECK(max_after_update(&hints, 1119) == 63998);
        CHECK(max_after_update(&hints, 1120) == 123998);  // the next step: + 60 * 1,000
        CHECK(hints.find(scid, 1)->unix_s == 1120);
    }
    SECTION("two 60 s steps round down twice: one msat below a single 120 s update") {
        // capacity * 60 / 7200 = 8,333,333.75 and capacity * 120 / 7200 = 16,666,667.5.
        const uint64_t capacity = 1000000050;
        ClnChannelHints stepped;
        stepped.cap(scid, 1, 1000, capacity, 1000);
        ClnChannelHints once = stepped;
        CHECK(max_after_update(&stepped, 1060) == 1000 + 8333333 - 1);
        CHECK(max_after_update(&stepped, 1120) == 1000 + 2 * 8333333 - 1);  // 16,667,665
        CHECK(max_after_update(&once, 1120) == 1000 + 16666667 - 1);        // 16,667,666
    }
}

TEST_CASE("CLN's disabled channel hint: an update at exactly +60 s resets the timestamp "
          "without enabling, so the next step must come more than 60 s later",
          "[lightning][failure-memory]") {
    const uint64_t capacity = 7200000;  // 1,000 msat a second
    const ShortChannelId scid{2};
    ClnChannelHints hints;
    hints.disable(scid, 1, capacity, 1000);
    REQUIRE(max_after_update(&hints, 1060) == 0);  // refilled to 60,000, still disabled
    CHECK(hints.find(scid, 1)->unix_s == 1060);
    SECTION("+120 s: a second 60 s step, still disabled; +121 s is before the next step") {
        CHECK(max_after_update(&hints, 1120) == 0);
        CHECK(max_after_update(&hints, 1121) == 0);
        CHECK(max_after_update(&hints, 1179) == 0);
        // Steps exactly 60 s apart never enable it.
        CHECK(max_after_update(&hints, 1180) == 0);
        CHECK(hints.find(scid, 1)->estimate_msat == 180000);
        CHECK(max_after_update(&hints, 1241) == 180000 + 61000 - 1);  // 61 s: enabled
    }
    SECTION("+121 s: 61 s after the +60 s step, enabled with both steps' refill") {
        // +100 s, 40 s after the step: still disabled (projected from the failure it would be
        // enabled: 100,000 - 1).
        CHECK(max_after_update(&hints, 1100) == 0);
        CHECK(max_after_update(&hints, 1121) == 60000 + 61000 - 1);
    }
}

TEST_CASE("CLN's channel hints under a clock stepped back: frozen until timestamp + 60, and a "
          "failure stamped before the hint's timestamp is dropped, as upstream",
          "[lightning][failure-memory]") {
    const uint64_t capacity = 7200000;  // 1,000 msat a second
    const ShortChannelId scid{2};
    ClnChannelHints hints;
    hints.cap(scid, 1, 3999, capacity, 1000);
    // The clock now reads 100 s earlier: the update changes nothing (before timestamp + 60).
    CHECK(max_after_update(&hints, 900) == 3998);
    CHECK(hints.find(scid, 1)->unix_s == 1000);
    // A failure stamped 950, before the hint's 1000: channel_hint_set_add keeps the newer hint.
    hints.cap(scid, 1, 500000, capacity, 950);
    CHECK(hints.find(scid, 1)->estimate_msat == 3999);
    CHECK(hints.find(scid, 1)->unix_s == 1000);
    // Once the clock passes the stored timestamp, the steps resume from it.
    CHECK(max_after_update(&hints, 1059) == 3998);
    CHECK(max_after_update(&hints, 1060) == 63998);
    CHECK(hints.find(scid, 1)->unix_s == 1060);
}

TEST_CASE("CLN's channel hints: disabling a direction that has a capped hint keeps its "
          "estimate (channel_hint_set_add writes the estimate only when given one)",
          "[lightning][failure-memory]") {
    const uint64_t capacity = 7200000;  // 1,000 msat a second
    const ShortChannelId scid{2};
    ClnChannelHints hints;
    hints.cap(scid, 1, 3999, capacity, 1000);
    hints.disable(scid, 1, capacity, 1010);
    const ClnChannelHints::Hint* h = hints.find(scid, 1);
    REQUIRE(h != nullptr);
    CHECK_FALSE(h->enabled);
    CHECK(h->estimate_msat == 3999);
    CHECK(h->unix_s == 1010);
    CHECK(max_after_update(&hints, 1070) == 0);  // 60 s after the disable: still disabled
    // Enabled at the next step, from the kept 3,999 + 60,000 + 1,000 (not from 0).
    CHECK(max_after_update(&hints, 1131) == 3999 + 60000 + 61000 - 1);
    // A new disabled hint starts at 0 (upstream leaves it unset; inference).
    ClnChannelHints fresh;
    fresh.disable(scid, 1, capacity, 1010);
    CHECK(fresh.find(scid, 1)->estimate_msat == 0);
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
