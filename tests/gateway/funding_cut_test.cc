// End to end, the funding-loss case (docs/federation.md "Users", connection errors): an external
// payer pays the client's invoice through the gateway, and a cut between the gateway and every
// guardian starts when the gateway intercepts the HTLC (or 100 ms later, after its
// FundIncomingTx submission) — so its funding read, its submission and the outcome await (or
// that await's reply) meet the cut. The receive must complete, the payer's payment succeed, and
// the gateway's books balance: ecash out == the contract, and its Lightning balance up by at
// least as much. Before the long-poll's connection-error handling a cut like this made the
// gateway report the funding rejected after the federation had funded it: it failed the HTLC
// while the client claimed the ecash, and the gateway lost the amount. Until the gateway's own
// 60 s funding deadline went (it has none upstream: gateway_payments.cc intercept), a cut
// after the submission that healed near or past that mark lost it the same way.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

struct Outcome {
    bool received = false;
    ln::PaymentResult external;
    std::optional<gateway::IncomingPayment> incoming;
    uint64_t alice_before = 0, alice_after = 0;
    uint64_t gw_ecash_before = 0, gw_ecash_after = 0;
    uint64_t gw_channel_before = 0, gw_channel_after = 0;
    bool funded_during_cut = false;  // guardian 0 held the funded contract when the cut healed
};

// Runs the receive with a cut of `length` between the gateway and the guardians (`kind`:
// symmetric, or one-way guardians -> gateway so that only replies are lost) from `start` after
// the gateway intercepts the HTLC.
Outcome receive_through_cut(uint64_t seed, sim::PartitionKind kind, sim::SimDuration length,
                            sim::SimDuration start = sim::SimDuration::zero()) {
    World w(seed, "lnd");
    Outcome out;
    w.run([&] {
        out.alice_before = w.ecash(ClientId(1));
        out.gw_ecash_before = w.ecash(ClientId(100));
        out.gw_channel_before = w.balance(w.ch_ga, w.g) + w.balance(w.ch_xg, w.g);
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000);
        REQUIRE(inv.has_value());
        w.sim.scheduler().spawn("payer", [&] { out.external = w.net.node(w.a).pay(*inv); });
        while (w.gateway->store().incoming.empty()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        this_actor::sleep_for(start);
        std::vector<sim::NodeId> gs(w.fed->nodes().begin(), w.fed->nodes().end());
        const uint32_t cut =
            kind == sim::PartitionKind::symmetric
                ? w.sim.network().partition({w.gateway->node()}, gs, kind)
                : w.sim.network().partition(gs, {w.gateway->node()}, kind);
        this_actor::sleep_for(length);
        out.funded_during_cut =
            w.fed->store(PeerId(0)).state.incoming().count(inv->payment_hash) == 1;
        w.sim.network().heal(cut);
        out.received = w.alice->await_receive(inv->payment_hash, sim::SimDuration::minutes(5));
        // The gateway's side ends too: settled, or failed.
        const gateway::IncomingPayment& p = w.gateway->store().incoming.begin()->second;
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while (p.stage != gateway::IncomingStage::settled &&
               p.stage != gateway::IncomingStage::failed && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::seconds(1));
        }
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        out.incoming = p;
        out.alice_after = w.ecash(ClientId(1));
        out.gw_ecash_after = w.ecash(ClientId(100));
        out.gw_channel_after = w.balance(w.ch_ga, w.g) + w.balance(w.ch_xg, w.g);
    });
    return out;
}

void check_nothing_lost(const Outcome& out) {
    REQUIRE(out.incoming.has_value());
    INFO("gateway note: " << out.incoming->note);
    CHECK(out.incoming->stage == gateway::IncomingStage::settled);
    CHECK_FALSE(out.incoming->lost);
    CHECK(out.received);
    INFO(out.external.reason);
    CHECK(out.external.succeeded);
    CHECK(out.alice_after == out.alice_before + 700000);
    // The gateway paid the contract in ecash and was paid at least as much on its channels.
    const uint64_t funded = out.incoming->htlc.outgoing_amount_msat;
    CHECK(funded == 700000);
    CHECK(out.gw_ecash_after == out.gw_ecash_before - funded);
    CHECK(out.gw_channel_after >= out.gw_channel_before + funded);
}

}  // namespace

TEST_CASE("a gateway-guardians cut while the gateway funds an incoming contract, healed within "
          "its deadline: the receive completes and nothing is lost",
          "[gateway][actors][partition][long-poll]") {
    SECTION("both directions cut for 8 s: the submission and the await fail to send") {
        check_nothing_lost(
            receive_through_cut(81, sim::PartitionKind::symmetric, sim::SimDuration::seconds(8)));
    }
    SECTION("guardians -> gateway cut for 12 s: the funding goes through, the replies are lost") {
        check_nothing_lost(
            receive_through_cut(82, sim::PartitionKind::one_way, sim::SimDuration::seconds(12)));
    }
}

// The old 60 s mark: the gateway's funding wait used to end 60 s after its submission, which
// goes out within the first 100 ms after the interception (the funding read answers in tens of
// ms [inference from the guardians' link latency]). A cut starting 100 ms after the
// interception and lasting 59.8 s heals at +59.9 s, before the mark; one lasting 60.2 s heals at
// +60.3 s, after it. The federation funds the contract either way (the submission went out
// before the cut); with the deadline the gateway failed the HTLC at the mark and lost the
// amount on both sides of it (the next resubmit after the heal came at +66 s). Without it, the
// resubmit after the heal learns the outcome and the HTLC settles.
TEST_CASE("a gateway-guardians cut after the gateway's funding submission, healed just before "
          "or just after the old 60 s funding deadline: the gateway waits, settles, loses nothing",
          "[gateway][actors][partition][long-poll][funding-wait]") {
    const sim::SimDuration after_submission = sim::SimDuration::millis(100);
    // The submission went out before the cut: the federation funded the contract during it.
    auto check = [](const Outcome& out) {
        CHECK(out.funded_during_cut);
        check_nothing_lost(out);
    };
    SECTION("both directions, healed at +59.9 s") {
        check(receive_through_cut(83, sim::PartitionKind::symmetric,
                                  sim::SimDuration::millis(59800), after_submission));
    }
    SECTION("both directions, healed at +60.3 s") {
        check(receive_through_cut(83, sim::PartitionKind::symmetric,
                                  sim::SimDuration::millis(60200), after_submission));
    }
    SECTION("guardians -> gateway, healed at +59.9 s") {
        check(receive_through_cut(84, sim::PartitionKind::one_way,
                                  sim::SimDuration::millis(59800), after_submission));
    }
    SECTION("guardians -> gateway, healed at +60.3 s") {
        check(receive_through_cut(84, sim::PartitionKind::one_way,
                                  sim::SimDuration::millis(60200), after_submission));
    }
}
