// A deposit to a federation on the chain model, made the way the peg-in world's depositor
// (catalogue_peg_in_world.cc) and the guardian tests' world (tests/federation/fed_world.h) make
// it: a coinbase of the depositor's own, left to mature, then spent to the federation's multisig.
// Header-only: the federation tests do not link the scenario library.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "actors/chain/bitcoin_network.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace scenario {

// In an actor: mines `n` blocks, sleeping `spacing` after each.
inline void mine_spaced(actors::chain::BitcoinNetwork& btc, int64_t n, sim::SimDuration spacing) {
    for (int64_t i = 0; i < n; ++i) {
        btc.mine(1);
        sim::this_actor::sleep_for(spacing);
    }
}

// In an actor: mines a coinbase to `owner`, lets it mature (coinbase_maturity blocks, `spacing`
// apart), pays `sats` from it to `to` with the change less a 1,000 sat fee back to `owner`, and
// mines the block holding that payment. Returns the deposit's outpoint and that block's height.
inline std::pair<actors::chain::OutPoint, int64_t> deposit_from_coinbase(
    actors::chain::BitcoinNetwork& btc, const actors::chain::SpendCondition& to,
    const std::string& owner, actors::chain::Amount sats, sim::SimDuration spacing) {
    namespace chain = actors::chain;
    const chain::Block& b = btc.mine(1, owner);
    chain::OutPoint coin{b.txids[0], 0};
    chain::Amount value = b.txs[0].outputs[0].value;
    mine_spaced(btc, btc.config().params.coinbase_maturity, spacing);
    chain::Transaction tx;
    tx.inputs.push_back(chain::TxIn{coin, chain::k_sequence_default, chain::SignedBy{owner}});
    // Built field by field: g++ 12 warns (falsely) on the variant in a braced temporary.
    chain::TxOut out;
    out.value = sats;
    out.condition = to;
    chain::TxOut change;
    change.value = value - sats - 1000;
    change.condition = chain::PayToOwner{owner};
    tx.outputs.push_back(std::move(out));
    tx.outputs.push_back(std::move(change));
    chain::TxCheck check = btc.submit(tx);
    SIM_ASSERT(check.ok());
    const chain::Block& mined = btc.mine(1);
    return {chain::OutPoint{tx.txid(), 0}, mined.height};
}

}  // namespace scenario
