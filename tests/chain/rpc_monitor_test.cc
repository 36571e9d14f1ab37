// RPC faults, the count-speaking client with its variants, the polling monitor's seeded phase
// and "no status", and the miner's on-demand, fixed and Poisson schedules.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "actors/chain/miner.h"
#include "actors/chain/rpc_client.h"
#include "sim/this_actor.h"
#include "tests/chain/chain_world.h"

using namespace actors::chain;
using chain_test::World;
using sim::SimDuration;
using sim::SimTime;
namespace this_actor = sim::this_actor;

TEST_CASE("RPC latency, injected errors and timeouts are seeded per node", "[rpc]") {
    auto outcomes = [](uint64_t seed) {
        World w(seed);
        BitcoindNode& n = w.net.add_node(NodeConfig{
            .name = "n",
            .rpc = RpcConfig{.latency_min = SimDuration::millis(1),
                             .latency_max = SimDuration::millis(5),
                             .error = sim::Ratio::percent(20),
                             .timeout = sim::Ratio::percent(10),
                             .client_timeout = SimDuration::seconds(2)}});
        std::vector<RpcStatus> out;
        w.run([&] {
            for (int i = 0; i < 200; ++i) {
                const SimTime start = this_actor::now();
                RpcResult<int64_t> r = n.getblockcount();
                const SimDuration took = this_actor::now() - start;
                if (r.status == RpcStatus::timeout) {
                    CHECK(took == SimDuration::seconds(2));
                } else {
                    CHECK(took >= SimDuration::millis(1));
                    CHECK(took <= SimDuration::millis(5));
                }
                CHECK(r.value.has_value() == r.ok());
                out.push_back(r.status);
            }
        });
        return out;
    };
    std::vector<RpcStatus> a = outcomes(4);
    CHECK(a == outcomes(4));
    CHECK(a != outcomes(5));
    auto count = [&](RpcStatus s) { return std::count(a.begin(), a.end(), s); };
    CHECK(count(RpcStatus::timeout) > 5);
    CHECK(count(RpcStatus::error) > 15);
    CHECK(count(RpcStatus::ok) > 100);
}

TEST_CASE("RPC answers follow Bitcoin Core: getblockhash(h) iff h <= tip", "[rpc]") {
    World w(1);
    BitcoindNode& n = w.net.add_node(NodeConfig{.name = "n"});
    w.run([&] {
        w.net.mine(4);
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(*n.getblockcount().value == 4);
        CHECK(n.getblockhash(4).ok());
        RpcResult<BlockHash> past = n.getblockhash(5);
        CHECK(past.status == RpcStatus::error);
        CHECK(past.error == "Block height out of range");
        CHECK_FALSE(n.getblockhash(-1).ok());
        CHECK_FALSE(n.gettransaction(Txid::zero()).ok());
        CHECK(*n.getmediantime().value == n.chain().tip_median_time_past());
        const Block* b2 = n.chain().block_at(2);
        RpcResult<std::shared_ptr<const Block>> got = n.getblock(b2->hash);
        REQUIRE(got.ok());
        CHECK((*got.value)->height == 2);
        CHECK_FALSE(n.getblock(Txid::zero()).ok());
        OutPoint cb{b2->txids[0], 0};
        RpcResult<std::optional<Coin>> out = n.gettxout(cb);
        REQUIRE(out.ok());
        CHECK((*out.value)->out.value == 50 * k_coin);
        CHECK(n.getrawtransaction(b2->txids[0]).ok());
        CHECK_FALSE(n.gettxout(OutPoint{b2->txids[0], 1}).value->has_value());
        n.set_rpc_down(true);
        CHECK(n.getblockcount().status == RpcStatus::error);
    });
}

TEST_CASE("the client speaks counts, with the variants a scenario names", "[rpc][count]") {
    World w(2);
    BitcoindNode& n = w.net.add_node(NodeConfig{.name = "n"});
    w.run([&] {
        BitcoindClient good(n);
        BitcoindClient b3001(n, CountVariant::count_returns_height);
        BitcoindClient b2861(n, CountVariant::fake_height_is_len);
        CHECK(good.get_block_count() == 1u);
        CHECK_FALSE(good.get_chain_id().has_value());  // only genesis: no network id yet
        w.net.mine(3);
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(good.get_block_count() == 4u);
        CHECK(b3001.get_block_count() == 3u);
        CHECK(b2861.get_block_count() == 5u);
        CHECK(good.get_block_hash(3) == n.chain().block_hash(3));
        CHECK_FALSE(good.get_block_hash(4).has_value());
        CHECK(b2861.get_block_hash(3) == n.chain().block_hash(2));
        CHECK(good.get_chain_id() == n.chain().block_hash(1));
    });
}

