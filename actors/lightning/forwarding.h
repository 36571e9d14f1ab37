// The HTLC rules a node applies, as pure functions of (profile, HTLC, tip height):
// accepting an HTLC to forward (BOLT 2/4/7 plus each implementation's "too soon / too far"
// margins), accepting an HTLC as the final hop, and the block arithmetic for going on-chain
// and for failing a forwarded HTLC back upstream (reference §1.3-§1.6).
//
// Heights are block heights; `tip` is the node's own best height (getblockcount). Each function
// answers for one node's view; the node actors decide when to ask.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/lightning/invoice.h"
#include "actors/lightning/policy.h"
#include "actors/lightning/profile.h"

namespace actors::lightning {

// Why an HTLC was refused: the BOLT 4 code plus a sentence with the numbers that decided it.
struct Failure {
    FailureCode code = FailureCode::temporary_node_failure;
    std::string reason;
};

// An incoming HTLC together with what its onion asks of this node.
struct HtlcRequest {
    uint64_t incoming_amount_msat = 0;
    uint32_t incoming_cltv_expiry = 0;
    uint64_t amt_to_forward_msat = 0;
    uint32_t outgoing_cltv_value = 0;
};

// The outgoing channel as the forwarding node sees it at decision time.
struct OutgoingChannelState {
    ChannelPolicy policy;                  // this node's policy for the outgoing direction
    uint64_t available_msat = UINT64_MAX;  // spendable: balance - reserve - in flight
    uint32_t htlcs_in_flight = 0;          // HTLCs we already offered on it
    uint32_t max_accepted_htlcs = 483;     // the peer's limit
    bool peer_connected = true;
};

// Checks an HTLC this node is asked to forward. Order: channel_disabled, amount_below_minimum,
// over htlc_maximum (temporary_channel_failure), fee_insufficient, incorrect_cltv_expiry,
// expiry_too_soon (incoming, then outgoing), expiry_too_far, then liquidity / HTLC slots /
// peer offline (temporary_channel_failure). Empty result: forward it.
std::optional<Failure> check_forward(const Profile& profile, const HtlcRequest& htlc,
                                     const OutgoingChannelState& out, uint32_t tip);

// Checks an HTLC for which this node is the final hop. `invoice` is the payee's copy for the
// payment hash, or null when the hash is unknown. Empty result: claimable.
std::optional<Failure> check_final(const Profile& profile, const HtlcRequest& htlc,
                                   const Invoice* invoice, uint32_t tip);

// The policy a node publishes for a new channel: the profile's fee, delta and minimum, and
// htlc_maximum_msat as given (usually the capacity or the max in flight).
ChannelPolicy default_channel_policy(const Profile& profile, uint64_t htlc_maximum_msat);

// First tip at which a held HTLC (intercepted, hold invoice, incomplete MPP set) is failed
// back automatically; empty when the profile holds it indefinitely.
std::optional<uint32_t> held_htlc_fail_height(const Profile& profile, uint32_t incoming_expiry);

// --- Going on-chain ------------------------------------------------------------------------

// First tip at which a node force-closes because an HTLC it offered is still unresolved.
uint32_t offered_onchain_height(const Profile& profile, uint32_t cltv_expiry);

// First tip at which a node force-closes to claim a received HTLC whose preimage it knows.
// Saturates at 0 for expiries smaller than the buffer.
uint32_t received_onchain_height(const Profile& profile, uint32_t cltv_expiry);

// Whether a node at `tip` must go on-chain now for an offered / a received (preimage known)
// HTLC expiring at `cltv_expiry`.
inline bool offered_needs_onchain(const Profile& p, uint32_t cltv_expiry, uint32_t tip) {
    return tip >= offered_onchain_height(p, cltv_expiry);
}
inline bool received_needs_onchain(const Profile& p, uint32_t cltv_expiry, uint32_t tip) {
    return tip >= received_onchain_height(p, cltv_expiry);
}

// First block in which the HTLC-timeout tx (nLockTime = expiry) can be mined; it is
// mempool-valid one block earlier, at tip == expiry (reference §3.2).
inline uint32_t htlc_timeout_first_block(uint32_t cltv_expiry) { return cltv_expiry + 1; }

// --- Failing a forwarded HTLC back upstream --------------------------------------------------

// For a forwarded HTLC whose downstream never answers: the first tip at which the node gives
// up the incoming HTLC without waiting for the on-chain timeout to resolve (LDK and CLN:
// incoming_expiry - 3, but not before the outgoing channel has gone on-chain). Empty when the
// profile never does this (LND).
std::optional<uint32_t> early_fail_back_height(const Profile& profile, uint32_t incoming_expiry,
                                               uint32_t outgoing_expiry);

// The first tip at which the incoming HTLC is failed because the outgoing HTLC's timeout tx,
// mined in block `timeout_tx_height`, has fail_back_confirmations confirmations.
uint32_t resolved_fail_back_height(const Profile& profile, uint32_t timeout_tx_height);

// The earlier of the two rules above; `timeout_tx_height` empty when the timeout tx has not
// confirmed (then only the early rule can fire; empty if neither can).
std::optional<uint32_t> fail_back_height(const Profile& profile, uint32_t incoming_expiry,
                                         uint32_t outgoing_expiry,
                                         std::optional<uint32_t> timeout_tx_height);

// The failure the node sends upstream when it gives up early (CLN sends
// permanent_channel_failure; the model uses it for every profile).
inline constexpr FailureCode k_fail_back_code = FailureCode::permanent_channel_failure;

}  // namespace actors::lightning
