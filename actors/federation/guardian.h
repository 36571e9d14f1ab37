// Guardian: one federation guardian actor — its bitcoind monitor, its proposals, the per-round
// agreement with its peers (messages.h), and the application of decided batches to its store.
//
// Durable state lives in a GuardianStore owned outside the actor (the "disk"): the consensus
// state, the log of decided batches, and the agreement's promise and accepted value for the
// round in progress. crash() kills the guardian's actors and takes its node off the network;
// restart() brings it back with the store as it was, and it catches up from its peers. Volatile
// state (received proposals, submitted transactions not yet in a round, the monitor's status)
// is lost in a crash, as it would be in a real process.
//
// Rounds are paced on demand (fedimint #171, "do not create empty epochs"): a guardian starts
// a round only when it has something to order — a submitted transaction not yet processed, a
// decryption share not yet stored, or a vote its peers would store (strictly above its stored
// vote) — or when no round was decided for `heartbeat` (the session close; see
// docs/federation.md, "Round pacing"). A guardian that sees a peer's message for its current
// round joins it. So an idle federation decides a few rounds a minute, not five a second.
//
// When a batch moves the wallet's consensus count, the guardian first waits for its own node
// (wait_for_finality_confs_or_shutdown, bounded retries) and fetches the new blocks through its
// bitcoind, then applies the batch: a lagging node stalls its own guardian (fedimint.md 1.3).
//
// Users' long-poll reads (messages.h AwaitKind) that the state does not satisfy yet are parked in
// memory, never in the store: they are answered after the round that satisfies them
// (guardian_long_poll.cc), one copy per (user, query id), dropped 60 s after the latest copy
// arrived; a crash drops them (the user re-sends; long_poll.h).
//
// A Byzantine guardian (ByzantineConfig) proposes block counts and unix times shifted by an
// offset and invalid decryption shares; it follows the agreement protocol honestly.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "actors/federation/bitcoin_monitor.h"
#include "actors/federation/bitcoind_source.h"
#include "actors/federation/federation_state.h"
#include "actors/federation/federation_variants.h"
#include "actors/federation/messages.h"
#include "actors/federation/wallet_rules.h"
#include "sim/network.h"
#include "sim/simulation.h"
#include "sim/sync.h"

namespace actors::federation {

struct ByzantineConfig {
    int64_t block_count_offset = 0;
    int64_t unix_time_offset = 0;
    bool invalid_shares = false;
};

// Fedimint's session length (ConsensusEngine: broadcast rounds per session x round delay):
// 200 x 50 ms in the test environment, 3600 x 50 ms in production.
constexpr sim::SimDuration k_session_heartbeat_test = sim::SimDuration::seconds(10);
constexpr sim::SimDuration k_session_heartbeat_production = sim::SimDuration::seconds(180);

// fedimint-ln-server `wait_block_height`: `while h >= consensus_block_count() { sleep(5 s) }`.
constexpr sim::SimDuration k_block_height_recheck = sim::SimDuration::seconds(5);
// A parked await is dropped this long after its latest copy arrived: the user's request timed
// out by then (jsonrpsee's 60 s, long_poll.h) and a late answer would be discarded; a user
// still waiting re-sends. Bounds what a lost AwaitCancelMsg or a crashed user leaves parked.
// [inference] upstream's handler runs until the connection closes; the model has no
// connection to close, so it ends the handler when its client gave up.
constexpr sim::SimDuration k_parked_await_expiry = sim::SimDuration::seconds(60);

struct GuardianTiming {
    sim::SimDuration monitor_interval = k_monitor_interval_test;
    // Least time between applying a round and proposing for the next (when there is work).
    sim::SimDuration round_interval = sim::SimDuration::millis(200);
    // With nothing to order, a round is still started once no round was decided for this long:
    // Fedimint closes a session every 200 broadcast rounds of 50 ms in its test environment
    // (10 s; 3600 rounds, 3 min, in production), whether or not items were ordered.
    sim::SimDuration heartbeat = k_session_heartbeat_test;
    // A round attempt that has not decided by then moves to the next attempt (next leader).
    sim::SimDuration attempt_timeout = sim::SimDuration::seconds(2);
    // Once a leader holds t proposals it waits this long for the others.
    sim::SimDuration collect_window = sim::SimDuration::millis(20);
    uint64_t wallet_round_cap = k_wallet_round_cap_test;
    // The wallet's wait for its own node before a sync (test env: 100 ms x 600).
    SyncWaitPolicy sync_wait = SyncWaitPolicy::test_env();
    // Decided batches a guardian keeps for peers catching up (older ones: state sync).
    uint64_t log_window = 256;

