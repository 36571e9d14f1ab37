// Router: route construction (amounts and expiries computed backwards from the payee, BOLT 7)
// and a deterministic pathfinder over one node's graph view and liquidity knowledge.
//
// The pathfinder is a Dijkstra from the payee towards the payer (as LND and LDK do, because a
// hop's amount depends on everything downstream). Labels are compared by (amount needed,
// total CLTV, hop count, node index), so equal-cost alternatives resolve the same way every
// run. Limits (max fee, cltv_limit, liquidity, htlc min/max, hop count) prune while searching.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/lightning/forwarding.h"
#include "actors/lightning/graph.h"
#include "actors/lightning/invoice.h"
#include "actors/lightning/policy.h"
#include "actors/lightning/profile.h"
#include "actors/lightning/result.h"

namespace actors::lightning {

// One channel of a path, with the policy `from` publishes for it.
struct PathEdge {
    ShortChannelId scid;
    NodeIndex from = k_no_node;
    NodeIndex to = k_no_node;
    ChannelPolicy policy;
};

// The HTLC on one edge of a route. hops[i] is the HTLC offered over path edge i and received
// by `node`; `fee_msat` is what `node` keeps for forwarding over edge i + 1 (0 at the payee).
struct RouteHop {
    NodeIndex node = k_no_node;
    ShortChannelId scid;
    uint64_t amount_msat = 0;
    uint32_t cltv_expiry = 0;
    uint64_t fee_msat = 0;
    uint32_t cltv_delta = 0;  // delta `node` subtracts (its outgoing channel's), 0 at payee
};

struct Route {
    std::vector<RouteHop> hops;
    uint32_t start_height = 0;       // height the sender counted expiries from
    uint64_t amount_msat = 0;        // delivered to the payee
    uint64_t total_amount_msat = 0;  // first HTLC's amount
    uint64_t total_fee_msat = 0;
    uint32_t total_cltv_delta = 0;   // first HTLC's expiry - start_height
    uint32_t first_expiry() const { return hops.front().cltv_expiry; }
};

// Builds the per-hop values backwards (reference §2.1): the payee gets `amount_msat` at
// `start_height + final_cltv_delta`; each earlier hop adds the fee and delta of the channel
// the next node forwards over. The first edge's policy is never used (the sender's own channel).
Route build_route(const std::vector<PathEdge>& path, uint64_t amount_msat, uint32_t start_height,
                  uint32_t final_cltv_delta);

// The sender's default maximum fee for `amount_msat` under its profile.
uint64_t default_max_fee_msat(const Profile& sender, uint64_t amount_msat);

struct PaymentRequest {
    NodeIndex source = k_no_node;
    NodeIndex target = k_no_node;
    uint64_t amount_msat = 0;
    // The invoice's `c` (the caller applies the "absent means assumed" rule, or uses
    // payment_request_from_invoice below).
    uint32_t final_cltv_delta = k_bolt11_default_final_cltv_delta;
    // A shadow-route offset the caller drew (BOLT 7 recommends one); added to the final delta.
    uint32_t shadow_cltv_offset = 0;
    std::optional<uint64_t> max_fee_msat;  // empty: profile default
    std::optional<uint32_t> cltv_limit;    // empty: profile default; 0 is LND's "unset"
    std::vector<RouteHint> route_hints;
    uint32_t tip = 0;       // sender's best height
    uint32_t max_hops = 20;  // onion payload limit; the sender's max_path_length caps it
    // What this payment's own failures taught, read on top of the node's knowledge (its
    // exclusions and bounds apply too); null: none. LDK's previously_failed_channels, CLN
    // pay's per-payment excluded nodes with the node's channel hints, updated in place before
    // each route computation (inference, see cln_channel_hints.h; learn_from_failure,
    // ClnChannelHints::update and project).
    const LiquidityKnowledge* payment_knowledge = nullptr;
};

PaymentRequest payment_request_from_invoice(const Profile& sender, NodeIndex source,
                                            const Invoice& invoice, uint32_t tip);

// The bound the search puts on Σδ + final delta + padding: the cltv_limit after defaults and
// quirks, less the profile's route_cltv_reserve when limit - final leaves room for it (LDK).
// Fails for LND and LDK when the limit does not exceed the final delta plus padding
// ("cltv limit L should be greater than F").
Result<uint32_t> effective_cltv_limit(const Profile& sender, const PaymentRequest& request);

// Finds the cheapest route within every limit, or an error saying which limit stopped it.
Result<Route> find_route(const Graph& graph, const LiquidityKnowledge& knowledge,
                         const Profile& sender, const PaymentRequest& request);
// The same over a node's gossip view.
Result<Route> find_route(const GraphView& graph, const LiquidityKnowledge& knowledge,
                         const Profile& sender, const PaymentRequest& request);

// What one failed attempt teaches the sender, per its Profile::failure_memory (route_rules.cc
// says what each implementation does, with sources): `node` is the node's knowledge, shared by
// its payments; `payment` is this payment's own memory, read only by its later attempts.
// `failing_hop` indexes route.hops (-1: the sender's own first hop refused it); `has_update`:
// the failure carried a channel_update; `now` dates what expires. Every channel before the
// reporting node carried the HTLC (a success bound in `node`).
struct FailureReport {
    int failing_hop = -1;
    FailureCode code = FailureCode::temporary_channel_failure;
    bool has_update = false;
};
void learn_from_failure(const Profile& sender_profile, LiquidityKnowledge* node,
                        LiquidityKnowledge* payment, const Route& route, NodeIndex sender,
                        const FailureReport& failure, sim::SimTime now);

// What a forwarder's failure does to CLN pay's channel hints (libplugin-pay.c
// handle_intermediate_failure; kept by the node, ClnChannelHints): permanent_channel_failure,
// channel_disabled, unknown_next_peer disable the outgoing channel's direction;
// temporary_channel_failure sets its estimate to the amount - 1 msat (payment_route_check then
// refuses an amount >= the estimate, so at most amount - 2 msat passes). Nothing for any other
// code, or a failure from the sender or the payee.
struct ClnHintUpdate {
    ShortChannelId scid;
    NodeIndex from = k_no_node;
    bool enabled = false;
    uint64_t estimate_msat = 0;
};
std::optional<ClnHintUpdate> cln_hint_update(const Route& route, NodeIndex sender,
                                             const FailureReport& failure);

// The channel LDK blames for a failure `route.hops[failing_hop].node` reported (-1: the sender's
// own first hop refused it), as onion_utils.rs process_onion_failure sets short_channel_id:
// PERM failures and UPDATE failures that carry their channel_update blame the channel out of a
// forwarding node; NODE failures, codes with no flag and an UPDATE failure without its update
// blame the channel into it; the first hop for a local refusal (outbound_payment.rs
// push_path_failed_evs_and_scids). Empty for a failure from the payee.
std::optional<ShortChannelId> ldk_blamed_channel(const Route& route, int failing_hop,
                                                 FailureCode code, bool has_update = true);

}  // namespace actors::lightning
