// BOLT 2 (reference §1.7): an offerer must not offer more HTLCs than the remote's
// max_accepted_htlcs. Exactly that many in flight work; one more is refused before it leaves:
// by the sender as a full first hop (the router sees no room on it, and an attempt over it fails
// locally with temporary_channel_failure, as for missing liquidity), and by a forwarding node
// as temporary_channel_failure.
#include <catch2/catch.hpp>

#include <array>

#include "tests/lightning/ln_test_util.h"

using namespace ln_test;

namespace {

constexpr uint32_t k_slots = 2;
constexpr uint64_t k_amount_msat = 100000;

void pay_async(World& w, NodeIndex payer, const Invoice& inv, PaymentResult* result) {
    w.sim.scheduler().spawn(
        "payer", [&w, payer, inv, result] { *result = w.ln.node(payer).pay(inv); },
        {.node = w.ln.node(payer).net_id()});
}

// A channel `from` -> `to` where `to` accepts at most k_slots HTLCs.
ChannelIndex narrow(World& w, NodeIndex from, NodeIndex to) {
    return w.connect(ChannelOptions{.funder = from, .peer = to, .capacity_sat = 1000000,
                                    .push_msat = 500000000,
                                    .peer_overrides = {.max_accepted_htlcs = k_slots}});
}

// Holds k_slots payments at `payee` (a CLN node never auto-fails a held HTLC); returns their
// preimages so the caller can settle them.
std::array<Preimage, k_slots> fill(World& w, NodeIndex payer, NodeIndex payee,
                                   std::array<PaymentResult, k_slots>* results) {
    std::array<Preimage, k_slots> secrets;
    for (uint32_t i = 0; i < k_slots; ++i) {
        secrets[i] = random_preimage(sim::this_actor::random());
        Invoice inv = w.ln.node(payee).create_hold_invoice(
            InvoiceOptions{.amount_msat = k_amount_msat}, payment_hash_of(secrets[i]));
        pay_async(w, payer, inv, &(*results)[i]);
    }
    sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
    for (uint32_t i = 0; i < k_slots; ++i) {
        REQUIRE(w.ln.node(payee).held_count(payment_hash_of(secrets[i])) == 1);
    }
    return secrets;
}

}  // namespace

TEST_CASE("sender: max_accepted_htlcs in flight on the first hop work, one more is refused",
          "[lightning][actors][htlc-slots]") {
    World w(31);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex t = w.add("t", "cln");
    ChannelIndex st = narrow(w, s, t);
    std::array<PaymentResult, k_slots> held;
    PaymentResult extra;
    PaymentResult direct;
    PaymentResult after;
    w.run([&] {
        Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = k_amount_msat});
        const Profile& sender = w.ln.node(s).profile();
        Result<Route> route =
            find_route(w.ln.node(s).graph(), LiquidityKnowledge(s), sender,
                       payment_request_from_invoice(sender, s, inv, w.tip()));
        REQUIRE(route.ok());
        std::array<Preimage, k_slots> secrets = fill(w, s, t, &held);
        const ChannelLedger& ch = w.ln.channel(st);
        CHECK(ch.offered_count(ch.side_of(s)) == k_slots);
        // One more: the router sees no room on the only channel.
        extra = w.ln.node(s).pay(inv);
        // Forced over the full channel: refused locally, nothing offered.
        direct = w.ln.node(s).send_to_route(route.value(), inv.payment_hash);
        CHECK(ch.offered_count(ch.side_of(s)) == k_slots);
        // A slot frees up: the same invoice goes through.
        REQUIRE(w.ln.node(t).settle_hold(secrets[0]));
        sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
        after = w.ln.node(s).pay(inv);
        REQUIRE(w.ln.node(t).settle_hold(secrets[1]));
    });
    INFO(extra.reason);
    CHECK_FALSE(extra.succeeded);
    CHECK(extra.attempts.empty());
    CHECK(extra.reason.find("no route") != std::string::npos);
    INFO(direct.reason);
    CHECK_FALSE(direct.succeeded);
    REQUIRE(direct.attempts.size() == 1);
    REQUIRE(direct.attempts[0].failure.has_value());
    CHECK(direct.attempts[0].failure->code == FailureCode::temporary_channel_failure);
    CHECK(direct.attempts[0].failure->failing_node == s);
    CHECK(direct.reason.find("already has 2 HTLCs") != std::string::npos);
    CHECK(after.succeeded);
    for (const PaymentResult& r : held) {
        CHECK(r.succeeded);
    }
}

TEST_CASE("forward: max_accepted_htlcs in flight on the outgoing channel work, one more fails "
          "with temporary_channel_failure",
          "[lightning][actors][htlc-slots]") {
    World w(32);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", "lnd");
    NodeIndex t = w.add("t", "cln");
    w.connect(a, b);
    ChannelIndex bt = narrow(w, b, t);
    std::array<PaymentResult, k_slots> held;
    PaymentResult extra;
    w.run([&] {
        std::array<Preimage, k_slots> secrets = fill(w, a, t, &held);
        const ChannelLedger& ch = w.ln.channel(bt);
        CHECK(ch.offered_count(ch.side_of(b)) == k_slots);
        Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = k_amount_msat});
        extra = w.ln.node(a).pay(inv);
        CHECK(ch.offered_count(ch.side_of(b)) == k_slots);
        for (const Preimage& p : secrets) {
            REQUIRE(w.ln.node(t).settle_hold(p));
        }
    });
    INFO(extra.reason);
    CHECK_FALSE(extra.succeeded);
    REQUIRE_FALSE(extra.attempts.empty());
    REQUIRE(extra.attempts[0].failure.has_value());
    CHECK(extra.attempts[0].failure->code == FailureCode::temporary_channel_failure);
    CHECK(extra.attempts[0].failure->failing_node == b);
    CHECK(extra.attempts[0].failure->reason.find("already has 2 HTLCs (max 2)") !=
          std::string::npos);
    for (const PaymentResult& r : held) {
        CHECK(r.succeeded);
    }
}
