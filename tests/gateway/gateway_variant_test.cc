// The four historical gateway variants (gateway_variant.h) end to end: with the variant on, the
// root cause shows (LND's refusal at 490, a dispatch with cltv_limit 0 whose HTLC outlives the
// contract, an expired invoice handed to the node, a /stop that never returns); with it off the
// same situation ends correctly.
#include "actors/gateway/gateway_variant.h"
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;
using actors::gateway::GatewayVariant;

namespace {

Tweak with_variant(GatewayVariant v) {
    return [v](gateway::GatewayConfig& g, client::ClientConfig& c) {
        const gateway::VariantKnobs k = gateway::knobs_for(v);
        g.rules = k.rules;
        g.stop_deadlock = k.stop_deadlock;
        c.timelock = k.client_timelock;
    };
}

Tweak with_variant_and_timelock(GatewayVariant v, uint64_t blocks) {
    return [v, blocks](gateway::GatewayConfig& g, client::ClientConfig& c) {
        with_variant(v)(g, c);
        c.timelock_blocks = blocks;
    };
}

std::string note_of(const World& w) {
    const auto& out = w.gateway->store().outgoing;
    return out.empty() ? std::string() : out.begin()->second.note;
}

}  // namespace

TEST_CASE("variant names round-trip and none changes nothing", "[gateway][variant]") {
    for (GatewayVariant v : gateway::gateway_variants()) {
        CHECK(gateway::parse_gateway_variant(gateway::to_string(v)) == v);
    }
    CHECK_FALSE(gateway::parse_gateway_variant("nope").has_value());
    const gateway::VariantKnobs k = gateway::knobs_for(GatewayVariant::none);
    CHECK_FALSE(k.rules.allow_zero_max_delay);
    CHECK_FALSE(k.rules.skip_invoice_expiry_check);
    CHECK_FALSE(k.stop_deadlock);
    CHECK_FALSE(k.client_timelock.ignore_min_final_cltv);
    // fedimint#8928: `none` and GatewayConfig's default are the fix (the remote peer's policy);
    // only the variant restores node1_policy.
    CHECK_FALSE(k.lnd_hints_node1_policy);
    CHECK(gateway::knobs_for(GatewayVariant::lnd_hint_node1_policy).lnd_hints_node1_policy);
    CHECK_FALSE(gateway::GatewayConfig{}.lnd_hints_node1_policy);
}

TEST_CASE("timelock_ignores_min_final: LND refuses the 490 budget for min_final 650",
          "[gateway][variant]") {
    for (bool on : {false, true}) {
        INFO("variant " << on);
        World w(61, "lnd",
                with_variant(on ? GatewayVariant::timelock_ignores_min_final
                                : GatewayVariant::none));
        client::ClientPayment paid;
        w.run([&] {
            ln::Invoice inv = w.net.node(w.d).create_invoice(
                ln::InvoiceOptions{.amount_msat = 800000, .min_final_cltv_expiry_delta = 650});
            paid = w.alice->pay(inv);
        });
        if (on) {
            CHECK(paid.state == federation::PaymentState::refunded);
            CHECK_THAT(note_of(w), Catch::Contains("should be greater than 653"));
        } else {
            CHECK(paid.state == federation::PaymentState::succeeded);
        }
    }
}

TEST_CASE("lnd_zero_cltv_limit: a zero budget dispatched to LND outlives the contract",
          "[gateway][variant]") {
    for (bool on : {false, true}) {
        INFO("variant " << on);
        // timelock = (C0 - 1) + 10: the budget at C0 is exactly 0.
        World w(62, "lnd",
                with_variant_and_timelock(on ? GatewayVariant::lnd_zero_cltv_limit
                                             : GatewayVariant::none,
                                          10));
        client::ClientPayment paid;
        ln::Invoice inv;
        w.run([&] {
            ln::Preimage pre = ln::random_preimage(this_actor::random());
            w.net.chain().register_preimage(pre);
            inv = w.net.node(w.d).create_hold_invoice(
                ln::InvoiceOptions{.amount_msat = 700000}, ln::payment_hash_of(pre));
            bool done = false;
            w.sim.scheduler().spawn("pay", [&] {
                paid = w.alice->pay(ln::public_copy(inv));
                done = true;
            });
            this_actor::sleep_for(sim::SimDuration::seconds(20));
            // The merchant holds the HTLC while 15 blocks pass, then settles.
            w.net.mine_blocks(15, sim::SimDuration::seconds(5));
            this_actor::sleep_for(sim::SimDuration::seconds(20));
            w.net.node(w.d).settle_hold(pre);
            while (!done) {
                this_actor::sleep_for(sim::SimDuration::seconds(1));
            }
            this_actor::sleep_for(sim::SimDuration::seconds(20));
        }, /*expect_ok=*/!on);
        if (on) {
            // LND read cltv_limit 0 as 2016: the HTLC was sent, the user refunded at the
            // timelock, and the merchant's settlement then cost the gateway the payment.
            REQUIRE_FALSE(w.hub.ok());
            CHECK_THAT(w.hub.violations().front(), Catch::Contains("gateway_never_loses"));
            CHECK(w.result.run.outcome == sim::Outcome::check_failed);
        } else {
            CHECK(paid.state == federation::PaymentState::refunded);
            CHECK(note_of(w) == "TimeoutTooClose");
            CHECK(w.net.node(w.d).held_count(inv.payment_hash) == 0);
        }
    }
}

