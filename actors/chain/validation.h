// Transaction validation shared by the mempool and block connection.
//
// check_transaction is Core's context-free CheckTransaction; check_tx_inputs covers what needs
// the coins being spent: existence (missing or already spent), coinbase maturity, amount
// conservation (CheckTxInputs), BIP 68 sequence locks and the spending conditions. Finality
// (nLockTime) is checked by the callers because the mempool and blocks order it differently.
#pragma once

#include <cstdint>
#include <map>
#include <set>

#include "actors/chain/locks.h"
#include "actors/chain/transaction.h"
#include "actors/chain/tx_error.h"

namespace actors::chain {

// An unspent output and where it was created.
struct Coin {
    TxOut out;
    int64_t height = 0;  // height of the block holding it (next block's height if unconfirmed)
    bool coinbase = false;
};

using CoinMap = std::map<OutPoint, Coin>;

// Read access to spendable coins.
class CoinView {
public:
    virtual ~CoinView() = default;
    // The unspent coin at `op`, or nullptr if it does not exist or is spent in this view.
    virtual const Coin* find(const OutPoint& op) const = 0;
};

// A base set plus coins created and spent on top of it: the view inside a block being
// assembled or validated, where later transactions may spend earlier ones.
class CoinOverlay : public CoinView {
public:
    explicit CoinOverlay(const CoinMap& base) : base_(&base) {}
    const Coin* find(const OutPoint& op) const override;
    // Spends the inputs and adds the outputs of `tx` at `height`.
    void apply(const Transaction& tx, int64_t height) { apply(tx, tx.txid(), height); }
    // The same when the caller has the txid already (REQUIRES: txid == tx.txid()).
    void apply(const Transaction& tx, const Txid& txid, int64_t height);

private:
    const CoinMap* base_;
    CoinMap added_;
    std::set<OutPoint> spent_;
};

// CheckTransaction: structure and amounts, independent of any chain state.
TxCheck check_transaction(const Transaction& tx);

// Everything that needs the spent coins, for a tx to be included in the block `ctx` describes.
// On success stores the fee (inputs minus outputs, >= 0) in *fee.
TxCheck check_tx_inputs(const Transaction& tx, const CoinView& view, const LockContext& ctx,
                        const MedianTimeSource& mtp, int64_t coinbase_maturity, Amount* fee);

}  // namespace actors::chain
