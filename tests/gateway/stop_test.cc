// /stop, its drain and its removal against a crash (Gateway::stop; docs/gateway.md "Gateway
// state, the Lightning connection and /stop"). Upstream `handle_shutdown_msg` sets
// ShuttingDown and waits for the payments in flight; main.rs then calls
// `unannounce_from_all_federations()` and the process exits. A crash ends the process and the
// /stop with it. Here the /stop's caller is an actor of its own that outlives a crash, so the
// /stop must tell the process it was sent to from a restarted one.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

// sim::LinkConfig's default latency: a message sent now has arrived by then.
constexpr sim::SimDuration k_link_latency = sim::SimDuration::millis(1);
// Gateway::drain looks at the payments every 500 ms from the /stop's start.
constexpr sim::SimDuration k_drain_tick = sim::SimDuration::millis(500);

std::optional<std::vector<uint64_t>> listed(std::vector<uint64_t> hints) {
    return hints;
}

// The `reason` of every gateway_stop_abandoned trace, in order (needs keep_in_memory).
std::vector<std::string> abandon_reasons(const sim::Trace& trace) {
    std::vector<std::string> out;
    for (const sim::TraceRecord& rec : trace.records()) {
        if (rec.kind != "gateway_stop_abandoned") {
            continue;
        }
        for (const sim::TraceField& f : rec.fields) {
            if (f.key == "reason") {
                out.push_back(std::get<std::string>(f.value));
            }
        }
    }
    return out;
}

// Waits until the next registration round has reached guardian 0: the directory then holds
// the gateway for a whole TTL (11.76 s) from now.
void await_next_round(World& w) {
    const federation::PublicKey key = w.gateway->config().gateway_key;
    const federation::GatewayDirectory& dir = w.fed->store(PeerId(0)).gateways;
    const std::optional<int64_t> before = dir.valid_until(key);
    while (dir.valid_until(key) == before) {
        this_actor::sleep_for(k_link_latency);
    }
}

// A payment the gateway cannot finish until `settle()`: alice pays D's hold invoice; returns
// once D holds the HTLC (the gateway's payment is in flight).
struct HeldPayment {
    ln::Preimage preimage;
    client::ClientPayment paid;

    void start(World& w) {
        preimage = ln::random_preimage(this_actor::random());
        w.net.chain().register_preimage(preimage);
        const ln::Invoice inv = w.net.node(w.d).create_hold_invoice(
            ln::InvoiceOptions{.amount_msat = 500000}, ln::payment_hash_of(preimage));
        w.sim.scheduler().spawn("pay", [this, &w, inv] { paid = w.alice->pay(ln::public_copy(inv)); });
        while (w.net.node(w.d).held_count(inv.payment_hash) == 0) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
    }
    void settle(World& w) const { REQUIRE(w.net.node(w.d).settle_hold(preimage)); }
};

}  // namespace

// M1 (review of 7ed6992): the gateway crashes during the /stop's drain and restarts 498 ms
// later, before the drain's next look. The old /stop must end at that look without touching
// the new process. Before, the drain saw `running_` true again, went on draining the new
// process's payments, then removed its registration and crashed it.
TEST_CASE("a /stop that outlived a crash and a restart inside one drain tick leaves the new "
          "process running and registered",
          "[gateway][actors][stop][restart][registration]") {
    World w(66, "lnd");
    HeldPayment held;
    bool stop_returned = false;
    std::optional<gateway::StopOutcome> outcome;
    bool returned_at_tick = false;
    bool running_at_end = false;
    gateway::GatewayState state_at_end = gateway::GatewayState::disconnected;
    std::optional<std::vector<uint64_t>> listed_at_end;
    uint64_t xg = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        held.start(w);
        const sim::SimTime stop_at = this_actor::now();
        w.sim.scheduler().spawn("stop", [&] {
            outcome = w.gateway->stop();
            stop_returned = true;
        });
        this_actor::sleep_until(stop_at + k_drain_tick * 4 + k_link_latency);
        REQUIRE(w.gateway->state() == gateway::GatewayState::shutting_down);
        w.gateway->crash();
        this_actor::sleep_until(stop_at + k_drain_tick * 5 - k_link_latency);  // before the look
        w.gateway->restart();
        this_actor::sleep_until(stop_at + k_drain_tick * 5 + k_link_latency);
        returned_at_tick = stop_returned;  // the look saw another process: the /stop ended
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        held.settle(w);
        this_actor::sleep_for(sim::SimDuration::seconds(60));  // the payment ends, rounds go on
        running_at_end = w.gateway->running();
        state_at_end = w.gateway->state();
        listed_at_end = w.listed_hints();
    });
    CHECK(returned_at_tick);
    CHECK(outcome == gateway::StopOutcome::abandoned);
    CHECK(running_at_end);
    CHECK(state_at_end == gateway::GatewayState::running);
    CHECK(listed_at_end == listed({xg}));
    CHECK(held.paid.state == federation::PaymentState::succeeded);
}

