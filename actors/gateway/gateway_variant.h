// Historical gateway/client bugs as named variants (off by default). A scenario switches one on
// with the gateway world's "variant" parameter; tests switch one on through the knobs below.
// Each is the pre-fix behaviour of upstream code, with everything else unchanged.
//
//   timelock_ignores_min_final  fedimint#6241, fixed by #6309. The client's LNv1 outgoing
//       timelock was C0 + 500 - 1, ignoring the invoice's min_final_cltv_expiry_delta, so the
//       gateway's budget max_delay = timelock - (C - 1) - 10 was about 490 whatever the invoice
//       needed; an invoice with min_final 650 made LND refuse ("cltv limit 490 should be
//       greater than 653") and the payment was cancelled. Knob: the client's
//       ClientTimelockOptions::ignore_min_final_cltv.
//   lnd_zero_cltv_limit  the early LND gateway client (fedimint-gw-client pay.rs comment; an
//       early lnd.rs hard-coded `cltv_limit: 0`). Without the `> 0` filter a budget of exactly
//       0 was dispatched as cltv_limit 0, which LND reads as "unset" and replaces with
//       --max-cltv-expiry (2016), so the HTLC can outlive the contract's timelock and the
//       gateway pays after the user refunded. Knob: PayRuleOptions::allow_zero_max_delay. The
//       Lightning model treats 0 as unset for LND in every case (LND's real behaviour).
//   pays_expired_invoice  fedimint#2627, fixed by #2830. validate_outgoing_account did not
//       check the invoice's wall-clock expiry, so an invoice that expired between the client's
//       funding and the gateway picking the contract up was handed to the Lightning node (whose
//       own clock may say otherwise) instead of being cancelled at once. Knob:
//       PayRuleOptions::skip_invoice_expiry_check.
//   stop_deadlock  fedimint#8990. handle_shutdown_msg held the state write lock while it waited
//       for in-flight payments, and set_gateway_state let the Lightning reconnect loop flip
//       ShuttingDown back to Running. A payment that needs the Lightning context to finish
//       (complete_htlc loops on get_lightning_context, a read of that lock) then blocks
//       forever: /stop never returns, the HTLC expires and the gateway has paid the federation
//       for a preimage it cannot use. The fix released the lock before draining and made
//       ShuttingDown terminal. Knob: GatewayConfig::stop_deadlock.
//   lnd_hint_node1_policy  fedimint#8928 (merged 2026-07-31): before it, fedimint's
//       gateway/fedimint-lightning/src/lnd.rs `routehints` took get_chan_info(chan_id)
//       .node1_policy for each hint, whichever side node 1 (the lesser key) is. An LND gateway
//       that is node 1 of a channel advertised its own outgoing fee and CLTV delta for its
//       peer's hop into it; a payer whose hint under-states the peer's fee gets
//       fee_insufficient there, and only an LND payer retries with the update
//       (hint_failure_test.cc). The fix takes node1_policy when node1_pub is the remote peer,
//       else node2_policy. The same code also dropped the hint when node1_policy was absent;
//       not modelled: every channel side in the model always has a policy.
//       Knob: GatewayConfig::lnd_hints_node1_policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/federation/contracts.h"
#include "actors/gateway/gateway_rules.h"

namespace actors::gateway {

enum class GatewayVariant {
    none,
    timelock_ignores_min_final,
    lnd_zero_cltv_limit,
    pays_expired_invoice,
    stop_deadlock,
    lnd_hint_node1_policy,
};

std::string_view to_string(GatewayVariant variant);
// "issue: what went wrong", one line for listings.
std::string_view describe(GatewayVariant variant);
std::optional<GatewayVariant> parse_gateway_variant(std::string_view name);
// Every variant but `none`, in the order of fedimint.md section 5.
const std::vector<GatewayVariant>& gateway_variants();

// The knobs a variant turns on; `none` leaves every one at its fixed default.
struct VariantKnobs {
    PayRuleOptions rules;                             // gateway pay rules
    bool stop_deadlock = false;                       // gateway /stop
    bool lnd_hints_node1_policy = false;              // gateway route hints (LND)
    federation::ClientTimelockOptions client_timelock;  // client's outgoing timelock
};

VariantKnobs knobs_for(GatewayVariant variant);

}  // namespace actors::gateway
