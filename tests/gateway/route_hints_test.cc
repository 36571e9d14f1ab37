// Route hints follow inbound liquidity: order, tie-break, filters, and draining a channel.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "actors/gateway/gateway_rules.h"

using namespace actors::gateway;

namespace {

ChannelView channel(uint64_t scid, uint64_t remote_msat, bool active = true) {
    return ChannelView{.short_channel_id = scid,
                       .remote_node = PublicKey{1000 + scid},
                       .local_balance_msat = 1000000,
                       .remote_balance_msat = remote_msat,
                       .active = active,
                       .policy = {.fee_base_msat = 1000,
                                  .fee_proportional_millionths = 1,
                                  .cltv_expiry_delta = 80,
                                  .htlc_minimum_msat = 1,
                                  .htlc_maximum_msat = remote_msat}};
}

std::vector<uint64_t> scids(const std::vector<RouteHint>& hints) {
    std::vector<uint64_t> out;
    for (const RouteHint& h : hints) {
        out.push_back(h.short_channel_id);
    }
    return out;
}

}  // namespace

TEST_CASE("hints are the active channels with most inbound liquidity", "[gateway][hints]") {
    std::vector<ChannelView> chans = {channel(1, 5000000), channel(2, 3000000),
                                      channel(3, 8000000, false), channel(4, 500000)};
    CHECK(scids(select_route_hints(chans)) == std::vector<uint64_t>{1});  // default: 1 hint
    CHECK(scids(select_route_hints(chans, {.max_hints = 3, .min_inbound_msat = 0})) ==
          std::vector<uint64_t>{1, 2, 4});
    CHECK(scids(select_route_hints(chans, {.max_hints = 3, .min_inbound_msat = 1000000})) ==
          std::vector<uint64_t>{1, 2});
    CHECK(select_route_hints(chans, {.max_hints = 0, .min_inbound_msat = 0}).empty());
    std::vector<RouteHint> one = select_route_hints(chans);
    REQUIRE(one.size() == 1);
    CHECK(one[0].src_node == PublicKey{1001});
    CHECK(one[0].policy.cltv_expiry_delta == 80);
}

TEST_CASE("draining a channel moves the hint", "[gateway][hints]") {
    std::vector<ChannelView> chans = {channel(1, 5000000), channel(2, 3000000)};
    RouteHintOptions two{.max_hints = 2, .min_inbound_msat = 1000000};
    CHECK(scids(select_route_hints(chans, two)) == std::vector<uint64_t>{1, 2});
    // Payments received over channel 1 shift its balance to our side.
    chans[0].remote_balance_msat = 2000000;
    chans[0].local_balance_msat += 3000000;
    CHECK(scids(select_route_hints(chans, two)) == std::vector<uint64_t>{2, 1});
    CHECK(scids(select_route_hints(chans)) == std::vector<uint64_t>{2});
    // Below the minimum it is no longer advertised at all.
    chans[0].remote_balance_msat = 999999;
    CHECK(scids(select_route_hints(chans, two)) == std::vector<uint64_t>{2});
    chans[0].remote_balance_msat = 1000000;
    CHECK(scids(select_route_hints(chans, two)) == std::vector<uint64_t>{2, 1});
}

TEST_CASE("equal liquidity ties break by channel id, whatever the list order",
          "[gateway][hints]") {
    std::vector<ChannelView> forward = {channel(7, 4000000), channel(3, 4000000),
                                        channel(5, 4000000)};
    std::vector<ChannelView> reverse = {forward[2], forward[1], forward[0]};
    RouteHintOptions opts{.max_hints = 2, .min_inbound_msat = 0};
    CHECK(scids(select_route_hints(forward, opts)) == std::vector<uint64_t>{3, 5});
    CHECK(scids(select_route_hints(reverse, opts)) == std::vector<uint64_t>{3, 5});
}

TEST_CASE("registration carries fees and the selected hints", "[gateway][hints]") {
    std::vector<ChannelView> chans = {channel(1, 5000000), channel(2, 6000000)};
    GatewayRegistration reg = build_registration(PublicKey{9}, PublicKey{10},
                                                 actors::federation::k_gateway_default_fees, chans);
    CHECK(reg.gateway_key == PublicKey{9});
    CHECK(reg.fees.proportional_millionths == 10000);
    CHECK(scids(reg.route_hints) == std::vector<uint64_t>{2});
}
