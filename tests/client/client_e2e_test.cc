// End to end, four guardians: a client pays an external payee four hops from the gateway, and
// an external payer pays the client through the gateway, with the gateway on an lnd-profile
// and on a cln-profile node; a 2/4 guardian partition and a guardian crash mid-payment.
#include "../gateway/e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

TEST_CASE("client pays a payee four hops away and receives from an external payer",
          "[client][e2e]") {
    for (const char* profile : {"lnd", "cln"}) {
        INFO(profile);
        World w(41, profile);
        client::ClientPayment paid;
        bool received = false;
        ln::PaymentResult external;
        w.run([&] {
            const uint64_t alice_before = w.ecash(ClientId(1));
            ln::Invoice inv =
                w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 1000000});
            paid = w.alice->pay(inv);
            CHECK(w.net.node(w.d).log().received.size() == 1);
            this_actor::sleep_for(sim::SimDuration::seconds(2));
            CHECK(w.ecash(ClientId(1)) == alice_before - paid.amount_msat);
            // Receive: A pays alice's invoice through G's intercept hop.
            std::optional<ln::Invoice> mine = w.alice->create_invoice(700000);
            REQUIRE(mine.has_value());
            w.sim.scheduler().spawn("payer", [&] { external = w.net.node(w.a).pay(*mine); });
            received = w.alice->await_receive(mine->payment_hash, sim::SimDuration::minutes(5));
            this_actor::sleep_for(sim::SimDuration::seconds(5));
        });
        INFO(paid.note);
        CHECK(paid.state == federation::PaymentState::succeeded);
        CHECK(paid.preimage.has_value());
        CHECK(received);
        INFO(external.reason);
        CHECK(external.succeeded);
        CHECK(w.checkers->fingerprints.rounds_compared() > 100);
    }
}

TEST_CASE("a 2/4 guardian partition mid-payment stops consensus; the payment completes on heal",
          "[client][e2e][partition]") {
    World w(43, "lnd");
    client::ClientPayment paid;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 800000});
        bool done = false;
        w.sim.scheduler().spawn("pay", [&] {
            paid = w.alice->pay(inv);
            done = true;
        });
        // Cut once the gateway has the request in hand.
        while (w.gateway->store().outgoing.empty()) {
            this_actor::sleep_for(sim::SimDuration::millis(5));
        }
        uint32_t cut = w.fed->partition({PeerId(0), PeerId(1)});
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        const uint64_t stuck = w.fed->max_round();
        this_actor::sleep_for(sim::SimDuration::seconds(40));
        CHECK(w.fed->max_round() == stuck);
        CHECK_FALSE(done);
        w.fed->heal(cut);
        w.checkers->payments.faults_healed(this_actor::now());
        while (!done) {
            this_actor::sleep_for(sim::SimDuration::seconds(1));
        }
    });
    CHECK(paid.state == federation::PaymentState::succeeded);
}

TEST_CASE("a guardian crash and restart mid-payment", "[client][e2e][crash]") {
    World w(44, "cln");
    client::ClientPayment paid;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 900000});
        bool done = false;
        w.sim.scheduler().spawn("pay", [&] {
            paid = w.alice->pay(inv);
            done = true;
        });
        while (w.gateway->store().outgoing.empty()) {
            this_actor::sleep_for(sim::SimDuration::millis(5));
        }
        w.fed->crash(PeerId(2));
        this_actor::sleep_for(sim::SimDuration::seconds(20));
        w.fed->restart(PeerId(2));
        while (!done) {
            this_actor::sleep_for(sim::SimDuration::seconds(1));
        }
        this_actor::sleep_for(sim::SimDuration::seconds(10));
        CHECK(w.fed->store(PeerId(2)).restarts == 1);
        CHECK(w.fed->store(PeerId(2)).state.rounds_applied() + 3 >=
              w.fed->store(PeerId(0)).state.rounds_applied());
    });
    CHECK(paid.state == federation::PaymentState::succeeded);
}

TEST_CASE("a paying client leaves nothing parked; its receive re-reads as receive.rs does",
          "[client][e2e][long-poll]") {
    World w(45, "lnd");
    bool received = true;
    uint64_t reads = 0;
    client::ClientPayment paid;
    uint64_t parked_after_pay = 0;
    auto parked = [&] {
        uint64_t n = 0;
        for (uint32_t p = 0; p < 4; ++p) {
            n += w.fed->guardian(PeerId(p)).parked_queries();
        }
        return n;
    };
    w.run([&] {
        // A payment that succeeds withdraws its raced awaits (cancelled, timelock).
        paid = w.alice->pay(
            w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 500000}));
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        parked_after_pay = parked();
        std::optional<ln::Invoice> mine = w.alice->create_invoice(700000);
        REQUIRE(mine.has_value());
        const uint64_t before = w.alice->api().reads_sent();
        const uint64_t fills_before = w.alice->gateway_fills();
        received = w.alice->await_receive(mine->payment_hash, sim::SimDuration::minutes(10));
        // Not the receive's: the gateway cache task's fills (one request per guardian each, about
        // one per registration round; gateway_refresh.h). A fill still in flight at either end
        // is not counted here: at most 4 reads either way.
        reads = w.alice->api().reads_sent() - before -
                4 * (w.alice->gateway_fills() - fills_before);
    });
    CHECK(paid.state == federation::PaymentState::succeeded);
    CHECK(parked_after_pay == 0);
    CHECK_FALSE(received);
    // Upstream's receive is a one-shot read every second (RETRY_DELAY), not a long-poll: about
    // 600 reads of all four guardians in 10 minutes (each read takes its round trip too).
    CHECK(reads <= 4 * 600 + 4);
    CHECK(reads >= 4 * 595 - 4);
}
