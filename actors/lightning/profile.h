// Profile: every default and threshold that distinguishes one Lightning implementation (LDK,
// LND, CLN mainnet, CLN regtest) in the model, with the source of each value.
//
// A node carries a Profile; a channel may carry its own copy with overrides applied. The rule
// functions (forwarding.h, router.h) take a Profile and never branch on the implementation
// name, so a scenario can build a hybrid ("LND with LDK's claim buffer") by overriding fields.
// Sources are the snapshots listed in /work/shared/reference/chain-and-lightning.md §4 and §1.6.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/lightning/result.h"
#include "sim/time.h"

namespace actors::lightning {

enum class Implementation : uint8_t { ldk, lnd, cln };

const char* to_string(Implementation impl);

// How the sender's maximum routing fee is derived when the caller gives none.
// How a payer's search treats a route hint hop whose two nodes its graph also joins.
enum class HintGraphMerge : uint8_t {
    // The hint's edge is added beside the graph's and the search takes the cheaper. CLN (the
    // model's rule; upstream's routehints modifier stitches the hint hop with the hint's fees
    // after a getroute to the hint's entry node, so CLN never skips a hint the way this rule
    // can: not modelled, docs/lightning.md).
    cheaper,
    // Only a hint over a channel the graph holds: routed with the graph's edge and policy, not
    // the hint's (LDK router.rs get_route: PublicHop when network_channels knows the scid
    // directed to the target, PrivateHop with the hint's fees otherwise).
    graph,
    // One edge for the node pair with the dearest policy among the hint and the graph's
    // channels (the highest fee on the amount, the largest cltv_expiry_delta): LND
    // routing/pathfind.go findPath adds graph policies and hop hints for a pivot to one
    // nodeEdgeUnifier, and unified_edges.go getEdgeNetwork keeps, for a hop not from the
    // sender, the policy with the highest fee and the maximum TimeLockDelta.
    dearer,
};

enum class DefaultFeeLimit : uint8_t {
    ldk_one_percent_plus_50_sat,   // amount/100 + 50 000 msat (LDK max_total_routing_fee_msat)
    lnd_full_below_1000_sat_else_5_percent,  // lnwallet DefaultRoutingFeeLimitForAmount
    cln_half_percent_exempt_5000,  // pay plugin: maxfeepercent 0.5, exemptfee 5000 msat
};

// How a node sets the max_htlc_value_in_flight_msat it sends in open_channel / accept_channel:
// the most its peer may have in HTLCs offered to it at once (BOLT 2).
enum class MaxInFlightRule : uint8_t {
    // LDK channel.rs get_holder_max_htlc_value_in_flight_msat: capacity_sat * 10 * percent,
    // the percent from ChannelHandshakeConfig (announced / unannounced channel).
    percent_of_capacity,
    // LND server.go RequiredRemoteMaxValue: capacity minus its 1 % reserve (capacity / 100
    // in whole sat).
    capacity_minus_reserve,
    // CLN lightningd channel_config: max_htlc_value_in_flight = AMOUNT_MSAT(UINT64_MAX).
    unlimited,
};

// What a node puts in its channel_update's htlc_maximum_msat by default, for HTLCs it sends
// over the channel. BOLT 7 bounds it by the capacity and by the max_htlc_value_in_flight_msat
// the peer set (the peer's limit on what this node may have in flight towards it); each
// implementation also applies a bound of its own.
enum class AnnouncedHtlcMaxRule : uint8_t {
    // LDK channel.rs FundedChannel::get_announced_htlc_max_msat: min(capacity_sat * 1000 * 9
    // / 10, counterparty_max_htlc_value_in_flight_msat), the latter capped at the capacity
    // when the peer's open/accept arrives (do_accept_channel_checks). "A bit less than full
    // capacity to prevent attempts to use full capacity" (its comment).
    ninety_percent_of_capacity,
    // LND funding/manager.go extractAnnounceParams: fwdMaxHTLC = LocalChanCfg.MaxPendingAmount
    // (the peer's max_htlc_value_in_flight, CommitConstraints), capped at the capacity; the
    // initial forwarding policy (ensureInitialForwardingPolicy) takes the same MaxPendingAmount.
    // That a later policy update keeps it unless one is given is inference, not checked.
    capacity,
    // CLN lightningd/channel.c htlc_max_possible_send: min(funding - their_config
    // channel_reserve (the reserve the peer requires of this node), their max_htlc_value_in_
    // flight); new_channel takes the smaller of that and the htlc-maximum-msat option, which
    // defaults to no limit (options.c: AMOUNT_MSAT(-1ULL)).
    capacity_less_own_reserve,
};

// When a node takes an invoice as expired. BOLT 11 gives the creation `timestamp` and the
// expiry `x` in whole seconds; the implementations compare them differently.
enum class InvoiceExpiryRule : uint8_t {
    // now > timestamp + x with now at full precision: LND's payer (lnrpc ValidatePayReqExpiry,
    // time.Now().After(validUntil)); LDK's payer (outbound_payment.rs has_expired,
    // UNIX_EPOCH.elapsed() > Duration::from_secs(expiry_time)).
    after_ns,
    // floor(now) > timestamp + x: CLN's payer (plugins/pay.c, time_now().ts.tv_sec > invexpiry).
    after_whole_seconds,
    // floor(now) >= timestamp + x: CLN's payee (wallet/invoices.c trigger_expiration marks
    // UNPAID invoices with expiry_time <= now as EXPIRED).
    at_or_after_whole_seconds,
    // now > the creation instant (ns) + x: LND's payee (invoices InvoiceExpiryWatcher cancels
    // once Expiry.Before(now), Expiry = CreationDate + x, CreationDate at full precision).
    after_creation_ns,
    // LDK's payee: inbound_payment::verify fails once `expiry < highest_seen_timestamp`, where
    // create_inbound_payment stored expiry = highest_seen_timestamp + x + 7200
    // (calculate_absolute_expiry): block header times, not the wall clock, with two hours of
    // grace.
    block_time_with_grace,
};

// What a failed payment attempt teaches the payer and for how long (learn_from_failure,
// route_rules.cc, has the rules and their sources).
enum class FailureMemory : uint8_t {
    // LDK: permanent failures change the graph for good (gossip.rs handle_network_update acts
    // on is_permanent only: channel_failed_permanent / node_failed_permanent); everything else
    // only keeps the blamed channel out of the payment's later attempts
    // (previously_failed_channels). The ProbabilisticScorer is not modelled.
    ldk_permanent_to_graph,
    // LND mission control: shared by every payment of the node, a failed pair unusable for the
    // window the shortest route over it stays below the pathfinding threshold
    // (Profile::pair_penalty_window, node_penalty_window).
    lnd_mission_control,
    // CLN pay (libplugin-pay.c, channel_hint.c): channel hints kept by the node across
    // payments, relaxed in place before each route computation (inference, see
    // cln_channel_hints.h; ClnChannelHints: steps at
    // least 60 s apart, a disabled direction re-enabled by a step of more than 60 s, the
    // estimate refilled linearly over 2 h); excluded nodes on the root payment, for that
    // payment only.
    cln_channel_hints,
};

struct Profile {
    std::string name;
    Implementation implementation = Implementation::lnd;

