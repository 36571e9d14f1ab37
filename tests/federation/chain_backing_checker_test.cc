// The chain-backing checker on UTXO sets the test chooses (ChainBackingChecker::check), for the
// rules a federation run reaches only in rare orders: a value that differs from the chain's, a
// coin already spent on chain, a peg-out's change that only the federation's signature backs,
// and the memo that skips an equal set at an equal tip. Each case below fails if one of these
// rules is dropped or the memo compares less than the whole set (size only, keys only) or is
// kept after a verdict that needed the peg-outs.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "actors/chain/bitcoin_network.h"
#include "actors/federation/checkers.h"
#include "fed_world.h"
#include "sim/simulation.h"

namespace {

namespace chain = actors::chain;
namespace fed = actors::federation;
using UtxoSet = std::map<chain::OutPoint, chain::Amount>;

struct Coin {
    chain::OutPoint outpoint;
    chain::Amount value = 0;
};

// A chain with mature coinbases of "alice", and a checker on its canonical chain.
struct BackingWorld {
    BackingWorld()
        : sim(sim::SimulationConfig{.seed = 1}),
          btc(sim.scheduler(), sim.random("chain"), fed_test::fast_chain()),
          hub(sim),
          checker(hub, btc.canonical()) {
        btc.add_node(chain::NodeConfig{.name = "btc0"});
    }

    // Runs `body` in an actor; returns the violations the checker reported.
    std::vector<std::string> run(std::function<void()> body) {
        sim.scheduler().spawn("test", std::move(body));
        (void)sim.run();
        return hub.violations();
    }

    // In an actor: a coinbase of alice's, mined and left to mature.
    Coin mature_coin() {
        const chain::Block& b = btc.mine(1, "alice");
        Coin c{chain::OutPoint{b.txids[0], 0}, b.txs[0].outputs[0].value};
        btc.mine(btc.config().params.coinbase_maturity);
        return c;
    }

    static const chain::SpendCondition& alice() {
        static const chain::SpendCondition condition = chain::PayToOwner{"alice"};
        return condition;
    }

    // A transaction spending `coin` to alice, less a 1,000 sat fee.
    static chain::Transaction spend(const Coin& coin) {
        chain::Transaction tx;
        tx.inputs.push_back(
            chain::TxIn{coin.outpoint, chain::k_sequence_default, chain::SignedBy{"alice"}});
        // Built field by field from a named condition: g++ 12 warns (falsely) on the variant
        // in a braced temporary.
        chain::TxOut out;
        out.value = coin.value - 1000;
        out.condition = alice();
        tx.outputs.push_back(std::move(out));
        return tx;
    }

    sim::Simulation sim;
    chain::BitcoinNetwork btc;
    fed::CheckerHub hub;
    fed::ChainBackingChecker checker;
};

const fed::PeerId k_peer(0);

}  // namespace

TEST_CASE("chain backing: a UTXO confirmed with its value passes, a different value does not",
          "[federation][checkers]") {
    BackingWorld w;
    std::vector<std::string> v = w.run([&] {
        Coin a = w.mature_coin();
        w.checker.check(k_peer, 1, UtxoSet{{a.outpoint, a.value}}, {});
        REQUIRE(w.hub.ok());
        // Same outpoint, same set size, same tip: only the value differs from what passed.
        w.checker.check(k_peer, 2, UtxoSet{{a.outpoint, a.value + 1}}, {});
    });
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("guardian 0 round 2: UTXO") != std::string::npos);
    CHECK(v[0].find("is not on chain") != std::string::npos);
}

TEST_CASE("chain backing: after a set passed, an equal-sized set with another outpoint is "
          "checked again", "[federation][checkers]") {
    BackingWorld w;
    std::string nowhere_text;
    std::vector<std::string> v = w.run([&] {
        Coin a = w.mature_coin();
        w.checker.check(k_peer, 1, UtxoSet{{a.outpoint, a.value}}, {});
        REQUIRE(w.hub.ok());
        chain::OutPoint nowhere{a.outpoint.txid, 7};  // no such output
        nowhere_text = nowhere.to_string();
        w.checker.check(k_peer, 2, UtxoSet{{nowhere, a.value}}, {});
    });
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("guardian 0 round 2: UTXO " + nowhere_text) != std::string::npos);
    CHECK(v[0].find("is not on chain") != std::string::npos);
}

TEST_CASE("chain backing: a UTXO spent on the canonical chain still counts as backed",
          "[federation][checkers]") {
    // The federation's state lags the chain: a coin it holds may already be spent by a peg-out
    // the chain confirmed before the round that removes it is applied.
    BackingWorld w;
    std::vector<std::string> v = w.run([&] {
        Coin a = w.mature_coin();
        chain::Transaction tx = BackingWorld::spend(a);
        REQUIRE(w.btc.mine_with({tx}).ok());
        REQUIRE(w.btc.canonical().spender_of(a.outpoint).has_value());
        w.checker.check(k_peer, 1, UtxoSet{{a.outpoint, a.value}}, {});
    });
    CHECK(v.empty());
}

TEST_CASE("chain backing: a peg-out's change is backed by the signed peg-out, and only while "
          "the federation holds it", "[federation][checkers]") {
    BackingWorld w;
    std::vector<std::string> v = w.run([&] {
        Coin a = w.mature_coin();
        chain::Transaction peg_out = BackingWorld::spend(a);  // signed, not yet on chain
        UtxoSet change{{chain::OutPoint{peg_out.txid(), 0}, a.value - 1000}};
        w.checker.check(k_peer, 1, change, {peg_out});
        REQUIRE(w.hub.ok());
        // Same set at the same tip, but no signed peg-out behind it any more: that verdict
        // needed the peg-outs, so it must not have been remembered as the chain's.
        w.checker.check(k_peer, 2, change, {});
    });
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("guardian 0 round 2") != std::string::npos);
}

TEST_CASE("chain backing: an equal set at an equal tip is not reported twice, a new tip is "
          "checked again", "[federation][checkers]") {
    BackingWorld w;
    std::vector<std::string> v = w.run([&] {
        Coin a = w.mature_coin();
        UtxoSet held{{a.outpoint, a.value}};
        w.checker.check(k_peer, 1, held, {});
        w.checker.check(k_peer, 2, held, {});
        REQUIRE(w.hub.ok());
        // The coin's block and the one after it leave the chain: the same set at the new tip
        // is no longer backed.
        REQUIRE(w.btc.invalidate(w.btc.config().params.coinbase_maturity + 1).ok());
        w.checker.check(k_peer, 3, held, {});
    });
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("guardian 0 round 3") != std::string::npos);
}
