// Absolute and relative timelocks, exactly as Bitcoin Core evaluates them.
//
// IsFinalTx (nLockTime), BIP 113 (time locks against median-time-past), BIP 68 sequence locks.
// Everything is a pure function of the transaction and a block context, so the mempool (which
// checks against the *next* block: tip + 1 and MTP(tip)) and block validation (the block's own
// height and MTP of its parent) share one implementation and cannot drift apart.
#pragma once

#include <cstdint>
#include <vector>

#include "actors/chain/transaction.h"

namespace actors::chain {

// The block a transaction is being checked for: its height, and the median-time-past of its
// parent, which BIP 113 substitutes for the block's own timestamp.
struct LockContext {
    int64_t height = 0;
    int64_t mtp_prev = 0;
};

// Gives MTP(block at height h) for 0 <= h <= the context's parent height.
class MedianTimeSource {
public:
    virtual ~MedianTimeSource() = default;
    virtual int64_t median_time_past(int64_t height) const = 0;
};

// Bitcoin Core's IsFinalTx: lock_time 0 is final; otherwise final iff lock_time is below the
// block height (height locks) or block time (time locks); otherwise final iff every input has
// nSequence == SEQUENCE_FINAL. Hence nLockTime = H is first valid in block H + 1.
bool is_final_tx(const Transaction& tx, int64_t block_height, int64_t block_time);

// BIP 68 result: the tx is valid only in a block whose height exceeds min_height and whose
// parent's MTP exceeds min_time (-1: no constraint).
struct SequenceLocks {
    int64_t min_height = -1;
    int64_t min_time = -1;
};

// CalculateSequenceLocks. `coin_heights[i]` is the height of the block holding input i's coin
// (the next block's height for a coin still in the mempool). Inputs with the disable flag set,
// and transactions with version < 2, impose nothing.
SequenceLocks calculate_sequence_locks(const Transaction& tx,
                                       const std::vector<int64_t>& coin_heights,
                                       const MedianTimeSource& mtp);

// EvaluateSequenceLocks: true iff the locks are satisfied in the block described by `ctx`.
bool evaluate_sequence_locks(const SequenceLocks& locks, const LockContext& ctx);

}  // namespace actors::chain