    // --- Forwarding policy defaults (what the node publishes for its channels) ----------------
    uint32_t cltv_expiry_delta = 0;
    uint32_t cltv_expiry_delta_min = 0;  // smallest delta the implementation lets a user set
    uint64_t fee_base_msat = 0;
    uint32_t fee_ppm = 0;
    uint64_t htlc_minimum_msat = 0;

    // --- Channel parameters -----------------------------------------------------------------
    // What this node requires of its peer (BOLT 2 open_channel / accept_channel fields).
    // The peer's channel_reserve: max(the network's proportional reserve, reserve_min_sat),
    // at most the capacity. LDK get_holder_selected_channel_reserve_satoshis: 1 % with
    // MIN_THEIR_CHAN_RESERVE_SATOSHIS = 1000; LND and CLN raise it to the dust limit, which
    // the model does not keep (0 here).
    uint64_t reserve_min_sat = 0;
    MaxInFlightRule max_in_flight = MaxInFlightRule::unlimited;
    uint32_t max_in_flight_percent_announced = 100;    // percent_of_capacity only
    uint32_t max_in_flight_percent_unannounced = 100;  // percent_of_capacity only
    // The htlc_maximum_msat this node announces for its direction of a new channel.
    AnnouncedHtlcMaxRule announced_htlc_max = AnnouncedHtlcMaxRule::capacity;
    uint32_t max_accepted_htlcs = 0;
    uint32_t funding_confirmations = 0;
    uint32_t to_self_delay = 0;

