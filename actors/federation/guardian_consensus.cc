// Guardian: the per-round agreement (single-decree Paxos per round, messages.h) and the
// application of decided batches.
//
// Safety argument in one paragraph: a batch is decided only after t guardians accepted it in
// some attempt a. A leader of a later attempt first collects t promises; any two sets of t
// guardians share n - 2f >= 1 guardian, so at least one promise carries the accepted batch (or
// a later one carrying the same value), and the leader re-proposes the highest-attempt value.
// So every guardian that applies round r applies the same batch, whoever led it.
#include <utility>

#include "actors/federation/guardian.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::federation {

namespace this_actor = sim::this_actor;

namespace {

constexpr uint64_t k_catch_up_batches = 64;
constexpr sim::SimDuration k_sync_request_gap = sim::SimDuration::millis(100);

}  // namespace

PeerId Guardian::leader_of(uint64_t round, uint64_t attempt) const {
    return PeerId(static_cast<uint32_t>((round + attempt) % config_.nodes.size()));
}

PeerId Guardian::sender_of(const sim::Envelope& env) const {
    PeerId from;
    for (uint32_t p = 0; p < config_.nodes.size(); ++p) {
        from = config_.nodes[p] == env.from ? PeerId(p) : from;
    }
    return from;
}

void Guardian::handle(const sim::Envelope& env) {
    if (const auto* m = env.as<ProposalMsg>()) {
        on_proposal(*m);
    } else if (const auto* prepare = env.as<PrepareMsg>()) {
        on_prepare(*prepare);
    } else if (const auto* promise = env.as<PromiseMsg>()) {
        on_promise(*promise);
    } else if (const auto* accept = env.as<AcceptMsg>()) {
        on_accept(*accept);
    } else if (const auto* ack = env.as<AckMsg>()) {
        on_ack(*ack);
    } else if (const auto* decided = env.as<DecidedMsg>()) {
        on_decided(*decided, sender_of(env));
    } else if (const auto* snap = env.as<SnapshotMsg>()) {
        on_snapshot(*snap, sender_of(env));
    } else if (const auto* sync = env.as<SyncRequestMsg>()) {
        on_sync_request(*sync);
    } else {
        handle_user(env);
    }
}

bool Guardian::check_round(uint64_t msg_round, PeerId from) {
    if (msg_round < round()) {
        // The sender is behind: hand it the batches it misses.
        if (from != config_.peer) {
            on_sync_request(SyncRequestMsg{.from_round = msg_round, .from = from});
        }
        return false;
    }
    if (msg_round > round()) {
        auto it = last_sync_request_.find(from);
        const sim::SimTime now = this_actor::now();
        if (from != config_.peer &&
            (it == last_sync_request_.end() || now >= it->second + k_sync_request_gap)) {
            request_catch_up(from);
        }
        return false;
    }
    return true;
}

void Guardian::request_catch_up(PeerId from) {
    last_sync_request_[from] = this_actor::now();
    send_to(from, "fed_sync", SyncRequestMsg{.from_round = round(), .from = config_.peer});
}

void Guardian::on_proposal(const ProposalMsg& m) {
    SIM_ASSERT(m.proposal != nullptr);
    if (m.round >= round()) {
        proposals_[m.round].insert_or_assign(m.proposal->peer, m.proposal);
    }
    if (!check_round(m.round, m.proposal->peer)) {
        return;
    }
    if (m.attempt > attempt_) {
        adopt_attempt(m.attempt);
        return;
    }
    if (!proposed_) {
        join_round();  // a peer started this round: take part
        return;
    }
    lead();
}

void Guardian::on_prepare(const PrepareMsg& m) {
    if (!check_round(m.round, m.from) || m.attempt < store_->promised_attempt) {
        return;
    }
    store_->promised_attempt = m.attempt;
    send_to(m.from, "fed_promise",
            PromiseMsg{.round = m.round, .attempt = m.attempt, .from = config_.peer,
                       .accepted_attempt = store_->accepted_attempt,
                       .accepted = store_->accepted});
    if (m.attempt > attempt_) {
        adopt_attempt(m.attempt);
    } else {
        join_round();
    }
}

