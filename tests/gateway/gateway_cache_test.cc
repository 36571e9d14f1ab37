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

// Guardians 2 and 3 are down from bob's start (the worlds' links take 1 ms, so a refused connect
// fails 2 ms after it starts). Each read's requests to them wait for their connections
// (GuardianConnection, upstream's ClientConnection): the connect is refused, the connection
// task sleeps api_networking_backoff()'s next step (250, 250, 500, 750, 1250, 2000, 3250, 5250,
// 8500, 13750 ms: never reset, no connect succeeds) and only then errors them: the read fails at
// its start + 2 ms + that step. The cache loop then waits background_backoff (0 the first time,
// then 1, 1, 2, 3, 5, 8, 13, 21 s): reads at t0 + 0, 0.252, 1.504, 3.006, 5.758, 10.010,
// 17.012, 28.264, 46.516 and 76.018 s (the old model, every read failing at once: 0, 0, 1, 2,
// 4, 7, 12, 20, 33, 54 s). The guardians are back at 50 s, during read 8's sleep: it still
// fails, at 55.018 s, and read 9 connects and fills the cache 2 ms after it starts. The
// connections' backoff is reset by those successful connects: when the guardians are down again
// at the refresh after the fill, its read fails 252 ms after it starts (not 13.752 s), and the
// cache loop's own backoff is built anew per refresh, so the retry comes 1 s after that.
TEST_CASE("with f + 1 guardians down each gateway read waits out the connection's backoff "
          "before it fails; a successful connect resets that backoff",
          "[gateway][actors][registration][gateway-cache]") {
    World w(122, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    const sim::SimDuration ms = sim::SimDuration::millis(1);
    const int64_t read_ms[] = {252, 1504, 3006, 5758, 10010, 17012, 28264, 46516, 76018};
    uint64_t at_start = 0;
    std::vector<std::pair<uint64_t, uint64_t>> around;  // reads 1 ns before and after each read
    uint64_t failed_at_restart = 0;
    size_t cached[2] = {1, 0};  // 1 ns before and after read 9's answers
    // Reads around the refresh after the fill: -1 ns, +1 ns, +1.252 s -1 ns, +1.252 s +1 ns.
    uint64_t refresh[4] = {};
    w.run([&] {
        w.fed->crash(PeerId(2));
        w.fed->crash(PeerId(3));
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        at_start = reads_at(bob, t0 + ns);
        for (int64_t m : read_ms) {
            const sim::SimTime at = t0 + ms * m;
            if (m == 76018) {
                this_actor::sleep_until(t0 + sim::SimDuration::seconds(50));
                failed_at_restart = bob.gateway_failed_reads();
                w.fed->restart(PeerId(2));
                w.fed->restart(PeerId(3));
            }
            const uint64_t before = reads_at(bob, at - ns);
            around.emplace_back(before, reads_at(bob, at + ns));
        }
        this_actor::sleep_until(t0 + ms * 76020 - ns);
        cached[0] = bob.gateway_cache().size();
        this_actor::sleep_until(t0 + ms * 76020 + ns);
        cached[1] = bob.gateway_cache().size();
        const sim::SimTime r = bob.gateway_refresh_at();
        REQUIRE(r > this_actor::now());
        w.fed->crash(PeerId(2));
        w.fed->crash(PeerId(3));
        refresh[0] = reads_at(bob, r - ns);
        refresh[1] = reads_at(bob, r + ns);
        refresh[2] = reads_at(bob, r + ms * 1252 - ns);
        refresh[3] = reads_at(bob, r + ms * 1252 + ns);
        w.fed->restart(PeerId(2));
        w.fed->restart(PeerId(3));
    });
    CHECK(at_start == 4);
    for (size_t i = 0; i < around.size(); ++i) {
        INFO("read at t0 + " << read_ms[i] << " ms");
        CHECK(around[i].first == 4 * (i + 1));
        CHECK(around[i].second == 4 * (i + 2));
    }
    CHECK(failed_at_restart == 8);
    CHECK(cached[0] == 0);
    CHECK(cached[1] == 1);
    const uint64_t filled = 4 * (std::size(read_ms) + 1);
    CHECK(refresh[0] == filled);
    CHECK(refresh[1] == filled + 4);
    CHECK(refresh[2] == filled + 4);
    CHECK(refresh[3] == filled + 8);
}

// Bob's links to guardians 2 and 3 are cut both ways before he starts: a connect across a cut
// gets no answer and fails at jsonrpsee's 10 s connection timeout, and the requests error when
// the 250 ms sleep after it ends: the first read fails at exactly t0 + 10.25 s (the old model:
// at t0, the failed send being the error). The loop's read at once waits for the next connects,
// which fail at 20.25 s; with the second 250 ms step its failure is at 20.5 s, and the retry
// comes 1 s later.
TEST_CASE("a gateway read across a silent cut fails when the connects time out at 10 s",
          "[gateway][actors][registration][gateway-cache][partition]") {
    World w(130, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    const sim::SimDuration ms = sim::SimDuration::millis(1);
    uint64_t failed[4] = {};  // at 10.25 s -1 ns, +1 ns, 20.5 s -1 ns, +1 ns
    uint64_t reads[3] = {};   // at 20.5 s + 1 ns, 21.5 s -1 ns, +1 ns
    w.run([&] {
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        const uint32_t cut = w.sim.network().partition({bob.api().self()}, {gs[2], gs[3]},
                                                       sim::PartitionKind::symmetric);
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        this_actor::sleep_until(t0 + ms * 10250 - ns);
        failed[0] = bob.gateway_failed_reads();
        this_actor::sleep_until(t0 + ms * 10250 + ns);
        failed[1] = bob.gateway_failed_reads();
        this_actor::sleep_until(t0 + ms * 20500 - ns);
        failed[2] = bob.gateway_failed_reads();
        this_actor::sleep_until(t0 + ms * 20500 + ns);
        failed[3] = bob.gateway_failed_reads();
        reads[0] = bob.api().reads_sent();
        reads[1] = reads_at(bob, t0 + ms * 21500 - ns);
        reads[2] = reads_at(bob, t0 + ms * 21500 + ns);
        w.sim.network().heal(cut);
    });
    CHECK(failed[0] == 0);
    CHECK(failed[1] == 1);
    CHECK(failed[2] == 1);
    CHECK(failed[3] == 2);
    CHECK(reads[0] == 8);
    CHECK(reads[1] == 8);
    CHECK(reads[2] == 12);
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
// the read fails then (not at the 60 s timeout). The loop's read at once waits for both
// connections: guardian 3's connect is refused at 2.502 s and errors after the connection's
// second 250 ms sleep, at 2.752 s; guardian 2's is refused one 3 s round trip later, at 5.5 s,
// and errors after its first 250 ms sleep, at 5.75 s, the second error: the retry comes 1 s
// later, at t0 + 6.75 s (the old model: both refused at once, the retry at 3.5 s).
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
        r[2] = reads_at(bob, t0 + sim::SimDuration::millis(6750) - ns);
        r[3] = reads_at(bob, t0 + sim::SimDuration::millis(6750) + ns);
        w.fed->restart(PeerId(2));
        w.fed->restart(PeerId(3));
    });
    CHECK(r[0] == 4);
    CHECK(r[1] == 8);
    CHECK(r[2] == 8);
    CHECK(r[3] == 12);
}

