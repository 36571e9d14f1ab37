// IsFinalTx and BIP 68 sequence locks.
#include "actors/chain/locks.h"

#include <algorithm>

#include "sim/assert.h"

namespace actors::chain {

bool is_final_tx(const Transaction& tx, int64_t block_height, int64_t block_time) {
    if (tx.lock_time == 0) {
        return true;
    }
    const int64_t lock = static_cast<int64_t>(tx.lock_time);
    const int64_t bound = tx.lock_time < k_locktime_threshold ? block_height : block_time;
    if (lock < bound) {
        return true;
    }
    // A lock that is not yet reached is still void when every input opted out of it.
    for (const TxIn& in : tx.inputs) {
        if (in.sequence != k_sequence_final) {
            return false;
        }
    }
    return true;
}

SequenceLocks calculate_sequence_locks(const Transaction& tx,
                                       const std::vector<int64_t>& coin_heights,
                                       const MedianTimeSource& mtp) {
    SIM_ASSERT(coin_heights.size() == tx.inputs.size());
    SequenceLocks locks;
    // Core compares the version as unsigned: a negative version never enables BIP 68.
    if (static_cast<uint32_t>(tx.version) < 2) {
        return locks;
    }
    for (size_t i = 0; i < tx.inputs.size(); ++i) {
        const uint32_t seq = tx.inputs[i].sequence;
        if ((seq & k_sequence_disable_flag) != 0) {
            continue;
        }
        const int64_t coin_height = coin_heights[i];
        const int64_t value = static_cast<int64_t>(seq & k_sequence_mask);
        if ((seq & k_sequence_type_flag) != 0) {
            // Time locks start from the MTP of the block *before* the one holding the coin.
            const int64_t coin_time = mtp.median_time_past(std::max<int64_t>(coin_height - 1, 0));
            locks.min_time =
                std::max(locks.min_time, coin_time + (value << k_sequence_granularity) - 1);
        } else {
            locks.min_height = std::max(locks.min_height, coin_height + value - 1);
        }
    }
    return locks;
}

bool evaluate_sequence_locks(const SequenceLocks& locks, const LockContext& ctx) {
    return locks.min_height < ctx.height && locks.min_time < ctx.mtp_prev;
}

}  // namespace actors::chain