    // Fedimint's settings outside the test environment (fedimint.md §1): 60 s bitcoind polls,
    // 3-minute sessions, the +5 per round wallet cap and the hour-long Fibonacci sync wait.
    // The defaults above are the test environment's, which the boundary scenarios rely on.
    static GuardianTiming production() {
        GuardianTiming t;
        t.monitor_interval = k_monitor_interval_production;
        t.heartbeat = k_session_heartbeat_production;
        t.wallet_round_cap = k_wallet_round_cap_production;
        t.sync_wait = SyncWaitPolicy::production();
        return t;
    }
};

// What a guardian did, for checkers and worlds ("an idle federation decides a bounded number
// of rounds per minute", "fewer than K block fetches"). Kept in the store: it survives a restart.
struct GuardianCounters {
    uint64_t rounds_decided = 0;    // rounds this guardian applied (caught-up ones included)
    uint64_t items_processed = 0;   // consensus items in those rounds (votes, txs, shares)
    uint64_t votes_rejected = 0;    // vote items processing rejected (redundant or outdated)
    uint64_t rounds_proposed = 0;   // rounds this guardian proposed in (started or joined)
    uint64_t sync_waits = 0;        // wallet syncs that had to wait for the guardian's node
    uint64_t sync_wait_retries = 0; // re-checks during those waits
    uint64_t last_sync_wait_retries = 0;  // re-checks in the latest wait
    uint64_t blocks_synced = 0;     // block heights fetched by wallet syncs
    uint64_t state_syncs = 0;       // peer states adopted (behind the peers' log window)
    uint64_t sync_panics = 0;       // wallet syncs that failed the prev_blockhash assertion
};

struct GuardianStore {
    explicit GuardianStore(FederationState initial) : state(std::move(initial)) {}
    FederationState state;
    // The last decided batches, rounds [log_base, log_base + log.size()), at most
    // GuardianTiming::log_window of them; a peer further behind is sent the state instead.
    std::deque<BatchPtr> log;
    uint64_t log_base = 0;
    // The agreement's acceptor state for round state.rounds_applied().
    uint64_t promised_attempt = 0;
    std::optional<uint64_t> accepted_attempt;
    BatchPtr accepted;
    uint64_t restarts = 0;
    GuardianCounters counters;
    // The wallet's BlockHashKey / BlockHashByHeightKey tables (this guardian's database, filled
    // from its own bitcoind; never taken from a peer).
    SyncedBlocks wallet_blocks;
    // The gateways registered with this guardian (its own database, not consensus state).
    GatewayDirectory gateways;
};

// Told about every round a guardian applies (checkers attach here).
class RoundObserver {
public:
    virtual ~RoundObserver() = default;
    virtual void on_round(PeerId peer, const Batch& batch, const FederationState& state,
                          const std::vector<StateEvent>& events) = 0;
};

struct GuardianConfig {
    PeerId peer;
    std::vector<sim::NodeId> nodes;  // every guardian's node, indexed by PeerId
    GuardianTiming timing;
    ByzantineConfig byzantine;
    FederationVariants variants;
};

class Guardian {
public:
    Guardian(sim::Simulation& sim, GuardianConfig config, GuardianStore* store,
             GuardianBitcoind* bitcoind, RoundObserver* observer);
    Guardian(const Guardian&) = delete;
    Guardian& operator=(const Guardian&) = delete;

