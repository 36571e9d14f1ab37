// Messages on the virtual network: between guardians (proposals and the per-round agreement),
// and between guardians and their users (clients and gateways submitting transactions and
// reading the federation's state).
//
// The agreement is single-decree Paxos per round (crash-tolerant; Byzantine behaviour is limited
// to vote and share items): attempt a of round r is led by guardian (r + a) mod n; attempt 0
// skips the prepare phase. A guardian that is behind catches up from DecidedMsg replies.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "actors/federation/consensus_items.h"
#include "actors/federation/federation_state.h"

namespace actors::federation {

struct ProposalMsg {
    uint64_t round = 0;
    uint64_t attempt = 0;
    ProposalPtr proposal;
};

struct PrepareMsg {
    uint64_t round = 0;
    uint64_t attempt = 0;
    PeerId from;
};

struct PromiseMsg {
    uint64_t round = 0;
    uint64_t attempt = 0;
    PeerId from;
    std::optional<uint64_t> accepted_attempt;
    BatchPtr accepted;
};

struct AcceptMsg {
    uint64_t round = 0;
    uint64_t attempt = 0;
    PeerId from;
    BatchPtr batch;
};

struct AckMsg {
    uint64_t round = 0;
    uint64_t attempt = 0;
    PeerId from;
};

struct DecidedMsg {
    BatchPtr batch;
    // The sender's own round when it sent this: a guardian catching up asks again until it has
    // reached it.
    uint64_t sender_round = 0;
};

// A guardian further behind than its peer's log window gets the peer's state instead of the
// batches (a stand-in for replaying Fedimint's stored session outcomes: the same state).
struct SnapshotMsg {
    std::shared_ptr<const FederationState> state;
    uint64_t sender_round = 0;
};

// The monitor's nudge to its own guardian's consensus actor (never on the wire): there is
// something to order now.
struct WakeMsg {};

struct SyncRequestMsg {
    uint64_t from_round = 0;
    PeerId from;
};

// ---- Users <-> guardians ----

struct SubmitTxMsg {
    FedTx tx;
};

enum class QueryKind : uint8_t { tx_outcome, outgoing, incoming, counts, gateways };

struct QueryMsg {
    uint64_t query_id = 0;
    QueryKind kind = QueryKind::counts;
    FedTxId tx;
    ContractId contract;
    PaymentHash hash{};
};

struct OutgoingSnapshot {
    OutgoingContractV1 contract;
    uint64_t amount_msat = 0;
    bool spent = false;
    std::optional<OutgoingSpender> spent_by;
    std::optional<Preimage> preimage;
};

struct IncomingSnapshot {
    bool offered = false;  // an offer exists and is not funded yet
    bool funded = false;
    DecryptedPreimage state = DecryptedPreimage::pending;
    std::optional<Preimage> preimage;
    bool spent = false;
    uint64_t amount_msat = 0;
};

struct QueryReply {
    uint64_t query_id = 0;
    PeerId peer;
    uint64_t round = 0;
    // Hash of the answer (not of who gave it or when), so a user can count agreeing guardians.
    uint64_t digest = 0;
    std::optional<TxOutcome> outcome;
    std::optional<OutgoingSnapshot> outgoing;
    std::optional<IncomingSnapshot> incoming;
    uint64_t wallet_count = 0;
    uint64_t ln_count = 0;
    std::vector<RegisterGatewayTx> gateways;
};

// Builds the reply to `query` from a guardian's state (digest included).
QueryReply answer_query(const QueryMsg& query, PeerId peer, const FederationState& state);

}  // namespace actors::federation
