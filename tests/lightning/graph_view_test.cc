// GraphView against the per-node Graph copies it replaces: under random public gossip (some
// views receiving an item at once, others later), private channels, local channel_updates and
// late-joining views, every view must read exactly like its own full copy (the route search's
// compact edge records included, whose magnitude test never admits an amount the exact range
// refuses); and the faucet's coinbase count follows regtest's subsidy schedule.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/lightning/chain_backend.h"
#include "actors/lightning/graph.h"
#include "sim/random.h"

using namespace actors::lightning;

namespace {

constexpr NodeIndex k_nodes = 6;

enum class Op { add, update, remove };

struct Item {
    Op op = Op::add;
    ChannelInfo info;
    NodeIndex from = 0;
    ChannelPolicy policy;
};

// The same item on a Graph or a GraphView (their add_channel results differ and are unused).
template <typename G>
void apply(G& g, const Item& it) {
    switch (it.op) {
        case Op::add:
            (void)g.add_channel(it.info);
            break;
        case Op::update:
            (void)g.update_policy(it.info.scid, it.from, it.policy);
            break;
        case Op::remove:
            (void)g.remove_channel(it.info.scid);
            break;
    }
}

// Every read the router and the tests use, compared over every scid ever used.
void require_same(const GraphView& view, const Graph& copy, uint64_t scids) {
    REQUIRE(view.node_count() == copy.node_count());
    for (uint64_t s = 1; s <= scids; ++s) {
        const ChannelInfo* a = view.channel(ShortChannelId{s});
        const ChannelInfo* b = copy.channel(ShortChannelId{s});
        REQUIRE((a == nullptr) == (b == nullptr));
        if (a != nullptr) {
            CHECK(a->node1 == b->node1);
            CHECK(a->node2 == b->node2);
            CHECK(a->capacity_msat == b->capacity_msat);
            CHECK(a->policy_1to2 == b->policy_1to2);
            CHECK(a->policy_2to1 == b->policy_2to1);
        }
    }
    for (NodeIndex n = 0; n < copy.node_count(); ++n) {
        std::vector<ShortChannelId> got;
        for (ShortChannelId scid : view.channels_of(n)) {
            got.push_back(scid);
        }
        REQUIRE(got == copy.channels_of(n));
        std::span<const ChannelInfo* const> infos = view.channel_infos_of(n);
        REQUIRE(infos.size() == got.size());
        for (size_t i = 0; i < got.size(); ++i) {
            CHECK(infos[i] == view.channel(got[i]));
        }
        // The search's compact records read the same through the view as in the copy.
        std::span<const InEdge> ins = view.in_edges_of(n);
        REQUIRE(ins.size() == got.size());
        CHECK(std::equal(ins.begin(), ins.end(), copy.in_edges_of(n).begin()));
        std::span<const InRange> ranges = view.in_ranges_of(n);
        REQUIRE(ranges.size() == got.size());
        CHECK(std::equal(ranges.begin(), ranges.end(), copy.in_ranges_of(n).begin()));
        // The edges out, which bound a search's fees, are each channel's current policy.
        std::span<const OutEdge> outs = view.out_edges_of(n);
        REQUIRE(outs.size() == got.size());
        for (size_t i = 0; i < got.size(); ++i) {
            CHECK(outs[i] == out_edge(*infos[i], n));
            CHECK(copy.out_edges_of(n)[i] == outs[i]);
        }
    }
}

}  // namespace

TEST_CASE("a search record's magnitudes never claim an amount its range refuses",
          "[graph][router]") {
    const uint64_t big = UINT64_MAX;
    const std::vector<uint64_t> bounds = {0, 1, 2, 3, 999, 1000, 1023, 1024, 1025,
                                          (1ULL << 32) - 1, 1ULL << 32, big - 1, big};
    for (uint64_t min : bounds) {
        for (uint64_t max : bounds) {
            for (bool disabled : {false, true}) {
                ChannelInfo c;
                c.scid = ShortChannelId::from_parts(1, 1, 0);
                c.node1 = 0;
                c.node2 = 1;
                c.capacity_msat = big;
                c.policy_1to2.htlc_minimum_msat = min;
                c.policy_1to2.htlc_maximum_msat = max;
                c.policy_1to2.disabled = disabled;
                const InEdge e = in_edge(c, 1);
                const InRange r = in_range(c, 1);
                CHECK(r.carries(1000) == (!disabled && min <= 1000 && 1000 <= max));
                for (uint64_t a : bounds) {
                    if (a == 0) {
                        continue;  // a search never routes 0 msat
                    }
                    if (e.surely_carries(static_cast<unsigned>(std::bit_width(a)))) {
                        CHECK(r.carries(a));
                    }
                }
            }
        }
    }
    // The usual case is decided from the record: 1 sat minimum, capacity well above the amount.
    ChannelInfo c;
    c.scid = ShortChannelId::from_parts(1, 1, 0);
    c.node1 = 0;
    c.node2 = 1;
    c.capacity_msat = 5000000000;
    c.policy_2to1.htlc_minimum_msat = 1000;
    CHECK(in_edge(c, 0).surely_carries(std::bit_width(uint64_t{1500000})));
    CHECK_FALSE(in_edge(c, 0).surely_carries(std::bit_width(uint64_t{1000})));
    CHECK(in_edge(c, 0).from == 1);
}

