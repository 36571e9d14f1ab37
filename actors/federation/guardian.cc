// Guardian actor: main loop, proposals, monitor, crash and restart. The agreement's message
// handlers are in guardian_consensus.cc.
#include "actors/federation/guardian.h"

#include <algorithm>
#include <utility>

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::federation {

namespace this_actor = sim::this_actor;

Guardian::Guardian(sim::Simulation& sim, GuardianConfig config, GuardianStore* store,
                   GuardianBitcoind* bitcoind, RoundObserver* observer)
    : sim_(sim),
      config_(std::move(config)),
      store_(store),
      bitcoind_(bitcoind),
      observer_(observer) {
    SIM_ASSERT(store_ != nullptr);
    SIM_ASSERT(bitcoind_ != nullptr);
    SIM_ASSERT(config_.peer.value < config_.nodes.size());
    SIM_ASSERT(config_.nodes.size() == store_->state.params().quorum.n);
}

void Guardian::start() {
    SIM_ASSERT(!running_);
    running_ = true;
    sim_.network().set_node_up(node(), true);
    // Whatever reached the inbox while the guardian was down is gone with the process.
    while (sim_.network().inbox(node()).try_recv().has_value()) {
    }
    status_.reset();
    self_queue_.clear();
    proposals_.clear();
    future_decided_.clear();
    pool_.clear();
    last_sync_request_.clear();
    parked_.clear();  // a crash lost the parked long-polls with the process
    recheck_at_ = sim::SimTime::never();
    wake_pending_ = false;
    halted_ = false;
    in_sync_wait_ = false;
    sim::Scheduler& sched = sim_.scheduler();
    const std::string name = sim_.network().node_name(node());
    shutdown_flag_ = std::make_unique<sim::Flag>(name + ".shutdown");
    consensus_alive_ = true;
    consensus_actor_ = sched.spawn(name + ".consensus",
                                   [this] {
                                       run();
                                       consensus_alive_ = false;
                                   },
                                   {.kind = sim::ActorKind::daemon, .node = node()});
    actors_.push_back(consensus_actor_);
    actors_.push_back(sched.spawn(name + ".monitor", [this] { run_monitor(); },
                                  {.kind = sim::ActorKind::daemon, .node = node()}));
}

void Guardian::crash() {
    if (!running_) {
        return;
    }
    running_ = false;
    consensus_alive_ = false;
    in_sync_wait_ = false;
    sim_.scheduler().trace("guardian_crash").field("peer", config_.peer.value);
    sim_.network().set_node_up(node(), false);
    std::vector<sim::ActorId> actors = std::move(actors_);
    actors_.clear();
    for (sim::ActorId id : actors) {
        sim_.scheduler().kill(id);
    }
}

void Guardian::shutdown() {
    if (!running_) {
        return;
    }
    sim_.scheduler().trace("guardian_shutdown")
        .field("peer", config_.peer.value)
        .field("reason", "requested");
    shutdown_flag_->set();
    // A consensus actor inside the sync wait sees the flag, stops waiting and returns.
    stop_actors(/*keep_consensus=*/in_sync_wait_);
}

void Guardian::halt(const char* reason) {
    sim_.scheduler().trace("guardian_shutdown")
        .field("peer", config_.peer.value)
        .field("reason", reason);
    stop_actors(/*keep_consensus=*/true);  // called from the consensus actor: it returns
}

void Guardian::stop_actors(bool keep_consensus) {
    running_ = false;
    halted_ = true;
    sim_.network().set_node_up(node(), false);
    std::vector<sim::ActorId> actors = std::move(actors_);
    actors_.clear();
    for (sim::ActorId id : actors) {
        if (keep_consensus && id == consensus_actor_) {
            continue;
        }
        sim_.scheduler().kill(id);
    }
    if (!keep_consensus) {
        consensus_alive_ = false;
        in_sync_wait_ = false;
    }
}

void Guardian::restart() {
    if (running_) {
        return;
    }
    ++store_->restarts;
    sim_.scheduler().trace("guardian_restart")
        .field("peer", config_.peer.value)
        .field("round", round());
    start();
}

void Guardian::run_monitor() {
    MonitorSchedule schedule =
        MonitorSchedule::seeded(config_.timing.monitor_interval, this_actor::random());
    const sim::SimTime start = this_actor::now();
    sim::SimTime next = start + schedule.phase;
    while (true) {
        this_actor::sleep_until(next);
        std::optional<BitcoinStatus> polled = monitor_poll_result(bitcoind_->get_block_count());
        status_ = polled.has_value() ? std::optional<uint64_t>(polled->block_count)
                                     : std::nullopt;
        wake_if_idle();
        next = schedule.next_poll_after(start, this_actor::now());
    }
}

// The monitor runs beside the consensus actor: when a poll (or the minute turning) gives an
// idle guardian something to order, it nudges the consensus actor through its own inbox.
void Guardian::wake_if_idle() {
    if (proposed_ || wake_pending_ || halted_ || propose_at_ <= this_actor::now() ||
        !has_work()) {
        return;
    }
    sim::Envelope env;
    env.from = node();
    env.to = node();
    env.kind = "fed_wake";
    env.body = std::make_shared<const WakeMsg>();
    env.type = sim::message_type_tag<WakeMsg>();
    if (sim_.network().inbox(node()).try_send(std::move(env))) {
        wake_pending_ = true;
    }
}

void Guardian::run() {
    sim::Channel<sim::Envelope>& inbox = sim_.network().inbox(node());
    applied_at_ = this_actor::now();
    start_round();
    if (store_->restarts > 0) {
        // Back from a crash: ask every peer for what was decided meanwhile.
        for (uint32_t p = 0; p < config_.nodes.size(); ++p) {
            if (PeerId(p) != config_.peer) {
                request_catch_up(PeerId(p));
            }
        }
    }
    while (!halted_) {
        while (!self_queue_.empty() && !halted_) {
            sim::Envelope env = std::move(self_queue_.front());
            self_queue_.pop_front();
            handle(env);
        }
        if (halted_) {
            break;
        }
        on_timers();
        if (!self_queue_.empty()) {
            continue;
        }
        sim::SimTime deadline =
            std::min({propose_at_, attempt_deadline_, collect_deadline_, recheck_at_});
        std::optional<sim::Envelope> env = inbox.recv_until(deadline);
        if (env.has_value()) {
            if (lag_ > sim::SimDuration::zero()) {
                this_actor::sleep_for(lag_);
            }
            handle(*env);
        }
    }
}

void Guardian::start_round() {
    my_proposal_.reset();
    proposed_ = false;
    attempt_ = store_->promised_attempt;
    leader_ = LeaderState{};
    leader_.attempt = UINT64_MAX;
    collect_deadline_ = sim::SimTime::never();
    attempt_deadline_ = sim::SimTime::never();
    propose_at_ = sim::SimTime::never();
    // Pending decryptions only change when a round is applied (or a state adopted).
    share_work_ = false;
    for (const PaymentHash& hash : store_->state.pending_decryptions()) {
        share_work_ = share_work_ || !store_->state.has_share(hash, config_.peer);
    }
    proposals_.erase(proposals_.begin(), proposals_.lower_bound(round()));
    auto early = proposals_.find(round());
    if (early != proposals_.end() && !early->second.empty()) {
        // Peers already started this round while this guardian was applying the last one.
        propose_at_ = this_actor::now();
        return;
    }
    schedule_round();
}

// When to propose next, if nothing from a peer comes first: as soon as the round interval
// allows when there is work, else at the heartbeat.
void Guardian::schedule_round() {
    if (proposed_) {
        return;
    }
    sim::SimTime at = applied_at_ + config_.timing.heartbeat;
    if (has_work()) {
        at = std::max(this_actor::now(), applied_at_ + config_.timing.round_interval);
    }
    propose_at_ = std::min(propose_at_, at);
}

// A peer's message for the current round: this guardian proposes now, whatever it holds.
void Guardian::join_round() {
    if (proposed_) {
        return;
    }
    propose_at_ = sim::SimTime::never();
    proposed_ = true;
    ++store_->counters.rounds_proposed;
    attempt_deadline_ = this_actor::now() + config_.timing.attempt_timeout;
    send_proposal();
    lead();
}

void Guardian::on_timers() {
    const sim::SimTime now = this_actor::now();
    if (now >= propose_at_) {
        join_round();
    }
    if (now >= attempt_deadline_) {
        adopt_attempt(attempt_ + 1);
    }
    if (now >= collect_deadline_) {
        collect_deadline_ = sim::SimTime::never();
        leader_.collect_expired = true;
        lead();
    }
    if (now >= recheck_at_) {
        recheck_heights();
    }
}

void Guardian::adopt_attempt(uint64_t attempt) {
    SIM_ASSERT(attempt > attempt_ || this_actor::now() >= attempt_deadline_);
    attempt_ = std::max(attempt_, attempt);
    attempt_deadline_ = this_actor::now() + config_.timing.attempt_timeout;
    propose_at_ = sim::SimTime::never();
    if (!proposed_) {
        proposed_ = true;
        ++store_->counters.rounds_proposed;
    }
    sim_.scheduler()
        .trace("fed_attempt", sim::TraceLevel::debug)
        .field("peer", config_.peer.value)
        .field("round", round())
        .field("attempt", attempt_);
    send_proposal();
    lead();
}

void Guardian::send_proposal() {
    if (my_proposal_ == nullptr) {
        my_proposal_ = std::make_shared<const Proposal>(build_proposal());
    }
    broadcast("fed_proposal", ProposalMsg{.round = round(), .attempt = attempt_,
                                          .proposal = my_proposal_});
}

// This guardian's votes as it would propose them now (Byzantine offsets applied).
Guardian::VoteItems Guardian::vote_items() const {
    const FederationState& state = store_->state;
    const ByzantineConfig& byz = config_.byzantine;
    VoteItems out;
    if (std::optional<uint64_t> v = wallet_v1_proposal(WalletProposalInput{
            .local_block_count = status_,
            .finality_delay = state.params().finality_delay,
            .consensus_block_count = state.wallet_count(),
            .round_cap = config_.timing.wallet_round_cap})) {
        out.push(VoteItem{VoteKind::wallet_count, shift_vote(*v, byz.block_count_offset)});
    }
    if (std::optional<uint64_t> v = ln_v1_proposal(status_, state.ln_count())) {
        out.push(VoteItem{VoteKind::ln_count, shift_vote(*v, byz.block_count_offset)});
    }
    if (std::optional<uint64_t> v = ln_v2_block_count_proposal(status_)) {
        out.push(VoteItem{VoteKind::lnv2_count, shift_vote(*v, byz.block_count_offset)});
    }
    const int64_t unix_now = sim_.clocks().unix_seconds(node(), this_actor::now());
    out.push(VoteItem{
        VoteKind::lnv2_unix_time,
        shift_vote(ln_v2_unix_time_vote(static_cast<uint64_t>(std::max<int64_t>(unix_now, 0))),
                   byz.unix_time_offset)});
    return out;
}

bool Guardian::votes_want_round() const {
    const FederationState& state = store_->state;
    for (const VoteItem& v : vote_items()) {
        const VoteBook* book = nullptr;
        bool livelock = false;
        switch (v.kind) {
            case VoteKind::wallet_count:
                book = &state.wallet_votes();
                livelock = config_.variants.vote_zero_livelock;
                break;
            case VoteKind::ln_count:
                book = &state.ln_votes();
                break;
            case VoteKind::lnv2_count:
                book = &state.lnv2_count_votes();
                break;
            case VoteKind::lnv2_unix_time:
                book = &state.lnv2_time_votes();
                break;
        }
        if (vote_wants_round(book->vote_of(config_.peer), v.value, livelock)) {
            return true;
        }
    }
    return false;
}

// Something to order: a transaction not processed yet, a decryption share not stored yet, or
// a vote processing would store.
bool Guardian::has_work() const {
    return !pool_.empty() || share_work_ || votes_want_round();
}

Proposal Guardian::build_proposal() {
    const FederationState& state = store_->state;
    Proposal p{.peer = config_.peer, .items = {}};
    for (const VoteItem& v : vote_items()) {
        p.items.emplace_back(v);
    }
    for (const auto& [id, tx] : pool_) {
        p.items.emplace_back(tx);
    }
    for (const PaymentHash& hash : state.pending_decryptions()) {
        p.items.emplace_back(ShareItem{.hash = hash, .valid = !config_.byzantine.invalid_shares});
    }
    return p;
}

void Guardian::handle_user(const sim::Envelope& env) {
    if (const auto* submit = env.as<SubmitTxMsg>()) {
        if (store_->state.outcome(submit->tx.id) == nullptr) {
            pool_.insert_or_assign(submit->tx.id, submit->tx);
            schedule_round();
        }
        return;
    }
    if (env.as<WakeMsg>() != nullptr) {
        wake_pending_ = false;
        schedule_round();
        return;
    }
    if (const auto* query = env.as<QueryMsg>()) {
        on_query(env, *query);
        return;
    }
    if (const auto* reg = env.as<RegisterGatewayMsg>()) {
        // An API write, answered by this guardian alone: no consensus round (gateway_directory.h).
        store_->gateways.register_gateway(
            reg->announcement, reg->ttl, sim_.clocks().unix_ns(node(), this_actor::now()), env.id);
        return;
    }
    if (const auto* rm = env.as<RemoveGatewayMsg>()) {
        // The gateway's unannouncement (stop, Lightning disconnect): this guardian alone, and
        // only the entry a write sent before it stored (gateway_directory.h RemoveGatewayMsg).
        store_->gateways.remove(rm->gateway_key, env.id);
        return;
    }
    if (const auto* cancel = env.as<AwaitCancelMsg>()) {
        on_await_cancel(env, *cancel);
    }
}

void Guardian::submit_peg_outs(size_t from) {
    const std::vector<chain::Transaction>& txs = store_->state.peg_out_txs();
    if (from >= txs.size()) {
        return;
    }
    std::vector<chain::Transaction> todo(txs.begin() + static_cast<std::ptrdiff_t>(from),
                                         txs.end());
    actors_.push_back(sim_.scheduler().spawn(
        sim_.network().node_name(node()) + ".pegout",
        [this, todo = std::move(todo)] {
            for (const chain::Transaction& tx : todo) {
                bitcoind_->submit(tx);
            }
        },
        {.kind = sim::ActorKind::daemon, .node = node()}));
}

}  // namespace actors::federation