// The equal-time edge of the test above: the crash and the restart both fall exactly on a look
// of the drain. Whichever runs first at that instant, the look sees either the old process still
// draining (and looks again 500 ms later) or the new one: the /stop ends by the next look,
// abandoned because another process runs, and the new process stays running and registered.
TEST_CASE("a crash and a restart at exactly a drain look leave the new process running and "
          "registered; the /stop is abandoned as restarted",
          "[gateway][actors][stop][restart][registration]") {
    World w(66, "lnd");
    w.sim.scheduler().trace().keep_in_memory(true);
    HeldPayment held;
    bool stop_returned = false;
    std::optional<gateway::StopOutcome> outcome;
    bool returned_by_next_tick = false;
    bool running_at_end = false;
    gateway::GatewayState state_at_end = gateway::GatewayState::disconnected;
    std::optional<std::vector<uint64_t>> listed_at_end;
    uint64_t xg = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        held.start(w);
        const sim::SimTime stop_at = this_actor::now();
        w.sim.scheduler().spawn("stop", [&] {
            outcome = w.gateway->stop();
            stop_returned = true;
        });
        this_actor::sleep_until(stop_at + k_drain_tick * 5);  // the look's instant
        REQUIRE(w.gateway->state() == gateway::GatewayState::shutting_down);
        w.gateway->crash();
        w.gateway->restart();
        this_actor::sleep_until(stop_at + k_drain_tick * 6 + k_link_latency);
        returned_by_next_tick = stop_returned;
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        held.settle(w);
        this_actor::sleep_for(sim::SimDuration::seconds(60));
        running_at_end = w.gateway->running();
        state_at_end = w.gateway->state();
        listed_at_end = w.listed_hints();
    });
    CHECK(returned_by_next_tick);
    CHECK(outcome == gateway::StopOutcome::abandoned);
    CHECK(abandon_reasons(w.sim.scheduler().trace()) == std::vector<std::string>{"restarted"});
    CHECK(running_at_end);
    CHECK(state_at_end == gateway::GatewayState::running);
    CHECK(listed_at_end == listed({xg}));
    CHECK(held.paid.state == federation::PaymentState::succeeded);
}

// L4 (review of b84aa26): a second /stop during the first's drain skips the wait, as upstream's
// `handle_shutdown_msg` does when the state is not Running, removes the registration and ends
// the process; the first /stop ends at its next look, abandoned with reason "another_stop",
// not "crashed".
TEST_CASE("a second /stop during the first's drain stops the gateway; the first is abandoned "
          "as ended by another /stop",
          "[gateway][actors][stop]") {
    World w(69, "lnd");
    w.sim.scheduler().trace().keep_in_memory(true);
    HeldPayment held;
    std::optional<gateway::StopOutcome> first;
    std::optional<gateway::StopOutcome> second;
    sim::SimDuration first_after_second;
    w.run([&] {
        held.start(w);
        const sim::SimTime stop_at = this_actor::now();
        w.sim.scheduler().spawn("stop1", [&] { first = w.gateway->stop(); });
        this_actor::sleep_until(stop_at + k_drain_tick * 2 + k_link_latency);
        const sim::SimTime second_at = this_actor::now();
        second = w.gateway->stop();
        while (!first.has_value()) {
            this_actor::sleep_for(k_link_latency);
        }
        first_after_second = this_actor::now() - second_at;
        w.gateway->restart();  // the payment the stops cut short ends as after any restart
        held.settle(w);
        this_actor::sleep_for(sim::SimDuration::seconds(60));
    });
    CHECK(second == gateway::StopOutcome::stopped);
    CHECK(first == gateway::StopOutcome::abandoned);
    CHECK(first_after_second < k_drain_tick);  // at the first's next look
    CHECK(abandon_reasons(w.sim.scheduler().trace()) == std::vector<std::string>{"another_stop"});
    CHECK(held.paid.state == federation::PaymentState::succeeded);
}

