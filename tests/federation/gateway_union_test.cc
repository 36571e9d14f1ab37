// The union of guardians' gateway lists (gateway_union.h; upstream fedimint-ln-common api.rs
// `fetch_gateways` + `filter_duplicate_gateways`, and the client cache keeping one per key):
// every gateway any answering guardian lists, one per key, by key; of several infos for one key
// the one most guardians hold, ties to the lowest peer's; the kept info's ttl the longest any
// holder of that info listed. The world tests have every guardian agree; these do not.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "actors/federation/gateway_union.h"

using namespace actors::federation;
using sim::SimDuration;

namespace {

ListedGateway listing(uint64_t key, uint64_t scid, int64_t ttl_s) {
    GatewayAnnouncement a;
    a.gateway_key = PublicKey{key};
    a.route_hints.push_back(RouteHintRecord{.short_channel_id = scid});
    return ListedGateway{.announcement = a, .ttl = SimDuration::seconds(ttl_s)};
}

struct Kept {
    uint64_t key;
    uint64_t scid;
    int64_t ttl_s;
    bool operator==(const Kept&) const = default;
};

std::vector<Kept> kept(const std::map<uint32_t, std::vector<ListedGateway>>& lists) {
    std::vector<Kept> out;
    for (const ListedGateway& l : union_by_key(lists)) {
        out.push_back(Kept{l.announcement.gateway_key.value,
                           l.announcement.route_hints.front().short_channel_id,
                           l.ttl.ns() / 1'000'000'000});
    }
    return out;
}

}  // namespace

TEST_CASE("the union lists every gateway any answering guardian lists, once, by key",
          "[federation][gateway-union]") {
    // Guardian 0 knows gateway 9 only, guardian 2 gateway 3 only, guardian 1 both.
    const std::map<uint32_t, std::vector<ListedGateway>> lists{
        {0, {listing(9, 90, 100)}},
        {1, {listing(3, 30, 50), listing(9, 90, 100)}},
        {2, {listing(3, 30, 50)}}};
    CHECK(kept(lists) == std::vector<Kept>{{3, 30, 50}, {9, 90, 100}});
    CHECK(kept({}).empty());
    CHECK(kept({{0, {}}, {1, {}}, {2, {}}}).empty());
}

TEST_CASE("equal infos merge with the longest ttl any of their holders listed",
          "[federation][gateway-union]") {
    // filter_duplicate_gateways: "keeping the one with the longest TTL", whichever peer gave it.
    CHECK(kept({{0, {listing(7, 70, 5)}}, {1, {listing(7, 70, 11)}}, {2, {listing(7, 70, 8)}}}) ==
          std::vector<Kept>{{7, 70, 11}});
    // A longer ttl on another info does not lend itself to the kept one.
    CHECK(kept({{0, {listing(7, 70, 5)}}, {1, {listing(7, 71, 60)}}, {2, {listing(7, 70, 8)}}}) ==
          std::vector<Kept>{{7, 70, 8}});
}

TEST_CASE("of differing infos for one gateway the one most guardians hold is kept, ties to the "
          "lowest peer's",
          "[federation][gateway-union]") {
    // Two of three hold scid 71 (peers 1, 2): it wins over peer 0's 70 though 0 is lowest.
    CHECK(kept({{0, {listing(7, 70, 9)}}, {1, {listing(7, 71, 4)}}, {2, {listing(7, 71, 6)}}}) ==
          std::vector<Kept>{{7, 71, 6}});
    // One each (peers 1, 2, 3 answering): the lowest answering peer's, 1's, whatever the order of
    // ttls or scids.
    CHECK(kept({{1, {listing(7, 72, 1)}}, {2, {listing(7, 70, 9)}}, {3, {listing(7, 71, 9)}}}) ==
          std::vector<Kept>{{7, 72, 1}});
    // Two versions held twice each (n = 4 all answering): the one whose first holder is lowest.
    CHECK(kept({{0, {listing(7, 75, 2)}}, {1, {listing(7, 74, 3)}}, {2, {listing(7, 74, 3)}},
                {3, {listing(7, 75, 1)}}}) == std::vector<Kept>{{7, 75, 2}});
}
