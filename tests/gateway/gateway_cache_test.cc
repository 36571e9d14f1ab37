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

client::ClientConfig bob_config(const World& w) {
    return client::ClientConfig{.name = "bob", .id = ClientId(2), .federation_node = w.fed_node};
}

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
        w.gateway->stop();
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
