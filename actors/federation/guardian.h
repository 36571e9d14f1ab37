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
// A Byzantine guardian (ByzantineConfig) proposes block counts and unix times shifted by an
// offset and invalid decryption shares; it follows the agreement protocol honestly.
#pragma once

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
#include "actors/federation/messages.h"
#include "sim/network.h"
#include "sim/simulation.h"

namespace actors::federation {

struct ByzantineConfig {
    int64_t block_count_offset = 0;
    int64_t unix_time_offset = 0;
    bool invalid_shares = false;
};

struct GuardianTiming {
    sim::SimDuration monitor_interval = k_monitor_interval_test;
    // Pause between applying a round and proposing for the next.
    sim::SimDuration round_interval = sim::SimDuration::millis(200);
    // A round attempt that has not decided by then moves to the next attempt (next leader).
    sim::SimDuration attempt_timeout = sim::SimDuration::seconds(2);
    // Once a leader holds t proposals it waits this long for the others.
    sim::SimDuration collect_window = sim::SimDuration::millis(20);
    uint64_t wallet_round_cap = k_wallet_round_cap_test;
};

struct GuardianStore {
    explicit GuardianStore(FederationState initial) : state(std::move(initial)) {}
    FederationState state;
    std::vector<Batch> log;  // decided batches; log[r] is round r
    // The agreement's acceptor state for round log.size().
    uint64_t promised_attempt = 0;
    std::optional<uint64_t> accepted_attempt;
    std::optional<Batch> accepted;
    uint64_t restarts = 0;
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
    bool running() const { return running_; }

    PeerId peer() const { return config_.peer; }
    sim::NodeId node() const { return config_.nodes[config_.peer.value]; }
    const GuardianStore& store() const { return *store_; }
    std::optional<uint64_t> bitcoin_status() const { return status_; }
    void set_byzantine(const ByzantineConfig& byzantine) { config_.byzantine = byzantine; }
    // Every message handled is delayed by `lag` (a slow guardian).
    void set_lag(sim::SimDuration lag) { lag_ = lag; }

private:
    struct LeaderState {
        uint64_t attempt = 0;
        std::map<PeerId, std::optional<std::pair<uint64_t, Batch>>> promises;
        bool prepared = false;
        bool sent_accept = false;
        bool collect_expired = false;  // the wait for the last proposals is over
        std::set<PeerId> acks;
        std::optional<Batch> value;
    };

    void run();
    void run_monitor();
    void handle(const sim::Envelope& env);
    void handle_user(const sim::Envelope& env);
    void on_proposal(const ProposalMsg& m);
    void on_prepare(const PrepareMsg& m);
    void on_promise(const PromiseMsg& m);
    void on_accept(const AcceptMsg& m);
    void on_ack(const AckMsg& m);
    void on_decided(const Batch& batch, PeerId from);
    void on_sync_request(const SyncRequestMsg& m);
    bool check_round(uint64_t round, PeerId from);
    void on_timers();
    void start_round();
    void send_proposal();
    void adopt_attempt(uint64_t attempt);
    void lead();
    void apply(const Batch& batch);
    Proposal build_proposal();
    Batch build_batch() const;
    PeerId leader_of(uint64_t round, uint64_t attempt) const;
    uint64_t round() const { return store_->log.size(); }
    template <typename M>
    void send_to(PeerId to, const char* kind, const M& m);
    template <typename M>
    void broadcast(const char* kind, const M& m);
    void submit_peg_outs(size_t from);

    sim::Simulation& sim_;
    GuardianConfig config_;
    GuardianStore* store_;
    GuardianBitcoind* bitcoind_;
    RoundObserver* observer_;
    bool running_ = false;
    std::vector<sim::ActorId> actors_;
    sim::SimDuration lag_;
    // Volatile, reset by restart().
    std::optional<uint64_t> status_;
    std::deque<sim::Envelope> self_queue_;
    std::map<uint64_t, std::map<PeerId, Proposal>> proposals_;  // by round, then peer
    std::map<uint64_t, Batch> future_decided_;
    std::map<FedTxId, FedTx> pool_;
    std::optional<Proposal> my_proposal_;
    uint64_t attempt_ = 0;
    LeaderState leader_;
    sim::SimTime propose_at_ = sim::SimTime::never();
    sim::SimTime attempt_deadline_ = sim::SimTime::never();
    sim::SimTime collect_deadline_ = sim::SimTime::never();
    std::map<PeerId, sim::SimTime> last_sync_request_;
};

template <typename M>
inline void Guardian::send_to(PeerId to, const char* kind, const M& m) {
    if (to == config_.peer) {
        sim::Envelope env;
        env.from = node();
        env.to = node();
        env.kind = kind;
        env.body = std::make_shared<const M>(m);
        env.type = sim::message_type_tag<M>();
        self_queue_.push_back(std::move(env));
        return;
    }
    sim_.network().send(node(), config_.nodes[to.value], kind, m);
}

template <typename M>
inline void Guardian::broadcast(const char* kind, const M& m) {
    for (uint32_t p = 0; p < config_.nodes.size(); ++p) {
        send_to(PeerId(p), kind, m);
    }
}

}  // namespace actors::federation