void Guardian::on_promise(const PromiseMsg& m) {
    if (m.round != round() || m.attempt != leader_.attempt || leader_.prepared) {
        return;
    }
    std::optional<std::pair<uint64_t, BatchPtr>> accepted;
    if (m.accepted != nullptr) {
        accepted.emplace(*m.accepted_attempt, m.accepted);
    }
    leader_.promises.insert_or_assign(m.from, std::move(accepted));
    if (leader_.promises.size() >= store_->state.params().quorum.t) {
        leader_.prepared = true;
        lead();
    }
}

void Guardian::lead() {
    if (leader_of(round(), attempt_) != config_.peer || !proposed_) {
        return;
    }
    if (leader_.attempt != attempt_) {
        leader_ = LeaderState{};
        leader_.attempt = attempt_;
        collect_deadline_ = sim::SimTime::never();
        if (attempt_ > 0) {
            broadcast("fed_prepare", PrepareMsg{.round = round(), .attempt = attempt_,
                                                .from = config_.peer});
            return;
        }
        // Attempt 0 has no earlier attempt to learn from, except this guardian's own accepted
        // value from before a crash.
        leader_.prepared = true;
        leader_.value = store_->accepted;
    }
    if (!leader_.prepared || leader_.sent_accept) {
        return;
    }
    if (leader_.value == nullptr) {
        const std::optional<std::pair<uint64_t, BatchPtr>>* best = nullptr;
        for (const auto& [peer, accepted] : leader_.promises) {
            if (accepted.has_value() && (best == nullptr || accepted->first > (*best)->first)) {
                best = &accepted;
            }
        }
        if (best != nullptr) {
            leader_.value = (*best)->second;
        }
    }
    if (leader_.value == nullptr) {
        const size_t have = proposals_[round()].size();
        const uint64_t n = config_.nodes.size();
        if (have < store_->state.params().quorum.t) {
            return;
        }
        if (have < n && !leader_.collect_expired) {
            if (collect_deadline_ == sim::SimTime::never()) {
                collect_deadline_ = this_actor::now() + config_.timing.collect_window;
            }
            return;
        }
        leader_.value = std::make_shared<const Batch>(build_batch());
    }
    collect_deadline_ = sim::SimTime::never();
    leader_.sent_accept = true;
    broadcast("fed_accept", AcceptMsg{.round = round(), .attempt = attempt_,
                                      .from = config_.peer, .batch = leader_.value});
}

Batch Guardian::build_batch() const {
    Batch batch{.round = round(), .proposals = {}};
    auto it = proposals_.find(round());
    SIM_ASSERT(it != proposals_.end());
    for (const auto& [peer, proposal] : it->second) {
        batch.proposals.push_back(*proposal);  // std::map: ascending guardian id
    }
    return batch;
}

void Guardian::on_accept(const AcceptMsg& m) {
    if (!check_round(m.round, m.from) || m.attempt < store_->promised_attempt) {
        return;
    }
    SIM_ASSERT(m.batch != nullptr && m.batch->round == m.round);
    store_->promised_attempt = m.attempt;
    store_->accepted_attempt = m.attempt;
    store_->accepted = m.batch;
    if (m.attempt > attempt_) {
        attempt_ = m.attempt;
        attempt_deadline_ = this_actor::now() + config_.timing.attempt_timeout;
    }
    send_to(m.from, "fed_ack", AckMsg{.round = m.round, .attempt = m.attempt,
                                      .from = config_.peer});
    join_round();
}

void Guardian::on_ack(const AckMsg& m) {
    if (m.round != round() || m.attempt != leader_.attempt || !leader_.sent_accept) {
        return;
    }
    leader_.acks.insert(m.from);
    if (leader_.acks.size() == store_->state.params().quorum.t) {
        broadcast("fed_decided", DecidedMsg{.batch = leader_.value, .sender_round = round()});
    }
}

void Guardian::on_decided(const DecidedMsg& m, PeerId from) {
    SIM_ASSERT(m.batch != nullptr);
    const uint64_t r = m.batch->round;
    if (r < round()) {
        return;
    }
    if (r > round()) {
        future_decided_.insert_or_assign(r, m.batch);
        check_round(r, from);
        return;
    }
    if (!apply(m.batch)) {
        return;
    }
    apply_future();
    if (from != config_.peer && round() < m.sender_round && future_decided_.empty() &&
        r + 1 == round()) {
        request_catch_up(from);  // a catch-up reply ended short of the sender: ask for more
    }
}

void Guardian::apply_future() {
    while (!halted_ && !future_decided_.empty() && future_decided_.begin()->first <= round()) {
        auto it = future_decided_.begin();
        BatchPtr next = std::move(it->second);
        future_decided_.erase(it);
        if (next->round == round() && !apply(next)) {
            return;
        }
    }
}

