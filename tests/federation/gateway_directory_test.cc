// A guardian's gateway directory (gateway_directory.h): the newest write per gateway key,
// anchored to the guardian's clock, listed until its valid_until and not after (upstream's
// `is_expired` is `valid_until < now`), expired entries deleted at the next write.
#include <catch2/catch.hpp>

#include <vector>

#include "actors/federation/gateway_directory.h"

using namespace actors::federation;

namespace {

GatewayAnnouncement announcement(uint64_t key, uint64_t scid) {
    GatewayAnnouncement a;
    a.gateway_key = PublicKey{key};
    a.route_hints.push_back(RouteHintRecord{.short_channel_id = scid});
    return a;
}

std::vector<uint64_t> listed_scids(const GatewayDirectory& d, int64_t now) {
    std::vector<uint64_t> out;
    for (const GatewayAnnouncement& a : d.list(now)) {
        out.push_back(a.route_hints.front().short_channel_id);
    }
    return out;
}

}  // namespace

TEST_CASE("a registration is listed through its valid_until and gone one nanosecond after",
          "[federation][gateway-directory]") {
    GatewayDirectory d;
    const int64_t t0 = 1'000'000'000;
    const sim::SimDuration ttl = sim::SimDuration::nanos(500);
    d.register_gateway(announcement(7, 70), ttl, t0);
    CHECK(d.valid_until(PublicKey{7}) == t0 + 500);
    CHECK(listed_scids(d, t0) == std::vector<uint64_t>{70});
    CHECK(listed_scids(d, t0 + 499) == std::vector<uint64_t>{70});
    CHECK(listed_scids(d, t0 + 500) == std::vector<uint64_t>{70});  // valid_until itself
    CHECK(listed_scids(d, t0 + 501).empty());
    CHECK_FALSE(d.valid_until(PublicKey{8}).has_value());
}

TEST_CASE("the newest write replaces a gateway's registration and renews its expiry; a write "
          "deletes the expired ones",
          "[federation][gateway-directory]") {
    GatewayDirectory d;
    const sim::SimDuration ttl = sim::SimDuration::nanos(100);
    d.register_gateway(announcement(1, 10), ttl, 0);
    d.register_gateway(announcement(2, 20), ttl, 50);
    d.register_gateway(announcement(1, 11), ttl, 90);  // key 1 again: replaced, expiry renewed
    CHECK(listed_scids(d, 140) == std::vector<uint64_t>{11, 20});  // by key
    CHECK(listed_scids(d, 151) == std::vector<uint64_t>{11});       // key 2 expired at 150
    CHECK(d.valid_until(PublicKey{2}) == 150);  // expired but stored until the next write
    d.register_gateway(announcement(3, 30), ttl, 151);
    CHECK_FALSE(d.valid_until(PublicKey{2}).has_value());  // deleted by the write
    CHECK(d.valid_until(PublicKey{1}) == 190);
}