// --- Review of c148e61 (M3): the threshold read's edges, at exact virtual times. Every case
// has guardians 0 and 1 on the worlds' fast links, so the read waits on guardians 2 and 3.

// Guardian 2 (1.5 s links) crashes at t0 + 0.5 s and restarts at t0 + 0.6 s: bob's request
// reaches the new process at t0 + 1.5 s and is answered at t0 + 3 s, but the old connection's
// close (t0 + 0.5 s + 1.5 s = t0 + 2 s) already errored it, so that answer is ignored. Guardian
// 3 (2 s links) answers at t0 + 4 s, the third answer: the fill is at exactly t0 + 4 s, not
// t0 + 3 s, and no read failed (one error, f = 1).
TEST_CASE("a guardian restarted during the gateway read: its late answer to the errored "
          "request is ignored and the fill waits for the next guardian",
          "[gateway][actors][registration][gateway-cache]") {
    World w(125, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    size_t cached[4] = {1, 1, 1, 0};  // at +3 s + 1 ns, +4 s - 1 ns, +4 s + 1 ns
    uint64_t fills[2] = {};
    uint64_t failed = 1;
    w.run([&] {
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        set_both_ways(w, bob.api().self(), gs[2], sim::SimDuration::millis(1500));
        set_both_ways(w, bob.api().self(), gs[3], sim::SimDuration::seconds(2));
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        this_actor::sleep_until(t0 + sim::SimDuration::millis(500));
        w.fed->crash(PeerId(2));
        this_actor::sleep_until(t0 + sim::SimDuration::millis(600));
        w.fed->restart(PeerId(2));
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(3) + ns);
        cached[0] = bob.gateway_cache().size();
        fills[0] = bob.gateway_fills();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(4) - ns);
        cached[1] = bob.gateway_cache().size();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(4) + ns);
        cached[2] = bob.gateway_cache().size();
        fills[1] = bob.gateway_fills();
        failed = bob.gateway_failed_reads();
    });
    CHECK(cached[0] == 0);
    CHECK(fills[0] == 0);
    CHECK(cached[1] == 0);
    CHECK(cached[2] == 1);
    CHECK(fills[1] == 1);
    CHECK(failed == 0);
}