    void start();
    void crash();
    void restart();
    // A graceful stop: a wait in progress (the wallet's sync wait) ends at once, the guardian's
    // actors stop and its node goes down; the store is kept (restart() brings it back).
    void shutdown();
    bool running() const { return running_; }
    // The consensus actor is alive (false after a crash, a shutdown, or the sync wait's own
    // shutdown when the node never caught up).
    bool consensus_alive() const { return consensus_alive_; }
    const GuardianCounters& counters() const { return store_->counters; }
    // The consensus actor is blocked in the wallet's wait for its own node.
    bool in_sync_wait() const { return in_sync_wait_; }

    PeerId peer() const { return config_.peer; }
    sim::NodeId node() const { return config_.nodes[config_.peer.value]; }
    const GuardianStore& store() const { return *store_; }
    std::optional<uint64_t> bitcoin_status() const { return status_; }
    void set_byzantine(const ByzantineConfig& byzantine) { config_.byzantine = byzantine; }
    // Every message handled is delayed by `lag` (a slow guardian).
    void set_lag(sim::SimDuration lag) { lag_ = lag; }
    // Long-poll reads waiting for the state to satisfy them.
    size_t parked_queries() const { return parked_.size(); }

private:
    struct LeaderState {
        uint64_t attempt = 0;
        std::map<PeerId, std::optional<std::pair<uint64_t, BatchPtr>>> promises;
        bool prepared = false;
        bool sent_accept = false;
        bool collect_expired = false;  // the wait for the last proposals is over
        std::set<PeerId> acks;
        BatchPtr value;
    };

    void run();
    void run_monitor();
    void handle(const sim::Envelope& env);
    PeerId sender_of(const sim::Envelope& env) const;
    void handle_user(const sim::Envelope& env);
    // Long-poll reads (guardian_long_poll.cc).
    void on_query(const sim::Envelope& env, const QueryMsg& query);
    void on_await_cancel(const sim::Envelope& env, const AwaitCancelMsg& cancel);
    void answer_parked();
    void recheck_heights();
    void reply_to(sim::NodeId user, const QueryMsg& query);
    void on_proposal(const ProposalMsg& m);
    void on_prepare(const PrepareMsg& m);
    void on_promise(const PromiseMsg& m);
    void on_accept(const AcceptMsg& m);
    void on_ack(const AckMsg& m);
    void on_decided(const DecidedMsg& m, PeerId from);
    void on_sync_request(const SyncRequestMsg& m);
    void on_snapshot(const SnapshotMsg& m, PeerId from);
    void apply_future();
    bool check_round(uint64_t round, PeerId from);
    void on_timers();
    void start_round();
    void schedule_round();
    void join_round();
    bool has_work() const;
    bool votes_want_round() const;
    // At most one vote per VoteKind; a fixed array, since the monitor asks after every poll.
    struct VoteItems {
        std::array<VoteItem, 4> items{};
        size_t size = 0;
        const VoteItem* begin() const { return items.data(); }
        const VoteItem* end() const { return items.data() + size; }
        void push(VoteItem v) { items[size++] = v; }
    };
    VoteItems vote_items() const;
    void wake_if_idle();
    void request_catch_up(PeerId from);
    bool sync_wallet(const Batch& batch, WalletSyncFeed* feed);
    bool sync_for_snapshot(const FederationState& peer_state, WalletSyncFeed* feed);
    bool sync_range(uint64_t from, uint64_t to, WalletSyncFeed* feed);
    bool fetch_linked(uint64_t height, WalletSyncFeed* feed);
    bool wait_for_node(uint64_t consensus_count);
    bool pause_or_shutdown(sim::SimDuration d);
    void halt(const char* reason);
    void stop_actors(bool keep_consensus);
    void send_proposal();
    void adopt_attempt(uint64_t attempt);
    void lead();
    bool apply(const BatchPtr& batch);  // false: the guardian shut down instead
    Proposal build_proposal();
    Batch build_batch() const;
    PeerId leader_of(uint64_t round, uint64_t attempt) const;
    uint64_t round() const { return store_->state.rounds_applied(); }
    template <typename M>
    void send_to(PeerId to, sim::TraceName kind, const M& m);
    template <typename M>
    void send_shared_to(PeerId to, sim::TraceName kind, const std::shared_ptr<const M>& body);
    template <typename M>
    void broadcast(sim::TraceName kind, const M& m);
    void submit_peg_outs(size_t from);

