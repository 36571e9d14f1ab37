// A guardian's gateway directory (gateway_directory.h): the newest write per gateway key,
// anchored to the guardian's clock, listed until its valid_until and not after (upstream's
// `is_expired` is `valid_until < now`), expired entries deleted at the next write; a removal
// deletes only a registration written by a write sent before it.
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
    d.register_gateway(announcement(7, 70), ttl, t0, 1);
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
    d.register_gateway(announcement(1, 10), ttl, 0, 2);
    d.register_gateway(announcement(2, 20), ttl, 50, 3);
    d.register_gateway(announcement(1, 11), ttl, 90, 4);  // key 1 again: replaced, expiry renewed
    CHECK(listed_scids(d, 140) == std::vector<uint64_t>{11, 20});  // by key
    CHECK(listed_scids(d, 151) == std::vector<uint64_t>{11});       // key 2 expired at 150
    CHECK(d.valid_until(PublicKey{2}) == 150);  // expired but stored until the next write
    d.register_gateway(announcement(3, 30), ttl, 151, 5);
    CHECK_FALSE(d.valid_until(PublicKey{2}).has_value());  // deleted by the write
    CHECK(d.valid_until(PublicKey{1}) == 190);
}

// Upstream's removal signs a challenge over the entry the guardian holds (its valid_until), so
// it deletes only that registration. [model] by send order: a removal deletes an entry written
// by a write sent before it; one written by a write sent after it (a newer round, a restarted
// process) stays; a write sent before it that arrives after it stores the entry again.
TEST_CASE("a removal deletes the registration written before it, not one written after it",
          "[federation][gateway-directory]") {
    GatewayDirectory d;
    const sim::SimDuration ttl = sim::SimDuration::nanos(1000);
    d.register_gateway(announcement(1, 10), ttl, 0, /*sent_order=*/5);
    CHECK(d.remove(PublicKey{1}, 6));  // sent after the write
    CHECK(listed_scids(d, 1).empty());
    CHECK_FALSE(d.remove(PublicKey{1}, 7));  // nothing left

    d.register_gateway(announcement(1, 11), ttl, 10, /*sent_order=*/9);
    CHECK_FALSE(d.remove(PublicKey{1}, 8));  // an older process's late removal: kept
    CHECK(listed_scids(d, 11) == std::vector<uint64_t>{11});
    CHECK(d.remove(PublicKey{1}, 9 + 1));

    // A write sent before that removal (10) and delivered after it (a reordered link): stored
    // again, for one TTL.
    d.register_gateway(announcement(1, 12), ttl, 20, /*sent_order=*/8);
    CHECK(listed_scids(d, 21) == std::vector<uint64_t>{12});
}
