// gateway_refresh_sleep and gateway_retry_delay: upstream's update_gateway_cache_continuously
// sleep (with a floor) and its retry backoff.
#include "actors/client/gateway_refresh.h"

#include <algorithm>

#include "actors/federation/fibonacci_backoff.h"

namespace actors::client {

sim::SimDuration gateway_refresh_sleep(const std::vector<federation::ListedGateway>& cache,
                                       bool first_time, const GatewayRefreshTiming& timing) {
    if (cache.empty()) {
        return first_time ? sim::SimDuration::zero() : timing.empty_sleep;
    }
    sim::SimDuration soonest = cache.front().ttl;
    for (const federation::ListedGateway& g : cache) {
        soonest = std::min(soonest, g.ttl);
    }
    // ttl.saturating_sub(ABOUT_TO_EXPIRE), then the model's floor.
    const sim::SimDuration sleep = soonest > timing.expiry_margin
                                       ? soonest - timing.expiry_margin
                                       : sim::SimDuration::zero();
    return std::max(sleep, timing.floor);
}

sim::SimDuration gateway_retry_delay(uint64_t attempt) {
    return federation::fibonacci_delay(sim::SimDuration::seconds(1),
                                       sim::SimDuration::seconds(60), attempt);
}

}  // namespace actors::client
