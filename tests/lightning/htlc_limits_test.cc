// Per-implementation channel limits an offerer must respect (BOLT 2, reference §1.7 and §4):
// the receiver's max_htlc_value_in_flight_msat (LDK 25 % of the capacity on an announced
// channel, 100 % on an unannounced one; LND capacity minus its 1 % reserve; CLN unlimited) and
// the channel reserve the other side requires (1 % in whole sat; LDK at least 1000 sat, at most
// the capacity). Each at the limit and one msat over: by the sender (its router sees no room,
// nothing is offered) and by a forwarding node whose room other HTLCs took
// (temporary_channel_failure). The announced htlc_maximum_msat: announced_htlc_max_test.cc.
#include <catch2/catch.hpp>

#include <limits>

#include "tests/lightning/ln_test_util.h"

using namespace ln_test;

namespace {

void pay_async(World& w, NodeIndex payer, const Invoice& inv, PaymentResult* result) {
    w.sim.scheduler().spawn(
        "payer", [&w, payer, inv, result] { *result = w.ln.node(payer).pay(inv); },
        {.node = w.ln.node(payer).net_id()});
}

}  // namespace

TEST_CASE("limits: reserve and max in flight per implementation", "[lightning][limits]") {
    const Profile ldk = ldk_profile();
    const Profile lnd = lnd_profile();
    const Profile cln = cln_profile();
    // Reserve: 1 % in whole sat; LDK raises it to 1000 sat and caps it at the capacity.
    CHECK(required_reserve_msat(ldk, 1000000, 10) == 10000000);
    CHECK(required_reserve_msat(ldk, 100100, 10) == 1001000);
    CHECK(required_reserve_msat(ldk, 100000, 10) == 1000000);
    CHECK(required_reserve_msat(ldk, 99999, 10) == 1000000);  // 999 sat -> 1000
    CHECK(required_reserve_msat(ldk, 500, 10) == 500000);     // capped at the capacity
    CHECK(required_reserve_msat(lnd, 99999, 10) == 999000);
    CHECK(required_reserve_msat(cln, 99999, 10) == 999000);
    // Max in flight towards the node.
    CHECK(max_htlc_value_in_flight_msat(ldk, 1000000, true) == 250000000);
    CHECK(max_htlc_value_in_flight_msat(ldk, 1000000, false) == 1000000000);
    CHECK(max_htlc_value_in_flight_msat(ldk, 12345, true) == 3086250);
    CHECK(max_htlc_value_in_flight_msat(lnd, 1000000, true) == 990000000);
    CHECK(max_htlc_value_in_flight_msat(lnd, 12345, false) == 12222000);  // 12345 - 123 sat
    CHECK(max_htlc_value_in_flight_msat(cln, 1000000, true) ==
          std::numeric_limits<uint64_t>::max());
}

TEST_CASE("sender: an LDK peer's 25 % in-flight limit, at the limit and one msat over",
          "[lightning][actors][limits]") {
    World w(41);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex t = w.add("t", "ldk");
    // s funds 1,000,000 sat and keeps it all; t (LDK, announced) lets s have 250,000,000 msat
    // in flight towards it.
    ChannelIndex st = w.connect(ChannelOptions{.funder = s, .peer = t, .capacity_sat = 1000000});
    const uint64_t limit = 250000000;
    PaymentResult held;
    PaymentResult over;
    PaymentResult at;
    w.run([&] {
        const ChannelLedger& ch = w.ln.channel(st);
        CHECK(ch.side(ch.side_of(t)).max_in_flight_msat == limit);
        CHECK(ch.available_msat(ch.side_of(s)) == limit);
        // 100,000,000 held at t, so 150,000,000 is the room left.
        const Preimage secret = random_preimage(sim::this_actor::random());
        Invoice hold = w.ln.node(t).create_hold_invoice(
            InvoiceOptions{.amount_msat = 100000000}, payment_hash_of(secret));
        pay_async(w, s, hold, &held);
        sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
        REQUIRE(w.ln.node(t).held_count(hold.payment_hash) == 1);
        CHECK(ch.available_msat(ch.side_of(s)) == limit - 100000000);
        over = w.ln.node(s).pay(
            w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = limit - 100000000 + 1}));
        at = w.ln.node(s).pay(
            w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = limit - 100000000}));
        REQUIRE(w.ln.node(t).settle_hold(secret));
    });
    INFO(over.reason);
    CHECK_FALSE(over.succeeded);
    CHECK(over.attempts.empty());  // nothing offered: the router sees no room
    CHECK(over.reason.find("no route") != std::string::npos);
    INFO(at.reason);
    CHECK(at.succeeded);
    CHECK(held.succeeded);
}

