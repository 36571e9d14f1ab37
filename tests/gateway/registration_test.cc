// The gateway's registration as upstream does it (Gateway::run_registration,
// gateway_directory.h, FederationApi::gateways; docs/gateway.md "Registration"): every round,
// whatever changed, an API write to each guardian with a TTL, never a consensus item; each
// guardian keeps the newest write and drops it at its expiry; a client reads the union of
// n - f guardians' lists. Each case below failed with the consensus registration it replaced
// (RegisterGatewayTx, ordered by consensus, last one wins): checked by running this file
// against that code.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

// G registers X-G (most inbound). Guardians 2, 3 are cut from 0, 1: no quorum, consensus
// stalls (every guardian still answers reads). X-G is disabled, so the hint moves to G-A: the
// next round's write reaches every guardian and alice lists G-A within an interval, during the
// stall; X-G back, she lists X-G again. Before, the round was a consensus transaction: nothing
// was ordered during the stall and X-G stayed listed.
TEST_CASE("a registration goes through while consensus is stalled: changed hints are listed "
          "within one interval, before the heal",
          "[gateway][actors][partition][registration]") {
    World w(99, "lnd");
    bool listed_ga_in_stall = false;
    bool listed_xg_in_stall = false;
    bool listed_xg_after = false;
    w.run([&] {
        const uint64_t xg = w.net.channel(w.ch_xg).scid().value;
        const uint64_t ga = w.net.channel(w.ch_ga).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        const uint32_t cut = w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                                       sim::PartitionKind::symmetric);
        const uint64_t round_at_stall = w.fed->store(PeerId(0)).state.rounds_applied();
        ln::ChannelLedger& ch = w.net.channel(w.ch_xg);
        const int x_side = ch.side_of(w.x);
        ch.side(x_side).policy.disabled = true;  // the hint moves to G-A
        listed_ga_in_stall = w.wait_listed({ga}, sim::SimDuration::seconds(11));
        ch.side(x_side).policy.disabled = false;  // back to X-G
        listed_xg_in_stall = w.wait_listed({xg}, sim::SimDuration::seconds(11));
        // Still stalled: nothing was ordered (at most the round in flight at the cut).
        CHECK(w.fed->store(PeerId(0)).state.rounds_applied() <= round_at_stall + 1);
        w.sim.network().heal(cut);
        this_actor::sleep_for(sim::SimDuration::seconds(30));
        listed_xg_after = w.listed_hints() == std::optional<std::vector<uint64_t>>(std::vector<uint64_t>{xg});
    });
    CHECK(listed_ga_in_stall);
    CHECK(listed_xg_in_stall);
    CHECK(listed_xg_after);
}

// The stale round at a guardian cut off from the majority (review of 8abe95d; reproduced in
// session 15). G and guardian 3 are cut from guardians 0-2; X-G disabled, G's G-A rounds reach
// guardian 3 alone. X-G comes back; G's side heals but guardian 3 stays cut from its peers, so
// X-G reaches 0-2 (and 3) while 3 cannot order anything. Then 3 rejoins. Before, G-A was a
// transaction queued in guardian 3's pool (pools have no expiry): ordered after the heal, past
// the X-G the gateway took as final, and G-A stayed registered. Now each guardian holds the
// newest write it got, X-G everywhere: alice lists X-G.
TEST_CASE("a round that reached only a guardian cut off from the majority does not outlive "
          "the heal: the current hints end listed",
          "[gateway][actors][partition][registration]") {
    World w(102, "lnd");
    uint64_t xg = 0;
    std::optional<std::vector<uint64_t>> listed_at_end;
    std::vector<std::vector<uint64_t>> samples_after_heal;  // {} also for an unanswered read
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        const uint64_t ga = w.net.channel(w.ch_ga).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        const uint32_t gw_side = w.sim.network().partition(
            {w.gateway->node(), gs[3]}, {gs[0], gs[1], gs[2]}, sim::PartitionKind::symmetric);
        ln::ChannelLedger& ch = w.net.channel(w.ch_xg);
        const int x_side = ch.side_of(w.x);
        ch.side(x_side).policy.disabled = true;  // the hint moves to G-A
        REQUIRE(w.gateway->registration().route_hints.front().short_channel_id == ga);
        this_actor::sleep_for(sim::SimDuration::seconds(25));  // G-A rounds reach guardian 3
        ch.side(x_side).policy.disabled = false;                // back to X-G
        w.sim.network().heal(gw_side);
        const uint32_t g3_cut = w.sim.network().partition({gs[3]}, {gs[0], gs[1], gs[2]},
                                                          sim::PartitionKind::symmetric);
        this_actor::sleep_for(sim::SimDuration::seconds(40));  // X-G rounds everywhere
        w.sim.network().heal(g3_cut);
        for (int i = 0; i < 6; ++i) {  // a minute after guardian 3 rejoined
            this_actor::sleep_for(sim::SimDuration::seconds(10));
            samples_after_heal.push_back(w.listed_hints().value_or(std::vector<uint64_t>{}));
        }
        listed_at_end = w.listed_hints();
    });
    INFO("alice's reads after the heal: " << ::Catch::Detail::stringify(samples_after_heal));
    CHECK(listed_at_end == std::optional<std::vector<uint64_t>>(std::vector<uint64_t>{xg}));
}

