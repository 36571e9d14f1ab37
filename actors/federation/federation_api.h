// FederationApi: how a user (client or gateway) talks to the guardians over the network —
// submitting federation transactions and reading the federation's state.
//
// Every read asks all guardians and returns an answer only once f + 1 of them agree on it, so
// at least one honest guardian vouches for it: a user follows the federation's state, never one
// guardian's (or a gateway's) word. A dispatcher daemon owns the user's inbox: guardian replies
// go to the waiting query, every other message to other(), which the user's own logic reads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/federation/federation.h"
#include "actors/federation/messages.h"
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
    // Messages for the user that are not guardian replies.
    sim::Channel<sim::Envelope>& other() { return *other_; }

    // Unique per user for the whole run (the counter is part of the user's durable state).
    FedTxId new_tx_id();
    // Sends the transaction to every guardian (fire and forget).
    void submit(const FedTx& tx);

    // --- Reads (from an actor; block up to `timeout`) ------------------------------------
    std::optional<QueryReply> query(QueryMsg query, sim::SimDuration timeout);
    // Submits, then resubmits every `retry` until f + 1 guardians report an outcome.
    std::optional<TxOutcome> submit_and_wait(const FedTx& tx, sim::SimTime deadline,
                                             sim::SimDuration retry = sim::SimDuration::seconds(3));
    std::optional<TxOutcome> outcome(FedTxId id);
    std::optional<OutgoingSnapshot> outgoing(ContractId id);
    std::optional<IncomingSnapshot> incoming(const PaymentHash& hash);
    std::optional<uint64_t> ln_count();
    // The wallet's consensus block count: a deposit's proof is accepted only once its block is
    // below it (the client's deposit state machine waits for this before claiming).
    std::optional<uint64_t> wallet_count();
    std::vector<RegisterGatewayTx> gateways();

private:
    void dispatch();
    // The counts query (wallet and Lightning consensus block counts), answered by one guardian.
    std::optional<QueryReply> counts();

    sim::Simulation& sim_;
    sim::NodeId self_;
    std::vector<sim::NodeId> guardians_;
    Quorum quorum_;
    uint64_t next_tx_ = 1;
    uint64_t next_query_ = 1;
    sim::SimDuration query_timeout_ = sim::SimDuration::seconds(2);
    std::unique_ptr<sim::Channel<sim::Envelope>> other_;
    std::map<uint64_t, std::shared_ptr<sim::Channel<QueryReply>>> pending_;
    std::optional<sim::ActorId> dispatcher_;
};

}  // namespace actors::federation
