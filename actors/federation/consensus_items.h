// What guardians agree on: consensus items (votes, federation transactions, decryption shares),
// a guardian's proposal for a round, and a round's batch.
//
// A federation transaction is a plain struct per kind (peg-in, peg-out, LNv1 contract funding,
// claim, refund, cancellation, incoming offer and funding), named by a
// FedTxId its submitter chose. Items are values; a decided batch is shared (BatchPtr) by every
// message and log that holds it and applied by FederationState::apply_batch, in proposal order
// (by guardian id) then item order.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/chain/transaction.h"
#include "actors/federation/contracts.h"
#include "actors/federation/contracts_v2.h"
#include "actors/federation/mint_ledger.h"
#include "actors/federation/quorum.h"

namespace actors::federation {

struct FedTxId {
    uint64_t value = 0;
    constexpr auto operator<=>(const FedTxId&) const = default;
};

// Which consensus value a vote item feeds.
enum class VoteKind : uint8_t { wallet_count, ln_count, lnv2_count, lnv2_unix_time };

struct VoteItem {
    VoteKind kind = VoteKind::wallet_count;
    uint64_t value = 0;
};

// A peg-in proof: the output paying the federation's multisig and the block that confirmed it,
// as the depositor's own node reported it. Wallet v1 (fedimint.md 1.3): the proof's block HASH
// must be one the guardian's wallet sync stored (block_is_known), and the output must be in
// that block (the stand-in for the merkle proof). The height is the client's note of where the
// block was; only wallet v2, which the model checks by height, reads it.
struct PegInTx {
    ClientId client;
    chain::OutPoint outpoint;
    chain::BlockHash block_hash;
    uint64_t block_height = 0;
};

// Redeems `amount_sat` (+ the peg-out fee) of ecash and pays `address` on chain.
struct PegOutTx {
    ClientId client;
    uint64_t amount_sat = 0;
    std::string address;
};

// The client escrows ecash in an LNv1 outgoing contract.
struct FundOutgoingTx {
    ClientId client;
    OutgoingContractV1 contract;
    uint64_t amount_msat = 0;
};

// Gateway claim (with the preimage) or user refund of an outgoing contract; the escrow is
// issued as ecash to `payout`.
struct SpendOutgoingTx {
    ContractId contract;
    PublicKey signer;
    std::optional<Preimage> preimage;
    ClientId payout;
};

struct CancelOutgoingTx {
    ContractId contract;
    CancellationSignature signature;
};

struct OfferIncomingTx {
    IncomingOfferV1 offer;
};

// The gateway funds the incoming contract for `hash` from its own ecash.
struct FundIncomingTx {
    ClientId gateway_client;
    PaymentHash hash;
    uint64_t amount_msat = 0;
    PublicKey gateway_key;
};

// The user (key derived from the decrypted preimage) or, after an invalid decryption, the
// gateway takes the incoming contract's funds.
struct SpendIncomingTx {
    PaymentHash hash;
    PublicKey signer;
    ClientId payout;
};

// One route hint hop as the federation stores it: the channel from `src_node` to the gateway's
// node, with the policy a payer must pay for it.
struct RouteHintRecord {
    PublicKey src_node;
    uint64_t short_channel_id = 0;
    uint64_t fee_base_msat = 0;
    uint64_t fee_ppm = 0;
    uint64_t cltv_expiry_delta = 0;

    bool operator==(const RouteHintRecord&) const = default;
};

// ---- LNv2 (fedimint.md 2.3), processed only by a federation running the LNv2 module ----

// The client escrows `contract.amount_msat` of ecash in an LNv2 outgoing contract.
struct FundOutgoingV2Tx {
    ClientId client;
    OutgoingContractV2 contract;
};

// Claim (gateway, with the preimage), refund (user, once expired) or cancel (user, with the
// gateway's forfeit signature); `signer` must be the spend key the rule core names.
struct SpendOutgoingV2Tx {
    ContractId contract;
    OutgoingWitnessV2 witness;
    PublicKey signer;
    ClientId payout;
};

// The gateway funds an LNv2 incoming contract (expiration in unix seconds). `decrypts` stands in
// for the threshold decryption of the preimage with the aggregated key shares: whether the
// encrypted preimage decrypts to the payment image.
struct FundIncomingV2Tx {
    ClientId gateway_client;
    IncomingContractV2 contract;
    bool decrypts = true;
};

// The user (claim_pk, the preimage decrypted) or the gateway (refund_pk, it did not) takes the
// incoming contract's funds.
struct SpendIncomingV2Tx {
    PaymentHash hash;
    PublicKey signer;
    ClientId payout;
};

using FedTxBody = std::variant<PegInTx, PegOutTx, FundOutgoingTx, SpendOutgoingTx,
                               CancelOutgoingTx, OfferIncomingTx, FundIncomingTx,
                               SpendIncomingTx, FundOutgoingV2Tx,
                               SpendOutgoingV2Tx, FundIncomingV2Tx, SpendIncomingV2Tx>;

struct FedTx {
    FedTxId id;
    FedTxBody body;
};

const char* tx_kind(const FedTxBody& body);

// A guardian's decryption share for a funded incoming contract. `valid` is the outcome of
// checking the share against the guardian's public key share (false from a Byzantine one).
struct ShareItem {
    PaymentHash hash;
    bool valid = true;
};

using ConsensusItem = std::variant<VoteItem, FedTx, ShareItem>;

struct Proposal {
    PeerId peer;
    std::vector<ConsensusItem> items;
};

// A decided round: the proposals of at least t guardians, sorted by guardian id.
struct Batch {
    uint64_t round = 0;
    std::vector<Proposal> proposals;
};

// A batch is built once by its round's leader and then shared, never copied, by every message
// that carries it and by every guardian's log (null: no batch).
using BatchPtr = std::shared_ptr<const Batch>;

// A guardian builds its proposal for a round once; every message carrying it and every peer
// holding it shares it (null: no proposal).
using ProposalPtr = std::shared_ptr<const Proposal>;

}  // namespace actors::federation
