// Gateway decision rules: whether to pay an LNv1/LNv2 outgoing contract and with which budget
// (max_delay, max_fee), whether an incoming HTLC's expiry is safe to intercept, and which
// channels to advertise as route hints (fedimint.md 2.4, 2.5, 2.7, 2.8, 7.5).
//
// Three time sources meet here and stay separate: the federation's consensus block count
// (timelock budget), the gateway's own node height (HTLC safety) and the gateway's wall clock
// (invoice expiry, read through sim::Clocks so skew is a fault like any other).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "actors/federation/contracts.h"
#include "actors/federation/contracts_v2.h"
#include "actors/federation/fees.h"
#include "actors/lightning/profile.h"

namespace actors::gateway {

using federation::PaymentHash;
using federation::PublicKey;

constexpr uint64_t k_timelock_delta = 10;
constexpr uint64_t k_incoming_htlc_expiry_safety_margin = 30;
constexpr uint64_t k_incoming_htlc_advertised_expiry_delta = 144;
constexpr uint64_t k_default_invoice_expiry_secs = 3600;
constexpr size_t k_default_num_route_hints = 1;
constexpr uint64_t k_bolt11_default_min_final_cltv_delta = 18;

// The invoice terms the gateway's rules read; the Lightning model's invoice maps onto this.
struct InvoiceTerms {
    PaymentHash payment_hash;
    std::optional<uint64_t> amount_msat;  // an amountless invoice cannot be paid for a contract.
    uint64_t timestamp_unix_secs = 0;
    uint64_t expiry_secs = k_default_invoice_expiry_secs;
    uint64_t min_final_cltv_delta = k_bolt11_default_min_final_cltv_delta;
};

// Expired iff the wall clock is strictly past timestamp + expiry (BOLT 11 `is_expired`).
bool invoice_expired(const InvoiceTerms& invoice, int64_t now_unix_ns);

// ---- LNv1 pay ----

// The signed budget timelock - (C - 1) - delta with C - 1 saturating at 0, for traces and
// boundary tests; the decision itself uses lnv1_max_delay.
int64_t lnv1_max_delay_raw(uint64_t timelock, uint64_t consensus_count,
                           uint64_t timelock_delta = k_timelock_delta);

struct PayRuleOptions {
    uint64_t timelock_delta = k_timelock_delta;
    // Bug knob (fedimint.md 5 item 7, "LND zero CLTV limit"): older gateways had no `> 0`
    // filter, so a budget of exactly 0 was dispatched and LND read it as "no limit".
    bool allow_zero_max_delay = false;
    // Bug knob #2627 (fixed by #2830): the gateway paid invoices whose expiry had passed.
    bool skip_invoice_expiry_check = false;
};

// `timelock.checked_sub(C.saturating_sub(1)).and_then(|d| d.checked_sub(delta))
//  .filter(|d| d > 0)`; nullopt is TimeoutTooClose.
std::optional<uint64_t> lnv1_max_delay(uint64_t timelock, uint64_t consensus_count,
                                       const PayRuleOptions& options = {});

enum class PayRejection {
    none,
    cancelled_contract,
    not_our_key,
    payment_hash_mismatch,
    invoice_missing_amount,
    underfunded,        // escrow below invoice + fees: the fee the client paid is too low.
    timeout_too_close,  // max_delay would be <= 0.
    invoice_expired,    // by the gateway's wall clock.
};

std::string_view to_string(PayRejection rejection);

// A fresh dispatch checks everything; a resume after a restart skips the budget and expiry
// checks so a payment already handed to the node is not cancelled while it can still succeed.
enum class DispatchMode { fresh, resume };

struct PayRequestV1 {
    federation::OutgoingContractV1 contract;
    uint64_t contract_amount_msat = 0;
    InvoiceTerms invoice;
    PublicKey our_key;
    uint64_t consensus_count = 0;
    int64_t now_unix_ns = 0;
    federation::RoutingFees routing_fees;  // the fees this gateway registered with.
    DispatchMode mode = DispatchMode::fresh;
};

struct PayDecision {
    PayRejection rejection = PayRejection::none;
    uint64_t max_delay = 0;  // 0 only as the resume path's fail-closed sentinel (or the knob).
    uint64_t max_fee_msat = 0;
    bool ok() const { return rejection == PayRejection::none; }
};

// `validate_outgoing_account` in upstream order, then the budget for `pay`:
// max_fee = contract amount - invoice amount (saturating).
PayDecision decide_lnv1_payment(const PayRequestV1& request, const PayRuleOptions& options = {});

// ---- LNv2 send ----

struct SendRequestV2 {
    federation::OutgoingContractV2 contract;
    uint64_t consensus_count = 0;
    InvoiceTerms invoice;
    federation::PaymentFee send_fee_minimum;
    uint64_t expiration_delta_minimum = federation::k_gateway_expiration_delta_minimum;
    int64_t now_unix_ns = 0;
};

// Newest order: hash, expiry, underfunded (max_fee = amount - (invoice + send_fee_minimum)),
// then max_delay = blocks_remaining.saturating_sub(144), which must be > 0.
PayDecision decide_lnv2_send(const SendRequestV2& request, const PayRuleOptions& options = {});

// ---- Incoming HTLCs (LNv1) ----

enum class HtlcRejection { none, expiry_unsafe };

// Rejected iff incoming_expiry <= current_height + 30: +30 is refused, +31 accepted.
constexpr HtlcRejection check_incoming_htlc_expiry(uint64_t incoming_expiry,
                                                   uint64_t current_height) {
    return incoming_expiry <= current_height + k_incoming_htlc_expiry_safety_margin
               ? HtlcRejection::expiry_unsafe
               : HtlcRejection::none;
}

// ---- Route hints and registration ----

struct ChannelPolicy {
    uint64_t fee_base_msat = 0;
    uint64_t fee_proportional_millionths = 0;
    uint64_t cltv_expiry_delta = 0;
    uint64_t htlc_minimum_msat = 0;
    uint64_t htlc_maximum_msat = 0;
};

struct ChannelView {
    uint64_t short_channel_id = 0;
    PublicKey remote_node;
    uint64_t local_balance_msat = 0;
    uint64_t remote_balance_msat = 0;  // the inbound liquidity a payer can route through.
    bool active = true;
    ChannelPolicy policy;  // the policy the hint should carry (LND reads node1's, right or not).
};

// How long the gateway's Lightning node goes on starting new attempts for one payment
// (fedimint.md 2.6): the LND gateway calls send_payment_v2 with timeout_seconds =
// LND_PAYMENT_TIMEOUT_SECONDS (180); the CLN gateway's plugin pays with
// PAYMENT_TIMEOUT_DURATION (180 s). The LDK gateway passes no timeout (it polls the payment
// every 100 ms until it succeeds or fails), so it is empty there: the node's own default.
std::optional<uint64_t> payment_timeout_secs(lightning::Implementation node);

// Where a gateway's route hints come from, per implementation of its Lightning node (the
// node's `routehints(num_route_hints)` in fedimint's gateway/fedimint-lightning/src/*.rs):
enum class RouteHintSource : uint8_t {
    // ldk.rs `GatewayLdkClient::routehints` returns an empty list: the LDK gateway's invoices
    // carry only the federation hop, so a payer must reach the gateway node over public
    // channels.
    none,
    // lnd.rs before fedimint#8928 (merged 2026-07-31; the gateway variant
    // lnd_hint_node1_policy): list_channels(active_only), sort by remote_balance descending,
    // truncate, then get_chan_info(chan_id).node1_policy for every channel, whichever side
    // node1 is. node1 is the numerically lesser node key (BOLT 7); when that is the gateway's
    // own node the hint carries the gateway's outgoing policy, not the remote's inbound one.
    node1_policy,
    // cln_extension.rs: the listchannels entry whose destination is our node, i.e. the policy
    // the remote side publishes for the channel towards us (the right direction). lnd.rs
    // since #8928 likewise: node1_policy if node1_pub == chan.remote_pubkey, else
    // node2_policy.
    inbound_policy,
};

// The source upstream uses today: LND and CLN inbound_policy, LDK none. node1_policy is only
// ever chosen by GatewayConfig::lnd_hints_node1_policy (the historical variant).
RouteHintSource route_hint_source(lightning::Implementation node);

struct RouteHint {
    PublicKey src_node;
    uint64_t short_channel_id = 0;
    ChannelPolicy policy;
};

struct RouteHintOptions {
    size_t max_hints = k_default_num_route_hints;
    uint64_t min_inbound_msat = 0;  // channels below this are never advertised.
};

// Active channels with remote_balance >= min, largest remote balance first, ties by ascending
// short_channel_id (deterministic, unlike LND's list order), truncated to max_hints.
std::vector<RouteHint> select_route_hints(std::span<const ChannelView> channels,
                                          const RouteHintOptions& options = {});

struct GatewayRegistration {
    PublicKey gateway_key;
    PublicKey node_key;
    federation::RoutingFees fees = federation::k_gateway_default_fees;
    std::vector<RouteHint> route_hints;
};

GatewayRegistration build_registration(PublicKey gateway_key, PublicKey node_key,
                                       federation::RoutingFees fees,
                                       std::span<const ChannelView> channels,
                                       const RouteHintOptions& options = {});

}  // namespace actors::gateway
