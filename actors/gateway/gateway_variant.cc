// Gateway variant names and knobs (see gateway_variant.h).
#include "actors/gateway/gateway_variant.h"

#include "sim/assert.h"

namespace actors::gateway {

std::string_view to_string(GatewayVariant variant) {
    switch (variant) {
        case GatewayVariant::none:
            return "none";
        case GatewayVariant::timelock_ignores_min_final:
            return "timelock_ignores_min_final";
        case GatewayVariant::lnd_zero_cltv_limit:
            return "lnd_zero_cltv_limit";
        case GatewayVariant::pays_expired_invoice:
            return "pays_expired_invoice";
        case GatewayVariant::stop_deadlock:
            return "stop_deadlock";
        case GatewayVariant::lnd_hint_node1_policy:
            return "lnd_hint_node1_policy";
    }
    SIM_UNREACHABLE("unknown GatewayVariant");
}

std::string_view describe(GatewayVariant variant) {
    switch (variant) {
        case GatewayVariant::none:
            return "the fixed gateway and client";
        case GatewayVariant::timelock_ignores_min_final:
            return "fedimint#6241 (fixed by #6309): the client's timelock ignores the invoice's "
                   "min_final_cltv_expiry_delta, leaving the gateway a budget of about 490";
        case GatewayVariant::lnd_zero_cltv_limit:
            return "early LND gateway client: a budget of 0 is dispatched as cltv_limit 0, which "
                   "LND reads as unset (2016), so the HTLC can outlive the contract";
        case GatewayVariant::pays_expired_invoice:
            return "fedimint#2627 (fixed by #2830): the gateway does not check the invoice's "
                   "wall-clock expiry before handing it to its Lightning node";
        case GatewayVariant::stop_deadlock:
            return "fedimint#8990: /stop holds the state write lock while draining and a "
                   "reconnect flips ShuttingDown back to Running";
        case GatewayVariant::lnd_hint_node1_policy:
            return "fedimint#8928: an LND gateway's hint takes node1_policy, its own "
                   "outgoing fee when it is node 1, not its peer's";
    }
    SIM_UNREACHABLE("unknown GatewayVariant");
}

const std::vector<GatewayVariant>& gateway_variants() {
    static const std::vector<GatewayVariant> all = {
        GatewayVariant::timelock_ignores_min_final, GatewayVariant::lnd_zero_cltv_limit,
        GatewayVariant::pays_expired_invoice, GatewayVariant::stop_deadlock,
        GatewayVariant::lnd_hint_node1_policy};
    return all;
}

std::optional<GatewayVariant> parse_gateway_variant(std::string_view name) {
    if (name == "none") {
        return GatewayVariant::none;
    }
    for (GatewayVariant v : gateway_variants()) {
        if (to_string(v) == name) {
            return v;
        }
    }
    return std::nullopt;
}

VariantKnobs knobs_for(GatewayVariant variant) {
    VariantKnobs k;
    k.rules.allow_zero_max_delay = variant == GatewayVariant::lnd_zero_cltv_limit;
    k.rules.skip_invoice_expiry_check = variant == GatewayVariant::pays_expired_invoice;
    k.stop_deadlock = variant == GatewayVariant::stop_deadlock;
    k.lnd_hints_node1_policy = variant == GatewayVariant::lnd_hint_node1_policy;
    k.client_timelock.ignore_min_final_cltv = variant == GatewayVariant::timelock_ignores_min_final;
    return k;
}

}  // namespace actors::gateway