// A crashed gateway stops registering; each guardian drops its registration one TTL after the
// last write (upstream's `list_gateways` skips an expired one), so alice's read lists no
// gateway by then; the restart's first round registers it again at once. Before, a
// registration was consensus state with no expiry: the crashed gateway stayed listed forever.
TEST_CASE("a crashed gateway drops out of the client's list one TTL after its last round and "
          "is listed again after its restart",
          "[gateway][actors][registration][restart]") {
    World w(103, "lnd");
    const sim::SimDuration interval = gateway::GatewayConfig{}.registration_interval;
    const sim::SimDuration ttl = interval * 20 / 17;  // gateway::announcement_ttl
    std::optional<std::vector<uint64_t>> listed_after_crash;
    std::optional<std::vector<uint64_t>> listed_second_after_crash;
    std::optional<std::vector<uint64_t>> listed_after_ttl;
    bool listed_after_restart = false;
    w.run([&] {
        const uint64_t xg = w.net.channel(w.ch_xg).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        w.gateway->crash();
        const sim::SimTime crashed_at = this_actor::now();
        listed_after_crash = w.listed_hints();  // the last write holds for up to one TTL
        // A crash sends no removal (unlike /stop): a second on, far past a link latency, and
        // still listed (the last round was at most one interval, 10 s, before the crash).
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        listed_second_after_crash = w.listed_hints();
        // The last round was at most an interval before the crash: by crash + TTL + 1 s every
        // guardian's registration has expired.
        this_actor::sleep_until(crashed_at + ttl + sim::SimDuration::seconds(1));
        listed_after_ttl = w.listed_hints();
        this_actor::sleep_for(sim::SimDuration::seconds(30));
        w.gateway->restart();
        listed_after_restart = w.wait_listed({xg}, sim::SimDuration::seconds(2));
    });
    CHECK(listed_after_crash.has_value());
    CHECK_FALSE(listed_after_crash->empty());
    CHECK(listed_second_after_crash == listed_after_crash);
    CHECK(listed_after_ttl == std::optional<std::vector<uint64_t>>(std::vector<uint64_t>{}));
    CHECK(listed_after_restart);
}

