// Guardian: the wallet v1 work that runs inside consensus-item processing (fedimint.md 1.3).
// When a batch moves the wallet's consensus count from `old` to `new` with old != 0,
// sync_up_to_consensus_count first waits for the guardian's own node to have
// new + finality_delay blocks (wait_for_finality_confs_or_shutdown: bounded retries, then a
// graceful shutdown), then fetches every block in [old, new) through the guardian's bitcoind.
// Both happen before the batch commits, so a lagging node stalls its own guardian, and a
// guardian that gives up shuts down without applying the batch (the real dbtx never commits).
#include "actors/federation/guardian.h"
#include "sim/this_actor.h"

namespace actors::federation {

namespace this_actor = sim::this_actor;

bool Guardian::sync_wallet(const Batch& batch) {
    const FederationState& state = store_->state;
    if (state.params().wallet_rule != VoteRule::wallet_v1) {
        return true;  // wallet v2 has no sync in processing
    }
    for (const WalletCountChange& change : state.wallet_count_changes(batch)) {
        // old == 0: "Not syncing up to consensus block count because we are at block 0".
        const SyncRange range =
            wallet_v1_sync_range(change.old_count, change.new_count, state.params().sync);
        if (range.empty()) {
            continue;
        }
        if (!wait_for_node(change.new_count)) {
            return false;
        }
        for (uint64_t h = range.from; h < range.to; ++h) {
            // Fetched with retries (inference: upstream retries without a stated bound; the
            // wait ends with a crash or a shutdown).
            while (!bitcoind_->fetch_block(h)) {
                if (!pause_or_shutdown(config_.timing.sync_wait.min_delay)) {
                    return false;
                }
            }
            ++store_->counters.blocks_synced;
        }
    }
    return true;
}

bool Guardian::wait_for_node(uint64_t consensus_count) {
    const SyncWaitPolicy& policy = config_.timing.sync_wait;
    const uint64_t finality_delay = store_->state.params().finality_delay;
    for (uint64_t attempt = 0;; ++attempt) {
        const bool reached = finality_confs_reached(consensus_count, finality_delay, status_);
        switch (sync_wait_step(policy, attempt, reached)) {
            case SyncWaitStep::ready:
                return true;
            case SyncWaitStep::retry: {
                GuardianCounters& c = store_->counters;
                c.sync_waits += attempt == 0 ? 1 : 0;
                ++c.sync_wait_retries;
                c.last_sync_wait_retries = attempt + 1;
                const sim::SimDuration jitter =
                    this_actor::random().duration(sim::SimDuration::zero(), policy.jitter_max());
                if (!pause_or_shutdown(policy.base_delay(attempt) + jitter)) {
                    return false;
                }
                break;
            }
            case SyncWaitStep::shut_down:
                halt("wallet sync: own bitcoind never reached the consensus block count");
                return false;
        }
    }
}

bool Guardian::pause_or_shutdown(sim::SimDuration d) {
    in_sync_wait_ = true;
    const bool shut = shutdown_flag_->wait_for(d);
    in_sync_wait_ = false;
    if (shut) {
        halted_ = true;
        return false;
    }
    return true;
}

}  // namespace actors::federation
