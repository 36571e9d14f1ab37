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

void learn_from_failure(LiquidityKnowledge* knowledge, const Route& route, NodeIndex sender,
                        int failing_hop, FailureCode code) {
    SIM_ASSERT(failing_hop >= -1);
    SIM_ASSERT(failing_hop < static_cast<int>(route.hops.size()));
    // Every channel up to the reporting node carried the HTLC.
    for (int i = 0; i <= failing_hop; ++i) {
        auto idx = static_cast<size_t>(i);
        NodeIndex from = i == 0 ? sender : route.hops[idx - 1].node;
        knowledge->learn_success(route.hops[idx].scid, from, route.hops[idx].amount_msat);
    }
    bool is_final = failing_hop + 1 == static_cast<int>(route.hops.size());
    if (failing_hop < 0 || is_final) {
        return;
    }
    const RouteHop& reporter = route.hops[static_cast<size_t>(failing_hop)];
    const RouteHop& next = route.hops[static_cast<size_t>(failing_hop) + 1];
    if (is_node_failure(code)) {
        knowledge->exclude_node(reporter.node);
    } else if (code == FailureCode::temporary_channel_failure) {
        knowledge->learn_failure(next.scid, reporter.node, next.amount_msat);
    } else if (is_permanent(code) || code == FailureCode::channel_disabled) {
        knowledge->exclude_channel(next.scid);
    }
    // Policy failures (fee_insufficient, incorrect_cltv_expiry, ...) carry a channel_update;
    // applying it to the graph is the node actor's job.
}

std::optional<ShortChannelId> ldk_blamed_channel(const Route& route, int failing_hop,
                                                 FailureCode code) {
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
    if (is_permanent(code) || carries_update(code)) {
        return route.hops[hop + 1].scid;  // failing_route_hop: the next hop's channel
    }
    return route.hops[hop].scid;  // an unknown code from a forwarder: NodeFailure
}

}  // namespace actors::lightning