TEST_CASE("pays_expired_invoice: an invoice expired at pickup is cancelled, not paid",
          "[gateway][variant]") {
    for (bool on : {false, true}) {
        INFO("variant " << on);
        World w(63, "cln",
                with_variant(on ? GatewayVariant::pays_expired_invoice : GatewayVariant::none));
        client::ClientPayment paid;
        w.run([&] {
            ln::Invoice inv = w.net.node(w.d).create_invoice(
                ln::InvoiceOptions{.amount_msat = 600000, .expiry_seconds = 60});
            // Then the clocks of the gateway's node and of the payee step ten minutes back:
            // by them the invoice is still fresh.
            const sim::ClockSkew behind{.offset = sim::SimDuration() - sim::SimDuration::minutes(10)};
            w.sim.clocks().set_skew(w.net.node(w.g).net_id(), behind);
            w.sim.clocks().set_skew(w.net.node(w.d).net_id(), behind);
            // The gateway is down when the client funds, and back after the invoice expired
            // by its own (correct) clock.
            w.gateway->crash();
            bool done = false;
            w.sim.scheduler().spawn("pay", [&] {
                paid = w.alice->pay(inv);
                done = true;
            });
            this_actor::sleep_for(sim::SimDuration::seconds(90));
            w.gateway->restart();
            while (!done) {
                this_actor::sleep_for(sim::SimDuration::seconds(1));
            }
        });
        INFO(note_of(w));
        if (on) {
            CHECK(paid.state == federation::PaymentState::succeeded);
            CHECK(w.net.node(w.d).log().received.size() == 1);
        } else {
            CHECK(paid.state == federation::PaymentState::refunded);
            CHECK(note_of(w) == "InvoiceExpired");
            CHECK(w.net.node(w.d).log().received.empty());
        }
    }
}

TEST_CASE("stop_deadlock: /stop with a receive in flight never returns",
          "[gateway][variant][stop]") {
    for (bool on : {false, true}) {
        INFO("variant " << on);
        World w(64, "lnd",
                with_variant(on ? GatewayVariant::stop_deadlock : GatewayVariant::none));
        bool stopped = false;
        bool received = false;
        ln::PaymentResult external;
        w.run([&] {
            std::optional<ln::Invoice> inv = w.alice->create_invoice(900000);
            REQUIRE(inv.has_value());
            w.sim.scheduler().spawn("payer", [&] { external = w.net.node(w.a).pay(*inv); });
            w.sim.scheduler().spawn("receiver", [&] {
                received = w.alice->await_receive(inv->payment_hash,
                                                  sim::SimDuration::minutes(30));
            });
            while (w.gateway->store().incoming.empty()) {
                this_actor::sleep_for(sim::SimDuration::millis(1));
            }
            w.sim.scheduler().spawn("stop", [&] {
                const gateway::StopOutcome outcome = w.gateway->stop();
                CHECK(outcome == gateway::StopOutcome::stopped);
                stopped = true;
            });
            this_actor::sleep_for(sim::SimDuration::minutes(5));
            CHECK(stopped == !on);
            CHECK(w.gateway->state() == gateway::GatewayState::shutting_down);
            // Blocks pass: the held HTLC reaches LND's auto-fail height.
            w.net.mine_blocks(200, sim::SimDuration::seconds(2));
            this_actor::sleep_for(sim::SimDuration::minutes(2));
        }, /*expect_ok=*/!on);
        CHECK(received);  // the federation decrypted the preimage: the client has its ecash
        if (on) {
            CHECK_FALSE(stopped);
            CHECK_FALSE(external.succeeded);  // the sender got its money back
        } else {
            CHECK(stopped);
            CHECK(external.succeeded);
            CHECK(w.gateway->store().incoming.begin()->second.stage ==
                  gateway::IncomingStage::settled);
        }
    }
}

TEST_CASE("ShuttingDown is terminal: a reconnect during the drain keeps it",
          "[gateway][stop]") {
    World w(65, "lnd");
    bool stopped = false;
    std::vector<gateway::GatewayState> seen;
    client::ClientPayment paid;
    w.run([&] {
        ln::Preimage pre = ln::random_preimage(this_actor::random());
        w.net.chain().register_preimage(pre);
        ln::Invoice inv = w.net.node(w.d).create_hold_invoice(
            ln::InvoiceOptions{.amount_msat = 500000}, ln::payment_hash_of(pre));
        w.sim.scheduler().spawn("pay", [&] { paid = w.alice->pay(ln::public_copy(inv)); });
        while (w.net.node(w.d).held_count(inv.payment_hash) == 0) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        w.sim.scheduler().spawn("stop", [&] {
            const gateway::StopOutcome outcome = w.gateway->stop();
            CHECK(outcome == gateway::StopOutcome::stopped);
            stopped = true;
        });
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        w.gateway->disconnect_lightning();
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        seen.push_back(w.gateway->state());
        w.gateway->reconnect_lightning();
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        seen.push_back(w.gateway->state());
        CHECK_FALSE(stopped);
        w.net.node(w.d).settle_hold(pre);
        this_actor::sleep_for(sim::SimDuration::seconds(60));
        CHECK(stopped);
    });
    CHECK(seen == std::vector<gateway::GatewayState>{gateway::GatewayState::shutting_down,
                                                     gateway::GatewayState::shutting_down});
    CHECK(paid.state == federation::PaymentState::succeeded);
}