TEST_CASE("a graph view reads exactly like its own graph copy under any gossip order",
          "[lightning][graph]") {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        INFO("seed " << seed);
        sim::Random rng(seed);
        SharedGraph shared;
        std::vector<Graph> copies(k_nodes);
        for (NodeIndex n = 0; n < k_nodes; ++n) {
            shared.graph.add_node("n" + std::to_string(n));
            for (Graph& c : copies) {
                c.add_node("n" + std::to_string(n));
            }
        }
        std::vector<std::unique_ptr<GraphView>> views;
        for (NodeIndex n = 0; n < k_nodes; ++n) {
            views.push_back(std::make_unique<GraphView>(shared, n));
        }
        struct Pending {
            NodeIndex node;
            Item item;
        };
        std::vector<Pending> pending;
        uint64_t scids = 0;
        std::map<uint64_t, std::pair<NodeIndex, NodeIndex>> ends;
        for (int step = 0; step < 300; ++step) {
            const uint64_t kind = rng.below(10);
            if (kind < 2 && !pending.empty()) {
                // A delayed item arrives (in any order).
                size_t i = rng.below(pending.size());
                apply(*views[pending[i].node], pending[i].item);
                apply(copies[pending[i].node], pending[i].item);
                pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
                continue;
            }
            Item it;
            auto a = static_cast<NodeIndex>(rng.below(k_nodes));
            auto b = static_cast<NodeIndex>((a + 1 + rng.below(k_nodes - 1)) % k_nodes);
            it.info.scid = ShortChannelId{scids == 0 || rng.below(3) == 0
                                              ? ++scids
                                              : 1 + rng.below(scids)};
            // A short channel id names one funding output: its endpoints never change.
            auto [e, fresh] = ends.try_emplace(it.info.scid.value, std::min(a, b), std::max(a, b));
            it.info.node1 = e->second.first;
            it.info.node2 = e->second.second;
            it.info.capacity_msat = 1000 * (1 + rng.below(5));
            it.op = static_cast<Op>(rng.below(3));
            it.from = rng.below(2) == 0 ? it.info.node1 : it.info.node2;
            it.policy.fee_base_msat = rng.below(4);
            if (kind < 4) {
                // Local: a private channel, or a channel_update learned from a failure.
                NodeIndex n = rng.below(2) == 0 ? it.info.node1 : it.info.node2;
                apply(*views[n], it);
                apply(copies[n], it);
                continue;
            }
            // Public: the shared graph changes; each view receives now or later.
            const ChannelInfo* c = shared.graph.channel(it.info.scid);
            std::optional<ChannelInfo> before =
                c == nullptr ? std::nullopt : std::optional<ChannelInfo>(*c);
            apply(shared.graph, it);
            for (NodeIndex n = 0; n < k_nodes; ++n) {
                GraphView& v = *views[n];
                if (rng.below(2) == 0) {
                    apply(v, it);
                    apply(copies[n], it);
                } else {
                    v.set_entry(it.info.scid, v.diverges(it.info.scid) ? v.entry(it.info.scid)
                                                                       : before);
                    pending.push_back({n, it});
                }
            }
            for (NodeIndex n = 0; n < k_nodes; ++n) {
                require_same(*views[n], copies[n], scids);
            }
        }
        // Deliver the rest: views that saw every item in the same order as the shared graph
        // hold no differences.
        for (const Pending& p : pending) {
            apply(*views[p.node], p.item);
            apply(copies[p.node], p.item);
        }
        for (NodeIndex n = 0; n < k_nodes; ++n) {
            require_same(*views[n], copies[n], scids);
        }
        // The divergence index names exactly the views that hold a difference.
        for (const auto& [scid, nodes] : shared.diverged) {
            for (NodeIndex n : nodes) {
                CHECK(views[n]->diverges(scid));
            }
        }
        for (NodeIndex n = 0; n < k_nodes; ++n) {
            size_t listed = 0;
            for (const auto& [scid, nodes] : shared.diverged) {
                listed += nodes.count(n);
            }
            CHECK(listed == views[n]->divergence_count());
        }
    }
}

TEST_CASE("the faucet mines as many coinbases as regtest's subsidies need", "[lightning][chain]") {
    constexpr actors::chain::Amount btc = 100000000;
    CHECK(coinbases_for(0) == 0u);
    CHECK(coinbases_for(50 * btc) == 1u);
    CHECK(coinbases_for(50 * btc + 1) == 2u);
    // Heights 1-149 pay 50 BTC, height 150 is the first halving (25 BTC).
    CHECK(coinbases_for(149 * 50 * btc) == 149u);
    CHECK(coinbases_for(149 * 50 * btc + 25 * btc) == 150u);
    CHECK(coinbases_for(149 * 50 * btc + 25 * btc + 1) == 151u);
    // More than the whole regtest supply can never be funded.
    CHECK_FALSE(coinbases_for(21000000 * btc).has_value());
    // The whole supply is the edge: every coinbase until the subsidy is 0 holds it exactly.
    const actors::chain::Amount supply = faucet_supply();
    CHECK(supply == 1'494'999'998'350);  // 4,949 coinbases
    CHECK(coinbases_for(supply).has_value());
    CHECK_FALSE(coinbases_for(supply + 1).has_value());
}
