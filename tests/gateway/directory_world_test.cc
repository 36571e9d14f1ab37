// The guardians' gateway directories in a world (gateway_directory.h, Gateway::run_registration;
// docs/gateway.md "Registration"): what each guardian holds between a running gateway's rounds.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

// sim::LinkConfig's default latency, both ends.
constexpr sim::SimDuration k_link_latency = sim::SimDuration::millis(1);

// Guardian `i`'s wall clock now (its directory's clock).
int64_t guardian_now(World& w, size_t i) {
    return w.sim.clocks().unix_ns(w.fed->nodes()[i], this_actor::now());
}

}  // namespace

// No flap: each guardian's entry is renewed before it lapses as long as a write's latency
// varies by less than TTL - interval (1.76 s at the tests' 10 s; the links stay FIFO, so a
// write never arrives before the one sent ahead of it). Over an hour of writes taking 1 ms to
// 1.7 s, the check wakes at the first instant any guardian's entry would lapse (its
// valid_until + 1 ns on that guardian's clock) and finds every guardian listing the gateway.
// Fails with 1 ms to 3 s latencies (checked), or with a TTL of one interval.
TEST_CASE("a running gateway is never missing from any guardian's directory between rounds "
          "over an hour of latency jitter below TTL - interval",
          "[gateway][actors][registration]") {
    World w(109, "lnd");
    const sim::SimDuration interval = gateway::GatewayConfig{}.registration_interval;
    const sim::SimDuration jitter =
        gateway::announcement_ttl(interval) - interval - sim::SimDuration::millis(60);
    uint64_t checks = 0;
    std::vector<std::string> lapses;
    w.run([&] {
        const uint64_t xg = w.net.channel(w.ch_xg).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        const size_t n = w.fed->nodes().size();
        for (sim::NodeId g : w.fed->nodes()) {
            // The loop sleeps a guardian's time-to-lapse in sim time: exact only while its
            // wall clock runs at sim speed (an offset is fine, a drift is not).
            REQUIRE(w.sim.clocks().skew(g).drift_ppm == 0);
            w.sim.network().set_link(w.gateway->node(), g,
                                     sim::LinkConfig{.latency_min = k_link_latency,
                                                     .latency_max = k_link_latency + jitter});
        }
        const federation::PublicKey key = w.gateway->config().gateway_key;
        auto lapsed = [&](size_t i) {
            return w.fed->store(PeerId(i)).gateways.list(guardian_now(w, i)).empty();
        };
        const sim::SimTime end = this_actor::now() + sim::SimDuration::hours(1);
        while (this_actor::now() < end) {
            int64_t soonest = INT64_MAX;  // the soonest lapse, on each guardian's own clock
            for (size_t i = 0; i < n; ++i) {
                const std::optional<int64_t> until =
                    w.fed->store(PeerId(i)).gateways.valid_until(key);
                REQUIRE(until.has_value());
                soonest = std::min(soonest, *until - guardian_now(w, i));
            }
            this_actor::sleep_for(sim::SimDuration::nanos(std::max<int64_t>(soonest, 0) + 1));
            ++checks;
            for (size_t i = 0; i < n; ++i) {
                if (!lapsed(i)) {
                    continue;
                }
                lapses.push_back("guardian " + std::to_string(i) + " at " +
                                 std::to_string(this_actor::now().ns()) + " ns");
                while (lapsed(i)) {  // until the next write, then look for the next lapse
                    this_actor::sleep_for(k_link_latency);
                }
            }
        }
    });
    INFO(::Catch::Detail::stringify(lapses));
    CHECK(lapses.empty());
    CHECK(checks >= 360);  // at least one look per round of the hour
}

// The removal binds the registration it was meant for (upstream's challenge is over the
// entry's valid_until; gateway_directory.h RemoveGatewayMsg). The LND gateway loses its node:
// the loop removes its registration, and the removal to guardian 0 takes 50 ms. 1 ms later
// the node is back and the gateway crashes and restarts: the new process registers at once,
// and its write to guardian 0 (1 ms, reordered) arrives before the old process's removal.
// Guardian 0 keeps the new registration. Before, the late removal deleted whatever was stored,
// and guardian 0 listed no gateway until the next round.
TEST_CASE("an old process's late removal does not delete the new process's registration",
          "[gateway][actors][registration][restart]") {
    World w(110, "lnd");
    const sim::SimDuration poll = gateway::GatewayConfig{}.ln_reconnect_poll;
    std::optional<int64_t> before_removal;
    std::optional<int64_t> after_removal;
    w.run([&] {
        const uint64_t xg = w.net.channel(w.ch_xg).scid().value;
        REQUIRE(w.wait_listed({xg}, sim::SimDuration::minutes(2)));
        const sim::NodeId g0 = w.fed->nodes()[0];
        const federation::PublicKey key = w.gateway->config().gateway_key;
        const federation::GatewayDirectory& dir = w.fed->store(PeerId(0)).gateways;
        const sim::SimDuration slow = sim::SimDuration::millis(50);
        w.sim.network().set_link(w.gateway->node(), g0,
                                 sim::LinkConfig{.latency_min = slow, .latency_max = slow});
        w.gateway->disconnect_lightning();
        const sim::SimTime removed_at = this_actor::now() + poll;  // the loop's look
        this_actor::sleep_until(removed_at + k_link_latency);
        w.sim.network().set_link(w.gateway->node(), g0,
                                 sim::LinkConfig{.reorder = sim::Ratio::always()});
        w.gateway->reconnect_lightning();
        w.gateway->crash();
        w.gateway->restart();  // registers at once: its write arrives at removed_at + 2 ms
        this_actor::sleep_until(removed_at + slow - k_link_latency);
        before_removal = dir.valid_until(key);
        this_actor::sleep_until(removed_at + slow + k_link_latency);
        after_removal = dir.valid_until(key);
    });
    CHECK(before_removal.has_value());
    CHECK(after_removal == before_removal);
}
