// RouteQueue: under a route search's usage (pushes at or above the last popped amount, labels
// that improve and leave superseded keys behind) it pops the current keys in exactly the order
// of one ordered set holding them, across its heap, its buckets and its rest tier, including
// equal amounts, amounts far beyond the buckets and amounts near the top of the 64-bit range.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <set>

#include "actors/lightning/route_queue.h"
#include "sim/random.h"

using namespace actors::lightning;

namespace {

// Drives a queue and an ordered set side by side like a Dijkstra; returns the pops compared.
size_t run_side_by_side(uint64_t seed, uint64_t first_amount, uint64_t max_jump) {
    sim::Random rng(seed);
    RouteQueue q;
    std::set<RouteKey> reference;      // the current key of every reached, unsettled node
    std::map<uint64_t, RouteKey> label;  // node -> current key (settled nodes included)
    std::set<uint64_t> settled;
    auto current = [&](const RouteKey& k) {
        auto it = label.find(k.node);
        return it != label.end() && it->second == k && settled.count(k.node) == 0;
    };
    auto offer = [&](const RouteKey& k) {
        if (settled.count(k.node) != 0) {
            return;
        }
        auto it = label.find(k.node);
        if (it != label.end() && !(k < it->second)) {
            return;
        }
        if (it != label.end()) {
            reference.erase(it->second);
        }
        label[k.node] = k;
        reference.insert(k);
        q.push(k);
    };
    q.begin(first_amount);
    offer(RouteKey{first_amount, 7, 0});
    size_t pops = 0;
    const uint64_t nodes = 400;
    while (!q.empty() || q.refill(current)) {
        const RouteKey top = q.pop();
        if (!current(top)) {
            continue;
        }
        REQUIRE(!reference.empty());
        REQUIRE(top == *reference.begin());
        reference.erase(reference.begin());
        settled.insert(top.node);
        ++pops;
        const uint64_t fanout = pops < 30 ? 3 : rng.below(6);  // a start that cannot die out
        for (uint64_t i = 0; i < fanout; ++i) {
            // Small steps (equal amounts included), sometimes a jump past every bucket.
            uint64_t add = rng.chance(sim::Ratio::percent(5)) ? rng.below(max_jump) : rng.below(40);
            if (top.amount_msat > UINT64_MAX - add) {
                add = UINT64_MAX - top.amount_msat;
            }
            offer(RouteKey{top.amount_msat + add, top.cltv_hops + rng.below(3),
                           rng.below(nodes)});
        }
    }
    REQUIRE(reference.empty());
    return pops;
}

}  // namespace

TEST_CASE("route queue pops exactly as one ordered set would", "[router][queue]") {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        CHECK(run_side_by_side(seed, 1000000, 100000) > 50);
        CHECK(run_side_by_side(seed + 100, 1, 1u << 20) > 50);
        CHECK(run_side_by_side(seed + 200, 50000000000ULL, 1ULL << 40) > 50);
        // Near the top of the range: buckets and spreads must not overflow.
        CHECK(run_side_by_side(seed + 300, UINT64_MAX - 5000, 1ULL << 62) > 50);
    }
}

TEST_CASE("route queue: empty after begin, and reusable", "[router][queue]") {
    RouteQueue q;
    auto all = [](const RouteKey&) { return true; };
    auto next = [&]() -> std::optional<RouteKey> {
        if (q.empty() && !q.refill(all)) {
            return std::nullopt;
        }
        return q.pop();
    };
    q.begin(100);
    CHECK(q.empty());
    CHECK_FALSE(next().has_value());
    q.push(RouteKey{5000000, 0, 3});  // far past the buckets: the rest tier
    q.push(RouteKey{100, 0, 2});
    q.push(RouteKey{100, 0, 1});
    CHECK(next() == RouteKey{100, 0, 1});
    CHECK(next() == RouteKey{100, 0, 2});
    CHECK(next() == RouteKey{5000000, 0, 3});
    CHECK_FALSE(next().has_value());
    q.begin(7);  // a new search forgets everything
    CHECK_FALSE(next().has_value());
    q.push(RouteKey{7, 1, 9});
    CHECK(next() == RouteKey{7, 1, 9});
}
