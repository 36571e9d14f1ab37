// Per-node views: seeded block propagation, lagging and frozen nodes, reorg propagation and
// notifications, tx relay validated at each node's own tip.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/chain/bitcoin_network.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"
#include "tests/chain/chain_test_util.h"
#include "tests/chain/chain_world.h"

using namespace actors::chain;
using namespace chain_test;
using sim::SimDuration;
using sim::SimTime;
namespace this_actor = sim::this_actor;

namespace {

int64_t tip_of(BitcoinNetwork& net, const char* name) {
    return net.find_node(name)->chain().tip_height();
}

}  // namespace

TEST_CASE("nodes learn of a block within the propagation bounds", "[network]") {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        World w(seed);
        for (const char* n : {"a", "b", "c"}) {
            w.net.add_node(NodeConfig{.name = n});
        }
        w.run([&] {
            w.net.mine();
            this_actor::sleep_for(SimDuration::millis(100) - SimDuration::nanos(1));
            for (const char* n : {"a", "b", "c"}) {
                CHECK(tip_of(w.net, n) == 0);
            }
            this_actor::sleep_until(SimTime::zero() + SimDuration::millis(500));
            for (const char* n : {"a", "b", "c"}) {
                CHECK(tip_of(w.net, n) == 1);
            }
        });
    }
}

TEST_CASE("a frozen node's count stops while others advance, then converges", "[network]") {
    World w(7);
    BitcoindNode& a = w.net.add_node(NodeConfig{.name = "a"});
    BitcoindNode& frozen = w.net.add_node(NodeConfig{.name = "frozen"});
    w.run([&] {
        w.net.mine(3);
        this_actor::sleep_for(SimDuration::seconds(1));
        REQUIRE(frozen.chain().tip_height() == 3);
        frozen.freeze();
        for (int i = 0; i < 5; ++i) {
            w.net.mine();
            this_actor::sleep_for(SimDuration::seconds(10));
            CHECK(a.chain().tip_height() == 4 + i);
            CHECK(frozen.chain().tip_height() == 3);
        }
        frozen.unfreeze();
        CHECK(frozen.chain().tip_height() == 3);
        this_actor::sleep_for(SimDuration::millis(500));
        CHECK(frozen.chain().tip_height() == 8);
        CHECK(frozen.chain().tip().hash == w.net.canonical().tip().hash);
    });
}

TEST_CASE("a lagging node answers from an old tip until its delay passes", "[network]") {
    World w(3);
    BitcoindNode& fast = w.net.add_node(NodeConfig{.name = "fast"});
    BitcoindNode& slow =
        w.net.add_node(NodeConfig{.name = "slow", .lag = SimDuration::seconds(30)});
    w.run([&] {
        w.net.mine(2);
        this_actor::sleep_for(SimDuration::seconds(29));
        CHECK(fast.chain().tip_height() == 2);
        CHECK(slow.chain().tip_height() == 0);
        this_actor::sleep_for(SimDuration::millis(1500));
        CHECK(slow.chain().tip_height() == 2);
        // Deliveries keep their order even when the lag shrinks meanwhile.
        w.net.mine();
        slow.set_lag(SimDuration::zero());
        w.net.mine();
        this_actor::sleep_for(SimDuration::seconds(31));
        CHECK(slow.chain().tip_height() == 4);
    });
}

TEST_CASE("nodes see a reorg after their delay; notifications come in order", "[network][reorg]") {
    World w(11);
    BitcoindNode& a = w.net.add_node(NodeConfig{.name = "a"});
    auto events = a.subscribe();
    w.run([&] {
        const Block& cb = w.net.mine(1, "alice");
        OutPoint coin{cb.txids[0], 0};
        w.net.mine(5);
        Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
        REQUIRE(w.net.submit(tx).ok());
        w.net.mine(3);  // tx confirmed at 7, tip 9
        this_actor::sleep_for(SimDuration::seconds(1));
        REQUIRE(a.chain().confirmations(tx.txid()) == 3);
        while (events->try_recv()) {
        }
        REQUIRE(w.net.invalidate(1).ok());
        w.net.mine();  // equal work: the node keeps the block it saw first
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(a.chain().tip_height() == 9);
        CHECK(a.chain().tip().hash != w.net.canonical().tip().hash);
        CHECK(events->empty());
        w.net.mine();  // now longer: the node reorgs
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(a.chain().tip().hash == w.net.canonical().tip().hash);
        CHECK(a.chain().confirmations(tx.txid()) == 4);
        auto e1 = events->try_recv();
        auto e2 = events->try_recv();
        auto e3 = events->try_recv();
        REQUIRE((e1 && e2 && e3));
        CHECK(e1->kind == BlockEvent::Kind::disconnected);
        CHECK(e1->height == 9);
        CHECK(e2->kind == BlockEvent::Kind::connected);
        CHECK(e2->height == 9);
        CHECK(e3->height == 10);
        CHECK(events->empty());
    });
}