TEST_CASE("the monitor polls at a seeded phase and reports no status on failure", "[monitor]") {
    std::set<int64_t> phases;
    for (uint64_t seed = 1; seed <= 8; ++seed) {
        World w(seed);
        BitcoindNode& n = w.net.add_node(NodeConfig{.name = "n"});
        ChainMonitor mon("guardian0.monitor", BitcoindClient(n),
                         MonitorConfig{.poll_interval = SimDuration::seconds(1)},
                         w.sim.random("monitor:guardian0"));
        CHECK(mon.phase() < SimDuration::seconds(1));
        phases.insert(mon.phase().ns());
        std::vector<uint64_t> updates;
        mon.on_update([&](uint64_t c) { updates.push_back(c); });
        mon.start(w.sim.scheduler());
        w.run([&] {
            this_actor::sleep_until(SimTime::zero() + mon.phase());
            this_actor::yield();
            CHECK(mon.polls() == 1);
            CHECK(mon.status() == 1u);
            w.net.mine(2);
            this_actor::sleep_for(SimDuration::millis(1500));
            CHECK(mon.status() == 3u);
            n.set_rpc_down(true);
            this_actor::sleep_for(SimDuration::seconds(1));
            CHECK_FALSE(mon.status().has_value());  // Fedimint's "no status"
            n.set_rpc_down(false);
            this_actor::sleep_for(SimDuration::seconds(1));
            CHECK(mon.status() == 3u);
            CHECK(mon.polls() == 4);
            mon.stop();
        });
        CHECK(updates == std::vector<uint64_t>{1, 3});  // no update for an unchanged count
    }
    CHECK(phases.size() == 8);
}

TEST_CASE("a fixed-interval miner mines exactly on schedule", "[miner]") {
    World w(1);
    Miner miner(w.net, MinerConfig{.mode = MiningMode::fixed, .interval = SimDuration::minutes(10)},
                w.sim.random("miner"));
    miner.start();
    w.run([&] {
        this_actor::sleep_for(SimDuration::hours(10) + SimDuration::seconds(1));
        CHECK(w.net.canonical().tip_height() == 60);
        // Header times follow sim time: block k at genesis + 600k seconds.
        CHECK(w.net.canonical().block_at(60)->time - w.net.canonical().block_at(0)->time ==
              36000);
        miner.stop();
    });
    CHECK(miner.mined() == 60);
}

TEST_CASE("a Poisson miner's gaps are exponential with the configured mean", "[miner]") {
    World w(3);
    Miner miner(w.net,
                MinerConfig{.mode = MiningMode::poisson, .interval = SimDuration::seconds(600)},
                w.sim.random("miner"));
    int64_t total = 0;
    int64_t below_mean = 0;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
        const int64_t gap = miner.next_gap().ns();
        total += gap / 1000000;
        below_mean += gap < SimDuration::seconds(600).ns() ? 1 : 0;
    }
    const int64_t mean_ms = total / n;
    CHECK(mean_ms > 570000);
    CHECK(mean_ms < 630000);
    // P(gap < mean) = 1 - 1/e = 0.632 for an exponential.
    CHECK(below_mean > n * 60 / 100);
    CHECK(below_mean < n * 66 / 100);

    World w2(3);
    Miner live(w2.net, MinerConfig{.mode = MiningMode::poisson, .interval = SimDuration::minutes(1),
                                   .max_blocks = 50},
               w2.sim.random("miner"));
    live.start();
    w2.run([&] {
        this_actor::sleep_for(SimDuration::hours(24));
        CHECK(w2.net.canonical().tip_height() == 50);
    });
}

TEST_CASE("an on-demand miner never mines by itself", "[miner]") {
    World w(1);
    Miner miner(w.net, MinerConfig{}, w.sim.random("miner"));
    miner.start();
    w.run([&] {
        this_actor::sleep_for(SimDuration::hours(1));
        CHECK(w.net.canonical().tip_height() == 0);
        w.net.mine(3);
        CHECK(w.net.canonical().tip_height() == 3);
    });
}

TEST_CASE("a node's count variant is chosen by name and used by its clients", "[rpc][count]") {
    World w(6);
    BitcoindNode& good = w.net.add_node(NodeConfig{.name = "good"});
    BitcoindNode& bad = w.net.add_node(
        NodeConfig{.name = "bad", .count_variant = *parse_count_variant("count_returns_height")});
    w.run([&] {
        w.net.mine(10);
        this_actor::sleep_for(SimDuration::seconds(1));
        // Same chain, one block apart: the #3001 disagreement between backends.
        CHECK(BitcoindClient(good).get_block_count() == 11u);
        CHECK(BitcoindClient(bad).get_block_count() == 10u);
        CHECK(BitcoindClient(bad, CountVariant::correct).get_block_count() == 11u);
    });
    CHECK(parse_mining_mode("poisson") == MiningMode::poisson);
    CHECK(parse_mining_mode("fixed") == MiningMode::fixed);
    CHECK(parse_mining_mode("on_demand") == MiningMode::on_demand);
    CHECK_FALSE(parse_mining_mode("sometimes").has_value());
}
