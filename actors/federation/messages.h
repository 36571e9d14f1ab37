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
#include "actors/federation/gateway_directory.h"
#include "sim/time.h"

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

// A long-poll read (fedimint's await endpoints): the guardian answers once its state satisfies
// the condition — at once if it already does, else when an applied round makes it true (the
// server's `wait_key_exists` / `wait_value_matches` wake on a database commit). `ln_count_above`
// is `wait_block_height(h)`, which upstream re-checks on a 5 s sleep, not on a commit
// (fedimint-ln-server lib.rs: `while h >= consensus_block_count() { sleep(5 s) }`).
enum class AwaitKind : uint8_t {
    none,                // a one-shot read, answered from the current state
    tx_outcome,          // core AWAIT_TRANSACTION: the transaction has an outcome
    outgoing_exists,     // LNv1 AWAIT_ACCOUNT (`wait_contract`): the outgoing account exists
    outgoing_cancelled,  // LNv1 AWAIT_OUTGOING_CONTRACT_CANCELLED
    outgoing_spent,      // the outgoing account is spent (claimed or refunded) [model: see
                         // docs/federation.md "Long-poll reads"]
    incoming_decrypted,  // LNv1 AWAIT_PREIMAGE_DECRYPTION: funded, preimage some or invalid
    ln_count_above,      // LNv1 AWAIT_BLOCK_HEIGHT: LN consensus count > height
};

struct QueryMsg {
    uint64_t query_id = 0;
    QueryKind kind = QueryKind::counts;
    FedTxId tx;
    ContractId contract;
    PaymentHash hash{};
    AwaitKind await = AwaitKind::none;
    uint64_t height = 0;  // ln_count_above: answered once the LN count exceeds it
};

// The user stopped waiting for a long-poll (it raced others and one of those was answered): the
// guardian drops it if still parked. No reply.
struct AwaitCancelMsg {
    uint64_t query_id = 0;
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

// One guardian's listing of a gateway: upstream's `LightningGatewayAnnouncement` as
// `list_gateways` returns it, unanchored (fedimint-ln-common lib.rs `unanchor`): the info and
// the remaining ttl, its valid_until less the guardian's own clock now (0 if past; a listed
// entry is never past).
struct ListedGateway {
    GatewayAnnouncement announcement;
    sim::SimDuration ttl;
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
    // A gateways read: the answering guardian's own unexpired registrations (gateway_directory.h)
    // with their remaining ttl by its clock.
    std::vector<ListedGateway> gateways;
    // Not a guardian's reply: the user's dispatcher's notice that its connection to guardian
    // `peer` closed (its process went down at this time; sim::NodeDown). Never on the network.
    std::optional<sim::SimTime> closed_at;
};

// Builds the reply to `query` from a guardian's state (digest included). The reply to an
// ln_count_above await carries the guardian's LN count but leaves it out of the digest
// (upstream's `wait_block_height` returns `()`: guardians agree that the height was passed).
QueryReply answer_query(const QueryMsg& query, PeerId peer, const FederationState& state);

// Whether a guardian with `state` answers `query` now (always, for a one-shot read).
bool await_satisfied(const QueryMsg& query, const FederationState& state);

}  // namespace actors::federation
