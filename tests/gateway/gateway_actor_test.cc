// The gateway actor: refusing to pay when max_delay <= 0 (and cancelling so the client refunds
// at once), route hints following inbound liquidity, crash and restart mid-payment with the
// payment re-validated and claimed, and a stop request that lets in-flight payments finish.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;
using federation::OutgoingContractV1;

TEST_CASE("the gateway refuses to pay when max_delay <= 0 and cancels", "[gateway][actors]") {
    World w(51, "lnd");
    std::optional<federation::OutgoingSnapshot> snap;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 500000});
        federation::FederationApi& api = w.alice->api();
        const uint64_t c = *api.ln_count();
        // timelock - (C - 1) - 10 == 0 at the current count: refused.
        auto fund = [&](uint64_t timelock) {
            OutgoingContractV1 contract{.hash = inv.payment_hash,
                                        .gateway_key = w.gateway->config().gateway_key,
                                        .user_key = w.alice->config().user_key,
                                        .timelock = timelock,
                                        .cancelled = false};
            federation::FedTx tx{api.new_tx_id(),
                                 federation::FundOutgoingTx{.client = ClientId(1),
                                                            .contract = contract,
                                                            .amount_msat = 600000}};
            REQUIRE(api.submit_and_wait(tx, this_actor::now() + sim::SimDuration::minutes(1))
                        ->accepted);
            const federation::ContractId id = federation::contract_id_of(contract);
            w.sim.network().send(api.self(), w.gateway->node(), "gw_pay_request",
                                 gateway::PayRequest{id, inv});
            return id;
        };
        const federation::ContractId refused = fund(c + 9);
        this_actor::sleep_for(sim::SimDuration::seconds(10));
        snap = api.outgoing(refused);
        CHECK(w.net.node(w.d).log().received.empty());
        CHECK(w.gateway->store().outgoing.at(refused).note == "TimeoutTooClose");
        // The client refunds at once, long before the timelock.
        federation::FedTx refund{api.new_tx_id(),
                                 federation::SpendOutgoingTx{.contract = refused,
                                                             .signer = w.alice->config().user_key,
                                                             .preimage = std::nullopt,
                                                             .payout = ClientId(1)}};
        CHECK(api.submit_and_wait(refund, this_actor::now() + sim::SimDuration::minutes(1))
                  ->accepted);
    });
    REQUIRE(snap.has_value());
    CHECK(snap->contract.cancelled);
}

TEST_CASE("route hints follow inbound liquidity: drain a channel and the hint moves",
          "[gateway][actors][hints]") {
    World w(52, "cln");
    std::vector<federation::RouteHintRecord> before;
    std::vector<federation::RouteHintRecord> after;
    w.run([&] {
        this_actor::sleep_for(sim::SimDuration::seconds(15));
        before = w.gateway->store().registered_hints;
        // X pays G 2M sat: G's inbound on X-G falls from 2.5M to 0.5M sat, below G-A's 1M.
        ln::Invoice inv =
            w.net.node(w.g).create_invoice(ln::InvoiceOptions{.amount_msat = 2000000000});
        ln::PaymentResult r = w.net.node(w.x).pay(inv);
        INFO(r.reason);
        REQUIRE(r.succeeded);
        this_actor::sleep_for(sim::SimDuration::seconds(25));
        after = w.gateway->store().registered_hints;
    });
    REQUIRE(before.size() == 1);
    REQUIRE(after.size() == 1);
    CHECK(before[0].short_channel_id == w.net.channel(w.ch_xg).scid().value);
    CHECK(after[0].short_channel_id == w.net.channel(w.ch_ga).scid().value);
}

TEST_CASE("a gateway crash mid-payment: restart re-validates and claims",
          "[gateway][actors][crash]") {
    for (const char* profile : {"lnd", "cln"}) {
        INFO(profile);
        World w(53, profile);
        client::ClientPayment paid;
        w.run([&] {
            ln::Invoice inv =
                w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 750000});
            bool done = false;
            w.sim.scheduler().spawn("pay", [&] {
                paid = w.alice->pay(inv);
                done = true;
            });
            auto stage = [&] {
                const auto& out = w.gateway->store().outgoing;
                return out.empty() ? gateway::OutgoingStage::received : out.begin()->second.stage;
            };
            while (stage() != gateway::OutgoingStage::paying) {
                this_actor::sleep_for(sim::SimDuration::millis(1));
            }
            w.gateway->crash();
            this_actor::sleep_for(sim::SimDuration::seconds(20));
            w.gateway->restart();
            while (!done) {
                this_actor::sleep_for(sim::SimDuration::seconds(1));
            }
            CHECK(w.gateway->store().restarts == 1);
            CHECK(stage() == gateway::OutgoingStage::claimed);
        });
        CHECK(paid.state == federation::PaymentState::succeeded);
        CHECK(w.ecash(ClientId(100)) > 5000000000ULL);
    }
}

TEST_CASE("a stop request lets in-flight payments finish, then stops", "[gateway][actors]") {
    World w(54, "lnd");
    client::ClientPayment paid;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 650000});
        w.sim.scheduler().spawn("pay", [&] { paid = w.alice->pay(inv); });
        while (w.gateway->store().outgoing.empty()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        w.gateway->stop();
        CHECK_FALSE(w.gateway->running());
        CHECK(w.gateway->store().outgoing.begin()->second.stage ==
              gateway::OutgoingStage::claimed);
    });
    CHECK(paid.state == federation::PaymentState::succeeded);
}
