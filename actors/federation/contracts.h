// LNv1 contracts: the outgoing contract (gateway claim vs user refund around a block timelock,
// cancellation signed by the gateway) and the incoming offer/contract (gateway funding,
// threshold decryption of the preimage, user claim or gateway refund), plus the client's
// timelock choice. LNv2's alternative rule set is in contracts_v2.h.
//
// Payment hashes and preimages are the Lightning model's 32-byte digests and the hash lock is
// real SHA-256 (actors/lightning/sha256.h), so an invoice's hash and the preimage a node returns
// plug straight into these rules. Other cryptography is a stand-in that keeps the decisions:
// keys are opaque 64-bit values and a signature names its signer and what it signs.
// Every predicate returns an enum whose `none` means accepted and any other value names the
// upstream rejection (fedimint.md 2.1, 2.2, 7.4).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "actors/federation/fees.h"
#include "actors/federation/quorum.h"

namespace actors::federation {

struct PublicKey {
    uint64_t value = 0;
    constexpr auto operator<=>(const PublicKey&) const = default;
};

// The same type as actors::lightning::Digest32 (checked in contracts.cc), without making every
// user of this header include the Lightning model.
using Digest32 = std::array<uint8_t, 32>;
using PaymentHash = Digest32;
using Preimage = Digest32;

struct ContractId {
    uint64_t value = 0;
    constexpr auto operator<=>(const ContractId&) const = default;
};

// sha256(preimage), as the Lightning model computes invoice hashes.
PaymentHash payment_hash_of(const Preimage& preimage);

// A preimage named by a number (little-endian in the first 8 bytes), for tests and scenarios.
Preimage preimage_from_label(uint64_t label);

// ---- LNv1 outgoing ----

// The timelock is a block *height*: the refund opens once a block of that height is inside
// the LN module's consensus count.
struct OutgoingContractV1 {
    PaymentHash hash;
    PublicKey gateway_key;
    PublicKey user_key;
    uint64_t timelock = 0;
    bool cancelled = false;
};

// Hash of (hash, gateway_key, timelock, user_key); `cancelled` is state, not identity.
ContractId contract_id_of(const OutgoingContractV1& contract);

// Whose key spends the contract at consensus count C.
enum class OutgoingSpender { gateway, user };

// Gateway iff timelock + 1 > C and not cancelled; otherwise the user (refund).
OutgoingSpender lnv1_outgoing_spender(const OutgoingContractV1& contract, uint64_t consensus_count);

// C <= timelock && !cancelled.
bool lnv1_gateway_may_claim(const OutgoingContractV1& contract, uint64_t consensus_count);
// C >= timelock + 1 || cancelled.
bool lnv1_user_may_refund(const OutgoingContractV1& contract, uint64_t consensus_count);

struct OutgoingSpendAttemptV1 {
    PublicKey signer;
    std::optional<Preimage> preimage;  // the witness; only the gateway branch reads it.
};

enum class OutgoingSpendRejection {
    none,
    not_expired,       // the user tried to refund while C <= timelock and not cancelled.
    missing_preimage,  // gateway branch without a witness (MissingPreimage).
    invalid_preimage,  // gateway branch with a wrong witness (InvalidPreimage).
    timelock_passed,   // the gateway tried to claim at C >= timelock + 1.
    cancelled,         // the gateway tried to claim a contract it cancelled.
    wrong_key,         // signed by neither party.
    already_spent,
};

std::string_view to_string(OutgoingSpendRejection rejection);

OutgoingSpendRejection check_lnv1_outgoing_spend(const OutgoingContractV1& contract,
                                                 uint64_t consensus_count,
                                                 const OutgoingSpendAttemptV1& attempt);

// The gateway's Schnorr signature over sha256("outgoing contract cancellation" || id).
struct CancellationSignature {
    PublicKey signer;
    ContractId signed_contract;
};

enum class CancelRejection { none, invalid_signature };

std::string_view to_string(CancelRejection rejection);

// Valid iff signed by the contract's gateway key over this contract's id. Accepted whatever
// the timelock or spend state: upstream checks only the account kind and the signature.
CancelRejection check_lnv1_cancel(const OutgoingContractV1& contract,
                                  const CancellationSignature& signature);

// One funded outgoing account: the contract, its escrow, and whether it was spent. A spend
// takes the whole escrow (the simulator does not split contract inputs).
class OutgoingAccountV1 {
public:
    OutgoingAccountV1(OutgoingContractV1 contract, uint64_t amount_msat);

    CancelRejection cancel(const CancellationSignature& signature);
    // On success returns none and marks the account spent; amount_msat() says what was paid.
    OutgoingSpendRejection spend(uint64_t consensus_count, const OutgoingSpendAttemptV1& attempt);

