// The built-in implementation profiles and the override mechanism.
//
// Every number below carries its source. "ref §x" points into
// /work/shared/reference/chain-and-lightning.md; "(inference)" marks values the reference
// derives rather than quotes.
#include "actors/lightning/profile.h"

#include <algorithm>
#include <limits>

namespace actors::lightning {

const char* to_string(Implementation impl) {
    switch (impl) {
        case Implementation::ldk:
            return "ldk";
        case Implementation::lnd:
            return "lnd";
        case Implementation::cln:
            return "cln";
    }
    return "?";
}

uint32_t Profile::effective_final_reject_delta() const {
    return final_reject_delta.has_value() ? *final_reject_delta : min_final_cltv_expiry_delta;
}

uint32_t Profile::effective_claim_buffer() const {
    // CLN htlc_in_deadline: half the node's delta, rounded up (lightningd/peer_htlcs.c).
    return claim_buffer.has_value() ? *claim_buffer : (cltv_expiry_delta + 1) / 2;
}

uint64_t required_reserve_msat(const Profile& chooser, uint64_t capacity_sat,
                               uint32_t reserve_permille) {
    const uint64_t proportional = capacity_sat * reserve_permille / 1000;
    return std::min(capacity_sat, std::max(proportional, chooser.reserve_min_sat)) * 1000;
}

uint64_t max_htlc_value_in_flight_msat(const Profile& receiver, uint64_t capacity_sat,
                                       bool announced) {
    switch (receiver.max_in_flight) {
        case MaxInFlightRule::percent_of_capacity: {
            const uint32_t pct = announced ? receiver.max_in_flight_percent_announced
                                           : receiver.max_in_flight_percent_unannounced;
            // LDK clamps the configured percent to [1, 100].
            return capacity_sat * 10 * std::clamp<uint64_t>(pct, 1, 100);
        }
        case MaxInFlightRule::capacity_minus_reserve:
            return (capacity_sat - capacity_sat / 100) * 1000;
        case MaxInFlightRule::unlimited:
            return std::numeric_limits<uint64_t>::max();
    }
    return std::numeric_limits<uint64_t>::max();
}

uint64_t announced_htlc_maximum_msat(const Profile& announcer, uint64_t capacity_sat,
                                     uint64_t own_reserve_msat, uint64_t peer_max_in_flight_msat) {
    const uint64_t capacity_msat = capacity_sat * 1000;
    const uint64_t peer_limit = std::min(peer_max_in_flight_msat, capacity_msat);
    switch (announcer.announced_htlc_max) {
        case AnnouncedHtlcMaxRule::ninety_percent_of_capacity:
            // capacity_msat is a multiple of 1000, so / 10 * 9 is exact and, unlike * 9 / 10,
            // cannot wrap below the schema's largest capacity (2.1e15 sat = 2.1e18 msat).
            return std::min(capacity_msat / 10 * 9, peer_limit);
        case AnnouncedHtlcMaxRule::capacity:
            return peer_limit;
        case AnnouncedHtlcMaxRule::capacity_less_own_reserve:
            return std::min(capacity_msat - std::min(own_reserve_msat, capacity_msat), peer_limit);
    }
    return peer_limit;
}

Profile ldk_profile() {
    Profile p;
    p.name = "ldk";
    p.implementation = Implementation::ldk;
    // util/config.rs ChannelConfig defaults; MIN_CLTV_EXPIRY_DELTA = 48 (ref §4, §1.6).
    p.cltv_expiry_delta = 72;
    p.cltv_expiry_delta_min = 48;
    p.fee_base_msat = 1000;
    p.fee_ppm = 0;
    p.htlc_minimum_msat = 1;      // our_htlc_minimum_msat
    // channel.rs get_holder_selected_channel_reserve_satoshis: min(value, max(value *
    // their_channel_reserve_proportional_millionths (10 000) / 1e6, 1000 sat)).
    p.reserve_min_sat = 1000;     // MIN_THEIR_CHAN_RESERVE_SATOSHIS
    // ChannelHandshakeConfig defaults since rust-lightning PR #4529 (2026-04): 25 % of the
    // capacity for announced channels, 100 % for unannounced ones (10 % for both before).
    p.max_in_flight = MaxInFlightRule::percent_of_capacity;
    p.max_in_flight_percent_announced = 25;
    p.max_in_flight_percent_unannounced = 100;
    p.announced_htlc_max = AnnouncedHtlcMaxRule::ninety_percent_of_capacity;
    // A forward above that announced maximum is not refused (see the field): only a route
    // hint or a chosen route reaches it, as the payer's graph prunes on it.
    p.forward_checks_own_htlc_maximum = false;
    p.max_accepted_htlcs = 50;
    p.funding_confirmations = 6;  // minimum_depth
    p.to_self_delay = 144;        // BREAKDOWN_TIMEOUT
    // MIN_FINAL_CLTV_EXPIRY_DELTA = HTLC_FAIL_BACK_BUFFER + 3 = 42; a user value gets +3.
    p.min_final_cltv_expiry_delta = 42;
    p.invoice_final_cltv_padding = 3;
    // invoice_utils.rs / channelmanager.rs create_bolt11_invoice: refuses a user
    // min_final_cltv_expiry_delta with value.saturating_add(3) < MIN_FINAL_CLTV_EXPIRY_DELTA.
    p.min_padded_user_final_cltv_delta = 42;
    // onion_payment.rs create_recv_pending_htlc_info: PaymentClaimBuffer if cltv_expiry <=
    // tip + HTLC_FAIL_BACK_BUFFER + 1 = tip + 40, i.e. fails when cltv_expiry < tip + 41.
    // channelmanager.rs process_receive_htlcs then checks cltv_expiry < tip + d for the d
    // that create_bolt11_invoice stored: the raw user value (the invoice says d + 3), or
    // nothing when the invoice took the default MIN_FINAL_CLTV_EXPIRY_DELTA.
    p.final_reject_delta = 41;
    p.final_checks_invoice_delta = true;
    p.final_checks_default_invoice_delta = false;
    p.payee_invoice_expiry = InvoiceExpiryRule::block_time_with_grace;
    p.payer_invoice_expiry = InvoiceExpiryRule::after_ns;
    // check_incoming_htlc_cltv is called with cur_height = tip + 1 (ref §1.4).
    p.forward_height_offset = 1;
    p.incoming_too_soon_margin = 39;  // cltv_expiry <= cur_height + HTLC_FAIL_BACK_BUFFER
    p.outgoing_too_soon_margin = 3;   // outgoing_cltv_value <= cur_height + 3
    p.max_htlc_cltv = 2016;           // CLTV_FAR_FAR_AWAY, on the incoming expiry
    p.too_far_checks_incoming = true;
    // channelmonitor.rs should_broadcast_holder_commitment_txn (ref §1.6).
    p.offered_grace = 3;    // LATENCY_GRACE_PERIOD_BLOCKS
    p.claim_buffer = 36;    // CLTV_CLAIM_BUFFER
    // "Failing back HTLC upstream to preserve the channel": inbound_expiry <= height + 3.
    p.early_fail_back_margin = 3;
    p.fail_back_confirmations = 6;  // ANTI_REORG_DELAY
    p.held_htlc_fail_margin = 39;   // held HTLCs fail at height >= expiry - 39 (ref §1.4)
    // channelmanager.rs best_block_updated: pending_intercepted_htlcs.retain fails an
    // intercepted HTLC once height >= outgoing_cltv_value - HTLC_FAIL_BACK_BUFFER, with
    // 0x2000|2 (payment_tests.rs do_test_intercepted_payment, InterceptTest::Timeout).
    p.intercept_fails_on_outgoing_expiry = true;
    // outbound_payment.rs: cur_height = best_block_height + 1 (ref §2.1).
    p.send_height_offset = 1;
    p.final_cltv_padding = 0;  // the random shadow offset is not modelled here
    p.assumed_final_cltv_delta = 18;  // lightning-invoice DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA
    p.default_cltv_limit = 1008;      // DEFAULT_MAX_TOTAL_CLTV_EXPIRY_DELTA
    // router.rs get_route: refuses max_total_cltv_expiry_delta <= final_cltv_expiry_delta, and
    // lets the path's deltas use (max - final).checked_sub(2 * MEDIAN_HOP_CLTV_EXPIRY_DELTA).
    p.cltv_limit_must_exceed_final = true;
    p.route_cltv_reserve = 2 * 40;    // MEDIAN_HOP_CLTV_EXPIRY_DELTA = 40
    p.max_path_length = 19;           // MAX_PATH_LENGTH_ESTIMATE
    p.default_fee_limit = DefaultFeeLimit::ldk_one_percent_plus_50_sat;
    // onion_utils.rs process_onion_failure: an UPDATE failure from a forwarding node yields
    // NetworkUpdate::ChannelFailure { is_permanent: false } for the channel out of that node
    // and the same scid as short_channel_id; the carried channel_update is not read (LDK stopped
    // applying onion channel_updates, rust-lightning issue #3044). outbound_payment.rs fail_htlc
    // pushes the scid to previously_failed_channels, which get_route skips on the retry: a
    // stale route hint's only channel is not tried again and the retry finds no route
    // (find_route_and_send_payment abandons with PaymentFailureReason::RouteNotFound).
    p.failure_updates_graph = false;
    p.excludes_blamed_channel_for_payment = true;
    // onion_utils.rs process_onion_failure: NODE -> NodeFailure { is_permanent: PERM set };
    // PERM -> ChannelFailure { out channel, is_permanent: true }; UPDATE with its update ->
    // ChannelFailure { out channel, is_permanent: false }, without it -> NodeFailure
    // { is_permanent: true }; an unflagged code from a forwarder -> NodeFailure
    // { is_permanent: true }. gossip.rs handle_network_update removes the channel or node only
    // for is_permanent (for the rest of a run here; how long upstream then ignores its
    // re-announcement was not checked).
    p.failure_memory = FailureMemory::ldk_permanent_to_graph;
    p.rechecks_invoice_expiry_per_attempt = true;
    // router.rs get_route, route hints: network_channels.get(scid).as_directed_to(target)
    // makes a CandidateRouteHop::PublicHop with the graph's policy; only a channel the graph
    // lacks becomes a PrivateHop with the hint's fees.
    p.hint_graph_merge = HintGraphMerge::graph;
    return p;
}

Profile lnd_profile() {
    Profile p;
    p.name = "lnd";
    p.implementation = Implementation::lnd;
    // chainreg DefaultBitcoinTimeLockDelta = 80; routing.MinCLTVDelta = 24 (ref §4).
    p.cltv_expiry_delta = 80;
    p.cltv_expiry_delta_min = 24;
    p.fee_base_msat = 1000;
    p.fee_ppm = 1;
    p.htlc_minimum_msat = 1000;  // outgoing policy minimum (inbound minimum is 1)
    // server.go RequiredRemoteChanReserve: max(capacity / 100, dust limit) (dust not kept);
    // RequiredRemoteMaxValue: capacity - capacity / 100.
    p.reserve_min_sat = 0;
    p.max_in_flight = MaxInFlightRule::capacity_minus_reserve;
    p.announced_htlc_max = AnnouncedHtlcMaxRule::capacity;  // extractAnnounceParams
    p.max_accepted_htlcs = 483;
    // lnwallet/confscale.go scales 1..6 with capacity; the model takes the upper end.
    p.funding_confirmations = 6;
    p.to_self_delay = 144;  // MinBtcRemoteDelay; scaled up to 2016 with capacity
    p.min_final_cltv_expiry_delta = 80;  // invoices default to TimeLockDelta
    p.invoice_final_cltv_padding = 0;
    // invoices/update.go: ExpiryTooSoon if expiry < tip + FinalCltvRejectDelta(19) or
    // expiry < tip + invoice.FinalCltvDelta.
    p.final_reject_delta = 19;
    p.final_checks_invoice_delta = true;
    p.payee_invoice_expiry = InvoiceExpiryRule::after_creation_ns;
    p.payer_invoice_expiry = InvoiceExpiryRule::after_ns;
    // htlcswitch/link.go canSendHtlc, heightNow = tip.
    p.forward_height_offset = 0;
    p.incoming_too_soon_margin = std::nullopt;
    p.outgoing_too_soon_margin = 3;  // OutgoingCltvRejectDelta
    p.max_htlc_cltv = 2016;          // DefaultMaxOutgoingCltvExpiry, on the outgoing expiry
    p.too_far_checks_incoming = false;
    // contractcourt/channel_arbitrator.go shouldGoOnChain (ref §1.6).
    p.offered_grace = 0;   // OutgoingBroadcastDelta
    p.claim_buffer = 16;   // IncomingBroadcastDelta
    // LND holds a non-dust incoming HTLC until the outgoing one resolves on-chain
    // (lnd#7683 discussion); it has no early give-up.
    p.early_fail_back_margin = std::nullopt;
    // The timeout resolver reacts to the spend notification (1 conf) (inference).
    p.fail_back_confirmations = 1;
    // interceptable_switch.go: autoFailHeight = incoming expiry - CltvRejectDelta, which
    // server.go sets to DefaultFinalCltvRejectDelta (19); popped at height >= autoFailHeight.
    p.held_htlc_fail_margin = 19;
    p.send_height_offset = 0;
    p.final_cltv_padding = 3;           // routing/payment_session.go BlockPadding
    // routing/payment_lifecycle.go handleFailureMessage -> payment_session.go
    // UpdateAdditionalEdge: a channel_update for a hint's channel updates the hint's policy.
    p.failure_updates_hint_edges = true;
    // Mission control (routing/missioncontrol.go, shared by every payment) with the default
    // apriori estimator (probability_apriori.go): a pair whose last result is a failure at age
    // t has P = nodeP * (1 - w), w = 2^(-t / PenaltyHalfLife), PenaltyHalfLife = 1 h; nodeP =
    // (a * f) / (f + sum of the node's failure weights), a = AprioriHopProbability 0.6,
    // f = 1 / (1 - AprioriWeight 0.5) - 1 = 1. pathfind.go findPath drops a partial route
    // once its CUMULATIVE probability (toNodeDist.probability * edgeProbability) is below
    // MinRouteProbability 0.01 (routerrpc DefaultMinRouteProbability), and every route starts
    // with the payer's own channel, whose probability is LocalPairProbability =
    // prevSuccessProbability 0.95 (missioncontrol.go GetProbability for fromNode == self). So
    // the shortest route over a failed pair, payer -> reporter -> next, has probability
    // 0.95 * P. (Inference from those defaults; findPath drops only a probability strictly
    // below the threshold, and LiquidityKnowledge::forget_expired frees a pair at its end, so
    // the window is the first nanosecond at or after the threshold time:)
    // - one failed pair (the node's only failure): 0.95 * 0.6 (1 - w) / (1 + w) < 0.01 while
    //   w > 28/29, t < 1 h * log2(29/28) = 182.253863051885 s -> 182,253,863,052 ns.
    // - a node failure (result_interpretation.go failNode fails the pairs into and out of the
    //   node, both directions, so the node has two fresh failures): 0.95 * 0.6 (1 - w) /
    //   (1 + 2w) < 0.01 while w > 56/59, t < 1 h * log2(59/56) = 271.037258295254 s ->
    //   271,037,258,296 ns, for the node's own directions; its peers' directions towards it
    //   have one failure each: the pair window.
    // These are the typical case for a node with no other history, not a bound: an earlier
    // success on the reporter's other pairs raises nodeP and shortens the window (about 106 s
    // after one success, per the second review; not rechecked here), setAllFail and every
    // further untried hop (x 0.6; one more hop: 303.8 s) lengthen it. The model keeps one
    // window per pair whatever the route and history.
    // After the window the pair is usable again, though with a low probability LND's cost
    // (attempt cost / probability) still steers around it; not modelled (the model has no
    // probability scoring).
    p.failure_memory = FailureMemory::lnd_mission_control;
    p.pair_penalty_window = sim::SimDuration::nanos(182'253'863'052);
    p.node_penalty_window = sim::SimDuration::nanos(271'037'258'296);
    // pathfind.go findPath: graph policies and hop hints into a pivot share one
    // nodeEdgeUnifier; unified_edges.go getEdgeNetwork keeps the highest fee and the largest
    // time lock for a non-local hop.
    p.hint_graph_merge = HintGraphMerge::dearer;
    p.assumed_final_cltv_delta = 18;    // lnd#8308: 18 when the invoice omits `c`
    p.default_cltv_limit = 2016;        // MaxTotalTimelock = MaxOutgoingCltvExpiry
    p.cltv_limit_zero_means_default = true;
    p.cltv_limit_must_exceed_final = true;  // "cltv limit X should be greater than Y"
    p.default_fee_limit = DefaultFeeLimit::lnd_full_below_1000_sat_else_5_percent;
    return p;
}

Profile cln_profile() {
    Profile p;
    p.name = "cln";
    p.implementation = Implementation::cln;
    // lightningd/options.c mainnet_config (ref §4).
    p.cltv_expiry_delta = 34;
    p.cltv_expiry_delta_min = 1;
    p.fee_base_msat = 1000;
    p.fee_ppm = 10;
    p.htlc_minimum_msat = 0;
    // lightningd channel_config: max_htlc_value_in_flight = UINT64_MAX; the reserve is 1 %
    // (raised to the dust limit, not kept).
    p.reserve_min_sat = 0;
    p.max_in_flight = MaxInFlightRule::unlimited;
    p.announced_htlc_max = AnnouncedHtlcMaxRule::capacity_less_own_reserve;  // channel.c
    p.max_accepted_htlcs = 30;
    p.funding_confirmations = 3;  // anchor_confirms
    p.to_self_delay = 144;        // locktime_blocks
    p.min_final_cltv_expiry_delta = 18;  // cltv_final
    p.invoice_final_cltv_padding = 0;
    // peer_htlcs.c: fails if tip + cltv_final > cltv_expiry, with the node's config value.
    p.final_reject_delta = std::nullopt;
    p.final_checks_invoice_delta = false;
    p.payee_invoice_expiry = InvoiceExpiryRule::at_or_after_whole_seconds;
    p.payer_invoice_expiry = InvoiceExpiryRule::after_whole_seconds;
    // peer_htlcs.c forward_htlc: expiry_too_soon if tip >= outgoing_cltv_value;
    // expiry_too_far if tip + locktime_max(2016) < outgoing_cltv_value.
    p.forward_height_offset = 0;
    p.incoming_too_soon_margin = std::nullopt;
    p.outgoing_too_soon_margin = 0;
    p.max_htlc_cltv = 2016;
    p.too_far_checks_incoming = false;
    // htlc_out_deadline = expiry + 1; htlc_in_deadline = expiry - (delta + 1) / 2.
    p.offered_grace = 1;
    p.claim_buffer = std::nullopt;
    // consider_failing_incoming: give up once height + 3 >= incoming expiry (CLN PR 6378).
    p.early_fail_back_margin = 3;
    p.fail_back_confirmations = 3;  // onchaind "reasonable depth" (CLN issue 4649)
    // The htlc_accepted hook waits with no timeout (fedimint reference §2.8).
    p.held_htlc_fail_margin = std::nullopt;
    p.send_height_offset = 0;
    p.final_cltv_padding = 0;
    p.assumed_final_cltv_delta = 18;
    p.default_cltv_limit = 2016;  // max_htlc_cltv; pay's maxdelay default not verified
    p.default_fee_limit = DefaultFeeLimit::cln_half_percent_exempt_5000;
    // The `pay` plugin (plugins/libplugin-pay.c): payment_waitsendpay_finished hands a
    // failure's channel_update to gossipd (`addgossip`), which applies it for a channel it
    // knows; handle_intermediate_failure marks nothing for fee_insufficient (`goto error`, no
    // channel_hints_update), and the routehints modifier builds each retry's hint hop from the
    // invoice's own fees (routehint_step_cb, route_msatoshi), moving to another hint only when
    // getroute found no route. A stale hint is retried unchanged until the retry budget ends:
    // 11 attempts (retry_data_init gives the root payment 10 retries; retry_step_cb stops at 0
    // or at the `retry_for` deadline, 60 s): both flags below stay off. Not modelled: xpay, which CLN makes the
    // handler of `pay` from v26.06 (ElementsProject/lightning PR #9110).
    p.failure_updates_hint_edges = false;
    p.excludes_blamed_channel_for_payment = false;
    // libplugin-pay.c handle_intermediate_failure fills the channel hints, payment_route_check
    // reads them. Since PR #7494 ("pay: Remember and update channel_hints across payments",
    // merged 2024-08; released in v24.08.2, 2024-10-18, "pay: Now remembers and updates channel
    // hints across payments", and so in v24.11) the hints outlive the payment and later payments
    // use them, relaxed in place before each route computation (that call site is inference,
    // see ClnChannelHints; channel_hint.c channel_hint_update:
    // nothing changed before PAY_REFILL_HYSTERESIS 60 s since the hint's timestamp, then the
    // estimate refilled by capacity * seconds / PAY_REFILL_TIME 7200, re-enabled when more than
    // 60 s have passed, the timestamp reset): ClnChannelHints. Excluded nodes stay on the root
    // payment (payment_new). The invoice's expiry is checked once, before the first attempt
    // (plugins/pay.c).
    p.failure_memory = FailureMemory::cln_channel_hints;
    p.max_pay_attempts = 11;  // libplugin-pay.c retry_data_init / retry_step_cb
    return p;
}

Profile cln_regtest_profile() {
    // CLN uses testnet_config whenever chainparams->testnet, which includes regtest.
    Profile p = cln_profile();
    p.name = "cln-regtest";
    p.cltv_expiry_delta = 6;
    p.fee_base_msat = 1;
    p.fee_ppm = 10;
    p.max_accepted_htlcs = 483;
    p.funding_confirmations = 1;
    p.to_self_delay = 6;
    p.min_final_cltv_expiry_delta = 10;
    return p;
}

std::vector<std::string> profile_names() { return {"ldk", "lnd", "cln", "cln-regtest"}; }

Result<Profile> profile_by_name(std::string_view name) {
    if (name == "ldk") {
        return Result<Profile>::success(ldk_profile());
    }
    if (name == "lnd") {
        return Result<Profile>::success(lnd_profile());
    }
    if (name == "cln") {
        return Result<Profile>::success(cln_profile());
    }
    if (name == "cln-regtest") {
        return Result<Profile>::success(cln_regtest_profile());
    }
    std::string known;
    for (const std::string& n : profile_names()) {
        known += known.empty() ? n : ", " + n;
    }
    return Result<Profile>::failure("unknown lightning profile '" + std::string(name) +
                                    "' (known: " + known + ")");
}

namespace {

template <typename T>
void take(const std::optional<T>& from, T* to) {
    if (from.has_value()) {
        *to = *from;
    }
}

template <typename T>
void take_opt(const std::optional<T>& from, std::optional<T>* to) {
    if (from.has_value()) {
        *to = *from;
    }
}

}  // namespace

Result<Profile> apply_overrides(const Profile& base, const ProfileOverrides& o) {
    Profile p = base;
    take(o.cltv_expiry_delta, &p.cltv_expiry_delta);
    take(o.fee_base_msat, &p.fee_base_msat);
    take(o.fee_ppm, &p.fee_ppm);
    take(o.htlc_minimum_msat, &p.htlc_minimum_msat);
    take(o.max_accepted_htlcs, &p.max_accepted_htlcs);
    take(o.funding_confirmations, &p.funding_confirmations);
    take(o.to_self_delay, &p.to_self_delay);
    take(o.min_final_cltv_expiry_delta, &p.min_final_cltv_expiry_delta);
    take_opt(o.final_reject_delta, &p.final_reject_delta);
    take_opt(o.incoming_too_soon_margin, &p.incoming_too_soon_margin);
    take(o.outgoing_too_soon_margin, &p.outgoing_too_soon_margin);
    take(o.max_htlc_cltv, &p.max_htlc_cltv);
    take(o.offered_grace, &p.offered_grace);
    take_opt(o.claim_buffer, &p.claim_buffer);
    take_opt(o.early_fail_back_margin, &p.early_fail_back_margin);
    take(o.fail_back_confirmations, &p.fail_back_confirmations);
    take_opt(o.held_htlc_fail_margin, &p.held_htlc_fail_margin);
    take(o.final_cltv_padding, &p.final_cltv_padding);
    take(o.default_cltv_limit, &p.default_cltv_limit);

    if (p.cltv_expiry_delta < p.cltv_expiry_delta_min) {
        return Result<Profile>::failure(
            "cltv_expiry_delta " + std::to_string(p.cltv_expiry_delta) + " is below the " +
            p.name + " minimum " + std::to_string(p.cltv_expiry_delta_min));
    }
    // LDK's invoices take MIN_FINAL_CLTV_EXPIRY_DELTA (42) by default and a user value only
    // padded (+3) and refused below it (invoice_request_error): no setting makes a default `c`
    // below 42, so neither may an override.
    if (p.min_final_cltv_expiry_delta < p.min_padded_user_final_cltv_delta) {
        return Result<Profile>::failure(
            "min_final_cltv_expiry_delta " + std::to_string(p.min_final_cltv_expiry_delta) +
            " is below the " + p.name + " minimum " +
            std::to_string(p.min_padded_user_final_cltv_delta) +
            " (MIN_FINAL_CLTV_EXPIRY_DELTA)");
    }
    if (p.max_accepted_htlcs == 0 || p.max_accepted_htlcs > 483) {
        return Result<Profile>::failure("max_accepted_htlcs must be in [1, 483] (BOLT 2), got " +
                                        std::to_string(p.max_accepted_htlcs));
    }
    if (p.funding_confirmations == 0) {
        return Result<Profile>::failure("funding_confirmations must be at least 1");
    }
    if (p.fail_back_confirmations == 0) {
        return Result<Profile>::failure("fail_back_confirmations must be at least 1");
    }
    return Result<Profile>::success(std::move(p));
}

}  // namespace actors::lightning
