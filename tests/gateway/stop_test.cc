// /stop, its drain and its removal against a crash (Gateway::stop; docs/gateway.md "Gateway
// state, the Lightning connection and /stop"). Upstream `handle_shutdown_msg` sets
// ShuttingDown and waits for the payments in flight; main.rs then calls
// `unannounce_from_all_federations()` and the process exits. A crash ends the process and the
// /stop with it. Here the /stop's caller is an actor of its own that outlives a crash, so the
// /stop must tell the process it was sent to from a restarted one.
//
// Then the same through the gateway world (the scenario runner): a stop_gateway counts as a stop
// only when the /stop stopped the gateway (StopOutcome::stopped). A crash during the drain, or a
// gateway that is down when the /stop is sent, ends the request without a stop: upstream the
// HTTP request dies with the process, and the restarted gateway runs on. The world then emits
// gateway_stop_abandoned, not gateway_stopped, reports gw.stopped = 0 and does not wait for the
// request in gw.stops. Before the review of b84aa26 both cases reported gw.stopped = 1 and
// emitted gateway_stopped while the restarted gateway ran to the end.
#include <algorithm>

#include "e2e_world.h"
#include "tests/gateway/gateway_world_json.h"

using namespace e2e;
namespace this_actor = sim::this_actor;
using gateway_world_json::fired_at;
using gateway_world_json::first_field;

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

// A /stop sent while a held payment keeps its drain going, by an actor of its own (a /stop's
// caller outlives a crash), and what the gateway was once the payment had ended.
struct StopInDrain {
    HeldPayment held;
    uint64_t xg = 0;                              // the X-G channel's scid
    sim::SimTime sent_at;
    std::optional<gateway::StopOutcome> outcome;  // set when the /stop returned
    bool running_at_end = false;
    gateway::GatewayState state_at_end = gateway::GatewayState::disconnected;
    std::optional<std::vector<uint64_t>> listed_at_end;

    // When the /stop is sent after the held payment started.
    enum class SendAt {
        now,         // at once
        next_round,  // once the next registration round has reached guardian 0
    };

    // Starts the held payment, then sends the /stop (at `at`).
    void send(World& w, SendAt at = SendAt::now) {
        xg = w.net.channel(w.ch_xg).scid().value;
        held.start(w);
        if (at == SendAt::next_round) {
            await_next_round(w);
        }
        sent_at = this_actor::now();
        w.sim.scheduler().spawn("stop", [this, &w] { outcome = w.gateway->stop(); });
    }
    // Settles the payment and lets it end while rounds go on (60 s); notes the gateway then.
    void settle_and_end(World& w) {
        held.settle(w);
        this_actor::sleep_for(sim::SimDuration::seconds(60));
        running_at_end = w.gateway->running();
        state_at_end = w.gateway->state();
        listed_at_end = w.listed_hints();
    }
};

// After the /stop's end: the gateway (a restarted process) runs and is registered with its
// X-G hint, and the held payment succeeded.
void check_runs_registered_and_paid(const StopInDrain& stop) {
    CHECK(stop.running_at_end);
    CHECK(stop.state_at_end == gateway::GatewayState::running);
    CHECK(stop.listed_at_end == listed({stop.xg}));
    CHECK(stop.held.paid.state == federation::PaymentState::succeeded);
}

// The /stop's process crashes `crash_at` after the /stop was sent, while it drains, and a new
// one starts `restart_at` after it: the /stop has returned by `returned_by`, abandoned because
// another process runs, and the new process runs on registered; the held payment succeeds.
void check_crash_and_restart_in_drain(sim::SimDuration crash_at, sim::SimDuration restart_at,
                                      sim::SimDuration returned_by) {
    World w(66, "lnd");
    w.sim.scheduler().trace().keep_in_memory(true);
    StopInDrain stop;
    bool returned = false;
    w.run([&] {
        stop.send(w);
        this_actor::sleep_until(stop.sent_at + crash_at);
        REQUIRE(w.gateway->state() == gateway::GatewayState::shutting_down);
        w.gateway->crash();
        if (restart_at > crash_at) {  // at the same instant: no sleep, so no look between them
            this_actor::sleep_until(stop.sent_at + restart_at);
        }
        w.gateway->restart();
        this_actor::sleep_until(stop.sent_at + returned_by);
        returned = stop.outcome.has_value();
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        stop.settle_and_end(w);
    });
    CHECK(returned);
    CHECK(stop.outcome == gateway::StopOutcome::abandoned);
    CHECK(abandon_reasons(w.sim.scheduler().trace()) == std::vector<std::string>{"restarted"});
    check_runs_registered_and_paid(stop);
}

}  // namespace

// M1 (review of 7ed6992): the gateway crashes during the /stop's drain and restarts 498 ms
// later, before the drain's next look. The old /stop must end at that look without touching
// the new process. Before, the drain saw `running_` true again, went on draining the new
// process's payments, then removed its registration and crashed it.
TEST_CASE("a /stop that outlived a crash and a restart inside one drain tick leaves the new "
          "process running and registered",
          "[gateway][actors][stop][restart][registration]") {
    // Restarted before the look at 5 ticks; the look sees another process: the /stop ends.
    check_crash_and_restart_in_drain(k_drain_tick * 4 + k_link_latency,
                                     k_drain_tick * 5 - k_link_latency,
                                     k_drain_tick * 5 + k_link_latency);
}