    const OutgoingContractV1& contract() const { return contract_; }
    ContractId id() const { return id_; }
    uint64_t amount_msat() const { return amount_msat_; }
    bool spent() const { return spent_; }

private:
    OutgoingContractV1 contract_;
    ContractId id_;
    uint64_t amount_msat_ = 0;
    bool spent_ = false;
};

// ---- LNv1 client timelock and funding ----

constexpr uint64_t k_outgoing_ln_contract_timelock = 500;

struct ClientTimelockOptions {
    // Bug knob #6241 (fixed by #6309): the timelock ignored the invoice's
    // min_final_cltv_expiry_delta, leaving the gateway a fixed budget of about 490 blocks.
    bool ignore_min_final_cltv = false;
};

// timelock = C0 + min_final + 500 - 1 (C0 + 500 - 1 with the #6241 knob).
uint64_t lnv1_client_timelock(uint64_t consensus_count, uint64_t min_final_cltv_delta,
                              const ClientTimelockOptions& options = {});

// What the client escrows: invoice + the gateway's fee by the legacy formula.
MsatResult lnv1_client_contract_amount(uint64_t invoice_msat, const RoutingFees& gateway_fees,
                                      const LegacyFeeOptions& options = {});

// ---- LNv1 incoming ----

// The preimage threshold-encrypted to the federation key. `ciphertext_id` identifies the
// ciphertext (offers are unique per ciphertext); `plaintext` is what t shares will reveal;
// `well_formed` is the outcome of `encrypted_preimage.verify()`.
struct EncryptedPreimage {
    uint64_t ciphertext_id = 0;
    Preimage plaintext;
    bool well_formed = true;
};

struct IncomingOfferV1 {
    uint64_t amount_msat = 0;
    PaymentHash hash;
    EncryptedPreimage encrypted_preimage;
    // Informational: no server rule reads it (fedimint.md 2.2).
    std::optional<uint64_t> expiry_time_unix_secs;
};

enum class DecryptedPreimage { pending, some, invalid };

std::string_view to_string(DecryptedPreimage state);

enum class ShareRejection {
    none,
    invalid_share,      // fails validation against the peer's public key share.
    duplicate_peer,     // this peer's first valid share is already stored.
    already_decrypted,  // the contract left `pending`; no share is needed any more.
};

std::string_view to_string(ShareRejection rejection);

enum class IncomingSpendRejection {
    none,
    contract_not_ready,  // still pending decryption (ContractNotReady).
    wrong_key,           // not the key the decryption outcome designates.
    already_spent,
};

std::string_view to_string(IncomingSpendRejection rejection);

// The user's spend key is derived from the decrypted preimage.
PublicKey user_key_from_preimage(const Preimage& preimage);

// A funded incoming contract and its threshold decryption.
class IncomingContractV1 {
public:
    IncomingContractV1(const IncomingOfferV1& offer, uint64_t amount_msat, PublicKey gateway_key,
                       Quorum quorum);

    // `share_valid` is the outcome of validating the share against the peer's key share.
    // The t-th valid share combines the preimage: `some` iff it hashes to the offer's hash.
    ShareRejection add_decryption_share(PeerId peer, bool share_valid);

    IncomingSpendRejection spend(PublicKey signer);

    DecryptedPreimage state() const { return state_; }
    std::optional<Preimage> preimage() const;
    uint64_t share_count() const { return shares_.size(); }
    bool has_share_from(PeerId peer) const { return shares_.count(peer) != 0; }
    uint64_t amount_msat() const { return amount_msat_; }
    PaymentHash hash() const { return hash_; }
    PublicKey gateway_key() const { return gateway_key_; }
    bool spent() const { return spent_; }

private:
    PaymentHash hash_;
    EncryptedPreimage encrypted_;
    PublicKey gateway_key_;
    uint64_t amount_msat_ = 0;
    Quorum quorum_;
    std::map<PeerId, bool> shares_;  // ordered by peer: combination order is deterministic.
    DecryptedPreimage state_ = DecryptedPreimage::pending;
    bool spent_ = false;
};

enum class OfferRejection {
    none,
    invalid_encrypted_preimage,    // verify() failed.
    duplicate_encrypted_preimage,  // #1397: each ciphertext may be offered once.
    duplicate_hash,                // newer: an offer or funded contract exists for this hash.
};

enum class FundingRejection {
    none,
    no_offer,        // nothing offered (or the offer was consumed) for this hash.
    underfunded,     // amount < offer.amount.
    zero_amount,     // amount == 0.
    already_funded,  // consensus version 2.1: a contract is funded exactly once.
};

std::string_view to_string(OfferRejection rejection);
std::string_view to_string(FundingRejection rejection);

// The LN module's incoming side: offers by hash, and the hashes already funded.
class IncomingOfferBookV1 {
public:
    explicit IncomingOfferBookV1(Quorum quorum);

    OfferRejection add_offer(const IncomingOfferV1& offer);

    struct Funding {
        FundingRejection rejection = FundingRejection::none;
        std::optional<IncomingContractV1> contract;  // set iff rejection == none.
    };
    // The gateway funds the offer for `hash`; success consumes the offer.
    Funding fund(PaymentHash hash, uint64_t amount_msat, PublicKey gateway_key);

    bool has_offer(PaymentHash hash) const { return offers_.count(hash) != 0; }

private:
    Quorum quorum_;
    std::map<PaymentHash, IncomingOfferV1> offers_;
    std::set<uint64_t> ciphertexts_seen_;  // never forgotten, even after funding.
    std::set<PaymentHash> funded_;
};

}  // namespace actors::federation