// A crash during the drain, no restart yet: the /stop ends at the drain's next look and sends
// no removal (a crash sends nothing; upstream the process is gone), so the last round stays
// listed until its TTL. A restart later runs and registers as any restart does.
TEST_CASE("a crash during the /stop's drain ends the /stop at its next look with no removal; "
          "a later restart runs and registers",
          "[gateway][actors][stop][restart][registration]") {
    World w(67, "lnd");
    w.sim.scheduler().trace().keep_in_memory(true);
    HeldPayment held;
    bool stop_returned = false;
    std::optional<gateway::StopOutcome> outcome;
    bool returned_at_tick = false;
    std::optional<std::vector<uint64_t>> listed_after_crash;
    bool running_at_end = false;
    std::optional<std::vector<uint64_t>> listed_at_end;
    uint64_t xg = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        held.start(w);
        await_next_round(w);  // the last round holds for a whole TTL from here
        const sim::SimTime stop_at = this_actor::now();
        w.sim.scheduler().spawn("stop", [&] {
            outcome = w.gateway->stop();
            stop_returned = true;
        });
        this_actor::sleep_until(stop_at + k_drain_tick * 4 + k_link_latency);
        w.gateway->crash();
        this_actor::sleep_until(stop_at + k_drain_tick * 5 + k_link_latency);
        returned_at_tick = stop_returned;
        listed_after_crash = w.listed_hints();
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        w.gateway->restart();
        held.settle(w);
        this_actor::sleep_for(sim::SimDuration::seconds(60));
        running_at_end = w.gateway->running();
        listed_at_end = w.listed_hints();
    });
    CHECK(returned_at_tick);
    CHECK(outcome == gateway::StopOutcome::abandoned);
    CHECK(abandon_reasons(w.sim.scheduler().trace()) == std::vector<std::string>{"crashed"});
    CHECK(listed_after_crash == listed({xg}));
    CHECK(running_at_end);
    CHECK(listed_at_end == listed({xg}));
    CHECK(held.paid.state == federation::PaymentState::succeeded);
}

// The removal comes after the drain, as upstream's main.rs unannounces once the shutdown
// completed: with a payment in flight the gateway stays listed (its last round's TTL has not
// run) while /stop waits; the payment ends, /stop returns, and one latency later it is not
// listed, long before that TTL.
TEST_CASE("/stop with a payment in flight removes the registration only after the payment "
          "ends",
          "[gateway][actors][stop][registration]") {
    World w(68, "lnd");
    const sim::SimDuration ttl =
        gateway::announcement_ttl(gateway::GatewayConfig{}.registration_interval);
    HeldPayment held;
    bool stop_returned = false;
    std::optional<gateway::StopOutcome> outcome;
    std::optional<std::vector<uint64_t>> listed_in_drain;
    bool returned_in_drain = true;
    gateway::OutgoingStage stage_at_return = gateway::OutgoingStage::received;
    sim::SimDuration return_after_stop;
    std::optional<std::vector<uint64_t>> listed_after_return;
    uint64_t xg = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        held.start(w);
        await_next_round(w);
        const sim::SimTime stop_at = this_actor::now();
        w.sim.scheduler().spawn("stop", [&] {
            outcome = w.gateway->stop();
            stop_returned = true;
        });
        this_actor::sleep_until(stop_at + sim::SimDuration::seconds(1));
        listed_in_drain = w.listed_hints();
        returned_in_drain = stop_returned;
        held.settle(w);
        while (!stop_returned) {
            this_actor::sleep_for(k_link_latency);
        }
        return_after_stop = this_actor::now() - stop_at;
        stage_at_return = w.gateway->store().outgoing.begin()->second.stage;
        this_actor::sleep_for(k_link_latency);
        listed_after_return = w.listed_hints();
    });
    INFO("/stop returned " << return_after_stop.ns() << " ns after it was sent");
    CHECK(listed_in_drain == listed({xg}));
    CHECK_FALSE(returned_in_drain);
    CHECK(outcome == gateway::StopOutcome::stopped);
    CHECK(stage_at_return == gateway::OutgoingStage::claimed);
    CHECK(return_after_stop < ttl);  // the removal, not the TTL, unlisted it
    CHECK(listed_after_return == listed({}));
    CHECK(held.paid.state == federation::PaymentState::succeeded);
}
