// FederationApi: submission, f + 1 agreement on reads, and the inbox dispatcher.
#include "actors/federation/federation_api.h"

#include <algorithm>
#include <set>

#include "actors/federation/fibonacci_backoff.h"
#include "sim/assert.h"
#include "sim/random.h"
#include "sim/this_actor.h"

namespace actors::federation {

FederationApi::FederationApi(sim::Simulation& sim, sim::NodeId self, const Federation& federation)
    : sim_(sim),
      self_(self),
      guardians_(federation.nodes()),
      quorum_(federation.quorum()),
      other_(std::make_unique<sim::Channel<sim::Envelope>>(sim.network().node_name(self) +
                                                           ".other")) {
    for (sim::NodeId g : guardians_) {
        connections_.emplace_back(sim, self, g, long_poll_timing_);
    }
}

void FederationApi::start() {
    SIM_ASSERT(!dispatcher_.has_value());
    sim_.network().set_node_up(self_, true);
    // A (re)started process has no connection yet and fresh backoffs (guardian_connection.h).
    for (GuardianConnection& c : connections_) {
        c.reset();
    }
    // fedimint's client holds a websocket connection to every guardian it talks to: the user
    // learns when a guardian's process dies and closes them (long_poll.h).
    for (sim::NodeId g : guardians_) {
        sim_.network().watch_node(self_, g);
    }
    dispatcher_ = sim_.scheduler().spawn(sim_.network().node_name(self_) + ".fedapi",
                                         [this] { dispatch(); },
                                         {.kind = sim::ActorKind::daemon, .node = self_});
}

void FederationApi::stop() {
    if (dispatcher_.has_value()) {
        sim_.scheduler().kill(*dispatcher_);
        dispatcher_.reset();
    }
    // The connection tasks die with the process.
    for (GuardianConnection& c : connections_) {
        c.reset();
    }
    pending_.clear();
    while (other_->try_recv().has_value()) {
    }
}

void FederationApi::dispatch() {
    sim::Channel<sim::Envelope>& inbox = sim_.network().inbox(self_);
    while (std::optional<sim::Envelope> env = inbox.recv()) {
        if (const QueryReply* reply = env->as<QueryReply>()) {
            auto it = pending_.find(reply->query_id);
            if (it != pending_.end()) {
                it->second->try_send(*reply);
            }
            continue;  // a late reply to a finished query
        }
        if (const sim::NodeDown* down = env->as<sim::NodeDown>()) {
            connection_closed(*down);
            continue;
        }
        other_->try_send(std::move(*env));
    }
}

// jsonrpsee's websocket client errors every request pending on a connection when it closes:
// each waiting read hears of it (one notice per reply channel; one-shot reads ignore it).
void FederationApi::connection_closed(const sim::NodeDown& down) {
    auto g = std::find(guardians_.begin(), guardians_.end(), down.node);
    if (g == guardians_.end()) {
        return;
    }
    const size_t index = static_cast<size_t>(g - guardians_.begin());
    connections_[index].close(down.at);
    notify_closed(index, down.at);
}

void FederationApi::close_connection(size_t g) {
    const sim::SimTime now = sim::this_actor::now();
    connection(g).close(now);
    notify_closed(g, now);
}

void FederationApi::notify_closed(size_t g, sim::SimTime at) {
    QueryReply notice;
    notice.peer = PeerId{static_cast<uint32_t>(g)};
    notice.closed_at = at;
    // A LongPoll's awaits share one channel: notify each channel once, in query-id order (the
    // set is only asked for membership, never iterated).
    std::set<const sim::Channel<QueryReply>*> notified;
    for (const auto& [id, channel] : pending_) {
        if (notified.insert(channel.get()).second) {
            channel->try_send(notice);
        }
    }
}

FedTxId FederationApi::new_tx_id() {
    uint64_t h = sim::hash_name(sim_.network().node_name(self_));
    return FedTxId{sim::fingerprint_mix(h, next_tx_++)};
}

void FederationApi::submit(const FedTx& tx) {
    for (sim::NodeId g : guardians_) {
        sim_.network().send(self_, g, "fed_submit", SubmitTxMsg{tx});
    }
}

std::optional<QueryReply> FederationApi::query(QueryMsg query, sim::SimDuration timeout) {
    query.query_id = next_query_++;
    auto replies = std::make_shared<sim::Channel<QueryReply>>("fed_query");
    pending_.emplace(query.query_id, replies);
    for (sim::NodeId g : guardians_) {
        sim_.network().send(self_, g, "fed_query", query);
        ++reads_sent_;
    }
    const sim::SimTime deadline = sim::this_actor::now() + timeout;
    std::map<uint64_t, uint64_t> votes;  // digest -> guardians
    std::optional<QueryReply> agreed;
    while (!agreed.has_value()) {
        std::optional<QueryReply> r = replies->recv_until(deadline);
        if (!r.has_value()) {
            break;
        }
        if (r->closed_at.has_value()) {
            continue;  // no retry within a one-shot read: the others answer or it times out
        }
        if (++votes[r->digest] == quorum_.f + 1) {
            agreed = std::move(r);
        }
    }
    pending_.erase(query.query_id);
    return agreed;
}

// fedimint-client transaction/sm.rs: the submission branch resubmits on
// `custom_backoff(2 s, 10 min, None)` while the accepted branch awaits the transaction. Each
// resubmit also re-sends the outcome await to the guardians that have not answered it: the
// await lost with a submission (a short cut) would otherwise wait for the 60 s timeout while
// the resubmit 2 s later decided the tx. [model] upstream's await is a separate request with
// its own retry; the re-send stands for the retry a broken connection starts there, and the
// guardian keeps one copy per (user, query id).
std::optional<TxOutcome> FederationApi::submit_and_wait(const FedTx& tx, sim::SimTime deadline) {
    constexpr sim::SimDuration k_resubmit_min = sim::SimDuration::seconds(2);
    constexpr sim::SimDuration k_resubmit_max = sim::SimDuration::minutes(10);
    LongPoll poll(*this);
    submit(tx);
    const size_t outcome_await_index = poll.add(outcome_await(tx.id));
    uint64_t resubmits = 0;
    sim::SimTime next = sim::this_actor::now() + fibonacci_delay(k_resubmit_min, k_resubmit_max, 0);
    while (sim::this_actor::now() < deadline) {
        if (std::optional<LongPoll::Answer> a = poll.wait_until(std::min(next, deadline))) {
            return a->reply.outcome;  // the only await: nothing left open
        }
        if (sim::this_actor::now() >= next && sim::this_actor::now() < deadline) {
            submit(tx);
            poll.resend_unanswered(outcome_await_index);  // the await may have been lost with the submission
            next = sim::this_actor::now() +
                   fibonacci_delay(k_resubmit_min, k_resubmit_max, ++resubmits);
        }
    }
    poll.withdraw_open();
    return std::nullopt;
}

// Upstream's gateway and client hand every transaction to the client's submission machine,
// which resubmits on `custom_backoff(2 s, 10 min, None)` until a quorum accepts or rejects it
// ("Number of retries has no limit"; fedimint-client-module/src/transaction/sm.rs at 01d064e /
// a4dd5e4): the gateway's claim (GatewayPayClaimOutgoingContract, `claim_input`), cancel
// (GatewayPayCancelContract, `fund_output`) and incoming refund (gateway/ln-gateway/src/
// state_machine/pay.rs at 015de5c), and the client's funding, refund, offer and claim. (Until
// sessions 13 and 14 the models gave up after unsourced deadlines: "claim timed out", "funding
// timed out".)
TxOutcome FederationApi::submit_until_answered(const FedTx& tx) {
    std::optional<TxOutcome> o = submit_and_wait(tx, sim::SimTime::never());
    SIM_ASSERT(o.has_value());  // only a deadline ends the wait without an answer
    return *o;
}

std::optional<TxOutcome> FederationApi::outcome(FedTxId id) {
    std::optional<QueryReply> r =
        query(QueryMsg{.query_id = 0, .kind = QueryKind::tx_outcome, .tx = id, .contract = {},
                       .hash = {}},
              query_timeout_);
    return r.has_value() ? r->outcome : std::nullopt;
}

std::optional<OutgoingSnapshot> FederationApi::outgoing(ContractId id) {
    std::optional<QueryReply> r =
        query(QueryMsg{.query_id = 0, .kind = QueryKind::outgoing, .tx = {}, .contract = id,
                       .hash = {}},
              query_timeout_);
    return r.has_value() ? r->outgoing : std::nullopt;
}

std::optional<IncomingSnapshot> FederationApi::incoming(const PaymentHash& hash) {
    std::optional<QueryReply> r =
        query(QueryMsg{.query_id = 0, .kind = QueryKind::incoming, .tx = {}, .contract = {},
                       .hash = hash},
              query_timeout_);
    return r.has_value() ? r->incoming : std::nullopt;
}

std::optional<QueryReply> FederationApi::counts() {
    return query(
        QueryMsg{.query_id = 0, .kind = QueryKind::counts, .tx = {}, .contract = {}, .hash = {}},
        query_timeout_);
}

std::optional<uint64_t> FederationApi::ln_count() {
    std::optional<QueryReply> r = counts();
    return r.has_value() ? std::optional<uint64_t>(r->ln_count) : std::nullopt;
}

std::optional<uint64_t> FederationApi::wallet_count() {
    std::optional<QueryReply> r = counts();
    return r.has_value() ? std::optional<uint64_t>(r->wallet_count) : std::nullopt;
}

QueryMsg FederationApi::outcome_await(FedTxId id) {
    return QueryMsg{.query_id = 0, .kind = QueryKind::tx_outcome, .tx = id, .contract = {},
                    .hash = {}, .await = AwaitKind::tx_outcome, .height = 0};
}

QueryMsg FederationApi::outgoing_await(ContractId id, AwaitKind kind) {
    SIM_ASSERT(kind == AwaitKind::outgoing_exists || kind == AwaitKind::outgoing_cancelled ||
               kind == AwaitKind::outgoing_spent);
    return QueryMsg{.query_id = 0, .kind = QueryKind::outgoing, .tx = {}, .contract = id,
                    .hash = {}, .await = kind, .height = 0};
}

QueryMsg FederationApi::decrypted_await(const PaymentHash& hash) {
    return QueryMsg{.query_id = 0, .kind = QueryKind::incoming, .tx = {}, .contract = {},
                    .hash = hash, .await = AwaitKind::incoming_decrypted, .height = 0};
}

QueryMsg FederationApi::ln_count_await(uint64_t height) {
    return QueryMsg{.query_id = 0, .kind = QueryKind::counts, .tx = {}, .contract = {},
                    .hash = {}, .await = AwaitKind::ln_count_above, .height = height};
}

std::optional<QueryReply> FederationApi::await_one(const QueryMsg& query, sim::SimTime deadline) {
    LongPoll poll(*this);
    poll.add(query);
    std::optional<LongPoll::Answer> a = poll.wait_until(deadline);
    poll.withdraw_open();
    return a.has_value() ? std::optional<QueryReply>(std::move(a->reply)) : std::nullopt;
}

std::optional<TxOutcome> FederationApi::await_outcome(FedTxId id, sim::SimTime deadline) {
    std::optional<QueryReply> r = await_one(outcome_await(id), deadline);
    return r.has_value() ? r->outcome : std::nullopt;
}

std::optional<OutgoingSnapshot> FederationApi::await_outgoing(ContractId id, AwaitKind kind,
                                                              sim::SimTime deadline) {
    std::optional<QueryReply> r = await_one(outgoing_await(id, kind), deadline);
    return r.has_value() ? r->outgoing : std::nullopt;
}

std::optional<IncomingSnapshot> FederationApi::await_decrypted(const PaymentHash& hash,
                                                               sim::SimTime deadline) {
    std::optional<QueryReply> r = await_one(decrypted_await(hash), deadline);
    return r.has_value() ? r->incoming : std::nullopt;
}

std::optional<uint64_t> FederationApi::await_ln_count_above(uint64_t height,
                                                            sim::SimTime deadline) {
    std::optional<QueryReply> r = await_one(ln_count_await(height), deadline);
    return r.has_value() ? std::optional<uint64_t>(r->ln_count) : std::nullopt;
}

void FederationApi::register_gateway(const GatewayAnnouncement& announcement,
                                     sim::SimDuration ttl) {
    for (sim::NodeId g : guardians_) {
        sim_.network().send(self_, g, "gw_register", RegisterGatewayMsg{announcement, ttl});
    }
}

void FederationApi::remove_gateway(PublicKey gateway_key) {
    for (sim::NodeId g : guardians_) {
        sim_.network().send(self_, g, "gw_remove", RemoveGatewayMsg{gateway_key});
    }
}

}  // namespace actors::federation