    // --- Receiving (final hop) ---------------------------------------------------------------
    // Default `c` this node writes into its invoices.
    uint32_t min_final_cltv_expiry_delta = 0;
    // Blocks added to a user-chosen `c` before it goes into the invoice (LDK adds 3).
    uint32_t invoice_final_cltv_padding = 0;
    // A user-chosen `c` whose value + invoice_final_cltv_padding is below this is refused and
    // no invoice is made (LDK: MIN_FINAL_CLTV_EXPIRY_DELTA = 42, CreationError::
    // MinFinalCltvExpiryDeltaTooShort). 0: no floor (LND's and CLN's floors are not modelled).
    uint32_t min_padded_user_final_cltv_delta = 0;
    // Final HTLC fails with incorrect_or_unknown_payment_details if
    // `cltv_expiry < tip + final_reject_delta`. Empty: use min_final_cltv_expiry_delta of the
    // node's own config (CLN checks its config `cltv_final`, not the invoice).
    std::optional<uint32_t> final_reject_delta;
    // Whether the payee also requires `cltv_expiry >= tip + d` for the delta d it stored when
    // it made the invoice (Invoice::payee_final_check_delta): the user's raw value when one
    // was given (LDK: without invoice_final_cltv_padding), else min_final_cltv_expiry_delta
    // when final_checks_default_invoice_delta. CLN checks neither.
    bool final_checks_invoice_delta = true;
    // Whether an invoice made with the default `c` is checked against it. LDK: no, its
    // create_inbound_payment gets None and only the fixed final_reject_delta applies.
    bool final_checks_default_invoice_delta = true;

    // How this node reads an invoice's expiry as payee (an HTLC for an expired invoice is
    // refused) and as payer (an expired invoice is not paid).
    InvoiceExpiryRule payee_invoice_expiry = InvoiceExpiryRule::after_ns;
    InvoiceExpiryRule payer_invoice_expiry = InvoiceExpiryRule::after_ns;

    // --- Forwarding checks --------------------------------------------------------------------
    // Whether a forward above the outgoing channel's own htlc_maximum_msat fails with
    // temporary_channel_failure. LND htlcswitch/link.go canSendHtlc (`policy.MaxHTLC != 0 &&
    // amt > policy.MaxHTLC`) and CLN lightningd/peer_htlcs.c forward_htlc
    // (`amount_msat_greater(amt_to_forward, next->htlc_maximum_msat)`) check it; LDK does not:
    // channelmanager.rs's forward checks test the counterparty's htlc_minimum, the fee and the
    // CLTV delta only, and channel.rs send_htlc refuses only above next_outbound_htlc_limit_msat
    // (the balance / in-flight room, checked here as `available`).
    bool forward_checks_own_htlc_maximum = true;
    // Height the forwarding checks count from: tip + forward_height_offset (LDK uses tip + 1).
    uint32_t forward_height_offset = 0;
    // expiry_too_soon if the incoming expiry <= ref + this (LDK HTLC_FAIL_BACK_BUFFER 39).
    std::optional<uint32_t> incoming_too_soon_margin;
    // expiry_too_soon if the outgoing expiry <= ref + this (LDK 3, LND 3, CLN 0).
    uint32_t outgoing_too_soon_margin = 0;
    // expiry_too_far if the checked expiry > ref + max_htlc_cltv; LDK checks the incoming
    // expiry, LND and CLN the outgoing one.
    uint32_t max_htlc_cltv = 2016;
    bool too_far_checks_incoming = false;

