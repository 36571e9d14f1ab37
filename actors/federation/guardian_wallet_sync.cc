// Guardian: the wallet v1 work that runs inside consensus-item processing (fedimint.md 1.3).
// When a batch moves the wallet's consensus count from `old` to `new` with old != 0,
// sync_up_to_consensus_count first waits for the guardian's own node to have
// new + finality_delay blocks (wait_for_finality_confs_or_shutdown: bounded retries, then a
// graceful shutdown), then fetches every block in [old, new) through the guardian's bitcoind,
// asserting that each one's prev_blockhash is the hash stored for the height below. Both
// happen before the batch commits, so a lagging node stalls its own guardian, and a guardian
// that gives up shuts down without applying the batch (the real dbtx never commits). The
// fetched blocks go to apply_batch, which stores their hashes (BlockHashKey) as it processes
// the vote that moved the count.
//
// The assertion is `assert_eq!`, a panic: a reorg deeper than finality_delay that replaced the
// highest synced block makes the next sync panic. The model stops the guardian there (trace
// record fed_wallet_sync_panic, counter sync_panics), its batch uncommitted; restarting it
// replays the same batch and panics again for as long as its node serves that chain. Upstream
// has no recovery path for it (conservative reading: the reference names none).
#include <algorithm>

#include "actors/federation/guardian.h"
#include "sim/this_actor.h"

namespace actors::federation {

namespace this_actor = sim::this_actor;

bool Guardian::sync_wallet(const Batch& batch, WalletSyncFeed* feed) {
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
        if (!wait_for_node(change.new_count) || !sync_range(range.from, range.to, feed)) {
            return false;
        }
    }
    return true;
}

// The union of the sync ranges the rounds up to `peer_state` would have walked from this
// guardian's count: [own count, peer count), or from the peer's first synced height when this
// guardian never left 0 (the change away from 0 syncs nothing). One wait for the final count
// stands for the per-change waits (a node that reaches it reached every earlier one).
bool Guardian::sync_for_snapshot(const FederationState& peer_state, WalletSyncFeed* feed) {
    const FederationState& state = store_->state;
    if (state.params().wallet_rule != VoteRule::wallet_v1) {
        return true;
    }
    const uint64_t own = state.known_blocks().consensus_count();
    const uint64_t to = peer_state.known_blocks().consensus_count();
    const std::optional<uint64_t> first = peer_state.known_blocks().first_synced();
    if (!first.has_value() || to <= own) {
        return true;
    }
    const uint64_t from = std::max(own, *first);
    if (from >= to) {
        return true;
    }
    return wait_for_node(to) && sync_range(from, to, feed);
}

bool Guardian::sync_range(uint64_t from, uint64_t to, WalletSyncFeed* feed) {
    for (uint64_t h = from; h < to; ++h) {
        if (!fetch_linked(h, feed)) {
            return false;
        }
    }
    return true;
}

// Fetches the block for `height` (with retries: upstream retries without a stated bound; the
// wait ends with a crash or a shutdown) and checks it links to the hash stored for height - 1,
// or fetched for it earlier in this batch.
bool Guardian::fetch_linked(uint64_t height, WalletSyncFeed* feed) {
    std::shared_ptr<const chain::Block> block;
    while ((block = bitcoind_->fetch_block(height)) == nullptr) {
        if (!pause_or_shutdown(config_.timing.sync_wait.min_delay)) {
            return false;
        }
    }
    ++store_->counters.blocks_synced;
    std::optional<chain::BlockHash> prev;
    if (!feed->fetched.empty() && feed->fetched.back().first + 1 == height) {
        prev = feed->fetched.back().second->hash;
    } else if (height > 0) {
        prev = store_->wallet_blocks.hash_at(height - 1);
    }
    if (prev.has_value() && *prev != block->prev_hash) {
        ++store_->counters.sync_panics;
        sim_.scheduler()
            .trace("fed_wallet_sync_panic", sim::TraceLevel::error)
            .field("peer", config_.peer.value)
            .field("height", height)
            .field("stored_prev", prev->to_hex())
            .field("block_prev", block->prev_hash.to_hex());
        halt("panic: wallet sync assert_eq!(block.header.prev_blockhash, stored hash of the "
             "height below) failed");
        return false;
    }
    feed->fetched.emplace_back(height, std::move(block));
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
