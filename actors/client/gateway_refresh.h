// When the client's gateway cache is filled next: the sleep of upstream's
// `update_gateway_cache_continuously` (fedimint-ln-client src/lib.rs):
//
//     let sleep_time = gateways_filter(list_gateways()).map(|x| x.ttl.saturating_sub(ABOUT_TO_EXPIRE))
//         .min().unwrap_or(if first_time { Duration::ZERO } else { EMPTY_GATEWAY_SLEEP });
//
// with ABOUT_TO_EXPIRE = 30 s and EMPTY_GATEWAY_SLEEP = 10 min. `list_gateways` unanchors the
// cached entries against the client's clock; the cache was filled just before, so each entry's
// ttl is the remaining ttl the guardians listed it with (FederationApi::fetch_gateways,
// gateway_union.h). A failed read is retried on gateway_retry_delay. Pure functions so the edges
// are testable without a world.
#pragma once

#include <vector>

#include "actors/federation/messages.h"
#include "sim/time.h"

namespace actors::client {

// Upstream's constants against gatewayd's GW_ANNOUNCEMENT_TTL (600 s): ABOUT_TO_EXPIRE = 30 s,
// 1/20 of it, and EMPTY_GATEWAY_SLEEP = 10 min, exactly one TTL.
inline constexpr sim::SimDuration k_gw_announcement_ttl_production = sim::SimDuration::seconds(600);

struct GatewayRefreshTiming {
    // ABOUT_TO_EXPIRE.
    sim::SimDuration expiry_margin;
    // [model] Upstream has no floor: at a ttl within ABOUT_TO_EXPIRE it sleeps 0 and fetches
    // again at once, for as long as the guardians list the entry (a gateway that stopped
    // registering, until it expires), bounded only by the fetch's round trip. The model waits
    // at least this long between fills, the client's one-shot read pause (ClientConfig::poll).
    sim::SimDuration floor = sim::SimDuration::seconds(1);
    // EMPTY_GATEWAY_SLEEP: after a fill (not the first) that left the cache empty.
    sim::SimDuration empty_sleep;
};

// The timing for announcements of TTL `ttl`: margin ttl / 20, empty sleep one ttl. [model]
// Scaled with the TTL as the gateway's registration interval and TTL are (gateway.h
// announcement_ttl): 30 s and 10 min for production's 600 s, 588 ms and 11.76 s for the tests'
// 11.76 s. Unscaled against an 11.76 s TTL, every sleep would be the floor (upstream: 0, a
// re-fetch loop), and a gateway whose registration lapsed during a cut of a few TTLs (nothing
// in production, where the TTL is 600 s) would be missing from a client's cache for 10 min, 51
// TTLs, after the cut.
constexpr GatewayRefreshTiming gateway_refresh_timing(sim::SimDuration ttl) {
    return GatewayRefreshTiming{.expiry_margin = ttl / 20,
                                .floor = sim::SimDuration::seconds(1),
                                .empty_sleep = ttl};
}
static_assert(gateway_refresh_timing(k_gw_announcement_ttl_production).expiry_margin ==
              sim::SimDuration::seconds(30));
static_assert(gateway_refresh_timing(k_gw_announcement_ttl_production).empty_sleep ==
              sim::SimDuration::minutes(10));

// The sleep before the next fill, given the cache as just filled. `first_time`: no fill has
// run in the loop yet (only the one before it), and an empty cache is retried at once.
sim::SimDuration gateway_refresh_sleep(const std::vector<federation::ListedGateway>& cache,
                                       bool first_time, const GatewayRefreshTiming& timing);

// The delay before retry `attempt` (0-based) of a refresh whose read failed: upstream's
// `retry("update_gateway_cache", background_backoff(), ..)` (fedimint-core util/mod.rs `retry`:
// after each error sleep the backoff's next delay, until it returns None; backoff_util.rs
// `background_backoff()` = `custom_backoff(1 s, 60 s, None)`, a backon Fibonacci backoff with
// jitter and no retry limit). Without the jitter (up to 1 s per retry, left out as elsewhere):
// 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 89, ... s (backon does not clamp the step past its
// max_delay, federation::fibonacci_delay): reads at 0, 1, 2, 4, 7, 12, 20, 33, 54, 88,
// 143, 232, ... s after the first failed one when each fails at once.
sim::SimDuration gateway_retry_delay(uint64_t attempt);

}  // namespace actors::client
