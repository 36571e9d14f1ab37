// The federation half of a federation + gateway + Lightning world, as the three such worlds
// build it alike: the "gateway" scenario world (gateway_world_run.cc), the benchmark's standard
// world (bench/standard_world.cc) and the end-to-end test world (tests/gateway/e2e_world.h).
//
// - make_lightning_federation: a federation "fed" whose guardian i reads the Lightning network's
//   chain through its own lagging view, a LightningBitcoind named "fed.btc<i>" drawing from its
//   own random stream.
// - LightningFederationCheckers: the invariant checkers such a world keeps on (round
//   fingerprints, books and chain backing on every applied round; channel conservation and HTLC
//   expiry; every payment terminal within a bound), built and started in one fixed order.
// - peg_in_on_lightning: one client's peg-in from a faucet deposit on that chain.
//
// Header-only: the benchmark and some test executables do not link the scenario library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/federation/bitcoind_source.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/federation/federation_api.h"
#include "actors/lightning/lightning_network.h"
#include "sim/assert.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"

namespace scenario {

struct LightningFederationConfig {
    uint64_t guardians = 4;
    actors::federation::GuardianTiming timing;
    // How far guardian p's view of the chain lags behind it.
    std::function<sim::SimDuration(actors::federation::PeerId)> view_lag;
    // The share of each view's RPC calls answered with an error.
    sim::Ratio rpc_error = sim::Ratio::never();
};

// The views are made here, in guardian order, while the federation is constructed.
inline std::unique_ptr<actors::federation::Federation> make_lightning_federation(
    sim::Simulation& sim, actors::lightning::LightningNetwork& ln,
    const LightningFederationConfig& config) {
    namespace fed = actors::federation;
    return std::make_unique<fed::Federation>(
        sim,
        fed::FederationConfig{.name = "fed", .guardians = config.guardians, .params = {},
                              .timing = config.timing},
        &ln.chain().chain(), [&sim, &ln, &config](fed::PeerId p) {
            const std::string name = "fed.btc" + std::to_string(p.value);
            return std::make_unique<fed::LightningBitcoind>(
                ln.chain(),
                fed::LightningBitcoindConfig{.name = name,
                                             .lag = config.view_lag(p),
                                             .rpc_latency = sim::SimDuration::millis(2),
                                             .rpc_error = config.rpc_error},
                sim.random(name));
        });
}

struct LightningFederationCheckers {
    // Builds the checkers and attaches the per-round ones to `federation`. `payment_bound`:
    // how long after the faults heal every payment must be terminal.
    LightningFederationCheckers(actors::federation::CheckerHub& hub,
                                const actors::lightning::LightningNetwork& ln,
                                actors::federation::Federation& federation,
                                sim::SimDuration payment_bound)
        : payments(hub, payment_bound),
          fingerprints(hub),
          books(hub),
          backing(hub, ln.chain().chain()),
          lightning(hub, ln) {
        federation.attach(&fingerprints);
        federation.attach(&books);
        federation.attach(&backing);
        // The agreed count as the most advanced guardian applied it (all agree on each round).
        payments.set_ln_count([&federation] {
            uint64_t count = 0;
            for (size_t p = 0; p < federation.size(); ++p) {
                const auto peer = actors::federation::PeerId(static_cast<uint32_t>(p));
                count = std::max(count, federation.store(peer).state.ln_count());
            }
            return count;
        });
    }
    LightningFederationCheckers(const LightningFederationCheckers&) = delete;
    LightningFederationCheckers& operator=(const LightningFederationCheckers&) = delete;

    // Spawns the periodic Lightning check, then the payment deadline watcher (both daemons).
    void start() {
        lightning.start();
        payments.start();
    }

    actors::federation::PaymentChecker payments;
    actors::federation::RoundFingerprintChecker fingerprints;
    actors::federation::FederationBooksChecker books;
    actors::federation::ChainBackingChecker backing;
    actors::federation::LightningChecker lightning;
};

// In an actor: deposits `sats` from the faucet to the federation's multisig, mines the deposit's
// block and 12 more (a second apart), gives the guardians 3 s to see them, then submits `who`'s
// peg-in through `api`. Returns its outcome, or none by `wait` after submitting.
inline std::optional<actors::federation::TxOutcome> peg_in_on_lightning(
    actors::lightning::LightningNetwork& ln, const actors::federation::Federation& federation,
    actors::federation::FederationApi& api, actors::federation::ClientId who,
    actors::chain::Amount sats, sim::SimDuration wait) {
    namespace fed = actors::federation;
    namespace chain = actors::chain;
    chain::TxOut out;
    out.value = sats;
    out.condition = federation.multisig();
    chain::Txid txid = ln.chain().fund({out}, "deposit");
    ln.mine_blocks(1, sim::SimDuration::seconds(1));
    std::optional<chain::TxLocation> at = ln.chain().tx_location(txid);
    SIM_ASSERT(at.has_value());
    ln.mine_blocks(12, sim::SimDuration::seconds(1));
    sim::this_actor::sleep_for(sim::SimDuration::seconds(3));
    fed::FedTx tx{api.new_tx_id(),
                  fed::PegInTx{.client = who, .outpoint = chain::OutPoint{txid, 0},
                               .block_hash = at->block_hash,
                               .block_height = static_cast<uint64_t>(at->height)}};
    return api.submit_and_wait(tx, sim::this_actor::now() + wait);
}

}  // namespace scenario
