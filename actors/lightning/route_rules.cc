// The rules around a route search (see router.h): building a route's amounts and expiries
// backwards from the payee, each implementation's default limits, the request an invoice makes,
// and what a failed attempt teaches the sender. The search itself is router.cc.
#include "actors/lightning/router.h"

#include <algorithm>
#include <string>

#include "sim/assert.h"

namespace actors::lightning {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

// floor(amount * numerator / denominator) without the product overflowing: amount = q*d + r,
// so amount*n/d = q*n + floor(r*n/d) exactly. Upstream multiplies first (LND `a * 5 / 100`,
// CLN `amount_msat_fee`'s `amt * ppm / 1000000`); dividing first would round down one step
// early (1,000,099 msat: 50,004 upstream, 50,000 divided first).
uint64_t mul_div_floor(uint64_t amount, uint64_t numerator, uint64_t denominator) {
    uint64_t q = amount / denominator;
    uint64_t r = amount % denominator;
    return q * numerator + r * numerator / denominator;
}

}  // namespace

Route build_route(const std::vector<PathEdge>& path, uint64_t amount_msat, uint32_t start_height,
                  uint32_t final_cltv_delta) {
    SIM_ASSERT(!path.empty());
    Route route;
    route.start_height = start_height;
    route.amount_msat = amount_msat;
    route.hops.resize(path.size());
    for (size_t i = path.size(); i-- > 0;) {
        RouteHop& hop = route.hops[i];
        hop.node = path[i].to;
        hop.scid = path[i].scid;
        if (i + 1 == path.size()) {
            hop.amount_msat = amount_msat;
            hop.cltv_expiry = start_height + final_cltv_delta;
            continue;
        }
        SIM_ASSERT(path[i].to == path[i + 1].from);
        const RouteHop& next = route.hops[i + 1];
        const ChannelPolicy& out = path[i + 1].policy;
        hop.fee_msat = forwarding_fee_msat(out, next.amount_msat);
        hop.cltv_delta = out.cltv_expiry_delta;
        hop.amount_msat = next.amount_msat + hop.fee_msat;
        hop.cltv_expiry = next.cltv_expiry + hop.cltv_delta;
    }
    route.total_amount_msat = route.hops.front().amount_msat;
    route.total_fee_msat = route.total_amount_msat - amount_msat;
    route.total_cltv_delta = route.hops.front().cltv_expiry - start_height;
    return route;
}

uint64_t default_max_fee_msat(const Profile& sender, uint64_t amount_msat) {
    switch (sender.default_fee_limit) {
        case DefaultFeeLimit::ldk_one_percent_plus_50_sat:
            return amount_msat / 100 + 50000;
        case DefaultFeeLimit::lnd_full_below_1000_sat_else_5_percent:
            // lnwallet/parameters.go DefaultRoutingFeeLimitForAmount: `a * 5 / 100`.
            return amount_msat <= 1000000 ? amount_msat : mul_div_floor(amount_msat, 5, 100);
        case DefaultFeeLimit::cln_half_percent_exempt_5000:
            // plugins/pay.c: amount_msat_fee(amount, 0, 500000 / 100 ppm) is
            // `amount * 5000 / 1000000`; the exemptfee modifier raises it to 5000 msat.
            return std::max<uint64_t>(5000, mul_div_floor(amount_msat, 5000, 1000000));
    }
    return 0;
}

PaymentRequest payment_request_from_invoice(const Profile& sender, NodeIndex source,
                                            const Invoice& invoice, uint32_t tip) {
    PaymentRequest req;
    req.source = source;
    req.target = invoice.payee;
    req.amount_msat = invoice.amount_msat.value_or(0);
    req.final_cltv_delta = invoice.final_cltv_delta_or(sender.assumed_final_cltv_delta);
    req.route_hints = invoice.route_hints;
    req.tip = tip;
    return req;
}

Result<uint32_t> effective_cltv_limit(const Profile& sender, const PaymentRequest& req) {
    uint32_t limit = req.cltv_limit.value_or(sender.default_cltv_limit);
    if (limit == 0 && sender.cltv_limit_zero_means_default) {
        // LND treats 0 as "unset" and applies --max-cltv-expiry (2016) instead.
        limit = sender.default_cltv_limit;
    }
    uint32_t final_total = req.final_cltv_delta + req.shadow_cltv_offset +
                           sender.final_cltv_padding;
    if (sender.cltv_limit_must_exceed_final && limit <= final_total) {
        return Result<uint32_t>::failure("cltv limit " + num(limit) +
                                         " should be greater than " + num(final_total));
    }
    // The reserve comes off only when limit - final leaves room for it (LDK's checked_sub
    // falls back to the unreduced budget). Computed in 64 bits: final_total + reserve may
    // pass 2^32.
    if (static_cast<uint64_t>(limit) >=
        static_cast<uint64_t>(final_total) + sender.route_cltv_reserve) {
        limit -= sender.route_cltv_reserve;
    }
    return Result<uint32_t>::success(limit);
}

