// The client's gateway cache end to end (Client::run_gateway_cache, gateway_refresh.h; upstream
// fedimint-ln-client lib.rs `update_gateway_cache_continuously`): each fill keeps the remaining
// ttl the guardians listed the gateway with, and the next fill comes ABOUT_TO_EXPIRE (TTL / 20,
// 588 ms at the tests' 11.76 s TTL) before the soonest of them expires, at least 1 s later.
// Before (1ab24f6) the refresh was a fixed 570 s: with the tests' 10 s interval a client kept an
// announcement ~48 TTLs after the guardians dropped it.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

void set_both_ways(World& w, sim::NodeId a, sim::NodeId b, sim::SimDuration latency) {
    const sim::LinkConfig link{.latency_min = latency, .latency_max = latency};
    w.sim.network().set_link(a, b, link);
    w.sim.network().set_link(b, a, link);
}

// The anchored expiry of the gateway's registration at guardian `p` (its clock's unix ns).
int64_t valid_until(World& w, uint32_t p) {
    const std::optional<int64_t> v =
        w.fed->store(PeerId(p)).gateways.valid_until(w.gateway->config().gateway_key);
    REQUIRE(v.has_value());
    return *v;
}

}  // namespace

// The gateway crashes right after a round, so every guardian's registration is frozen. Bob's
// links to guardians 0-2 take L = 50 ms each way, to guardian 3 400 ms: his first fill, sent at
// t0, is answered by 0-2 at t0 + L and complete at t0 + 2L, with the longest ttl of the three
// (filter_duplicate_gateways). His next fill is sent at exactly t0 + 2L + ttl - margin: no read
// 1 ns before, four (one per guardian) 1 ns after. That fill still lists the gateway (ttl =
// margin - 2L), so the next comes at the 1 s floor and finds it expired: bob's cache is empty
// from then on, the crashed gateway gone within one TTL + 1 s + 4L of its last round.
TEST_CASE("the client's next gateway fill comes exactly ABOUT_TO_EXPIRE before the listed ttl "
          "ends; a crashed gateway leaves the cache at the fill after its expiry",
          "[gateway][actors][registration][gateway-cache]") {
    World w(120, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration L = sim::SimDuration::millis(50);
    const sim::SimDuration margin = bob.config().gateway_refresh.expiry_margin;
    const sim::SimDuration floor = bob.config().gateway_refresh.floor;
    sim::SimTime expected;
    sim::SimTime refresh_at;
    uint64_t reads_before = 0, reads_after = 0, reads_first = 0;
    size_t cached_at_first = 0, cached_before_empty = 0, cached_after_empty = 1;
    int64_t ttl_ns = 0;
    w.run([&] {
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        for (uint32_t p = 0; p < 3; ++p) {
            set_both_ways(w, bob.api().self(), gs[p], L);
        }
        set_both_ways(w, bob.api().self(), gs[3], sim::SimDuration::millis(400));
        // Wait for a round to land at guardian 0, let it reach the others, then crash.
        const int64_t old = valid_until(w, 0);
        while (valid_until(w, 0) == old) {
            this_actor::sleep_for(sim::SimDuration::millis(10));
        }
        this_actor::sleep_for(sim::SimDuration::millis(100));
        w.gateway->crash();
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        // What guardians 0-2 list at t0 + L: valid_until less their clock then.
        for (uint32_t p = 0; p < 3; ++p) {
            ttl_ns = std::max(ttl_ns, valid_until(w, p) - w.sim.clocks().unix_ns(gs[p], t0 + L));
        }
        REQUIRE(sim::SimDuration::nanos(ttl_ns) - margin > floor);  // the ttl branch, not the floor
        expected = t0 + L + L + sim::SimDuration::nanos(ttl_ns) - margin;
        this_actor::sleep_until(t0 + L + L + sim::SimDuration::nanos(1));
        reads_first = bob.api().reads_sent();
        cached_at_first = bob.gateway_cache().size();
        refresh_at = bob.gateway_refresh_at();
        this_actor::sleep_until(expected - sim::SimDuration::nanos(1));
        reads_before = bob.api().reads_sent();
        this_actor::sleep_until(expected + sim::SimDuration::nanos(1));
        reads_after = bob.api().reads_sent();
        // The refresh's fill (complete at expected + 2L) still lists it; the next, at the floor,
        // is complete at expected + 2L + floor + 2L and finds it expired.
        const sim::SimTime empty_at = expected + L * 4 + floor;
        this_actor::sleep_until(empty_at - sim::SimDuration::nanos(1));
        cached_before_empty = bob.gateway_cache().size();
        this_actor::sleep_until(empty_at + sim::SimDuration::nanos(1));
        cached_after_empty = bob.gateway_cache().size();
        w.gateway->restart();
    });
    INFO("ttl listed " << ttl_ns << " ns");
    CHECK(cached_at_first == 1);
    CHECK(reads_first == 4);
    CHECK(refresh_at == expected);
    CHECK(reads_before == 4);
    CHECK(reads_after == 8);
    CHECK(cached_before_empty == 1);
    CHECK(cached_after_empty == 0);
}

// A stopped gateway removes its registration from every guardian; a client in the steady state
// (one fill per registration round, not one per floor second) has it out of its cache within
// one TTL of the stop. With the fixed 570 s refresh it stayed cached for up to 570 s.
TEST_CASE("a stopped gateway leaves the client's cache within one TTL; in the steady state the "
          "client fills once per registration round",
          "[gateway][actors][registration][gateway-cache]") {
    World w(121, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration interval = w.gateway->config().registration_interval;
    const sim::SimDuration ttl = gateway::announcement_ttl(interval);
    uint64_t fills_in_100s = 0;
    bool cached_at_stop = false;
    sim::SimDuration gone_after = sim::SimDuration::hours(1);
    w.run([&] {
        bob.start();
        this_actor::sleep_for(sim::SimDuration::seconds(30));
        const uint64_t fills = bob.gateway_fills();
        this_actor::sleep_for(sim::SimDuration::seconds(100));
        fills_in_100s = bob.gateway_fills() - fills;
        cached_at_stop = !bob.gateway_cache().empty();
        const sim::SimTime stopped = this_actor::now();
        const gateway::StopOutcome outcome = w.gateway->stop();
        CHECK(outcome == gateway::StopOutcome::stopped);
        while (!bob.gateway_cache().empty() && this_actor::now() < stopped + ttl * 2) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        gone_after = this_actor::now() - stopped;
    });
    CHECK(fills_in_100s >= 9);
    CHECK(fills_in_100s <= 11);
    CHECK(cached_at_stop);
    INFO("gone after " << sim::to_string(gone_after));
    CHECK(gone_after <= ttl);
}

// --- A failed read and its retry (FederationApi::fetch_gateways, upstream's
// `request_with_strategy`: one request per guardian, failed once f + 1 = 2 guardians errored;
// Client::run_gateway_cache retries it on `background_backoff()`, gateway_refresh.h). Every read
// sends one request to each of the four guardians, a refused one included (reads_sent + 4). Each
// case failed against the read it replaced (gateways_until_answered: each guardian re-asked on
// the long-poll backoff until n - f answered, never failing).

namespace {

uint64_t reads_at(client::Client& c, sim::SimTime t) {
    this_actor::sleep_until(t);
    return c.api().reads_sent();
}

}  // namespace

// Guardians 2 and 3 are down from bob's start: each read is refused by two guardians and fails
// at once. The integrators' first read and the loop's first ("retry immediately first time")
// both come at t0, then backon's Fibonacci delays from 1 s: reads at t0 + 1, 2, 4, 7, 12, 20,
// 33, 54, 88, 143 and, after 89 s (backon's step past its 60 s max is not clamped), 232 s. The
// guardians are back at 150 s, so the 232 s read fills the cache. The backoff is built anew for
// each refresh: when the refresh after that fill fails, its retry comes 1 s later, not 89 s.
TEST_CASE("with f + 1 guardians down the client's gateway read fails at once and is retried "
          "at background_backoff's times; a filled cache resets the backoff",
          "[gateway][actors][registration][gateway-cache]") {
    World w(122, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    const int64_t retry_secs[] = {1, 2, 4, 7, 12, 20, 33, 54, 88, 143, 232};
    uint64_t at_start = 0;
    std::vector<std::pair<uint64_t, uint64_t>> around;  // reads 1 ns before and after each retry
    bool empty_before_fill = false;
    size_t cached_after_fill = 0;
    uint64_t refresh[4] = {};  // at the refresh after the fill: -1 ns, +1 ns, +1 s -1 ns, +1 s +1 ns
    w.run([&] {
        w.fed->crash(PeerId(2));
        w.fed->crash(PeerId(3));
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        at_start = reads_at(bob, t0 + ns);
        for (int64_t s : retry_secs) {
            const sim::SimTime at = t0 + sim::SimDuration::seconds(s);
            if (s == 232) {
                empty_before_fill = bob.gateway_cache().empty();
            }
            const uint64_t before = reads_at(bob, at - ns);
            around.emplace_back(before, reads_at(bob, at + ns));
            if (s == 143) {
                this_actor::sleep_until(t0 + sim::SimDuration::seconds(150));
                w.fed->restart(PeerId(2));
                w.fed->restart(PeerId(3));
            }
        }
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(232) + sim::SimDuration::millis(100));
        cached_after_fill = bob.gateway_cache().size();
        const sim::SimTime r = bob.gateway_refresh_at();
        REQUIRE(r > this_actor::now());
        w.fed->crash(PeerId(2));
        w.fed->crash(PeerId(3));
        refresh[0] = reads_at(bob, r - ns);
        refresh[1] = reads_at(bob, r + ns);
        refresh[2] = reads_at(bob, r + sim::SimDuration::seconds(1) - ns);
        refresh[3] = reads_at(bob, r + sim::SimDuration::seconds(1) + ns);
        w.fed->restart(PeerId(2));
        w.fed->restart(PeerId(3));
    });
    CHECK(at_start == 8);
    for (size_t i = 0; i < around.size(); ++i) {
        INFO("retry at t0 + " << retry_secs[i] << " s");
        CHECK(around[i].first == 8 + 4 * i);
        CHECK(around[i].second == 8 + 4 * (i + 1));
    }
    CHECK(empty_before_fill);
    CHECK(cached_after_fill == 1);
    const uint64_t filled = 8 + 4 * std::size(retry_secs);
    CHECK(refresh[0] == filled);
    CHECK(refresh[1] == filled + 4);
    CHECK(refresh[2] == filled + 4);
    CHECK(refresh[3] == filled + 8);
}

// Guardian 3 is down (one error) and bob's links to guardian 2 take D each way; guardians 0 and
// 1 answer in milliseconds. The read needs guardian 2's answer (n - f = 3): with D = 29.9 s it
// comes at 59.8 s, inside jsonrpsee's 60 s request timeout, and fills the cache; with D = 30.1 s
// the request times out at 60 s, the second error, and the read fails then; the loop's read at
// 60 s fails the same way at 120 s, and the retry comes 1 s later.
TEST_CASE("with f guardians down a gateway read succeeds from n - f answers within the request "
          "timeout; an answer past it is the (f + 1)th error and fails the read",
          "[gateway][actors][registration][gateway-cache]") {
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    SECTION("the last answer 200 ms inside the timeout") {
        World w(123, "lnd");
        client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
        size_t before = 1, after = 0;
        uint64_t reads = 0;
        w.run([&] {
            w.fed->crash(PeerId(3));
            set_both_ways(w, bob.api().self(), w.fed->nodes()[2], sim::SimDuration::millis(29900));
            const sim::SimTime t0 = this_actor::now();
            bob.start();
            this_actor::sleep_until(t0 + sim::SimDuration::millis(59800) - ns);
            before = bob.gateway_cache().size();
            this_actor::sleep_until(t0 + sim::SimDuration::millis(59800) + ns);
            after = bob.gateway_cache().size();
            reads = bob.api().reads_sent();
            w.fed->restart(PeerId(3));
        });
        CHECK(before == 0);
        CHECK(after == 1);
        CHECK(reads == 4);
    }
    SECTION("the last answer 200 ms past the timeout") {
        World w(123, "lnd");
        client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
        uint64_t r[6] = {};
        size_t cached = 1;
        w.run([&] {
            w.fed->crash(PeerId(3));
            set_both_ways(w, bob.api().self(), w.fed->nodes()[2], sim::SimDuration::millis(30100));
            const sim::SimTime t0 = this_actor::now();
            bob.start();
            const sim::SimDuration s = sim::SimDuration::seconds(1);
            r[0] = reads_at(bob, t0 + s * 60 - ns);
            r[1] = reads_at(bob, t0 + s * 60 + ns);
            r[2] = reads_at(bob, t0 + s * 120 - ns);
            r[3] = reads_at(bob, t0 + s * 120 + ns);
            r[4] = reads_at(bob, t0 + s * 121 - ns);
            r[5] = reads_at(bob, t0 + s * 121 + ns);
            cached = bob.gateway_cache().size();
            w.fed->restart(PeerId(3));
            set_both_ways(w, bob.api().self(), w.fed->nodes()[2], sim::SimDuration::millis(1));
        });
        CHECK(r[0] == 4);
        CHECK(r[1] == 8);
        CHECK(r[2] == 8);
        CHECK(r[3] == 8);
        CHECK(r[4] == 8);
        CHECK(r[5] == 12);
        CHECK(cached == 0);
    }
}

// Guardian 3 is down; bob's links to guardian 2 take 1.5 s each way, so its answer would come at
// t0 + 3 s. Guardian 2 crashes at t0 + 1 s, before answering: its connection's close reaches bob
// one link latency later, at t0 + 2.5 s, and errors the request sent on it, the second error:
// the read fails then (not at the 60 s timeout). The loop's read at once is refused by both
// (down) guardians and fails; its retry comes at t0 + 3.5 s.
TEST_CASE("a guardian that crashes during the client's gateway read is an error when its "
          "connection's close arrives, not at the request timeout",
          "[gateway][actors][registration][gateway-cache]") {
    World w(124, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    uint64_t r[4] = {};
    w.run([&] {
        w.fed->crash(PeerId(3));
        set_both_ways(w, bob.api().self(), w.fed->nodes()[2], sim::SimDuration::millis(1500));
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(1));
        w.fed->crash(PeerId(2));
        r[0] = reads_at(bob, t0 + sim::SimDuration::millis(2500) - ns);
        r[1] = reads_at(bob, t0 + sim::SimDuration::millis(2500) + ns);
        r[2] = reads_at(bob, t0 + sim::SimDuration::millis(3500) - ns);
        r[3] = reads_at(bob, t0 + sim::SimDuration::millis(3500) + ns);
        w.fed->restart(PeerId(2));
        w.fed->restart(PeerId(3));
    });
    CHECK(r[0] == 4);
    CHECK(r[1] == 8);
    CHECK(r[2] == 8);
    CHECK(r[3] == 12);
}