TEST_CASE("forward: the next hop's in-flight room, at the room left and one msat over",
          "[lightning][actors][limits]") {
    World w(42);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", "lnd");
    NodeIndex t = w.add("t", "ldk");
    w.connect(ChannelOptions{.funder = a, .peer = b, .capacity_sat = 2000000});
    ChannelIndex bt = w.connect(ChannelOptions{.funder = b, .peer = t, .capacity_sat = 1000000});
    // b announces t's 25 % for b -> t (LND extractAnnounceParams), so a payer never routes
    // more; an HTLC b holds towards t takes room a cannot see, and b refuses what no longer
    // fits with temporary_channel_failure.
    const uint64_t limit = 250000000;
    const uint64_t room = limit - 100000000;
    PaymentResult held;
    PaymentResult over;
    PaymentResult at;
    w.run([&] {
        const ChannelLedger& ch = w.ln.channel(bt);
        CHECK(ch.side(ch.side_of(b)).policy.htlc_maximum_msat == limit);
        const Preimage secret = random_preimage(sim::this_actor::random());
        Invoice hold = w.ln.node(t).create_hold_invoice(
            InvoiceOptions{.amount_msat = 100000000}, payment_hash_of(secret));
        pay_async(w, b, hold, &held);
        sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
        REQUIRE(w.ln.node(t).held_count(hold.payment_hash) == 1);
        over = w.ln.node(a).pay(
            w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = room + 1}));
        at = w.ln.node(a).pay(w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = room}));
        REQUIRE(w.ln.node(t).settle_hold(secret));
    });
    INFO(over.reason);
    CHECK_FALSE(over.succeeded);
    REQUIRE_FALSE(over.attempts.empty());
    REQUIRE(over.attempts[0].failure.has_value());
    CHECK(over.attempts[0].failure->code == FailureCode::temporary_channel_failure);
    CHECK(over.attempts[0].failure->failing_node == b);
    INFO(at.reason);
    CHECK(at.succeeded);
    CHECK(held.succeeded);
}

TEST_CASE("unannounced LDK channel: 100 % in flight, the sender's reserve decides; LDK's "
          "1000 sat minimum reserve against LND's 1 %",
          "[lightning][actors][limits]") {
    struct Case {
        const char* peer;
        uint64_t capacity_sat;
        uint64_t max_payment_msat;  // the sender's balance above the reserve the peer requires
    };
    // 1,000,000 sat: reserve 10,000 sat either way. 50,000 sat: LDK requires 1000 sat, LND
    // 1 % = 500 sat.
    for (const Case& c : {Case{"ldk", 1000000, 990000000}, Case{"ldk", 50000, 49000000},
                          Case{"lnd", 50000, 49500000}}) {
        INFO(c.peer << " " << c.capacity_sat);
        World w(43);
        NodeIndex s = w.add("s", "lnd");
        NodeIndex t = w.add("t", c.peer);
        ChannelOptions options{.funder = s, .peer = t, .capacity_sat = c.capacity_sat};
        options.announce = false;
        ChannelIndex st = w.connect(options);
        PaymentResult over;
        PaymentResult at;
        w.run([&] {
            const ChannelLedger& ch = w.ln.channel(st);
            CHECK(ch.available_msat(ch.side_of(s)) == c.max_payment_msat);
            over = w.ln.node(s).pay(w.ln.node(t).create_invoice(
                InvoiceOptions{.amount_msat = c.max_payment_msat + 1}));
            at = w.ln.node(s).pay(
                w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = c.max_payment_msat}));
        });
        INFO(over.reason);
        CHECK_FALSE(over.succeeded);
        CHECK(over.attempts.empty());
        INFO(at.reason);
        CHECK(at.succeeded);
    }
}
