// The client's gateway cache refresh (gateway_refresh.h, upstream fedimint-ln-client lib.rs
// `update_gateway_cache_continuously`): the next fill ABOUT_TO_EXPIRE before the soonest cached
// announcement expires, at least the model's floor later; 0 after an empty first fill, 10 min
// after a later empty one. End to end: tests/gateway/gateway_cache_test.cc.
#include "actors/client/gateway_refresh.h"

#include <catch2/catch.hpp>

#include "actors/client/client.h"
#include "actors/federation/long_poll.h"
#include "actors/gateway/gateway.h"

using actors::client::GatewayRefreshTiming;
using actors::client::gateway_refresh_sleep;
using actors::client::gateway_refresh_timing;
using actors::federation::GatewayAnnouncement;
using actors::federation::ListedGateway;
using actors::federation::PublicKey;
using sim::SimDuration;

namespace {

ListedGateway listed(uint64_t key, SimDuration ttl) {
    GatewayAnnouncement a;
    a.gateway_key = PublicKey{key};
    return ListedGateway{.announcement = a, .ttl = ttl};
}

}  // namespace

TEST_CASE("the refresh sleeps ABOUT_TO_EXPIRE less than the soonest ttl: production 600 s -> "
          "570 s, the tests' 11.76 s TTL -> 11.18 s",
          "[client][gateway-cache]") {
    const GatewayRefreshTiming production = gateway_refresh_timing(SimDuration::seconds(600));
    CHECK(gateway_refresh_sleep({listed(1, SimDuration::seconds(600))}, false, production) ==
          SimDuration::seconds(570));
    const SimDuration ttl = actors::gateway::announcement_ttl(SimDuration::seconds(10));
    const GatewayRefreshTiming t = actors::client::ClientConfig{}.gateway_refresh;  // the default
    CHECK(t.expiry_margin == gateway_refresh_timing(ttl).expiry_margin);
    CHECK(t.expiry_margin == SimDuration::nanos(588'235'294));
    CHECK(gateway_refresh_sleep({listed(1, ttl)}, false, t) == SimDuration::nanos(11'176'470'588));
    // The soonest of several, whatever their order; the first fill's flag does not matter.
    const std::vector<ListedGateway> two{listed(1, SimDuration::seconds(9)),
                                         listed(2, SimDuration::seconds(5))};
    CHECK(gateway_refresh_sleep(two, false, t) == SimDuration::seconds(5) - t.expiry_margin);
    CHECK(gateway_refresh_sleep(two, true, t) == SimDuration::seconds(5) - t.expiry_margin);
}

TEST_CASE("the refresh never sleeps less than the floor: at ttl = margin + floor exactly, one "
          "ns more, and a ttl inside the margin",
          "[client][gateway-cache]") {
    const GatewayRefreshTiming t = gateway_refresh_timing(SimDuration::seconds(12));
    const SimDuration edge = t.expiry_margin + t.floor;
    CHECK(gateway_refresh_sleep({listed(1, edge)}, false, t) == t.floor);
    CHECK(gateway_refresh_sleep({listed(1, edge + SimDuration::nanos(1))}, false, t) ==
          t.floor + SimDuration::nanos(1));
    CHECK(gateway_refresh_sleep({listed(1, edge - SimDuration::nanos(1))}, false, t) == t.floor);
    // Upstream's saturating_sub: a ttl within the margin, or 0, is 0 before the floor.
    CHECK(gateway_refresh_sleep({listed(1, t.expiry_margin)}, false, t) == t.floor);
    CHECK(gateway_refresh_sleep({listed(1, SimDuration::zero())}, false, t) == t.floor);
}

TEST_CASE("an empty cache: filled again at once after the first fill, EMPTY_GATEWAY_SLEEP (one "
          "TTL: production's 10 min) after a later one",
          "[client][gateway-cache]") {
    const GatewayRefreshTiming production = gateway_refresh_timing(SimDuration::seconds(600));
    CHECK(gateway_refresh_sleep({}, true, production) == SimDuration::zero());
    CHECK(gateway_refresh_sleep({}, false, production) == SimDuration::minutes(10));
    const GatewayRefreshTiming t = actors::client::ClientConfig{}.gateway_refresh;
    CHECK(gateway_refresh_sleep({}, false, t) == SimDuration::nanos(11'764'705'882));
}

// backon's FibonacciBackoff (backon/src/backoff/fibonacci.rs) as `background_backoff()` builds it
// (1 s, 60 s, no limit; jitter left out): 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, then 89 s, the step
// that crosses 60 s unclamped (backon adds while the current delay is below max), and 89 s from
// then on. A clamped Fibonacci (the model's other backoffs until session 18) would give 60 s.
TEST_CASE("a failed gateway read is retried on background_backoff: 1, 1, 2, 3, 5, 8, 13, 21, "
          "34, 55, 89, 89 s",
          "[client][gateway-cache]") {
    const int64_t want[] = {1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 89, 89};
    for (uint64_t attempt = 0; attempt < std::size(want); ++attempt) {
        INFO("retry " << attempt);
        CHECK(actors::client::gateway_retry_delay(attempt) == SimDuration::seconds(want[attempt]));
    }
    CHECK(actors::client::gateway_retry_delay(1000) == SimDuration::seconds(89));
    // backon's own tests: min 1 s, max 2 s -> 1, 1, 2, 2 (the crossing step lands on max).
    CHECK(actors::federation::fibonacci_delay(SimDuration::seconds(1),
                                              SimDuration::seconds(2), 2) ==
          SimDuration::seconds(2));
    CHECK(actors::federation::fibonacci_delay(SimDuration::seconds(1),
                                              SimDuration::seconds(2), 3) ==
          SimDuration::seconds(2));
}