    sim::Simulation& sim_;
    GuardianConfig config_;
    GuardianStore* store_;
    GuardianBitcoind* bitcoind_;
    RoundObserver* observer_;
    bool running_ = false;
    bool consensus_alive_ = false;
    bool halted_ = false;
    bool in_sync_wait_ = false;
    std::unique_ptr<sim::Flag> shutdown_flag_;
    sim::ActorId consensus_actor_{};
    std::vector<sim::ActorId> actors_;
    sim::SimDuration lag_;
    // Volatile, reset by restart().
    std::optional<uint64_t> status_;
    std::deque<sim::Envelope> self_queue_;
    std::map<uint64_t, std::map<PeerId, ProposalPtr>> proposals_;  // by round, then peer
    std::map<uint64_t, BatchPtr> future_decided_;
    std::map<FedTxId, FedTx> pool_;
    ProposalPtr my_proposal_;
    bool proposed_ = false;      // this guardian's proposal for round() is out
    bool share_work_ = false;    // a pending incoming contract lacks this guardian's share
    bool wake_pending_ = false;  // the monitor queued a wake-up for the consensus actor
    sim::SimTime applied_at_;    // when the last round was applied (or the guardian started)
    uint64_t attempt_ = 0;
    LeaderState leader_;
    sim::SimTime propose_at_ = sim::SimTime::never();
    sim::SimTime attempt_deadline_ = sim::SimTime::never();
    sim::SimTime collect_deadline_ = sim::SimTime::never();
    std::map<PeerId, sim::SimTime> last_sync_request_;
    // Parked long-poll reads by arrival (answered in that order); volatile.
    struct ParkedQuery {
        sim::NodeId from;
        QueryMsg query;
        sim::SimTime arrived_at;  // the first copy's: the 5 s re-check phase
        sim::SimTime expires_at;  // the latest copy's arrival + k_parked_await_expiry
        // ln_count_above once a round passed its height: the 5 s re-check that will see it.
        sim::SimTime answer_at = sim::SimTime::never();
    };
    std::map<uint64_t, ParkedQuery> parked_;
    uint64_t parked_seq_ = 0;
    sim::SimTime recheck_at_ = sim::SimTime::never();
};

template <typename M>
inline void Guardian::send_shared_to(PeerId to, sim::TraceName kind,
                                     const std::shared_ptr<const M>& body) {
    if (to == config_.peer) {
        sim::Envelope env;
        env.from = node();
        env.to = node();
        env.kind = kind.text();
        env.body = body;
        env.type = sim::message_type_tag<M>();
        self_queue_.push_back(std::move(env));
        return;
    }
    sim_.network().send_shared(node(), config_.nodes[to.value], kind, body);
}

template <typename M>
inline void Guardian::send_to(PeerId to, sim::TraceName kind, const M& m) {
    send_shared_to(to, kind, std::make_shared<const M>(m));
}

// One immutable body for every recipient, this guardian included (messages are read-only).
template <typename M>
inline void Guardian::broadcast(sim::TraceName kind, const M& m) {
    const auto body = std::make_shared<const M>(m);
    for (uint32_t p = 0; p < config_.nodes.size(); ++p) {
        send_shared_to(PeerId(p), kind, body);
    }
}

}  // namespace actors::federation