void Guardian::on_sync_request(const SyncRequestMsg& m) {
    if (m.from_round >= round()) {
        return;
    }
    if (m.from_round < store_->log_base) {
        // Older than the log window: the state itself (shared, read-only).
        send_to(m.from, "fed_snapshot",
                SnapshotMsg{.state = std::make_shared<const FederationState>(store_->state),
                            .sender_round = round()});
        return;
    }
    const uint64_t end = std::min<uint64_t>(round(), m.from_round + k_catch_up_batches);
    for (uint64_t r = m.from_round; r < end; ++r) {
        send_to(m.from, "fed_decided",
                DecidedMsg{.batch = store_->log[r - store_->log_base], .sender_round = round()});
    }
}

// State sync: adopt a peer's state when it is ahead. Every honest guardian's state after round
// r is the same (the fingerprint checker verifies it), so this equals replaying the rounds.
void Guardian::on_snapshot(const SnapshotMsg& m, PeerId from) {
    SIM_ASSERT(m.state != nullptr);
    if (m.state->rounds_applied() <= round()) {
        return;
    }
    // Replaying the rounds would have synced the heights the peer's count moved past from this
    // guardian's own node; the block hashes are this guardian's own, never the peer's.
    WalletSyncFeed feed{.blocks = &store_->wallet_blocks, .fetched = {}, .next = 0};
    if (!sync_for_snapshot(*m.state, &feed)) {
        return;  // shut down or panicked, as the replay would have
    }
    for (auto& [height, block] : feed.fetched) {
        store_->wallet_blocks.insert(height, std::move(block));
    }
    const size_t peg_outs_before = store_->state.peg_out_txs().size();
    store_->state = *m.state;
    ++store_->counters.state_syncs;
    store_->log.clear();
    store_->log_base = round();
    store_->promised_attempt = 0;
    store_->accepted_attempt.reset();
    store_->accepted.reset();
    std::erase_if(pool_, [this](const auto& entry) {
        return store_->state.outcome(entry.first) != nullptr;
    });
    future_decided_.erase(future_decided_.begin(), future_decided_.lower_bound(round()));
    sim_.scheduler()
        .trace("fed_state_sync")
        .field("peer", config_.peer.value)
        .field("from", from.value)
        .field("round", round());
    submit_peg_outs(peg_outs_before);
    applied_at_ = this_actor::now();
    answer_parked();
    start_round();
    apply_future();
    if (round() < m.sender_round && future_decided_.empty()) {
        request_catch_up(from);
    }
}

bool Guardian::apply(const BatchPtr& batch_ptr) {
    const Batch& batch = *batch_ptr;
    SIM_ASSERT(batch.round == round());
    WalletSyncFeed feed{.blocks = &store_->wallet_blocks, .fetched = {}, .next = 0};
    if (!sync_wallet(batch, &feed)) {
        return false;  // the guardian shut down or panicked in the sync: the batch uncommitted
    }
    std::vector<StateEvent> events;
    const size_t peg_outs_before = store_->state.peg_out_txs().size();
    ApplyStats stats;
    store_->state.apply_batch(batch, &events, &stats, &feed);
    store_->log.push_back(batch_ptr);
    while (store_->log.size() > config_.timing.log_window) {
        store_->log.pop_front();
        ++store_->log_base;
    }
    store_->promised_attempt = 0;
    store_->accepted_attempt.reset();
    store_->accepted.reset();
    GuardianCounters& c = store_->counters;
    ++c.rounds_decided;
    c.items_processed += stats.items;
    c.votes_rejected += stats.votes_rejected;
    std::erase_if(pool_, [this](const auto& entry) {
        return store_->state.outcome(entry.first) != nullptr;
    });
    sim_.scheduler()
        .trace("fed_round", sim::TraceLevel::debug)
        .field("peer", config_.peer.value)
        .field("round", batch.round)
        .field("proposals", static_cast<uint64_t>(batch.proposals.size()))
        .field("fingerprint", store_->state.fingerprint());
    if (observer_ != nullptr) {
        observer_->on_round(config_.peer, batch, store_->state, events);
    }
    submit_peg_outs(peg_outs_before);
    applied_at_ = this_actor::now();
    answer_parked();
    start_round();
    return true;
}

}  // namespace actors::federation
