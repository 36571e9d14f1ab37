// Invoice expiry per implementation, at the exact boundary (BOLT 11 `timestamp` + `x`, whole
// seconds): an LND or LDK payer refuses one nanosecond after it, a CLN payer only from the next
// whole second; a CLN payee refuses from that second itself, an LND payee one nanosecond after
// its creation instant + x, and an LDK payee reads block header times with two hours of grace
// (inbound_payment.rs), so the wall clock does not expire its invoices at all.
#include <catch2/catch.hpp>

#include "tests/lightning/ln_test_util.h"

using namespace ln_test;

namespace {

constexpr int64_t k_ns = 1000000000;

// Sleeps until the node's wall clock reads `unix_ns` (which must not be in the past).
void sleep_until_wall(World& w, NodeIndex n, int64_t unix_ns) {
    const int64_t now = w.ln.node(n).unix_now_ns();
    REQUIRE(unix_ns >= now);
    sim::this_actor::sleep_for(sim::SimDuration::nanos(unix_ns - now));
}

// Sleeps to the next instant whose wall clock fraction is 0.9 s, so an invoice made then
// has a creation instant 0.9 s after its whole-second timestamp.
void sleep_to_fraction_09(World& w, NodeIndex n) {
    const int64_t now = w.ln.node(n).unix_now_ns();
    sleep_until_wall(w, n, (now / k_ns + 1) * k_ns + 900000000);
}

PathEdge edge(World& w, ChannelIndex c, NodeIndex from) {
    const ChannelLedger& ch = w.ln.channel(c);
    return PathEdge{ch.scid(), from, ch.side(1 - ch.side_of(from)).node,
                    ch.side(ch.side_of(from)).policy};
}

}  // namespace

TEST_CASE("invoice expiry rules at their boundaries", "[lightning][invoice][expiry]") {
    Invoice inv;
    inv.created_at_unix = 1700000000;
    inv.expiry_seconds = 3600;
    inv.payee_created_at_unix_ns = 1700000000 * k_ns + 400000000;  // made at .4 s
    inv.payee_created_block_time = 1296688602;
    const int64_t expires_ns = (1700000000 + 3600) * k_ns;
    using R = InvoiceExpiryRule;
    CHECK_FALSE(invoice_expired(inv, R::after_ns, expires_ns, 0));
    CHECK(invoice_expired(inv, R::after_ns, expires_ns + 1, 0));
    CHECK_FALSE(invoice_expired(inv, R::after_whole_seconds, expires_ns + k_ns - 1, 0));
    CHECK(invoice_expired(inv, R::after_whole_seconds, expires_ns + k_ns, 0));
    CHECK_FALSE(invoice_expired(inv, R::at_or_after_whole_seconds, expires_ns - 1, 0));
    CHECK(invoice_expired(inv, R::at_or_after_whole_seconds, expires_ns, 0));
    CHECK_FALSE(invoice_expired(inv, R::after_creation_ns, expires_ns + 400000000, 0));
    CHECK(invoice_expired(inv, R::after_creation_ns, expires_ns + 400000001, 0));
    const int64_t deadline = 1296688602 + 3600 + 7200;
    const int64_t a_year_later = expires_ns + 365 * 86400 * k_ns;
    CHECK_FALSE(invoice_expired(inv, R::block_time_with_grace, a_year_later, deadline));
    CHECK(invoice_expired(inv, R::block_time_with_grace, 0, deadline + 1));
    // The profiles.
    CHECK(ldk_profile().payer_invoice_expiry == R::after_ns);
    CHECK(ldk_profile().payee_invoice_expiry == R::block_time_with_grace);
    CHECK(lnd_profile().payer_invoice_expiry == R::after_ns);
    CHECK(lnd_profile().payee_invoice_expiry == R::after_creation_ns);
    CHECK(cln_profile().payer_invoice_expiry == R::after_whole_seconds);
    CHECK(cln_profile().payee_invoice_expiry == R::at_or_after_whole_seconds);
    // The payer's copy keeps only what BOLT 11 carries.
    CHECK(public_copy(inv).payee_created_at_unix_ns == 0);
    CHECK(public_copy(inv).payee_created_block_time == 0);
}

TEST_CASE("payers at the expiry second: LND pays at it, refuses 0.5 s later; CLN still pays",
          "[lightning][actors][expiry]") {
    World w(61);
    NodeIndex lnd = w.add("lnd_payer", "lnd");
    NodeIndex cln = w.add("cln_payer", "cln");
    NodeIndex t = w.add("t", "lnd");
    w.connect(lnd, t);
    w.connect(cln, t);
    PaymentResult at_expiry;
    PaymentResult lnd_late;
    PaymentResult cln_late;
    w.run([&] {
        // Made at .9 s: LND's payee holds them until timestamp + 60 s + 0.9 s.
        sleep_to_fraction_09(w, t);
        const InvoiceOptions o{.amount_msat = 1000000, .expiry_seconds = 60};
        Invoice first = w.ln.node(t).create_invoice(o);
        Invoice second = w.ln.node(t).create_invoice(o);
        const int64_t expires_ns = first.expires_at_unix() * k_ns;
        sleep_until_wall(w, lnd, expires_ns);
        at_expiry = w.ln.node(lnd).pay(first);
        sleep_until_wall(w, lnd, expires_ns + 500000000);
        lnd_late = w.ln.node(lnd).pay(second);
        cln_late = w.ln.node(cln).pay(second);
    });
    INFO(at_expiry.reason);
    CHECK(at_expiry.succeeded);
    INFO(lnd_late.reason);
    CHECK_FALSE(lnd_late.succeeded);
    CHECK(lnd_late.attempts.empty());
    CHECK(lnd_late.reason.find("invoice expired") != std::string::npos);
    INFO(cln_late.reason);
    CHECK(cln_late.succeeded);
}

