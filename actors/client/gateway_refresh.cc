// gateway_refresh_sleep: upstream's update_gateway_cache_continuously sleep, with a floor.
#include "actors/client/gateway_refresh.h"

#include <algorithm>

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

}  // namespace actors::client