TEST_CASE("a deep reorg returns a confirmed tx to every node's mempool", "[network][reorg]") {
    World w(5);
    BitcoindNode& a = w.net.add_node(NodeConfig{.name = "a"});
    w.run([&] {
        const Block& cb = w.net.mine(1, "alice");
        OutPoint coin{cb.txids[0], 0};
        w.net.mine(5);
        Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
        REQUIRE(w.net.submit(tx).ok());
        w.net.mine(6);
        this_actor::sleep_for(SimDuration::seconds(1));
        REQUIRE(a.chain().confirmations(tx.txid()) == 6);
        REQUIRE(w.net.invalidate(6).ok());
        CHECK(w.net.canonical().mempool().contains(tx.txid()));
        // A competing branch without the tx (each block full at zero txs is modelled by
        // mining around it with an explicit empty block list), one longer than the old one.
        for (int i = 0; i < 7; ++i) {
            REQUIRE(w.net.mine_with({}).ok());
        }
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(a.chain().tip().hash == w.net.canonical().tip().hash);
        CHECK(a.chain().tx_status(tx.txid())->in_mempool);
        CHECK(a.chain().confirmations(tx.txid()) == 0);
    });
}

TEST_CASE("sendrawtransaction is judged at the node's own tip, then relayed", "[network]") {
    World w(9);
    BitcoindNode& fast = w.net.add_node(NodeConfig{.name = "fast"});
    BitcoindNode& slow =
        w.net.add_node(NodeConfig{.name = "slow", .lag = SimDuration::seconds(60)});
    w.run([&] {
        const Block& cb = w.net.mine(1, "alice");
        OutPoint coin{cb.txids[0], 0};
        w.net.mine(9);  // tip 10
        this_actor::sleep_for(SimDuration::seconds(61));
        const uint32_t expiry = 12;
        Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")},
                               k_sequence_default, expiry);
        w.net.mine(2);  // tip 12: final for the next block
        this_actor::sleep_for(SimDuration::seconds(1));
        RpcResult<Txid> at_slow = slow.sendrawtransaction(tx);
        REQUIRE_FALSE(at_slow.ok());
        CHECK(at_slow.reject.error == TxError::non_final);
        RpcResult<Txid> at_fast = fast.sendrawtransaction(tx);
        REQUIRE(at_fast.ok());
        CHECK(fast.sendrawtransaction(tx).ok());  // rebroadcast answers with the txid
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(w.net.canonical().mempool().contains(tx.txid()));
        w.net.mine();
        CHECK(w.net.canonical().find_tx(tx.txid())->height == 13);
    });
}

TEST_CASE("the same seed gives the same run; another seed a different one", "[network]") {
    auto fingerprint = [](uint64_t seed) {
        World w(seed);
        for (const char* n : {"a", "b"}) {
            w.net.add_node(NodeConfig{.name = n});
        }
        w.run([&] {
            for (int i = 0; i < 5; ++i) {
                w.net.mine();
                this_actor::sleep_for(SimDuration::millis(300));
            }
        });
        return w.sim.scheduler().trace().fingerprint();
    };
    CHECK(fingerprint(1) == fingerprint(1));
    CHECK(fingerprint(1) != fingerprint(2));
}

TEST_CASE("a block removes its txs from every node's mempool", "[network][mempool]") {
    World w(12);
    BitcoindNode& a = w.net.add_node(NodeConfig{.name = "a"});
    BitcoindNode& b = w.net.add_node(NodeConfig{.name = "b"});
    w.run([&] {
        const Block& cb = w.net.mine(1, "alice");
        OutPoint coin{cb.txids[0], 0};
        w.net.mine(5);
        this_actor::sleep_for(SimDuration::seconds(1));
        Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
        REQUIRE(a.sendrawtransaction(tx).ok());
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(b.chain().mempool().contains(tx.txid()));
        CHECK(w.net.canonical().mempool().contains(tx.txid()));
        w.net.mine();
        this_actor::sleep_for(SimDuration::seconds(1));
        for (BitcoindNode* n : {&a, &b}) {
            CHECK(n->chain().mempool().empty());
            CHECK(n->chain().confirmations(tx.txid()) == 1);
        }
    });
}

TEST_CASE("header times follow sim time, so time locks open with the simulation", "[network]") {
    World w(13);
    BitcoindNode& a = w.net.add_node(NodeConfig{.name = "a"});
    w.run([&] {
        const Block& cb = w.net.mine(1, "alice");
        OutPoint coin{cb.txids[0], 0};
        const int64_t genesis = w.net.config().genesis_unix_time;
        const auto unlock = static_cast<uint32_t>(genesis + 7200);  // two hours in
        Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")},
                               k_sequence_default, unlock);
        // One block every 10 minutes: MTP(tip) trails the tip by about 5 blocks (50 minutes).
        while (w.net.canonical().tip_median_time_past() <= unlock) {
            this_actor::sleep_for(SimDuration::minutes(10));
            w.net.mine();
            this_actor::sleep_for(SimDuration::seconds(1));
            if (a.chain().tip_median_time_past() <= unlock) {
                CHECK(a.sendrawtransaction(tx).reject.error == TxError::non_final);
            }
        }
        CHECK(this_actor::now() > SimTime::zero() + SimDuration::hours(2));
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(a.sendrawtransaction(tx).ok());
    });
}