    // --- Going on-chain and failing back ---------------------------------------------------------
    // Offered HTLC unresolved: force-close at tip >= expiry + offered_grace (BOLT 2 `G`).
    uint32_t offered_grace = 0;
    // Received HTLC with preimage: force-close at tip >= expiry - claim_buffer. Empty: CLN's
    // rule, (cltv_expiry_delta + 1) / 2 of the node's configured delta.
    std::optional<uint32_t> claim_buffer;
    // Once the outgoing channel is on-chain, give up the incoming HTLC (fail it upstream) at
    // tip >= incoming_expiry - margin, even before the on-chain timeout resolves. Empty: never.
    std::optional<uint32_t> early_fail_back_margin;
    // Confirmations the HTLC-timeout tx needs before the incoming HTLC is failed back.
    uint32_t fail_back_confirmations = 1;
    // An HTLC held for an interceptor / hold invoice / MPP set is failed back automatically at
    // tip >= incoming_expiry - margin. Empty: held forever (CLN's htlc_accepted hook).
    std::optional<uint32_t> held_htlc_fail_margin;
    // An intercepted HTLC (held for an interceptor) is instead failed at tip >= OUTGOING expiry
    // (the onion's outgoing_cltv_value) - margin, with temporary_node_failure; false: incoming
    // expiry - margin, with temporary_channel_failure (LND's interceptable_switch).
    bool intercept_fails_on_outgoing_expiry = false;