namespace {

// The channel and the sending side of hop i of `route` (hop 0 is sent by the sender).
struct HopChannel {
    ShortChannelId scid;
    NodeIndex from = k_no_node;
    NodeIndex to = k_no_node;
    uint64_t amount_msat = 0;
};

HopChannel hop_channel(const Route& route, NodeIndex sender, size_t i) {
    return HopChannel{route.hops[i].scid, i == 0 ? sender : route.hops[i - 1].node,
                      route.hops[i].node, route.hops[i].amount_msat};
}

// LDK (onion_utils.rs process_onion_failure, gossip.rs handle_network_update): only a
// permanent NetworkUpdate changes the graph, for good. PERM from a forwarder:
// ChannelFailure { out channel, is_permanent: true }. NodeFailure { is_permanent: true } for an
// UPDATE failure without its channel_update ("obviously bogus") and for a code with no flag
// from a forwarder ("can't understand their error messages"). temporary_node_failure is
// NodeFailure { is_permanent: false } and UPDATE failures with their update ChannelFailure
// { is_permanent: false }: nothing here; the payment keeps the blamed channel out
// (ldk_blamed_channel, LightningNode::exclude_blamed_channel).
void ldk_learn(LiquidityKnowledge* node, const HopChannel& reporter, const HopChannel& next,
               const FailureReport& f) {
    const uint16_t flags = static_cast<uint16_t>(f.code) & (k_perm | k_node | k_update);
    if (is_node_failure(f.code)) {
        if (is_permanent(f.code)) {
            node->exclude_node(reporter.to);
        }
    } else if (is_permanent(f.code)) {
        node->exclude_channel(next.scid);
    } else if (carries_update(f.code) ? !f.has_update : flags == 0) {
        node->exclude_node(reporter.to);
    }
}

// LND (result_interpretation.go processPaymentOutcomeIntermediate, shared mission control):
// temporary_channel_failure: the outgoing pair in its direction for amounts >= the one that
// failed (reportOutgoingBalance); permanent_channel_failure, unknown_next_peer: the outgoing
// pair both ways (reportOutgoing, failPair); policy failures (amount_below_minimum,
// fee_insufficient, incorrect_cltv_expiry, channel_disabled) set policyFailure, and
// missioncontrol.go grants the pair a second chance (requestSecondChance), ignoring the whole
// result, unless the same pair failed so within the last minute: nothing here. The second
// one within a minute is not modelled; upstream it penalizes the outgoing pair for
// channel_disabled (reportOutgoing) and the incoming pair for the other three
// (reportIncoming; the reporter itself when it is the payer's peer). expiry_too_soon: reportAll
// (every pair up to the reporter): not modelled; any other code the model produces
// (temporary_node_failure, ...): failNode, the pairs into and out of the reporter both ways.
// (Upstream's invalid_onion_* -> reportOutgoing and invalid_onion_payload -> reportNode are
// codes the model never produces.) Each for its window (Profile::pair_penalty_window,
// node_penalty_window). A pair is a channel direction here (LND's covers every channel
// between the two nodes), and own channels keep their exact balances (LND's local pair is
// penalized too: not modelled).
void lnd_learn(const Profile& p, LiquidityKnowledge* node, const HopChannel& in,
               const HopChannel& next, const FailureReport& f, sim::SimTime now) {
    const sim::SimTime pair_until = now + p.pair_penalty_window;
    const sim::SimTime node_until = now + p.node_penalty_window;
    switch (f.code) {
        case FailureCode::temporary_channel_failure:
            node->learn_failure(next.scid, next.from, next.amount_msat, pair_until);
            return;
        case FailureCode::permanent_channel_failure:
        case FailureCode::unknown_next_peer:
            node->learn_failure(next.scid, next.from, 1, pair_until);
            node->learn_failure(next.scid, next.to, 1, pair_until);
            return;
        case FailureCode::amount_below_minimum:
        case FailureCode::fee_insufficient:
        case FailureCode::incorrect_cltv_expiry:
        case FailureCode::channel_disabled:
        case FailureCode::expiry_too_soon:
            return;
        default:
            // failNode: the reporter (in.to == next.from) has both fresh failures.
            node->learn_failure(next.scid, next.from, 1, node_until);
            node->learn_failure(next.scid, next.to, 1, pair_until);
            node->learn_failure(in.scid, in.to, 1, node_until);
            node->learn_failure(in.scid, in.from, 1, pair_until);
            return;
    }
}

// CLN pay (libplugin-pay.c handle_intermediate_failure): NODE failures put the reporter in
// the root payment's excluded_nodes, for that payment only. What a failure does to the channel
// hints (kept by the node) is cln_hint_update's.
void cln_learn(LiquidityKnowledge* payment, const HopChannel& reporter, const FailureReport& f) {
    if (is_node_failure(f.code)) {
        payment->exclude_node(reporter.to);
    }
}

}  // namespace

