// Wallet v1 rules that sit around the vote: which heights a consensus change syncs, when a
// peg-in proof's block is known, and how long a guardian waits for its own node to catch up
// before shutting down (fedimint.md 1.3, 5 items 3-5).
//
// Heights and counts follow Fedimint: count = tip_height + 1, so the block at height h is inside
// a consensus count c iff h < c.
#pragma once

#include <cstdint>
#include <optional>

#include "actors/federation/fibonacci_backoff.h"
#include "actors/federation/vote_aggregation.h"
#include "sim/assert.h"
#include "sim/time.h"

namespace actors::federation {

// A block at height h becomes known at consensus count h + 1; an honest vote is
// tip_count - finality_delay; so a peg-in needs finality_delay + 1 confirmations.
constexpr uint64_t peg_in_confirmations_required(uint64_t finality_delay) {
    return finality_delay + 1;
}

// Confirmations of a block at `block_height` with the tip at `tip_height` (0 if not mined).
constexpr uint64_t confirmations(uint64_t tip_height, uint64_t block_height) {
    return tip_height >= block_height ? tip_height - block_height + 1 : 0;
}

struct WalletSyncOptions {
    // Bug knob #2773: a fresh federation synced every block from height 0 on its first
    // consensus count. Off: the first change away from 0 syncs nothing.
    bool sync_from_genesis = false;
};

// The heights [from, to) that `sync_up_to_consensus_count(old, new)` walks. Empty when the
// consensus did not change, and when old == 0 (blocks predating the federation are skipped).
struct SyncRange {
    uint64_t from = 0;
    uint64_t to = 0;
    bool empty() const { return from >= to; }
};

constexpr SyncRange wallet_v1_sync_range(uint64_t old_count, uint64_t new_count,
                                         const WalletSyncOptions& options = {}) {
    SIM_ASSERT(old_count <= new_count);
    if (old_count == 0 && !options.sync_from_genesis) {
        return SyncRange{};
    }
    return SyncRange{.from = old_count, .to = new_count};
}

// Which block heights the wallet sync has covered: everything since the first nonzero consensus
// count. Feed it every consensus change in order. (Which HASH each covered height got is the
// guardian's own SyncedBlocks; wallet v1 checks peg-in proofs against that.)
class KnownBlocks {
public:
    explicit KnownBlocks(WalletSyncOptions options = {}) : options_(options) {}

    void on_consensus_change(uint64_t old_count, uint64_t new_count) {
        SIM_ASSERT(old_count == consensus_count_);
        SyncRange range = wallet_v1_sync_range(old_count, new_count, options_);
        if (!range.empty() && !first_synced_.has_value()) {
            first_synced_ = range.from;
        }
        if (old_count == 0 && !first_synced_.has_value() && new_count != 0) {
            first_synced_ = new_count;  // nothing below the first count will ever be synced.
        }
        consensus_count_ = new_count;
    }

    bool is_known(uint64_t height) const {
        return first_synced_.has_value() && height >= *first_synced_ && height < consensus_count_;
    }

    uint64_t consensus_count() const { return consensus_count_; }
    // The lowest height ever synced (or to be synced), once the count left 0.
    std::optional<uint64_t> first_synced() const { return first_synced_; }

private:
    WalletSyncOptions options_;
    uint64_t consensus_count_ = 0;
    std::optional<uint64_t> first_synced_;
};

enum class PegInRejection {
    none,
    block_not_in_consensus,  // "Unknown block hash in peg-in proof": not synced yet.
    block_predates_sync,     // same upstream error: mined before the first consensus count.
};

inline PegInRejection check_peg_in(const KnownBlocks& known, uint64_t proof_block_height) {
    if (known.is_known(proof_block_height)) {
        return PegInRejection::none;
    }
    if (proof_block_height >= known.consensus_count()) {
        return PegInRejection::block_not_in_consensus;
    }
    return PegInRejection::block_predates_sync;
}

// ---- Waiting for the guardian's own node (`wait_for_finality_confs_or_shutdown`) ----

// Ready iff consensus_count + finality_delay <= the guardian's own count; a missing status
// (RPC error) is never ready.
constexpr bool finality_confs_reached(uint64_t consensus_count, uint64_t finality_delay,
                                      std::optional<uint64_t> local_block_count) {
    return local_block_count.has_value() && consensus_count + finality_delay <= *local_block_count;
}

// fedimint's wallet server (`wait_for_finality_confs_or_shutdown`): `util::retry` over a backon
// Fibonacci, `custom_backoff(min, max, Some(retries))` (fedimint-core util/backoff_util.rs).
// Test env: 100 ms, 100 ms, 600 retries: a constant 100 ms (60 s in all). Production:
// `fibonacci_max_one_hour()`, 200 ms, 10 s, 360 retries: 0.2, 0.2, 0.4, ..., 6.8 s, then 11 s
// from the tenth retry on, 3878.6 s in all (backon does not clamp the step past max; the
// source comment's "6.8, 10.0..." and 3527.6 s assume it does). Both add jitter: backon's
// `min_delay.mul_f32(rng.f32())`, fastrand's f32 in [0, 1) (steps of 2^-23), so upstream's
// jitter is in [0, min_delay), never min_delay itself (backon/src/backoff/fibonacci.rs, 1.x).
struct SyncWaitPolicy {
    sim::SimDuration min_delay;
    sim::SimDuration max_delay;
    uint64_t max_retries = 0;

    static constexpr SyncWaitPolicy test_env() {
        return {sim::SimDuration::millis(100), sim::SimDuration::millis(100), 600};
    }
    static constexpr SyncWaitPolicy production() {
        return {sim::SimDuration::millis(200), sim::SimDuration::seconds(10), 360};
    }

    // Delay before retry number `retry` (0-based), without jitter: backon's `next()` for it.
    constexpr sim::SimDuration base_delay(uint64_t retry) const {
        return fibonacci_delay(min_delay, max_delay, retry);
    }
    // The actor draws jitter uniformly in [0, jitter_max()] from its own Random stream, whole
    // nanoseconds, both ends included. Known difference, kept so as not to move every run
    // with a sync-wait retry: upstream's range is half-open, [0, min_delay); the model's
    // largest jitter is 1 ns past upstream's bound (min_delay itself, drawn with probability
    // 1 / (min_delay in ns + 1): 1 in 10^8 for the test env's 100 ms).
    constexpr sim::SimDuration jitter_max() const { return min_delay; }
};

enum class SyncWaitStep { ready, retry, shut_down };

// What follows check number `attempt` (0-based; 0 is the immediate first check) that came back
// `reached`. A failed check k < max_retries is retried after base_delay(k) plus jitter; a
// failure at k == max_retries shuts the guardian's task group down (60 s join deadline), so
// there are max_retries + 1 checks in all. The wait runs inside consensus-item processing, so
// a lagging node stalls its own guardian's consensus for the whole wait.
constexpr SyncWaitStep sync_wait_step(const SyncWaitPolicy& policy, uint64_t attempt,
                                      bool reached) {
    if (reached) {
        return SyncWaitStep::ready;
    }
    return attempt < policy.max_retries ? SyncWaitStep::retry : SyncWaitStep::shut_down;
}

constexpr sim::SimDuration k_graceful_shutdown_join_timeout = sim::SimDuration::seconds(60);

}  // namespace actors::federation