    // --- Sending -------------------------------------------------------------------------------
    // The height the sender counts expiries from: tip + send_height_offset (LDK tip + 1).
    uint32_t send_height_offset = 0;
    // Extra blocks added to the payee's final CLTV delta (LND BlockPadding 3).
    uint32_t final_cltv_padding = 0;
    // Final delta assumed when an invoice carries no `c`.
    uint32_t assumed_final_cltv_delta = 18;
    // Default maximum total CLTV (Σ hop deltas + final delta + padding) for a payment.
    uint32_t default_cltv_limit = 2016;
    // LND: a cltv_limit of 0 means "no limit", i.e. default_cltv_limit.
    bool cltv_limit_zero_means_default = false;
    // A failure's channel_update for a channel the payer's graph lacks (a private channel from
    // a route hint) is applied to the invoice's hint edge for the payment's later attempts
    // (LND routing/payment_session.go UpdateAdditionalEdge). False: not applied there.
    bool failure_updates_hint_edges = false;
    // A failure's channel_update is applied to the payer's graph (BOLT 4). False: LDK, whose
    // onion_utils.rs process_onion_failure turns every UPDATE failure into
    // NetworkUpdate::ChannelFailure { is_permanent: false } and never reads the update.
    bool failure_updates_graph = true;
    // The channel a failure blames is left out of the payment's later attempts: LDK's
    // PaymentParameters::previously_failed_channels (outbound_payment.rs fail_htlc pushes the
    // short_channel_id process_onion_failure blames; router.rs get_route skips every candidate
    // in it, a route hint's private hop included). See ldk_blamed_channel (router.h).
    bool excludes_blamed_channel_for_payment = false;
    // What a failed attempt teaches and for how long (see FailureMemory).
    FailureMemory failure_memory = FailureMemory::lnd_mission_control;
    // lnd_mission_control: how long the shortest route over a failed pair (the payer's own
    // channel, then the pair) stays below the pathfinding threshold, for a pair failure
    // (temporary_channel_failure, permanent_channel_failure, unknown_next_peer) and for the
    // reporting node's side of a node failure: the history-free case, not a bound (longer
    // routes stay out longer, earlier successes shorten it). Inference from LND's defaults,
    // with the arithmetic in profile.cc.
    // (182.25 s and 271.04 s, rounded up to the nanosecond.)
    sim::SimDuration pair_penalty_window = sim::SimDuration::nanos(182'253'863'052);
    sim::SimDuration node_penalty_window = sim::SimDuration::nanos(271'037'258'296);
    // Whether the payer re-checks the invoice's expiry before every retry, not only before the
    // first attempt (LDK outbound_payment.rs find_route_and_send_payment: has_expired, "Payment
    // params expired on retry", abandon with PaymentFailureReason::PaymentExpired).
    bool rechecks_invoice_expiry_per_attempt = false;
    // Most attempts one payment makes whatever the caller's PayLimits::max_attempts allows:
    // CLN's pay plugin (plugins/libplugin-pay.c) gives a root payment 10 retries
    // (retry_data_init: retries = 10, each retry's subpayment parent - 1) and retry_step_cb
    // retries only while retries > 0 and before the deadline (retry_for): 11 attempts.
    // UINT32_MAX: no cap of the implementation's own (LND, LDK here).
    uint32_t max_pay_attempts = UINT32_MAX;
    // How a route hint's hop meets graph channels between the same two nodes.
    HintGraphMerge hint_graph_merge = HintGraphMerge::cheaper;
    // Refuse to route at all unless cltv_limit > final delta + padding: LND ("cltv limit L
    // should be greater than F") and LDK (get_route: "Can't find a route where the maximum
    // total CLTV expiry delta is below the final CLTV expiry").
    bool cltv_limit_must_exceed_final = false;
    // Blocks the route search keeps free below the cltv_limit (LDK reserves
    // 2 * MEDIAN_HOP_CLTV_EXPIRY_DELTA = 80 for the shadow offset it adds later): the path's
    // Σδ may use (limit - final) - reserve, or all of limit - final when that is below the
    // reserve (LDK's checked_sub(..).unwrap_or(..)).
    uint32_t route_cltv_reserve = 0;
    // Most channels a route may use: BOLT 4's 20 hops of the fixed-size onion, or LDK's
    // MAX_PATH_LENGTH_ESTIMATE, 19 (PaymentParameters::max_path_length's default: the 1,300-byte
    // onion holds (1300 - 93) / 61 = 19.78 hops, rounded down for payment metadata).
    uint32_t max_path_length = 20;
    DefaultFeeLimit default_fee_limit = DefaultFeeLimit::lnd_full_below_1000_sat_else_5_percent;

    // Derived values (resolve the "empty means derived" fields above).
    uint32_t effective_final_reject_delta() const;
    uint32_t effective_claim_buffer() const;
};

// The channel_reserve `chooser` requires of its peer on a channel of `capacity_sat`, with the
// network's proportional rate `reserve_permille`: whole sat, as the implementations compute it.
uint64_t required_reserve_msat(const Profile& chooser, uint64_t capacity_sat,
                               uint32_t reserve_permille);

// The max_htlc_value_in_flight_msat `receiver` sets on a channel of `capacity_sat`: the most its
// peer may have in HTLCs offered to it at once. UINT64_MAX when unlimited.
uint64_t max_htlc_value_in_flight_msat(const Profile& receiver, uint64_t capacity_sat,
                                       bool announced);

// The htlc_maximum_msat `announcer` puts in its channel_update for a new channel of
// `capacity_sat` (its AnnouncedHtlcMaxRule): `own_reserve_msat` is the reserve its peer requires
// of it, `peer_max_in_flight_msat` the peer's max_htlc_value_in_flight_msat (UINT64_MAX when
// unlimited). Never above the capacity.
uint64_t announced_htlc_maximum_msat(const Profile& announcer, uint64_t capacity_sat,
                                     uint64_t own_reserve_msat, uint64_t peer_max_in_flight_msat);

// The built-in profiles.
Profile ldk_profile();
Profile lnd_profile();
Profile cln_profile();
Profile cln_regtest_profile();

// Names accepted by profile_by_name, in a stable order.
std::vector<std::string> profile_names();

// "ldk", "lnd", "cln", "cln-regtest"; any other name is an error naming the known ones.
Result<Profile> profile_by_name(std::string_view name);

// Per-node or per-channel overrides; every set field replaces the profile's value.
struct ProfileOverrides {
    std::optional<uint32_t> cltv_expiry_delta;
    std::optional<uint64_t> fee_base_msat;
    std::optional<uint32_t> fee_ppm;
    std::optional<uint64_t> htlc_minimum_msat;
    std::optional<uint32_t> max_accepted_htlcs;
    std::optional<uint32_t> funding_confirmations;
    std::optional<uint32_t> to_self_delay;
    std::optional<uint32_t> min_final_cltv_expiry_delta;
    std::optional<uint32_t> final_reject_delta;
    std::optional<uint32_t> incoming_too_soon_margin;
    std::optional<uint32_t> outgoing_too_soon_margin;
    std::optional<uint32_t> max_htlc_cltv;
    std::optional<uint32_t> offered_grace;
    std::optional<uint32_t> claim_buffer;
    std::optional<uint32_t> early_fail_back_margin;
    std::optional<uint32_t> fail_back_confirmations;
    std::optional<uint32_t> held_htlc_fail_margin;
    std::optional<uint32_t> final_cltv_padding;
    std::optional<uint32_t> default_cltv_limit;
};

// Applies the overrides. Fails (naming the field) when the result breaks an implementation
// limit: a cltv_expiry_delta below the profile's minimum, max_accepted_htlcs above 483
// (BOLT 2), or zero funding confirmations.
Result<Profile> apply_overrides(const Profile& base, const ProfileOverrides& overrides);

}  // namespace actors::lightning