TEST_CASE("a CLN payee refuses from the expiry second itself; half a second earlier it accepts",
          "[lightning][actors][expiry]") {
    World w(62);
    NodeIndex payer = w.add("payer", "cln");
    NodeIndex t = w.add("t", "cln");
    w.connect(payer, t);
    PaymentResult early;
    PaymentResult late;
    w.run([&] {
        sleep_to_fraction_09(w, t);
        const InvoiceOptions o{.amount_msat = 1000000, .expiry_seconds = 60};
        Invoice first = w.ln.node(t).create_invoice(o);
        Invoice second = w.ln.node(t).create_invoice(o);
        const int64_t expires_ns = first.expires_at_unix() * k_ns;
        sleep_until_wall(w, payer, expires_ns - 500000000);
        early = w.ln.node(payer).pay(first);
        // The CLN payer still pays at expires_ns + 0.5 s (floor(now) == timestamp + x); its payee
        // has marked the invoice expired (expiry_time <= now).
        sleep_until_wall(w, payer, expires_ns + 500000000);
        late = w.ln.node(payer).pay(second);
    });
    INFO(early.reason);
    CHECK(early.succeeded);
    INFO(late.reason);
    CHECK_FALSE(late.succeeded);
    REQUIRE(late.attempts.size() == 1);
    CHECK(late.code == FailureCode::incorrect_or_unknown_payment_details);
    CHECK(late.reason.find("invoice expired") != std::string::npos);
}

TEST_CASE("an LDK payee expires invoices by block time with two hours of grace, not by the "
          "wall clock; an LND payee by its clock",
          "[lightning][actors][expiry]") {
    // Blocks are stamped as regtest's generatetoaddress does, max(MTP + 1, now): header times
    // follow the clock, not the block count. An LDK invoice with x = 60 s made while the tip's
    // time is T lasts while the tip's time is <= T + 60 + 7200 (inbound_payment,
    // highest_seen_timestamp): 13 blocks mined in a few seconds leave it payable; a block
    // stamped T + 7260 still does; one stamped T + 7261 does not.
    World w(63);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex ldk = w.add("ldk", "ldk");
    NodeIndex lnd = w.add("lnd", "lnd");
    ChannelIndex al = w.connect(a, ldk);
    ChannelIndex an = w.connect(a, lnd);
    PaymentResult ldk_wall;
    PaymentResult lnd_wall;
    PaymentResult ldk_13_quick;
    PaymentResult ldk_edge;
    PaymentResult ldk_past;
    int64_t created_block_time = 0;
    int64_t edge_block_time = 0;
    int64_t past_block_time = 0;
    int64_t quick_block_time = 0;
    w.run([&] {
        const InvoiceOptions o{.amount_msat = 1000000, .expiry_seconds = 60};
        created_block_time = w.ln.chain().chain().tip().time;
        Invoice i1 = w.ln.node(ldk).create_invoice(o);
        Invoice i2 = w.ln.node(ldk).create_invoice(o);
        Invoice i3 = w.ln.node(ldk).create_invoice(o);
        Invoice i4 = w.ln.node(ldk).create_invoice(o);
        Invoice j1 = w.ln.node(lnd).create_invoice(o);
        sim::this_actor::sleep_for(sim::SimDuration::seconds(120));
        // The payer's own check would refuse: force each HTLC over a built route.
        auto send = [&](ChannelIndex c, const Invoice& inv) {
            Route r = build_route({edge(w, c, a)}, 1000000, w.tip() + 100, 0);
            return w.ln.node(a).send_to_route(r, inv.payment_hash);
        };
        ldk_wall = send(al, i1);
        lnd_wall = send(an, j1);
        // 13 blocks one second apart: 13 s of header time, not 13 x 600 s.
        w.ln.mine_blocks(13, sim::SimDuration::seconds(1));
        quick_block_time = w.ln.chain().chain().tip().time;
        ldk_13_quick = send(al, i2);
        // A block mined when the clock reads T + 7260 is stamped so: the exact boundary.
        const int64_t boundary = created_block_time + 60 + 7200;
        auto mine_at = [&](int64_t unix_s) {
            const int64_t now = w.ln.chain().now_unix();
            REQUIRE(unix_s > now);
            sim::this_actor::sleep_for(sim::SimDuration::seconds(unix_s - now));
            w.ln.mine_blocks(1, sim::SimDuration::millis(10));
            return w.ln.chain().chain().tip().time;
        };
        edge_block_time = mine_at(boundary);
        ldk_edge = send(al, i3);
        past_block_time = mine_at(boundary + 1);
        ldk_past = send(al, i4);
    });
    INFO(ldk_wall.reason);
    CHECK(ldk_wall.succeeded);
    INFO(lnd_wall.reason);
    CHECK_FALSE(lnd_wall.succeeded);
    CHECK(lnd_wall.code == FailureCode::incorrect_or_unknown_payment_details);
    CHECK(lnd_wall.reason.find("invoice expired") != std::string::npos);
    // Under the old parent + 600 s stamping these 13 blocks alone added 7800 s.
    CHECK(quick_block_time - created_block_time < 600);
    INFO(ldk_13_quick.reason);
    CHECK(ldk_13_quick.succeeded);
    CHECK(edge_block_time == created_block_time + 7260);
    INFO(ldk_edge.reason);
    CHECK(ldk_edge.succeeded);
    CHECK(past_block_time == created_block_time + 7261);
    INFO(ldk_past.reason);
    CHECK_FALSE(ldk_past.succeeded);
    CHECK(ldk_past.code == FailureCode::incorrect_or_unknown_payment_details);
    CHECK(ldk_past.reason.find("invoice expired") != std::string::npos);
}