// fetch_gateways is `UnionResponses` over the guardians: done once n - f (3 of 4) answered.
// With guardian 3 down the three others answer; with 2 and 3 down the read is unanswered and
// a client keeps its last answered list. Before, the read took f + 1 (2) agreeing answers and
// was answered with two guardians down.
TEST_CASE("a client's gateway read takes the union of n - f guardians' lists: answered with "
          "one guardian down, unanswered with two",
          "[gateway][actors][registration]") {
    World w(104, "lnd");
    std::optional<std::vector<uint64_t>> one_down;
    std::optional<std::vector<uint64_t>> two_down;
    uint64_t xg = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        w.fed->crash(PeerId(3));
        one_down = w.listed_hints();
        w.fed->crash(PeerId(2));
        two_down = w.listed_hints();
        w.fed->restart(PeerId(2));
        w.fed->restart(PeerId(3));
        this_actor::sleep_for(sim::SimDuration::seconds(30));
    });
    CHECK(one_down == std::optional<std::vector<uint64_t>>(std::vector<uint64_t>{xg}));
    CHECK_FALSE(two_down.has_value());
}

// --- The client's gateway cache (Client::run_gateway_cache; fedimint-ln-client lib.rs
// `update_gateway_cache_continuously`): filled from the client's start, a failed read retried on
// `background_backoff()`, refreshed ABOUT_TO_EXPIRE before the soonest listed ttl ends (10 min
// after a fill that found none; gateway_cache_test.cc); a pay reads only the cache. Before, the
// pay made a one-shot 2 s read itself, and a read unanswered in 2 s was "no gateway".

namespace {

std::vector<uint64_t> cached_hints(const client::Client& c) {
    std::vector<uint64_t> out;
    if (!c.gateway_cache().empty()) {
        for (const auto& h : c.gateway_cache().front().route_hints) {
            out.push_back(h.short_channel_id);
        }
    }
    return out;
}

}  // namespace

// Guardian 3 is down and bob's link to guardian 2 takes 1.5 s each way: n - f = 3 answers take
// 3 s, longer than a one-shot read's 2 s. Upstream's fetch_gateways waits for them
// (`request_with_strategy` has no deadline, only the 60 s request timeout, and one error is
// fewer than f + 1): bob's cache is filled and his pay goes through.
TEST_CASE("a client whose reads meet one guardian down and another's slow link still finds the "
          "gateway: the cache read waits for n - f answers",
          "[gateway][actors][registration][gateway-cache]") {
    World w(105, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    client::ClientPayment paid;
    w.run([&] {
        const uint64_t xg = w.net.channel(w.ch_xg).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        w.fed->crash(PeerId(3));
        const sim::NodeId g2 = w.fed->nodes()[2];
        const sim::LinkConfig slow{.latency_min = sim::SimDuration::millis(1500),
                                   .latency_max = sim::SimDuration::millis(1500)};
        w.sim.network().set_link(bob.api().self(), g2, slow);
        w.sim.network().set_link(g2, bob.api().self(), slow);
        bob.start();
        w.peg_in(bob.api(), ClientId(2), 5000000);
        paid = bob.pay(w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 100000000}));
        w.fed->restart(PeerId(3));
    });
    INFO(paid.note);
    CHECK(paid.state == federation::PaymentState::succeeded);
}

// Bob is cut from guardians 2 and 3 from his start: every read of his fails (two guardians
// unreachable, f + 1 errors), so his cache is empty and his pay fails at once with "no
// gateway", as upstream's pay with an empty cache does (`NoLnGatewayAvailable`). Each read's
// connects to them time out at 10 s (their SYN retransmits at 1, 3 and 7 s all meet the cut) and
// error after the connections' 250, 250, 500 ms sleeps; the cache task retries on
// `background_backoff()` (0, then 1 s, 1 s): reads at t0, 10.25, 21.5 and 33 s
// (GuardianConnection; gateway_cache_test.cc). The cut heals at t0 + 30 s, between the third
// read's last SYN retransmit (28.5 s) and its timeout (31.5 s): the cache fills at the t0 + 33 s
// read, not before. Until the read became upstream's `request_with_strategy`, a read re-asked each
// guardian on the long-poll backoff (at most 10 s) and filled within 10 s of the heal; upstream
// may take up to one backoff step, 89 s after a long cut.
TEST_CASE("a client whose every gateway read fails until after its pay fails 'no gateway'; the "
          "cache fills at the first retry after the heal",
          "[gateway][actors][registration][gateway-cache]") {
    World w(106, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    client::ClientPayment paid;
    bool empty_before_heal = false;
    bool empty_before_retry = false;
    std::vector<uint64_t> after_retry;
    uint64_t xg = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        const uint32_t cut = w.sim.network().partition({bob.api().self()}, {gs[2], gs[3]},
                                                       sim::PartitionKind::symmetric);
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(25));
        paid = bob.pay(w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 100000}));
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(30));
        empty_before_heal = bob.gateway_cache().empty();
        w.sim.network().heal(cut);
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(33) - sim::SimDuration::nanos(1));
        empty_before_retry = bob.gateway_cache().empty();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(33) + sim::SimDuration::millis(100));
        after_retry = cached_hints(bob);
    });
    CHECK(paid.state == federation::PaymentState::failed);
    CHECK(paid.note == "no gateway");
    CHECK(empty_before_heal);
    CHECK(empty_before_retry);
    CHECK(after_retry == std::vector<uint64_t>{xg});
}