// f = 1. Guardian 3 (1 s links) crashes at t0 + 0.5 s, restarts at + 0.6 s and crashes again at
// + 0.7 s: two closes reach bob, at t0 + 1.5 s and t0 + 1.7 s, both after his request was sent.
// They are one guardian's error, counted once: the read does not fail at t0 + 1.7 s but fills
// when guardian 2 (2 s links) answers, at t0 + 4 s.
TEST_CASE("two connection closes of one guardian during the gateway read are one error",
          "[gateway][actors][registration][gateway-cache]") {
    World w(126, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    uint64_t failed[2] = {1, 1};  // at +1.7 s + 1 ns, +4 s + 1 ns
    size_t cached[2] = {1, 0};    // at +4 s - 1 ns, +4 s + 1 ns
    w.run([&] {
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        set_both_ways(w, bob.api().self(), gs[2], sim::SimDuration::seconds(2));
        set_both_ways(w, bob.api().self(), gs[3], sim::SimDuration::seconds(1));
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        this_actor::sleep_until(t0 + sim::SimDuration::millis(500));
        w.fed->crash(PeerId(3));
        this_actor::sleep_until(t0 + sim::SimDuration::millis(600));
        w.fed->restart(PeerId(3));
        this_actor::sleep_until(t0 + sim::SimDuration::millis(700));
        w.fed->crash(PeerId(3));
        this_actor::sleep_until(t0 + sim::SimDuration::millis(1700) + ns);
        failed[0] = bob.gateway_failed_reads();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(4) - ns);
        cached[0] = bob.gateway_cache().size();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(4) + ns);
        cached[1] = bob.gateway_cache().size();
        failed[1] = bob.gateway_failed_reads();
        w.fed->restart(PeerId(3));
    });
    CHECK(failed[0] == 0);
    CHECK(cached[0] == 0);
    CHECK(cached[1] == 1);
    CHECK(failed[1] == 0);
}

// The request timeout's edge (LongPollTiming::request_timeout, 60 s; the read's wake is
// `recv_until(times_out_at)` and a request is errored when `times_out_at <= now`). Guardian 3 is
// down (one error); guardian 2's answer, the third, comes after 30 s out and `back` back.
// Upstream (jsonrpsee's request timeout, a tokio timer) gives no meaningful same-instant order;
// [model] the timeout is inclusive: an answer arriving at exactly 60 s is too late, the request
// errors then (the second error) and the read fails at 60 s.
namespace {

struct EdgeRun {
    size_t cached = 0;
    uint64_t failed = 0;
    uint64_t failed_before = 0;  // 1 ns before 60 s
};

EdgeRun timeout_edge(sim::SimDuration back) {
    World w(127, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    EdgeRun out;
    w.run([&] {
        const sim::NodeId g2 = w.fed->nodes()[2];
        w.fed->crash(PeerId(3));
        const sim::SimDuration out_latency = sim::SimDuration::seconds(30);
        w.sim.network().set_link(bob.api().self(), g2,
                                 sim::LinkConfig{.latency_min = out_latency,
                                                 .latency_max = out_latency});
        w.sim.network().set_link(g2, bob.api().self(),
                                 sim::LinkConfig{.latency_min = back, .latency_max = back});
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(60) - sim::SimDuration::nanos(1));
        out.failed_before = bob.gateway_failed_reads();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(60) + sim::SimDuration::nanos(1));
        out.cached = bob.gateway_cache().size();
        out.failed = bob.gateway_failed_reads();
        w.fed->restart(PeerId(3));
    });
    return out;
}

}  // namespace

