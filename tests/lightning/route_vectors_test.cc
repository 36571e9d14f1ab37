// Public test vectors reproduced by the route arithmetic: BOLT 7 routing example, the bolt04
// blinded-payment vector, LND's TestNewRoute, and the BOLT 11 route-hint invoice.
#include <catch2/catch.hpp>

#include "actors/lightning/policy.h"
#include "actors/lightning/router.h"

using namespace actors::lightning;

namespace {

ChannelPolicy pol(uint64_t base, uint32_t ppm, uint32_t delta) {
    ChannelPolicy p;
    p.fee_base_msat = base;
    p.fee_ppm = ppm;
    p.cltv_expiry_delta = delta;
    return p;
}

PathEdge edge(uint32_t scid, NodeIndex from, NodeIndex to, ChannelPolicy p) {
    return PathEdge{ShortChannelId{scid}, from, to, p};
}

}  // namespace

TEST_CASE("fee formula floors the proportional part (BOLT 7)", "[lightning][fee]") {
    CHECK(forwarding_fee_msat(pol(200, 2000, 20), 4999999) == 10199);
    CHECK(forwarding_fee_msat(pol(400, 4000, 40), 4999999) == 20399);
    CHECK(forwarding_fee_msat(pol(0, 1, 0), 999999) == 0);
    CHECK(forwarding_fee_msat(pol(0, 1, 0), 1000000) == 1);
    // No overflow at the edge of the msat range with a huge ppm.
    CHECK(forwarding_fee_msat(pol(0, 4000000, 0), 2100000000000000000ULL) ==
          8400000000000000000ULL);
}

TEST_CASE("BOLT 7 routing example: A->B->C and A->D->C", "[lightning][vector]") {
    // Nodes A=0 B=1 C=2 D=3. C's c = 18 plus a shadow offset of 42 = 60.
    const uint32_t h = 500000;
    const ChannelPolicy a = pol(100, 1000, 10), b = pol(200, 2000, 20), d = pol(400, 4000, 40);

    Route direct = build_route({edge(1, 1, 2, b)}, 4999999, h, 60);
    CHECK(direct.total_amount_msat == 4999999);
    CHECK(direct.first_expiry() == h + 60);

    Route via_b = build_route({edge(2, 0, 1, a), edge(1, 1, 2, b)}, 4999999, h, 60);
    REQUIRE(via_b.hops.size() == 2);
    CHECK(via_b.total_amount_msat == 5010198);
    CHECK(via_b.total_fee_msat == 10199);
    CHECK(via_b.first_expiry() == h + 80);
    CHECK(via_b.hops[1].amount_msat == 4999999);
    CHECK(via_b.hops[1].cltv_expiry == h + 60);

    Route via_d = build_route({edge(3, 0, 3, a), edge(4, 3, 2, d)}, 4999999, h, 60);
    CHECK(via_d.total_amount_msat == 5020398);
    CHECK(via_d.total_fee_msat == 20399);
    CHECK(via_d.first_expiry() == h + 100);
    CHECK(via_d.hops[1].cltv_expiry == h + 60);
}

TEST_CASE("bolt04 blinded-payment vector: aggregate payinfo and per-hop values",
          "[lightning][vector]") {
    const BlindedRelay bob{10000, 0, 50}, carol{100, 150, 75}, dave{0, 100, 25};
    BlindedRelay agg = aggregate_blinded_relays({bob, carol, dave});
    CHECK(agg.fee_base_msat == 10100);
    CHECK(agg.fee_ppm == 251);
    CHECK(agg.cltv_expiry_delta == 150);

    // The sender pays the aggregate with the floor formula: Alice forwards 110125 @ 749150.
    ChannelPolicy as_policy = pol(agg.fee_base_msat, agg.fee_ppm, agg.cltv_expiry_delta);
    const uint64_t final_amount = 100000;
    const uint32_t final_expiry = 749000;
    CHECK(amount_with_fee_msat(as_policy, final_amount) == 110125);
    CHECK(final_expiry + agg.cltv_expiry_delta == 749150);

    // Each blinded hop recovers its outgoing amount with the ceil inverse.
    uint64_t at_bob = 110125;
    uint64_t at_carol = blinded_amount_to_forward(bob, at_bob);
    uint64_t at_dave = blinded_amount_to_forward(carol, at_carol);
    uint64_t at_eve = blinded_amount_to_forward(dave, at_dave);
    CHECK(at_carol == 100125);
    CHECK(at_dave == 100010);
    CHECK(at_eve == 100000);
    CHECK(749150 - bob.cltv_expiry_delta == 749100);
    CHECK(749100 - carol.cltv_expiry_delta == 749025);
    CHECK(749025 - dave.cltv_expiry_delta == final_expiry);
}

TEST_CASE("route-blinding proposal worked example (Erin -> Dave -> blinded Carol, Bob)",
          "[lightning][vector]") {
    const BlindedRelay relay{100, 500, 144};
    BlindedRelay agg = aggregate_blinded_relays({relay, relay});
    CHECK(agg.fee_base_msat == 201);
    CHECK(agg.fee_ppm == 1001);
    CHECK(agg.cltv_expiry_delta + 12 == 300);  // plus Alice's min_final 12

    // This document's sender rounds the proportional part up: 100000 + 201 + ceil(100.1).
    const uint64_t to_carol = 100000 + 201 + (1001ULL * 100000 + 999999) / 1000000;
    CHECK(to_carol == 100302);
    CHECK(amount_with_fee_msat(pol(10, 100, 24), to_carol) == 100322);  // Erin -> Dave
    uint64_t to_bob = blinded_amount_to_forward(relay, to_carol);
    uint64_t to_alice = blinded_amount_to_forward(relay, to_bob);
    CHECK(to_bob == 100152);
    CHECK(to_alice == 100002);
    const uint32_t at_alice = 1100 + 12;
    CHECK(at_alice == 1112);
    CHECK(at_alice + 144 == 1256);
    CHECK(at_alice + 288 == 1400);
    CHECK(at_alice + 288 + 24 == 1424);
}