// Bob's first fill finds no gateway (it is crashed and unlisted), and so does the loop's
// immediate second: upstream's loop then sleeps EMPTY_GATEWAY_SLEEP (10 min, one production TTL;
// scaled to one TTL here, gateway_refresh.h). The gateway registers again meanwhile; bob's cache
// lists it only at the next fill, one TTL after the first two.
TEST_CASE("a gateway registered after the client's empty first fill is cached at the next "
          "fill, EMPTY_GATEWAY_SLEEP later",
          "[gateway][actors][registration][gateway-cache]") {
    World w(107, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ttl = gateway::GatewayConfig{}.registration_interval * 20 / 17;
    const sim::SimDuration empty_sleep = bob.config().gateway_refresh.empty_sleep;
    bool empty_at_start = false;
    bool empty_before = false;
    std::vector<uint64_t> after;
    uint64_t xg = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        w.gateway->crash();
        this_actor::sleep_for(ttl + sim::SimDuration::seconds(1));
        bob.start();
        const sim::SimTime started = this_actor::now();
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        empty_at_start = bob.gateway_cache().empty();
        w.gateway->restart();
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::seconds(2)));
        // The two empty fills take a round trip each (1 ms links): the third starts at
        // started + 2 ms + empty_sleep.
        this_actor::sleep_until(started + empty_sleep - sim::SimDuration::millis(100));
        empty_before = bob.gateway_cache().empty();
        this_actor::sleep_until(started + empty_sleep + sim::SimDuration::millis(100));
        after = cached_hints(bob);
    });
    CHECK(empty_sleep == ttl);
    CHECK(empty_at_start);
    CHECK(empty_before);
    CHECK(after == std::vector<uint64_t>{xg});
}

// Bob's first fill lists X-G; the gateway's hint then moves to G-A (X-G disabled) and the
// guardians list G-A within a round. Bob's cache keeps X-G until its refresh, ABOUT_TO_EXPIRE
// (TTL / 20) before the listed ttl of X-G's registration ends, and then holds G-A: within one
// TTL of the guardians listing it. Before, the refresh was a fixed 570 s after the fill
// (gatewayd's 600 s TTL less 30 s, whatever the test interval's TTL).
TEST_CASE("the client's cache picks up the gateway's changed announcement within one TTL",
          "[gateway][actors][registration][gateway-cache]") {
    World w(108, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ttl = gateway::announcement_ttl(w.gateway->config().registration_interval);
    std::vector<uint64_t> first, after;
    uint64_t xg = 0, ga = 0;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        ga = w.net.channel(w.ch_ga).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        bob.start();
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        first = cached_hints(bob);
        ln::ChannelLedger& ch = w.net.channel(w.ch_xg);
        ch.side(ch.side_of(w.x)).policy.disabled = true;
        REQUIRE(w.wait_listed({ga}, sim::SimDuration::seconds(11)));
        this_actor::sleep_for(ttl);
        after = cached_hints(bob);
    });
    CHECK(first == std::vector<uint64_t>{xg});
    CHECK(after == std::vector<uint64_t>{ga});
}