// The equal-time edge of the test above: the crash and the restart both fall exactly on a look
// of the drain. Whichever runs first at that instant, the look sees either the old process still
// draining (and looks again 500 ms later) or the new one: the /stop ends by the next look,
// abandoned because another process runs, and the new process stays running and registered.
TEST_CASE("a crash and a restart at exactly a drain look leave the new process running and "
          "registered; the /stop is abandoned as restarted",
          "[gateway][actors][stop][restart][registration]") {
    check_crash_and_restart_in_drain(k_drain_tick * 5, k_drain_tick * 5,
                                     k_drain_tick * 6 + k_link_latency);
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
    StopInDrain first;
    std::optional<gateway::StopOutcome> second;
    sim::SimDuration first_after_second;
    w.run([&] {
        first.send(w);
        this_actor::sleep_until(first.sent_at + k_drain_tick * 2 + k_link_latency);
        const sim::SimTime second_at = this_actor::now();
        second = w.gateway->stop();
        while (!first.outcome.has_value()) {
            this_actor::sleep_for(k_link_latency);
        }
        first_after_second = this_actor::now() - second_at;
        w.gateway->restart();  // the payment the stops cut short ends as after any restart
        first.settle_and_end(w);
    });
    CHECK(second == gateway::StopOutcome::stopped);
    CHECK(first.outcome == gateway::StopOutcome::abandoned);
    CHECK(first_after_second < k_drain_tick);  // at the first's next look
    CHECK(abandon_reasons(w.sim.scheduler().trace()) == std::vector<std::string>{"another_stop"});
    CHECK(first.held.paid.state == federation::PaymentState::succeeded);
}

// A crash during the drain, no restart yet: the /stop ends at the drain's next look and sends
// no removal (a crash sends nothing; upstream the process is gone), so the last round stays
// listed until its TTL. A restart later runs and registers as any restart does.
TEST_CASE("a crash during the /stop's drain ends the /stop at its next look with no removal; "
          "a later restart runs and registers",
          "[gateway][actors][stop][restart][registration]") {
    World w(67, "lnd");
    w.sim.scheduler().trace().keep_in_memory(true);
    StopInDrain stop;
    bool returned_at_tick = false;
    std::optional<std::vector<uint64_t>> listed_after_crash;
    w.run([&] {
        stop.send(w, StopInDrain::SendAt::next_round);  // the last round holds for a whole TTL from here
        this_actor::sleep_until(stop.sent_at + k_drain_tick * 4 + k_link_latency);
        w.gateway->crash();
        this_actor::sleep_until(stop.sent_at + k_drain_tick * 5 + k_link_latency);
        returned_at_tick = stop.outcome.has_value();
        listed_after_crash = w.listed_hints();
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        w.gateway->restart();
        stop.settle_and_end(w);
    });
    CHECK(returned_at_tick);
    CHECK(stop.outcome == gateway::StopOutcome::abandoned);
    CHECK(abandon_reasons(w.sim.scheduler().trace()) == std::vector<std::string>{"crashed"});
    CHECK(listed_after_crash == listed({stop.xg}));
    check_runs_registered_and_paid(stop);
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
    StopInDrain stop;
    std::optional<std::vector<uint64_t>> listed_in_drain;
    bool returned_in_drain = true;
    gateway::OutgoingStage stage_at_return = gateway::OutgoingStage::received;
    sim::SimDuration return_after_stop;
    std::optional<std::vector<uint64_t>> listed_after_return;
    w.run([&] {
        stop.send(w, StopInDrain::SendAt::next_round);
        this_actor::sleep_until(stop.sent_at + sim::SimDuration::seconds(1));
        listed_in_drain = w.listed_hints();
        returned_in_drain = stop.outcome.has_value();
        stop.held.settle(w);
        while (!stop.outcome.has_value()) {
            this_actor::sleep_for(k_link_latency);
        }
        return_after_stop = this_actor::now() - stop.sent_at;
        stage_at_return = w.gateway->store().outgoing.begin()->second.stage;
        this_actor::sleep_for(k_link_latency);
        listed_after_return = w.listed_hints();
    });
    INFO("/stop returned " << return_after_stop.ns() << " ns after it was sent");
    CHECK(listed_in_drain == listed({stop.xg}));
    CHECK_FALSE(returned_in_drain);
    CHECK(stop.outcome == gateway::StopOutcome::stopped);
    CHECK(stage_at_return == gateway::OutgoingStage::claimed);
    CHECK(return_after_stop < ttl);  // the removal, not the TTL, unlisted it
    CHECK(listed_after_return == listed({}));
    CHECK(stop.held.paid.state == federation::PaymentState::succeeded);
}

