// CheckTransaction, CheckTxInputs, sequence locks and spending conditions over a CoinView.
#include "actors/chain/validation.h"

#include <string>
#include <vector>

#include "actors/chain/spend.h"
#include "sim/assert.h"

namespace actors::chain {

const Coin* CoinOverlay::find(const OutPoint& op) const {
    if (spent_.count(op) != 0) {
        return nullptr;
    }
    auto it = added_.find(op);
    if (it != added_.end()) {
        return &it->second;
    }
    auto base_it = base_->find(op);
    return base_it != base_->end() ? &base_it->second : nullptr;
}

void CoinOverlay::apply(const Transaction& tx, const Txid& id, int64_t height) {
    if (!tx.is_coinbase()) {
        for (const TxIn& in : tx.inputs) {
            if (added_.erase(in.prevout) == 0) {
                spent_.insert(in.prevout);
            }
        }
    }
    for (uint32_t i = 0; i < tx.outputs.size(); ++i) {
        added_[OutPoint{id, i}] = Coin{tx.outputs[i], height, tx.is_coinbase()};
    }
}

TxCheck check_transaction(const Transaction& tx) {
    if (tx.inputs.empty()) {
        return TxCheck::fail(TxError::no_inputs, -1, "");
    }
    if (tx.outputs.empty()) {
        return TxCheck::fail(TxError::no_outputs, -1, "");
    }
    for (size_t i = 0; i < tx.outputs.size(); ++i) {
        if (tx.outputs[i].value < 0) {
            return TxCheck::fail(TxError::negative_output, static_cast<int64_t>(i), "");
        }
    }
    if (tx.total_out() > k_max_money) {
        return TxCheck::fail(TxError::output_too_large, -1, "");
    }
    std::set<OutPoint> seen;
    for (size_t i = 0; i < tx.inputs.size(); ++i) {
        if (!seen.insert(tx.inputs[i].prevout).second) {
            return TxCheck::fail(TxError::duplicate_input, static_cast<int64_t>(i), "");
        }
    }
    if (!tx.is_coinbase()) {
        for (size_t i = 0; i < tx.inputs.size(); ++i) {
            if (tx.inputs[i].prevout.is_null()) {
                return TxCheck::fail(TxError::null_prevout, static_cast<int64_t>(i), "");
            }
        }
    }
    return TxCheck::success();
}

namespace {

// Coin existence, maturity and amounts (CheckTxInputs); collects the coins' heights.
TxCheck check_coins(const Transaction& tx, const CoinView& view, int64_t spend_height,
                    int64_t coinbase_maturity, std::vector<int64_t>* heights, Amount* fee) {
    Amount in_total = 0;
    for (size_t i = 0; i < tx.inputs.size(); ++i) {
        const Coin* coin = view.find(tx.inputs[i].prevout);
        if (coin == nullptr) {
            return TxCheck::fail(TxError::missing_inputs, static_cast<int64_t>(i),
                                 tx.inputs[i].prevout.to_string());
        }
        if (coin->coinbase && spend_height - coin->height < coinbase_maturity) {
            return TxCheck::fail(TxError::premature_coinbase_spend, static_cast<int64_t>(i),
                                 "coinbase from height " + std::to_string(coin->height) +
                                     " spent at height " + std::to_string(spend_height));
        }
        in_total += coin->out.value;
        heights->push_back(coin->height);
    }
    const Amount out_total = tx.total_out();
    if (in_total < out_total) {
        return TxCheck::fail(TxError::inputs_below_outputs, -1,
                             "in " + std::to_string(in_total) + " < out " +
                                 std::to_string(out_total));
    }
    *fee = in_total - out_total;
    return TxCheck::success();
}

}  // namespace

TxCheck check_tx_inputs(const Transaction& tx, const CoinView& view, const LockContext& ctx,
                        const MedianTimeSource& mtp, int64_t coinbase_maturity, Amount* fee) {
    SIM_ASSERT(!tx.is_coinbase());
    std::vector<int64_t> heights;
    heights.reserve(tx.inputs.size());
    Amount tx_fee = 0;
    TxCheck r = check_coins(tx, view, ctx.height, coinbase_maturity, &heights, &tx_fee);
    if (!r.ok()) {
        return r;
    }
    const SequenceLocks locks = calculate_sequence_locks(tx, heights, mtp);
    if (!evaluate_sequence_locks(locks, ctx)) {
        return TxCheck::fail(TxError::sequence_locked, -1,
                             "min_height " + std::to_string(locks.min_height) + " at height " +
                                 std::to_string(ctx.height) + ", min_time " +
                                 std::to_string(locks.min_time) + " at mtp " +
                                 std::to_string(ctx.mtp_prev));
    }
    for (size_t i = 0; i < tx.inputs.size(); ++i) {
        const Coin* coin = view.find(tx.inputs[i].prevout);
        r = check_spend(tx, i, coin->out);
        if (!r.ok()) {
            return r;
        }
    }
    *fee = tx_fee;
    return TxCheck::success();
}

}  // namespace actors::chain
