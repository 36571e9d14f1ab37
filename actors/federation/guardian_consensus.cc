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
        PeerId from;
        for (uint32_t p = 0; p < config_.nodes.size(); ++p) {
            from = config_.nodes[p] == env.from ? PeerId(p) : from;
        }
        on_decided(*decided, from);
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
    if (m.round >= round()) {
        proposals_[m.round].insert_or_assign(m.proposal.peer, m.proposal);
    }
    if (!check_round(m.round, m.proposal.peer)) {
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
    std::optional<std::pair<uint64_t, Batch>> accepted;
    if (m.accepted.has_value()) {
        accepted.emplace(*m.accepted_attempt, *m.accepted);
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
        if (store_->accepted.has_value()) {
            leader_.value = store_->accepted;
        }
    }
    if (!leader_.prepared || leader_.sent_accept) {
        return;
    }
    if (!leader_.value.has_value()) {
        const std::optional<std::pair<uint64_t, Batch>>* best = nullptr;
        for (const auto& [peer, accepted] : leader_.promises) {
            if (accepted.has_value() && (best == nullptr || accepted->first > (*best)->first)) {
                best = &accepted;
            }
        }
        if (best != nullptr) {
            leader_.value = (*best)->second;
        }
    }
    if (!leader_.value.has_value()) {
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
        leader_.value = build_batch();
    }
    collect_deadline_ = sim::SimTime::never();
    leader_.sent_accept = true;
    broadcast("fed_accept", AcceptMsg{.round = round(), .attempt = attempt_,
                                      .from = config_.peer, .batch = *leader_.value});
}

Batch Guardian::build_batch() const {
    Batch batch{.round = round(), .proposals = {}};
    auto it = proposals_.find(round());
    SIM_ASSERT(it != proposals_.end());
    for (const auto& [peer, proposal] : it->second) {
        batch.proposals.push_back(proposal);  // std::map: ascending guardian id
    }
    return batch;
}

void Guardian::on_accept(const AcceptMsg& m) {
    if (!check_round(m.round, m.from) || m.attempt < store_->promised_attempt) {
        return;
    }
    SIM_ASSERT(m.batch.round == m.round);
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
        broadcast("fed_decided", DecidedMsg{.batch = *leader_.value, .sender_round = round()});
    }
}

void Guardian::on_decided(const DecidedMsg& m, PeerId from) {
    const Batch& batch = m.batch;
    if (batch.round < round()) {
        return;
    }
    if (batch.round > round()) {
        future_decided_.insert_or_assign(batch.round, batch);
        check_round(batch.round, from);
        return;
    }
    if (!apply(batch)) {
        return;
    }
    while (!future_decided_.empty() && future_decided_.begin()->first <= round()) {
        auto it = future_decided_.begin();
        Batch next = std::move(it->second);
        future_decided_.erase(it);
        if (next.round == round() && !apply(next)) {
            return;
        }
    }
    if (from != config_.peer && round() < m.sender_round && future_decided_.empty() &&
        m.batch.round + 1 == round()) {
        request_catch_up(from);  // a catch-up reply ended short of the sender: ask for more
    }
}

void Guardian::on_sync_request(const SyncRequestMsg& m) {
    const uint64_t end = std::min<uint64_t>(round(), m.from_round + k_catch_up_batches);
    for (uint64_t r = m.from_round; r < end; ++r) {
        send_to(m.from, "fed_decided", DecidedMsg{.batch = store_->log[r], .sender_round = round()});
    }
}

bool Guardian::apply(const Batch& batch) {
    SIM_ASSERT(batch.round == round());
    if (!sync_wallet(batch)) {
        return false;  // the node never caught up: the guardian shut down, the batch uncommitted
    }
    std::vector<StateEvent> events;
    const size_t peg_outs_before = store_->state.peg_out_txs().size();
    ApplyStats stats;
    store_->state.apply_batch(batch, &events, &stats);
    store_->log.push_back(batch);
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
    start_round();
    return true;
}

}  // namespace actors::federation