void learn_from_failure(const Profile& sender_profile, LiquidityKnowledge* node,
                        LiquidityKnowledge* payment, const Route& route, NodeIndex sender,
                        const FailureReport& failure, sim::SimTime now) {
    const int failing_hop = failure.failing_hop;
    SIM_ASSERT(failing_hop >= -1);
    SIM_ASSERT(failing_hop < static_cast<int>(route.hops.size()));
    // Every channel up to the reporting node carried the HTLC.
    for (int i = 0; i <= failing_hop; ++i) {
        const HopChannel h = hop_channel(route, sender, static_cast<size_t>(i));
        node->learn_success(h.scid, h.from, h.amount_msat);
    }
    bool is_final = failing_hop + 1 == static_cast<int>(route.hops.size());
    if (failing_hop < 0 || is_final) {
        return;
    }
    const HopChannel in = hop_channel(route, sender, static_cast<size_t>(failing_hop));
    const HopChannel next = hop_channel(route, sender, static_cast<size_t>(failing_hop) + 1);
    switch (sender_profile.failure_memory) {
        case FailureMemory::ldk_permanent_to_graph:
            ldk_learn(node, in, next, failure);
            return;
        case FailureMemory::lnd_mission_control:
            lnd_learn(sender_profile, node, in, next, failure, now);
            return;
        case FailureMemory::cln_channel_hints:
            SIM_ASSERT(payment != nullptr);
            cln_learn(payment, in, failure);
            return;
    }
    // Policy failures' channel_updates are applied to the graph by the node actor.
}

std::optional<ClnHintUpdate> cln_hint_update(const Route& route, NodeIndex sender,
                                             const FailureReport& failure) {
    const int failing_hop = failure.failing_hop;
    SIM_ASSERT(failing_hop >= -1);
    SIM_ASSERT(failing_hop < static_cast<int>(route.hops.size()));
    if (failing_hop < 0 || failing_hop + 1 == static_cast<int>(route.hops.size())) {
        return std::nullopt;
    }
    const HopChannel next = hop_channel(route, sender, static_cast<size_t>(failing_hop) + 1);
    switch (failure.code) {
        case FailureCode::permanent_channel_failure:
        case FailureCode::channel_disabled:
        case FailureCode::unknown_next_peer:
            return ClnHintUpdate{next.scid, next.from, false, 0};
        case FailureCode::temporary_channel_failure:
            return ClnHintUpdate{next.scid, next.from, true,
                                 next.amount_msat > 0 ? next.amount_msat - 1 : 0};
        default:
            return std::nullopt;
    }
}

std::optional<ShortChannelId> ldk_blamed_channel(const Route& route, int failing_hop,
                                                 FailureCode code, bool has_update) {
    SIM_ASSERT(!route.hops.empty());
    SIM_ASSERT(failing_hop >= -1);
    SIM_ASSERT(failing_hop < static_cast<int>(route.hops.size()));
    if (failing_hop < 0) {
        return route.hops.front().scid;  // APIError::ChannelUnavailable on the first hop
    }
    const auto hop = static_cast<size_t>(failing_hop);
    if (hop + 1 == route.hops.size()) {
        return std::nullopt;  // the payee's failure ends the payment (payment_failed_permanently)
    }
    if (is_node_failure(code)) {
        return route.hops[hop].scid;  // NodeFailure: route_hop.short_channel_id()
    }
    if (is_permanent(code) || (carries_update(code) && has_update)) {
        return route.hops[hop + 1].scid;  // failing_route_hop: the next hop's channel
    }
    // An UPDATE failure without its channel_update, or a code with no flag from a forwarder:
    // short_channel_id stays None and becomes route_hop.short_channel_id(), the channel into
    // the erring node.
    return route.hops[hop].scid;
}

}  // namespace actors::lightning
