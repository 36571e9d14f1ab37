// FederationApi: how a user (client or gateway) talks to the guardians over the network —
// submitting federation transactions and reading the federation's state.
//
// Every consensus read asks all guardians and returns an answer only once f + 1 of them agree
// on it, so at least one honest guardian vouches for it: a user follows the federation's state,
// never one guardian's (or a gateway's) word. The gateway directory is not consensus state:
// its read is the union of n - f guardians' lists (fetch_gateways). A dispatcher daemon owns
// the user's inbox: guardian replies go to the waiting query, every other message to other(),
// which the user's own logic reads.
//
// Three kinds of read, as upstream has: one-shot reads (outcome(), outgoing(), ...: answered
// from each guardian's current state, 2 s to gather f + 1), threshold reads (request_threshold,
// fetch_gateways: n - f answers, one request per guardian, failed at f + 1 errors, no deadline
// unless the caller gives one) and long-poll awaits (await_*: answered by a guardian once its
// state satisfies the condition; long_poll.h says how a request is bounded and re-sent).
// Several awaits can be raced with a LongPoll built on this API.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/federation/federation.h"
#include "actors/federation/guardian_connection.h"
#include "actors/federation/long_poll.h"
#include "actors/federation/messages.h"
#include "sim/assert.h"
#include "sim/channel.h"
#include "sim/simulation.h"

namespace actors::federation {

class FederationApi {
public:
    FederationApi(sim::Simulation& sim, sim::NodeId self, const Federation& federation);
    FederationApi(const FederationApi&) = delete;
    FederationApi& operator=(const FederationApi&) = delete;

    // Spawns the dispatcher on the user's node; stop() kills it (the user crashed).
    void start();
    void stop();
    sim::NodeId self() const { return self_; }
    // How long a one-shot read waits for a quorum's answers before it returns unanswered.
    sim::SimDuration query_timeout() const { return query_timeout_; }
    // Messages for the user that are not guardian replies.
    sim::Channel<sim::Envelope>& other() { return *other_; }

    // Unique per user for the whole run (the counter is part of the user's durable state).
    FedTxId new_tx_id();
    // Sends the transaction to every guardian (fire and forget).
    void submit(const FedTx& tx);

    // --- One-shot reads (from an actor; block up to `timeout`) ----------------------------
    std::optional<QueryReply> query(QueryMsg query, sim::SimDuration timeout);
    // Submits, then long-polls the outcome (AWAIT_TRANSACTION) until f + 1 guardians report
    // one, resubmitting on fedimint-client's tx-submit backoff (transaction/sm.rs:
    // `custom_backoff(2 s, 10 min)`, backon's Fibonacci: 2, 2, 4, 6, 10, ... 288, 466, then 754 s
    // on; fibonacci_delay). nullopt at `deadline`.
    std::optional<TxOutcome> submit_and_wait(const FedTx& tx, sim::SimTime deadline);
    // submit_and_wait with no deadline, as upstream's submission machine waits (transaction/
    // sm.rs: "Number of retries has no limit"): the outcome is accepted or rejected, never
    // "timed out". The gateway's and the client's transactions go through it.
    TxOutcome submit_until_answered(const FedTx& tx);
    std::optional<TxOutcome> outcome(FedTxId id);
    std::optional<OutgoingSnapshot> outgoing(ContractId id);
    std::optional<IncomingSnapshot> incoming(const PaymentHash& hash);
    std::optional<uint64_t> ln_count();
    // The wallet's consensus block count: a deposit's proof is accepted only once its block is
    // below it (the client's deposit state machine waits for this before claiming).
    std::optional<uint64_t> wallet_count();
    // --- Threshold reads (threshold_read.cc): upstream's `request_with_strategy` --------------
    // One request per guardian, none re-sent: the n - f answers by peer once n - f guardians
    // answered; nullopt once f + 1 guardians errored (the connect failed, the send failed, the
    // connection closed under the request, no answer within the request timeout,
    // long_poll_timing(); guardian_connection.h) or at `deadline` (the model's; upstream has none).
    std::optional<std::map<uint32_t, QueryReply>> request_threshold(QueryMsg query,
                                                                    sim::SimTime deadline);
    // The gateway directory as upstream's `fetch_gateways` reads it: the union of the n - f
    // guardians' lists (each guardian's own registrations, gateway_directory.h), one listing
    // per gateway key, by key, each with its remaining ttl (gateway_union.h), what the client's
    // cache refresh sleeps by. nullopt when the read failed (an answered empty union is empty).
    std::optional<std::vector<ListedGateway>> fetch_gateways(
        sim::SimTime deadline = sim::SimTime::never());
    // fetch_gateways with the one-shot read's deadline (query_timeout()), without the ttls: for
    // worlds and tests.
    std::optional<std::vector<GatewayAnnouncement>> gateways();
    // The gateway's `register_gateway`: an API write of `announcement` to every guardian, each
    // anchoring `ttl` to its own clock (fire and forget; no consensus round).
    void register_gateway(const GatewayAnnouncement& announcement, sim::SimDuration ttl);