namespace {

struct LndCase {
    const char* name;
    std::vector<ChannelPolicy> hops;
    std::vector<uint64_t> fees;
    std::vector<uint32_t> timelocks_rel;
    uint64_t total_amount;
    uint32_t total_timelock_rel;
};

}  // namespace

TEST_CASE("LND TestNewRoute vectors (start height 100, final delta 1)", "[lightning][vector]") {
    const std::vector<LndCase> cases = {
        {"single hop", {pol(100, 1000, 10)}, {0}, {1}, 100000, 1},
        {"two hop", {pol(0, 1000, 10), pol(30, 1000, 5)}, {130, 0}, {1, 1}, 100130, 6},
        {"three hop",
         {pol(0, 10, 10), pol(0, 10, 5), pol(0, 10, 3)},
         {1, 1, 0},
         {4, 1, 1},
         100002,
         9},
        {"fee carry over",
         {pol(0, 10000, 10), pol(0, 10000, 5), pol(0, 10000, 3)},
         {1010, 1000, 0},
         {4, 1, 1},
         102010,
         9},
        {"minimal carry over",
         {pol(0, 10000, 10), pol(0, 1000, 5), pol(1000, 0, 3)},
         {101, 1000, 0},
         {4, 1, 1},
         101101,
         9},
    };
    for (const LndCase& c : cases) {
        SECTION(c.name) {
            std::vector<PathEdge> path;
            for (size_t i = 0; i < c.hops.size(); ++i) {
                path.push_back(edge(static_cast<uint32_t>(i + 1), static_cast<NodeIndex>(i),
                                    static_cast<NodeIndex>(i + 1), c.hops[i]));
            }
            Route r = build_route(path, 100000, 100, 1);
            REQUIRE(r.hops.size() == c.hops.size());
            for (size_t i = 0; i < r.hops.size(); ++i) {
                CHECK(r.hops[i].fee_msat == c.fees[i]);
                // LND's per-hop "timelock" is the outgoing expiry the hop forwards with,
                // i.e. the expiry of the next HTLC (the payee's own for the last two).
                uint32_t out_expiry = i + 1 < r.hops.size() ? r.hops[i + 1].cltv_expiry
                                                             : r.hops[i].cltv_expiry;
                CHECK(out_expiry - 100 == c.timelocks_rel[i]);
            }
            CHECK(r.total_amount_msat == c.total_amount);
            CHECK(r.total_cltv_delta == c.total_timelock_rel);
        }
    }
}

TEST_CASE("BOLT 11 two-hint invoice: hop math through both hints", "[lightning][vector]") {
    // Payer 0 -> 029e (1) -> 039e (2) -> payee (3), payee c = 18 (absent `c`).
    const uint32_t h = 1000;
    std::vector<PathEdge> path = {
        edge(9, 0, 1, pol(0, 0, 0)),
        {ShortChannelId::from_parts(66051, 263430, 1800), 1, 2, pol(1, 20, 3)},
        {ShortChannelId::from_parts(197637, 395016, 2314), 2, 3, pol(2, 30, 4)},
    };
    Route r = build_route(path, 2000000000, h, 18);
    CHECK(r.hops[2].amount_msat == 2000000000);
    CHECK(r.hops[2].cltv_expiry == h + 18);
    CHECK(r.hops[1].fee_msat == 60002);
    CHECK(r.hops[1].amount_msat == 2000060002);
    CHECK(r.hops[1].cltv_expiry == h + 22);
    CHECK(r.hops[0].fee_msat == 40002);
    CHECK(r.hops[0].amount_msat == 2000100004);
    CHECK(r.hops[0].cltv_expiry == h + 25);
    CHECK(path[1].scid.to_string() == "66051x263430x1800");
}

TEST_CASE("BOLT 11 pico-amount invoice: hop math through its one hint", "[lightning][vector]") {
    // lnbc9678785340p1...: 9,678,785,340 pBTC = 967,878,534 msat, c = 10, one hint from 03d0...
    // over 589390x3312x1 (base 1000 msat, 2500 ppm, delta 40). Payer 0 -> 03d0 (1) -> payee (2).
    const uint32_t h = 500;
    std::vector<PathEdge> path = {
        edge(9, 0, 1, pol(0, 0, 0)),
        {ShortChannelId::from_parts(589390, 3312, 1), 1, 2, pol(1000, 2500, 40)},
    };
    Route r = build_route(path, 967878534, h, 10);
    CHECK(r.hops[1].amount_msat == 967878534);
    CHECK(r.hops[1].cltv_expiry == h + 10);
    // 1000 + floor(967,878,534 * 2500 / 1e6) = 1000 + 2,419,696 (the .335 is dropped).
    CHECK(r.hops[0].fee_msat == 2420696);
    CHECK(r.hops[0].amount_msat == 970299230);
    CHECK(r.hops[0].cltv_expiry == h + 50);
    CHECK(r.total_fee_msat == 2420696);
    CHECK(path[1].scid.to_string() == "589390x3312x1");
}
