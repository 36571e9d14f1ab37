// Helpers for chain tests: funding an owner with a mature coinbase and building spends.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "actors/chain/chain.h"

namespace chain_test {

using namespace actors::chain;

// Mines one block paying its coinbase to `owner`, then enough blocks that the coinbase is
// spendable in the mempool (tip = coinbase height + maturity - 1). Returns the coinbase outpoint.
inline OutPoint fund(Chain& chain, const std::string& owner) {
    const Block& b = chain.mine(MineOptions{.coinbase_owner = owner});
    OutPoint op{b.txids[0], 0};
    const int64_t coin_height = b.height;
    while (chain.tip_height() < coin_height + chain.params().coinbase_maturity - 1) {
        chain.mine();
    }
    return op;
}

// A one-input tx spending `prev` with `witness`, paying `outputs`.
inline Transaction spend(const OutPoint& prev, Witness witness, std::vector<TxOut> outputs,
                         uint32_t sequence = k_sequence_default, uint32_t lock_time = 0) {
    Transaction tx;
    tx.inputs.push_back(TxIn{prev, sequence, std::move(witness)});
    tx.outputs = std::move(outputs);
    tx.lock_time = lock_time;
    return tx;
}

inline TxOut to_owner(Amount value, const std::string& owner) {
    return TxOut{value, PayToOwner{owner}};
}

// The value of the coin at `op` (confirmed), or -1.
inline Amount coin_value(const Chain& chain, const OutPoint& op) {
    const Coin* c = chain.utxo(op);
    return c != nullptr ? c->out.value : -1;
}

// Mines until tip_height() == height.
inline void mine_to(Chain& chain, int64_t height) {
    while (chain.tip_height() < height) {
        chain.mine();
    }
}

}  // namespace chain_test

namespace Catch {
template <>
struct StringMaker<actors::chain::TxError> {
    static std::string convert(actors::chain::TxError e) { return actors::chain::to_string(e); }
};
}  // namespace Catch
