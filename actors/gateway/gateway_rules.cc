// Gateway pay/send decisions, HTLC safety and route-hint selection.
#include "actors/gateway/gateway_rules.h"

#include <algorithm>
#include <limits>

#include "sim/assert.h"

namespace actors::gateway {

using federation::saturating_sub;

namespace {

constexpr int64_t k_ns_per_sec = 1000000000;

// C - 1 saturating: the consensus tip height the timelock budget is measured from.
constexpr uint64_t consensus_tip_height(uint64_t consensus_count) {
    return consensus_count > 0 ? consensus_count - 1 : 0;
}

}  // namespace

bool invoice_expired(const InvoiceTerms& invoice, int64_t now_unix_ns) {
    uint64_t expires_at_s = federation::saturating_add(invoice.timestamp_unix_secs,
                                                       invoice.expiry_secs);
    // An expiry past the representable range never passes.
    constexpr uint64_t k_max_secs = static_cast<uint64_t>(INT64_MAX / k_ns_per_sec);
    if (expires_at_s > k_max_secs) {
        return false;
    }
    return now_unix_ns > static_cast<int64_t>(expires_at_s) * k_ns_per_sec;
}

int64_t lnv1_max_delay_raw(uint64_t timelock, uint64_t consensus_count,
                           uint64_t timelock_delta) {
    constexpr uint64_t k_limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 4);
    SIM_ASSERT(timelock < k_limit);
    SIM_ASSERT(consensus_count < k_limit);
    SIM_ASSERT(timelock_delta < k_limit);
    return static_cast<int64_t>(timelock) -
           static_cast<int64_t>(consensus_tip_height(consensus_count)) -
           static_cast<int64_t>(timelock_delta);
}

std::optional<uint64_t> lnv1_max_delay(uint64_t timelock, uint64_t consensus_count,
                                       const PayRuleOptions& options) {
    uint64_t tip = consensus_tip_height(consensus_count);
    if (tip > timelock) {
        return std::nullopt;
    }
    uint64_t until_timelock = timelock - tip;
    if (until_timelock < options.timelock_delta) {
        return std::nullopt;
    }
    uint64_t max_delay = until_timelock - options.timelock_delta;
    // Zero must fail closed: LND reads a cltv_limit of 0 as "unset" and would let the HTLC
    // outlive the contract's timelock.
    if (max_delay == 0 && !options.allow_zero_max_delay) {
        return std::nullopt;
    }
    return max_delay;
}

std::string_view to_string(PayRejection rejection) {
    switch (rejection) {
        case PayRejection::none:
            return "accepted";
        case PayRejection::cancelled_contract:
            return "CancelledContract";
        case PayRejection::not_our_key:
            return "NotOurKey";
        case PayRejection::payment_hash_mismatch:
            return "contract hash does not match the invoice";
        case PayRejection::invoice_missing_amount:
            return "invoice has no amount";
        case PayRejection::underfunded:
            return "Underfunded";
        case PayRejection::timeout_too_close:
            return "TimeoutTooClose";
        case PayRejection::invoice_expired:
            return "InvoiceExpired";
    }
    SIM_UNREACHABLE("unknown PayRejection");
}

namespace {

PayDecision reject(PayRejection rejection) {
    return PayDecision{.rejection = rejection, .max_delay = 0, .max_fee_msat = 0};
}

}  // namespace

PayDecision decide_lnv1_payment(const PayRequestV1& request, const PayRuleOptions& options) {
    const federation::OutgoingContractV1& contract = request.contract;
    if (contract.cancelled) {
        return reject(PayRejection::cancelled_contract);
    }
    if (contract.gateway_key != request.our_key) {
        return reject(PayRejection::not_our_key);
    }
    if (contract.hash != request.invoice.payment_hash) {
        return reject(PayRejection::payment_hash_mismatch);
    }
    if (!request.invoice.amount_msat.has_value()) {
        return reject(PayRejection::invoice_missing_amount);
    }
    uint64_t invoice_msat = *request.invoice.amount_msat;
    // Validated with the exact formula, which never exceeds the legacy one clients fund with.
    uint64_t required = federation::saturating_add(
        invoice_msat, request.routing_fees.to_amount(invoice_msat));
    if (request.contract_amount_msat < required) {
        return reject(PayRejection::underfunded);
    }
    std::optional<uint64_t> budget = lnv1_max_delay(contract.timelock, request.consensus_count,
                                                    options);
    bool expired = !options.skip_invoice_expiry_check &&
                   invoice_expired(request.invoice, request.now_unix_ns);
    PayDecision decision;
    decision.max_fee_msat = saturating_sub(request.contract_amount_msat, invoice_msat);
    if (request.mode == DispatchMode::resume) {
        decision.max_delay = budget.value_or(0);
        return decision;
    }
    if (!budget.has_value()) {
        return reject(PayRejection::timeout_too_close);
    }
    if (expired) {
        return reject(PayRejection::invoice_expired);
    }
    decision.max_delay = *budget;
    SIM_ASSERT(decision.max_delay > 0 || options.allow_zero_max_delay);
    return decision;
}