    // --- Long-poll awaits (from an actor; block until f + 1 agree, or `deadline`) ------------
    std::optional<TxOutcome> await_outcome(FedTxId id, sim::SimTime deadline);
    // kind: outgoing_exists, outgoing_cancelled or outgoing_spent.
    std::optional<OutgoingSnapshot> await_outgoing(ContractId id, AwaitKind kind,
                                                   sim::SimTime deadline);
    // The incoming contract is funded and its preimage decrypted (state some or invalid).
    std::optional<IncomingSnapshot> await_decrypted(const PaymentHash& hash, sim::SimTime deadline);
    // wait_block_height(height): the LN consensus count passed `height`. Returns the count the
    // guardian completing the quorum reported (informative; guardians agree on "passed").
    std::optional<uint64_t> await_ln_count_above(uint64_t height, sim::SimTime deadline);

    // The queries behind the awaits, for racing several in one LongPoll.
    static QueryMsg outcome_await(FedTxId id);
    static QueryMsg outgoing_await(ContractId id, AwaitKind kind);
    static QueryMsg decrypted_await(const PaymentHash& hash);
    static QueryMsg ln_count_await(uint64_t height);

    // Read requests attempted (one per guardian per one-shot read, threshold read, long-poll
    // request or re-send), one that waited for a connect that failed included, so not all of
    // them are messages on the network: what following the federation costs this user in
    // requests.
    uint64_t reads_sent() const { return reads_sent_; }
    const LongPollTiming& long_poll_timing() const { return long_poll_timing_; }
    // backoff_min > 0: a connection error re-sends after the backoff, so a
    // zero would repeat it at one instant forever (the scheduler's spin guard does not see it).
    void set_long_poll_timing(const LongPollTiming& t) {
        SIM_ASSERT(t.backoff_min > sim::SimDuration::zero());
        long_poll_timing_ = t;
    }
    // The gateway's unannouncement (fedimint-gw-client lib.rs `remove_from_federation`): a
    // remove of `gateway_key` to every guardian, fire and forget (gateway_directory.h).
    void remove_gateway(PublicKey gateway_key);

private:
    friend class LongPoll;
    std::optional<QueryReply> await_one(const QueryMsg& query, sim::SimTime deadline);
    // The user's connection to guardian `g` (by index), shared by LongPoll and the threshold read.
    GuardianConnection& connection(size_t g) {
        SIM_ASSERT(g < connections_.size());
        return connections_[g];
    }
    const GuardianConnection& connection(size_t g) const {
        SIM_ASSERT(g < connections_.size());
        return connections_[g];
    }
    // The user closes its connection to guardian `g` (it found the link cut): every request on
    // it errors now, as jsonrpsee errors every pending call when its connection closes.
    void close_connection(size_t g);

    void dispatch();
    void connection_closed(const sim::NodeDown& down);
    // Tells every waiting read that guardian `g`'s connection closed at `at`.
    void notify_closed(size_t g, sim::SimTime at);
    // The counts query (wallet and Lightning consensus block counts), answered by one guardian.
    std::optional<QueryReply> counts();

    sim::Simulation& sim_;
    sim::NodeId self_;
    std::vector<sim::NodeId> guardians_;
    Quorum quorum_;
    uint64_t next_tx_ = 1;
    uint64_t next_query_ = 1;
    uint64_t reads_sent_ = 0;
    sim::SimDuration query_timeout_ = sim::SimDuration::seconds(2);
    LongPollTiming long_poll_timing_;
    std::vector<GuardianConnection> connections_;  // by guardian index
    std::unique_ptr<sim::Channel<sim::Envelope>> other_;
    std::map<uint64_t, std::shared_ptr<sim::Channel<QueryReply>>> pending_;
    std::optional<sim::ActorId> dispatcher_;
};

}  // namespace actors::federation