namespace {

// The merchant holds each HTLC 6 blocks at 10 s: the payment sent 1 s after ready is in flight
// from a few seconds after ready to about 1 m after. `faults` are the timeline entries that
// stop, crash and restart the gateway; two markers fire on the world's stop events.
scenario::Scenario stop_crash_restart(const std::string& faults) {
    return gateway_world_json::load({
        .name = "stop-crash-restart",
        .channels = {{"gw", "a"}, {"a", "merchant"}},
        .params = R"("payee_hold_blocks": 6, "block_interval": "10s", "duration": "4m")",
        .timeline = R"(
    {"name": "pay", "after": "ready", "delay": "1s", "action": "pay", "to": "merchant"},)" +
                    faults + R"(,
    {"name": "saw_stopped", "after": "gateway_stopped", "delay": "0s", "action": "mine",
     "blocks": 1, "spacing": "1s"},
    {"name": "saw_abandoned", "after": "gateway_stop_abandoned", "delay": "0s",
     "action": "mine", "blocks": 1, "spacing": "1s"})",
        .conditions = R"("gw.stopped == 0", "gw.restarts == 1", "gw.paid == 1",
                            "gw.pending == 0")"});
}

// The kind of the last gateway_crash / gateway_restart record: what the gateway was at the end.
std::string last_crash_or_restart(const scenario::RunReport& r) {
    std::string last;
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind == "gateway_crash" || rec.kind == "gateway_restart") {
            last = rec.kind;
        }
    }
    return last;
}

// How many records of `kind` were written.
size_t count_of(const scenario::RunReport& r, const std::string& kind) {
    return static_cast<size_t>(
        std::count_if(r.records.begin(), r.records.end(),
                      [&kind](const sim::TraceRecord& rec) { return rec.kind == kind; }));
}

// When the first record of `kind` was written.
std::optional<sim::SimTime> first_at(const scenario::RunReport& r, const std::string& kind) {
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind == kind) {
            return rec.at;
        }
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("gateway world: a stop_gateway whose process crashes during the drain and restarts "
          "is abandoned, not a stop; the restarted gateway runs and pays",
          "[gateway][world][stop][restart]") {
    // The drain looks every 500 ms from 10 s: the crash at 20.3 s falls between two looks.
    const scenario::Scenario s = stop_crash_restart(R"(
    {"name": "stop", "after": "ready", "delay": "10s", "action": "stop_gateway"},
    {"name": "crash", "after": "ready", "delay": "20300ms", "action": "crash_gateway"},
    {"name": "restart", "after": "ready", "delay": "30s", "action": "restart_gateway"})");
    for (const uint64_t seed : {1, 2}) {
        scenario::RunReport r = scenario::run_scenario(s, {.seed = seed, .keep_records = true});
        INFO("seed " << seed << ": " << r.reason << " / " << r.run.message);
        CHECK(r.passed);  // every checker (gw.stops included), gw.stopped == 0, the payment paid
        CHECK(r.run.ok());
        CHECK(r.metrics["gw.stopped"] == 0);
        const auto crash = fired_at(r, "crash");
        const auto abandoned = fired_at(r, "saw_abandoned");
        REQUIRE(crash.has_value());
        REQUIRE(abandoned.has_value());
        CHECK_FALSE(fired_at(r, "saw_stopped").has_value());
        // The drain's first look after the crash, 200 ms later, ends the /stop.
        CHECK(*abandoned == *crash + sim::SimDuration::millis(200));
        CHECK(first_field(r, "gateway_stop_abandoned", "reason") ==
              std::optional<std::string>("crashed"));
        CHECK(last_crash_or_restart(r) == "gateway_restart");
    }
}

TEST_CASE("gateway world: a stop_gateway sent while the gateway is down is abandoned at once; "
          "the gateway restarted later runs and pays",
          "[gateway][world][stop][restart]") {
    const scenario::Scenario s = stop_crash_restart(R"(
    {"name": "crash", "after": "ready", "delay": "10s", "action": "crash_gateway"},
    {"name": "stop", "after": "ready", "delay": "15s", "action": "stop_gateway"},
    {"name": "restart", "after": "ready", "delay": "25s", "action": "restart_gateway"})");
    scenario::RunReport r = scenario::run_scenario(s, {.seed = 1, .keep_records = true});
    INFO(r.reason << " / " << r.run.message);
    CHECK(r.passed);
    CHECK(r.metrics["gw.stopped"] == 0);
    const auto stop = fired_at(r, "stop");
    REQUIRE(stop.has_value());
    CHECK(fired_at(r, "saw_abandoned") == stop);
    CHECK_FALSE(fired_at(r, "saw_stopped").has_value());
    // The gateway traces no abandon (nothing was draining) but says the /stop found it down.
    CHECK_FALSE(first_field(r, "gateway_stop_abandoned", "reason").has_value());
    CHECK(first_at(r, "gateway_stop_not_running") == stop);
    CHECK(count_of(r, "gateway_stop_requested") == 1);
    CHECK(count_of(r, "gateway_stop_not_running") == 1);
    CHECK(first_field(r, "gateway_stop_not_running", "gateway") ==
          std::optional<std::string>("gateway"));
    CHECK(last_crash_or_restart(r) == "gateway_restart");
}
