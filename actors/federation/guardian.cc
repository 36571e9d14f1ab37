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
    sim::Scheduler& sched = sim_.scheduler();
    const std::string name = sim_.network().node_name(node());
    actors_.push_back(sched.spawn(name + ".consensus", [this] { run(); },
                                  {.kind = sim::ActorKind::daemon, .node = node()}));
    actors_.push_back(sched.spawn(name + ".monitor", [this] { run_monitor(); },
                                  {.kind = sim::ActorKind::daemon, .node = node()}));
}

void Guardian::crash() {
    if (!running_) {
        return;
    }
    running_ = false;
    sim_.scheduler().trace("guardian_crash").field("peer", config_.peer.value);
    sim_.network().set_node_up(node(), false);
    std::vector<sim::ActorId> actors = std::move(actors_);
    actors_.clear();
    for (sim::ActorId id : actors) {
        sim_.scheduler().kill(id);
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
        next = schedule.next_poll_after(start, this_actor::now());
    }
}

void Guardian::run() {
    sim::Channel<sim::Envelope>& inbox = sim_.network().inbox(node());
    start_round();
    while (true) {
        while (!self_queue_.empty()) {
            sim::Envelope env = std::move(self_queue_.front());
            self_queue_.pop_front();
            handle(env);
        }
        on_timers();
        if (!self_queue_.empty()) {
            continue;
        }
        sim::SimTime deadline = std::min({propose_at_, attempt_deadline_, collect_deadline_});
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
    attempt_ = store_->promised_attempt;
    leader_ = LeaderState{};
    leader_.attempt = UINT64_MAX;
    collect_deadline_ = sim::SimTime::never();
    attempt_deadline_ = sim::SimTime::never();
    propose_at_ = this_actor::now() + config_.timing.round_interval;
    proposals_.erase(proposals_.begin(), proposals_.lower_bound(round()));
}

void Guardian::on_timers() {
    const sim::SimTime now = this_actor::now();
    if (now >= propose_at_) {
        propose_at_ = sim::SimTime::never();
        attempt_deadline_ = now + config_.timing.attempt_timeout;
        send_proposal();
        lead();
    }
    if (now >= attempt_deadline_) {
        adopt_attempt(attempt_ + 1);
    }
    if (now >= collect_deadline_) {
        collect_deadline_ = sim::SimTime::never();
        leader_.collect_expired = true;
        lead();
    }
}

void Guardian::adopt_attempt(uint64_t attempt) {
    SIM_ASSERT(attempt > attempt_ || this_actor::now() >= attempt_deadline_);
    attempt_ = std::max(attempt_, attempt);
    attempt_deadline_ = this_actor::now() + config_.timing.attempt_timeout;
    propose_at_ = sim::SimTime::never();
    sim_.scheduler()
        .trace("fed_attempt", sim::TraceLevel::debug)
        .field("peer", config_.peer.value)
        .field("round", round())
        .field("attempt", attempt_);
    send_proposal();
    lead();
}

void Guardian::send_proposal() {
    if (!my_proposal_.has_value()) {
        my_proposal_ = build_proposal();
    }
    broadcast("fed_proposal", ProposalMsg{.round = round(), .attempt = attempt_,
                                          .proposal = *my_proposal_});
}

Proposal Guardian::build_proposal() {
    const FederationState& state = store_->state;
    const ByzantineConfig& byz = config_.byzantine;
    Proposal p{.peer = config_.peer, .items = {}};
    if (std::optional<uint64_t> v = wallet_v1_proposal(WalletProposalInput{
            .local_block_count = status_,
            .finality_delay = state.params().finality_delay,
            .consensus_block_count = state.wallet_count(),
            .round_cap = config_.timing.wallet_round_cap})) {
        p.items.emplace_back(VoteItem{VoteKind::wallet_count,
                                      shift_vote(*v, byz.block_count_offset)});
    }
    if (std::optional<uint64_t> v = ln_v1_proposal(status_, state.ln_count())) {
        p.items.emplace_back(VoteItem{VoteKind::ln_count, shift_vote(*v, byz.block_count_offset)});
    }
    if (std::optional<uint64_t> v = ln_v2_block_count_proposal(status_)) {
        p.items.emplace_back(
            VoteItem{VoteKind::lnv2_count, shift_vote(*v, byz.block_count_offset)});
    }
    const int64_t unix_now = sim_.clocks().unix_seconds(node(), this_actor::now());
    p.items.emplace_back(VoteItem{
        VoteKind::lnv2_unix_time,
        shift_vote(ln_v2_unix_time_vote(static_cast<uint64_t>(std::max<int64_t>(unix_now, 0))),
                   byz.unix_time_offset)});
    for (const auto& [id, tx] : pool_) {
        p.items.emplace_back(tx);
    }
    for (const PaymentHash& hash : state.pending_decryptions()) {
        p.items.emplace_back(ShareItem{.hash = hash, .valid = !byz.invalid_shares});
    }
    return p;
}

void Guardian::handle_user(const sim::Envelope& env) {
    if (const auto* submit = env.as<SubmitTxMsg>()) {
        if (store_->state.outcome(submit->tx.id) == nullptr) {
            pool_.insert_or_assign(submit->tx.id, submit->tx);
        }
        return;
    }
    if (const auto* query = env.as<QueryMsg>()) {
        sim_.network().send(node(), env.from, "fed_reply",
                            answer_query(*query, config_.peer, store_->state));
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