TEST_CASE("the gateway read's request timeout edge: an answer 1 ns before 60 s fills, one at "
          "60 s or 1 ns after is the timed-out request's error",
          "[gateway][actors][registration][gateway-cache]") {
    const sim::SimDuration s30 = sim::SimDuration::seconds(30);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    const EdgeRun inside = timeout_edge(s30 - ns);
    CHECK(inside.failed_before == 0);
    CHECK(inside.cached == 1);
    CHECK(inside.failed == 0);
    const EdgeRun at = timeout_edge(s30);
    CHECK(at.failed_before == 0);
    CHECK(at.cached == 0);
    CHECK(at.failed == 1);
    const EdgeRun past = timeout_edge(s30 + ns);
    CHECK(past.failed_before == 0);
    CHECK(past.cached == 0);
    CHECK(past.failed == 1);
}

// FederationApi::gateways(): the same read with the one-shot 2 s deadline. Two guardians down:
// both connects refused (2 ms), their requests error when the connections' 250 ms sleeps end:
// f + 1 errors, nullopt at t0 + 252 ms (the old model: at once). One down and guardian 2 on
// 1.5 s links (its answer at 3 s): two answers and one error at the deadline, nullopt at exactly
// t0 + 2 s.
TEST_CASE("gateways() fails once the refused connects' sleeps end with f + 1 guardians down and "
          "at its 2 s deadline with one down and one slow",
          "[gateway][actors][registration][gateway-cache]") {
    World w(128, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    bool answered[3] = {true, true, false};
    sim::SimDuration took[2] = {sim::SimDuration::hours(1), sim::SimDuration::hours(1)};
    w.run([&] {
        bob.start();
        w.fed->crash(PeerId(2));
        w.fed->crash(PeerId(3));
        sim::SimTime t0 = this_actor::now();
        answered[0] = bob.api().gateways().has_value();
        took[0] = this_actor::now() - t0;
        // Past the closes of the crashes (the worlds' links take a millisecond): a request sent
        // before a close arrives errors with it (long_poll.h, "Connection errors").
        this_actor::sleep_for(sim::SimDuration::millis(10));
        w.fed->restart(PeerId(2));
        set_both_ways(w, bob.api().self(), w.fed->nodes()[2], sim::SimDuration::millis(1500));
        t0 = this_actor::now();
        answered[1] = bob.api().gateways().has_value();
        took[1] = this_actor::now() - t0;
        set_both_ways(w, bob.api().self(), w.fed->nodes()[2], sim::SimDuration::millis(1));
        w.fed->restart(PeerId(3));
        answered[2] = bob.api().gateways().has_value();
    });
    CHECK_FALSE(answered[0]);
    CHECK(took[0] == sim::SimDuration::millis(252));
    CHECK_FALSE(answered[1]);
    CHECK(took[1] == sim::SimDuration::seconds(2));
    CHECK(answered[2]);
}

// An answer and an error at the same instant (only one guardian's pair can matter: with n - f - 1
// answers and f errors a single request is open). Guardian 3 is down (one error); guardian 2 (1 s
// links) answers at t0 + 2 s. At t0 + 1.5 s its link back to bob is set to 0.5 s and it crashes:
// the close is due at t0 + 2 s too, behind the answer on the link (Network::watch_node: "after
// what that link already carries"). The answer is taken, the close ignored: the fill is at
// exactly t0 + 2 s and no read failed.
TEST_CASE("a guardian's answer and its connection's close at the same instant: the answer, sent "
          "first, fills the read",
          "[gateway][actors][registration][gateway-cache]") {
    World w(129, "lnd");
    client::Client bob(w.sim, w.net, *w.fed, bob_config(w), &w.checkers->payments);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    size_t cached[2] = {1, 0};  // at +2 s - 1 ns, +2 s + 1 ns
    uint64_t failed = 1;
    w.run([&] {
        const sim::NodeId g2 = w.fed->nodes()[2];
        w.fed->crash(PeerId(3));
        set_both_ways(w, bob.api().self(), g2, sim::SimDuration::seconds(1));
        const sim::SimTime t0 = this_actor::now();
        bob.start();
        this_actor::sleep_until(t0 + sim::SimDuration::millis(1500));
        const sim::SimDuration half = sim::SimDuration::millis(500);
        w.sim.network().set_link(g2, bob.api().self(),
                                 sim::LinkConfig{.latency_min = half, .latency_max = half});
        w.fed->crash(PeerId(2));
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(2) - ns);
        cached[0] = bob.gateway_cache().size();
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(2) + ns);
        cached[1] = bob.gateway_cache().size();
        failed = bob.gateway_failed_reads();
        w.fed->restart(PeerId(2));
        w.fed->restart(PeerId(3));
    });
    CHECK(cached[0] == 0);
    CHECK(cached[1] == 1);
    CHECK(failed == 0);
}
