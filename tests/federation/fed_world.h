// A simulation with a chain-model bitcoin network, a federation of guardians (each with its own
// bitcoind node) and the checkers every run keeps on, for the guardian actor tests.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/chain/bitcoin_network.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/federation/federation_api.h"
#include "scenario/worlds/coinbase_deposit.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"

namespace fed_test {

using namespace actors::federation;
namespace chain = actors::chain;

inline chain::BitcoinNetworkConfig fast_chain() {
    chain::BitcoinNetworkConfig cfg;
    cfg.params.coinbase_maturity = 5;
    cfg.propagation_min = sim::SimDuration::millis(50);
    cfg.propagation_max = sim::SimDuration::millis(300);
    return cfg;
}

struct WorldOptions {
    uint64_t seed = 1;
    uint64_t guardians = 4;
    FederationParams params;
    FederationVariants variants;
    GuardianTiming timing;
};

// Compares, on every applied round, what the state keeps with what a walk gives:
// fingerprint() (kept words, memoised fold) with fingerprint_reference() (every map hashed
// item by item), and pending_decryptions() with the incoming contracts still pending.
struct ReferenceFingerprintObserver : RoundObserver {
    void on_round(PeerId, const Batch&, const FederationState& state,
                  const std::vector<StateEvent>&) override {
        ++rounds;
        mismatches += state.fingerprint() == state.fingerprint_reference() ? 0 : 1;
        std::vector<PaymentHash> pending;
        for (const auto& [hash, rec] : state.incoming()) {
            if (rec.contract.state() == DecryptedPreimage::pending) {
                pending.push_back(hash);
            }
        }
        mismatches += state.pending_decryptions() == pending ? 0 : 1;
    }
    uint64_t rounds = 0;
    uint64_t mismatches = 0;
};

struct World {
    explicit World(const WorldOptions& options = {})
        : sim(sim::SimulationConfig{.seed = options.seed}),
          btc(sim.scheduler(), sim.random("chain"), fast_chain()),
          hub(sim) {
        for (uint64_t i = 0; i < options.guardians; ++i) {
            btc.add_node(chain::NodeConfig{.name = "btc" + std::to_string(i)});
        }
        btc.add_node(chain::NodeConfig{.name = "btc.users"});
        fed = std::make_unique<Federation>(
            sim,
            FederationConfig{.name = "fed", .guardians = options.guardians,
                             .params = options.params, .timing = options.timing,
                             .variants = options.variants},
            &btc.canonical(), [this](PeerId p) {
                return std::make_unique<ChainModelBitcoind>(btc.node(p.value));
            });
        fingerprints = std::make_unique<RoundFingerprintChecker>(hub);
        books = std::make_unique<FederationBooksChecker>(hub);
        backing = std::make_unique<ChainBackingChecker>(hub, btc.canonical());
        fed->attach(fingerprints.get());
        fed->attach(books.get());
        fed->attach(backing.get());
        fed->attach(&reference);
        user_node = sim.network().add_node("user");
        api = std::make_unique<FederationApi>(sim, user_node, *fed);
    }

    // Runs `body` as the workload after starting the federation; requires a clean run.
    void run(std::function<void()> body) {
        fed->start();
        api->start();
        sim.scheduler().spawn("workload", std::move(body));
        sim::SimulationResult r = sim.run(sim::RunLimits{.max_time = sim::SimTime::zero() +
                                                                     sim::SimDuration::hours(2)});
        INFO(r.run.message);
        REQUIRE(r.run.ok());
        REQUIRE(hub.ok());
        CHECK(reference.rounds > 0);
        CHECK(reference.mismatches == 0);
    }

    // Mines `n` blocks, `spacing` apart.
    void mine(int64_t n, sim::SimDuration spacing = sim::SimDuration::millis(500)) {
        scenario::mine_spaced(btc, n, spacing);
    }

    // Pays `sats` from a fresh mature coinbase to the federation; returns the outpoint and the
    // height of its block.
    std::pair<chain::OutPoint, uint64_t> deposit(chain::Amount sats) {
        auto [outpoint, height] = scenario::deposit_from_coinbase(
            btc, fed->multisig(), "alice", sats, sim::SimDuration::millis(500));
        return {outpoint, static_cast<uint64_t>(height)};
    }

    // The peg-in proof for a deposit at `height` of the canonical chain now.
    PegInTx proof(ClientId client, const chain::OutPoint& op, uint64_t height) const {
        const std::optional<chain::BlockHash> hash =
            btc.canonical().block_hash(static_cast<int64_t>(height));
        REQUIRE(hash.has_value());
        return PegInTx{.client = client, .outpoint = op, .block_hash = *hash,
                       .block_height = height};
    }

    // Deposits `sats` on chain and pegs them in as ecash for `client` (requires a clean run).
    void peg_in(ClientId client, chain::Amount sats) {
        auto [op, height] = deposit(sats);
        mine(12);
        FedTx tx{api->new_tx_id(), proof(client, op, height)};
        std::optional<TxOutcome> o =
            api->submit_and_wait(tx, sim::this_actor::now() + sim::SimDuration::seconds(60));
        REQUIRE(o.has_value());
        REQUIRE(o->accepted);
    }

    // Submits `body` and waits for its outcome.
    TxOutcome submit(FedTxBody body) {
        FedTx tx{api->new_tx_id(), std::move(body)};
        std::optional<TxOutcome> o =
            api->submit_and_wait(tx, sim::this_actor::now() + sim::SimDuration::seconds(60));
        REQUIRE(o.has_value());
        return *o;
    }

    // The LN consensus count every guardian agrees on now (after letting rounds settle).
    uint64_t ln_count() {
        std::optional<uint64_t> c;
        while (!(c = api->ln_count()).has_value()) {
        }
        return *c;
    }

    // Mines until the agreed LN count equals `count` (REQUIRES count >= current).
    void mine_to_ln_count(uint64_t count) {
        while (static_cast<uint64_t>(btc.canonical().tip_height()) + 1 < count) {
            mine(1, sim::SimDuration::millis(200));
        }
        for (int i = 0; i < 100 && ln_count() != count; ++i) {
            sim::this_actor::sleep_for(sim::SimDuration::millis(200));
        }
        REQUIRE(ln_count() == count);
    }

    // Waits until every running guardian has applied at least `round` rounds.
    bool await_round(uint64_t round, sim::SimDuration timeout = sim::SimDuration::seconds(60)) {
        sim::SimTime deadline = sim::this_actor::now() + timeout;
        while (fed->min_round() < round) {
            if (sim::this_actor::now() >= deadline) {
                return false;
            }
            sim::this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        return true;
    }

    sim::Simulation sim;
    chain::BitcoinNetwork btc;
    CheckerHub hub;
    std::unique_ptr<Federation> fed;
    std::unique_ptr<RoundFingerprintChecker> fingerprints;
    std::unique_ptr<FederationBooksChecker> books;
    std::unique_ptr<ChainBackingChecker> backing;
    ReferenceFingerprintObserver reference;
    sim::NodeId user_node;
    std::unique_ptr<FederationApi> api;
};

}  // namespace fed_test
