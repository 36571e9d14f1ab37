// The federation world's `reorg` action: invalidateblock on the top `depth` canonical blocks,
// then a replacement branch of `blocks` blocks (more than `depth`: a bitcoind only moves to a
// branch with more work, so a shorter one would change the miners' chain and no node's).
//
// With `double_spend`, the first replacement block spends the inputs of every federation
// deposit the invalidated blocks held back to the depositor: the deposit can never confirm
// again, which is what a reorg attack on a peg-in does. Only a transaction whose every input
// the depositor signed is double-spent: a federation peg-out with change also pays the
// multisig, but its inputs carry the guardians' threshold signatures over its own outputs, so
// no attacker can redirect them; it returns to the mempool and is mined again on the new
// branch, as after any reorg. A peg-in the federation credited from
// such a block is then a UTXO the chain does not back (fedimint.md 1.3: a synced block hash
// stays known after a reorg); whether the reorg also replaced a height the guardians synced
// decides whether their next sync panics (guardian_wallet_sync.cc).
#include "scenario/worlds/federation_world.h"
#include "sim/this_actor.h"

namespace scenario {

namespace chain = actors::chain;
namespace this_actor = sim::this_actor;

namespace {

constexpr chain::Amount k_double_spend_fee = 2000;
// The signer of the depositor's deposits (build_deposit).
constexpr const char* k_depositor_signer = "depositor";

bool pays_multisig(const chain::Transaction& tx, const chain::PayToMultisig& multisig) {
    for (const chain::TxOut& out : tx.outputs) {
        const auto* m = std::get_if<chain::PayToMultisig>(&out.condition);
        if (m != nullptr && m->keys == multisig.keys && m->threshold == multisig.threshold) {
            return true;
        }
    }
    return false;
}

// A deposit the depositor can double-spend: every input is a coin it alone signs for.
bool depositor_signed(const chain::Transaction& tx) {
    for (const chain::TxIn& input : tx.inputs) {
        const auto* s = std::get_if<chain::SignedBy>(&input.witness);
        if (s == nullptr || s->signer != k_depositor_signer) {
            return false;
        }
    }
    return !tx.inputs.empty();
}

}  // namespace

std::vector<chain::Transaction> FederationScenarioWorld::double_spends(
    const std::vector<chain::BlockHash>& disconnected) const {
    const chain::Chain& c = btc_.canonical();
    const chain::PayToMultisig multisig =
        std::get<chain::PayToMultisig>(federation_->multisig());
    std::vector<chain::Transaction> out;
    // Lowest block first, so the order follows the chain the deposits were in.
    for (auto it = disconnected.rbegin(); it != disconnected.rend(); ++it) {
        std::shared_ptr<const chain::Block> block = c.tree()->find(*it);
        SIM_ASSERT(block != nullptr);
        for (size_t i = 1; i < block->txs.size(); ++i) {
            const chain::Transaction& deposit = block->txs[i];
            if (!pays_multisig(deposit, multisig) || !depositor_signed(deposit)) {
                continue;
            }
            chain::Transaction tx;
            tx.memo = "double-spend:" + block->txids[i].to_hex();
            chain::Amount in = 0;
            bool spendable = true;
            for (const chain::TxIn& input : deposit.inputs) {
                const chain::Coin* coin = c.utxo(input.prevout);
                spendable = spendable && coin != nullptr;
                in += coin != nullptr ? coin->out.value : 0;
                tx.inputs.push_back(input);
            }
            // A deposit whose own input went with the reorg cannot confirm again anyway.
            if (!spendable || in <= k_double_spend_fee) {
                continue;
            }
            tx.outputs.resize(1);
            tx.outputs[0].value = in - k_double_spend_fee;
            tx.outputs[0].condition = chain::PayToOwner{"depositor"};
            out.push_back(std::move(tx));
        }
    }
    return out;
}

void FederationScenarioWorld::reorg(const TimelineEntry& entry) {
    const int64_t depth = entry.args.at("depth").number;
    auto blocks_it = entry.args.find("blocks");
    const int64_t blocks =
        blocks_it != entry.args.end() ? blocks_it->second.number : depth + 1;
    const bool double_spend = entry.args.at("double_spend").flag();
    const sim::SimDuration spacing = entry.args.at("spacing").duration();
    // invalidateblock may remove every block above genesis (depth == height), not genesis.
    // The chain's height at this instant is known only while running, so a deeper reorg is
    // reported as bad input (World::input_error), not as a finding.
    if (depth > btc_.canonical().tip_height()) {
        input_error_ = Diagnostic{
            entry.args.at("depth").where,
            "reorg of depth " + std::to_string(depth) + " at chain height " +
                std::to_string(btc_.canonical().tip_height()) + ": deeper than the chain above "
                "genesis (raise premine or reorg later)"};
        sim_.scheduler().stop();
        return;
    }
    chain::ReorgResult r = btc_.invalidate(depth);
    SIM_ASSERT_MSG(r.ok(), "invalidating blocks above genesis cannot fail: " + r.error);
    std::vector<chain::Transaction> spends;
    if (double_spend) {
        spends = double_spends(r.disconnected);
    }
    sim_.scheduler()
        .trace("fed.reorg")
        .field("depth", depth)
        .field("blocks", blocks)
        .field("fork_height", btc_.canonical().tip_height())
        .field("double_spends", static_cast<uint64_t>(spends.size()));
    if (double_spend) {
        chain::TxCheck first = btc_.mine_with(spends);
        SIM_ASSERT_MSG(first.ok(), "double spends of disconnected deposits are valid: " +
                                       first.to_string());
    } else {
        btc_.mine(1);  // from the mempool, which holds the disconnected transactions again
    }
    if (spacing == sim::SimDuration::zero()) {
        btc_.mine(blocks - 1);
        return;
    }
    sim_.scheduler().spawn("miner." + (entry.name.empty() ? std::string("reorg") : entry.name),
                           [this, blocks, spacing] {
                               for (int64_t i = 1; i < blocks; ++i) {
                                   this_actor::sleep_for(spacing);
                                   btc_.mine(1);
                               }
                           });
}

}  // namespace scenario