PayDecision decide_lnv2_send(const SendRequestV2& request, const PayRuleOptions& options) {
    if (request.contract.payment_image != request.invoice.payment_hash) {
        return reject(PayRejection::payment_hash_mismatch);
    }
    if (!request.invoice.amount_msat.has_value()) {
        return reject(PayRejection::invoice_missing_amount);
    }
    if (!options.skip_invoice_expiry_check &&
        invoice_expired(request.invoice, request.now_unix_ns)) {
        return reject(PayRejection::invoice_expired);
    }
    uint64_t min_contract_msat = request.send_fee_minimum.add_to(*request.invoice.amount_msat);
    if (request.contract.amount_msat < min_contract_msat) {
        return reject(PayRejection::underfunded);
    }
    uint64_t remaining =
        federation::lnv2_blocks_remaining(request.contract.expiration, request.consensus_count);
    uint64_t max_delay = saturating_sub(remaining, request.expiration_delta_minimum);
    if (max_delay == 0) {
        return reject(PayRejection::timeout_too_close);
    }
    return PayDecision{.rejection = PayRejection::none,
                       .max_delay = max_delay,
                       .max_fee_msat = request.contract.amount_msat - min_contract_msat};
}

std::vector<RouteHint> select_route_hints(std::span<const ChannelView> channels,
                                          const RouteHintOptions& options) {
    std::vector<const ChannelView*> eligible;
    for (const ChannelView& channel : channels) {
        if (channel.active && channel.remote_balance_msat >= options.min_inbound_msat) {
            eligible.push_back(&channel);
        }
    }
    // Ordered by values only (never by address), so the hints are a pure function of the
    // channel states whatever order the node listed them in.
    std::sort(eligible.begin(), eligible.end(), [](const ChannelView* a, const ChannelView* b) {
        if (a->remote_balance_msat != b->remote_balance_msat) {
            return a->remote_balance_msat > b->remote_balance_msat;
        }
        return a->short_channel_id < b->short_channel_id;
    });
    std::vector<RouteHint> hints;
    for (const ChannelView* channel : eligible) {
        if (hints.size() >= options.max_hints) {
            break;
        }
        hints.push_back(RouteHint{.src_node = channel->remote_node,
                                  .short_channel_id = channel->short_channel_id,
                                  .policy = channel->policy});
    }
    return hints;
}

GatewayRegistration build_registration(PublicKey gateway_key, PublicKey node_key,
                                       federation::RoutingFees fees,
                                       std::span<const ChannelView> channels,
                                       const RouteHintOptions& options) {
    return GatewayRegistration{.gateway_key = gateway_key,
                               .node_key = node_key,
                               .fees = fees,
                               .route_hints = select_route_hints(channels, options)};
}

RouteHintSource route_hint_source(lightning::Implementation node) {
    switch (node) {
        case lightning::Implementation::ldk:
            return RouteHintSource::none;
        case lightning::Implementation::lnd:  // lnd.rs since fedimint#8928
        case lightning::Implementation::cln:
            return RouteHintSource::inbound_policy;
    }
    SIM_ASSERT_MSG(false, "unknown Lightning implementation");
    return RouteHintSource::none;
}

std::optional<uint64_t> payment_timeout_secs(lightning::Implementation node) {
    switch (node) {
        case lightning::Implementation::lnd:
            return 180;  // LND_PAYMENT_TIMEOUT_SECONDS
        case lightning::Implementation::cln:
            return 180;  // PAYMENT_TIMEOUT_DURATION
        case lightning::Implementation::ldk:
            return std::nullopt;
    }
    SIM_ASSERT_MSG(false, "unknown Lightning implementation");
    return std::nullopt;
}

}  // namespace actors::gateway
