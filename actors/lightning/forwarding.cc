// Forwarding and final-hop checks and the on-chain deadline arithmetic (see forwarding.h).
//
// Comparisons are done in uint64_t so `tip + margin` never wraps.
#include "actors/lightning/forwarding.h"

#include <algorithm>

namespace actors::lightning {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

Failure fail(FailureCode code, std::string reason) { return Failure{code, std::move(reason)}; }

std::optional<Failure> check_forward_policy(const Profile& pr, const HtlcRequest& h,
                                           const ChannelPolicy& p) {
    if (p.disabled) {
        return fail(FailureCode::channel_disabled, "outgoing channel is disabled");
    }
    if (h.amt_to_forward_msat < p.htlc_minimum_msat) {
        return fail(FailureCode::amount_below_minimum,
                    "amt_to_forward " + num(h.amt_to_forward_msat) + " < htlc_minimum_msat " +
                        num(p.htlc_minimum_msat));
    }
    if (pr.forward_checks_own_htlc_maximum && h.amt_to_forward_msat > p.htlc_maximum_msat) {
        return fail(FailureCode::temporary_channel_failure,
                    "amt_to_forward " + num(h.amt_to_forward_msat) + " > htlc_maximum_msat " +
                        num(p.htlc_maximum_msat));
    }
    uint64_t fee = forwarding_fee_msat(p, h.amt_to_forward_msat);
    // BOLT 4: fail if incoming - fee < amt_to_forward (written without underflow).
    if (h.incoming_amount_msat < h.amt_to_forward_msat ||
        h.incoming_amount_msat - h.amt_to_forward_msat < fee) {
        return fail(FailureCode::fee_insufficient,
                    "incoming " + num(h.incoming_amount_msat) + " - amt_to_forward " +
                        num(h.amt_to_forward_msat) + " is below the fee " + num(fee));
    }
    // BOLT 4: fail if cltv_expiry - cltv_expiry_delta < outgoing_cltv_value.
    if (static_cast<uint64_t>(h.incoming_cltv_expiry) <
        static_cast<uint64_t>(h.outgoing_cltv_value) + p.cltv_expiry_delta) {
        return fail(FailureCode::incorrect_cltv_expiry,
                    "cltv_expiry " + num(h.incoming_cltv_expiry) + " < outgoing " +
                        num(h.outgoing_cltv_value) + " + delta " + num(p.cltv_expiry_delta));
    }
    return std::nullopt;
}

std::optional<Failure> check_forward_expiry(const Profile& pr, const HtlcRequest& h,
                                            uint32_t tip) {
    uint64_t ref = static_cast<uint64_t>(tip) + pr.forward_height_offset;
    if (pr.incoming_too_soon_margin.has_value() &&
        h.incoming_cltv_expiry <= ref + *pr.incoming_too_soon_margin) {
        return fail(FailureCode::expiry_too_soon,
                    "incoming cltv_expiry " + num(h.incoming_cltv_expiry) + " <= " + num(ref) +
                        " + " + num(*pr.incoming_too_soon_margin));
    }
    if (h.outgoing_cltv_value <= ref + pr.outgoing_too_soon_margin) {
        return fail(FailureCode::expiry_too_soon,
                    "outgoing cltv " + num(h.outgoing_cltv_value) + " <= " + num(ref) + " + " +
                        num(pr.outgoing_too_soon_margin));
    }
    uint32_t far = pr.too_far_checks_incoming ? h.incoming_cltv_expiry : h.outgoing_cltv_value;
    if (far > ref + pr.max_htlc_cltv) {
        return fail(FailureCode::expiry_too_far,
                    std::string(pr.too_far_checks_incoming ? "incoming" : "outgoing") +
                        " cltv " + num(far) + " > " + num(ref) + " + " + num(pr.max_htlc_cltv));
    }
    return std::nullopt;
}

}  // namespace

std::optional<Failure> check_forward(const Profile& profile, const HtlcRequest& htlc,
                                     const OutgoingChannelState& out, uint32_t tip) {
    if (auto f = check_forward_policy(profile, htlc, out.policy)) {
        return f;
    }
    if (auto f = check_forward_expiry(profile, htlc, tip)) {
        return f;
    }
    if (!out.peer_connected) {
        return fail(FailureCode::temporary_channel_failure, "outgoing peer is not connected");
    }
    if (out.htlcs_in_flight >= out.max_accepted_htlcs) {
        return fail(FailureCode::temporary_channel_failure,
                    "outgoing channel already has " + num(out.htlcs_in_flight) + " HTLCs (max " +
                        num(out.max_accepted_htlcs) + ")");
    }
    if (htlc.amt_to_forward_msat > out.available_msat) {
        return fail(FailureCode::temporary_channel_failure,
                    "amt_to_forward " + num(htlc.amt_to_forward_msat) + " > available " +
                        num(out.available_msat));
    }
    return std::nullopt;
}

std::optional<Failure> check_final(const Profile& profile, const HtlcRequest& htlc,
                                   const Invoice* invoice, uint32_t tip) {
    if (htlc.incoming_amount_msat < htlc.amt_to_forward_msat) {
        return fail(FailureCode::final_incorrect_htlc_amount,
                    "HTLC amount " + num(htlc.incoming_amount_msat) + " < onion amt_to_forward " +
                        num(htlc.amt_to_forward_msat));
    }
    if (htlc.incoming_cltv_expiry < htlc.outgoing_cltv_value) {
        return fail(FailureCode::final_incorrect_cltv_expiry,
                    "HTLC cltv_expiry " + num(htlc.incoming_cltv_expiry) + " < onion cltv " +
                        num(htlc.outgoing_cltv_value));
    }
    constexpr FailureCode details = FailureCode::incorrect_or_unknown_payment_details;
    if (invoice == nullptr) {
        return fail(details, "unknown payment hash");
    }
    uint64_t fixed = static_cast<uint64_t>(tip) + profile.effective_final_reject_delta();
    if (htlc.incoming_cltv_expiry < fixed) {
        return fail(details, "final cltv_expiry " + num(htlc.incoming_cltv_expiry) + " < tip " +
                                 num(tip) + " + " + num(profile.effective_final_reject_delta()));
    }
    // The delta the payee stored with its invoice (make_invoice decides it per profile).
    if (invoice->payee_final_check_delta.has_value()) {
        uint32_t d = *invoice->payee_final_check_delta;
        if (htlc.incoming_cltv_expiry < static_cast<uint64_t>(tip) + d) {
            return fail(details, "final cltv_expiry " + num(htlc.incoming_cltv_expiry) +
                                     " < tip " + num(tip) + " + the invoice's stored delta " +
                                     num(d));
        }
    }
    if (invoice->amount_msat.has_value()) {
        uint64_t want = *invoice->amount_msat;
        if (htlc.incoming_amount_msat < want) {
            return fail(details, "paid " + num(htlc.incoming_amount_msat) + " < invoice " +
                                     num(want));
        }
        // BOLT 4: SHOULD fail if paid more than twice the invoice amount.
        if (htlc.incoming_amount_msat - want > want) {
            return fail(details, "paid " + num(htlc.incoming_amount_msat) +
                                     " > twice the invoice " + num(want));
        }
    }
    return std::nullopt;
}

ChannelPolicy default_channel_policy(const Profile& profile, uint64_t htlc_maximum_msat) {
    ChannelPolicy p;
    p.fee_base_msat = profile.fee_base_msat;
    p.fee_ppm = profile.fee_ppm;
    p.cltv_expiry_delta = profile.cltv_expiry_delta;
    p.htlc_minimum_msat = profile.htlc_minimum_msat;
    p.htlc_maximum_msat = htlc_maximum_msat;
    return p;
}

std::optional<uint32_t> held_htlc_fail_height(const Profile& profile, uint32_t incoming_expiry) {
    if (!profile.held_htlc_fail_margin.has_value()) {
        return std::nullopt;
    }
    uint32_t margin = *profile.held_htlc_fail_margin;
    return incoming_expiry > margin ? incoming_expiry - margin : 0;
}

uint32_t offered_onchain_height(const Profile& profile, uint32_t cltv_expiry) {
    return cltv_expiry + profile.offered_grace;
}

uint32_t received_onchain_height(const Profile& profile, uint32_t cltv_expiry) {
    uint32_t buffer = profile.effective_claim_buffer();
    return cltv_expiry > buffer ? cltv_expiry - buffer : 0;
}

std::optional<uint32_t> early_fail_back_height(const Profile& profile, uint32_t incoming_expiry,
                                               uint32_t outgoing_expiry) {
    if (!profile.early_fail_back_margin.has_value()) {
        return std::nullopt;
    }
    uint32_t margin = *profile.early_fail_back_margin;
    uint32_t give_up = incoming_expiry > margin ? incoming_expiry - margin : 0;
    // Both LDK and CLN only consider this once the outgoing channel is closing, i.e. once the
    // offered HTLC hit its on-chain deadline.
    return std::max(give_up, offered_onchain_height(profile, outgoing_expiry));
}

uint32_t resolved_fail_back_height(const Profile& profile, uint32_t timeout_tx_height) {
    // A tx in block h has tip - h + 1 confirmations.
    return timeout_tx_height + profile.fail_back_confirmations - 1;
}

std::optional<uint32_t> fail_back_height(const Profile& profile, uint32_t incoming_expiry,
                                         uint32_t outgoing_expiry,
                                         std::optional<uint32_t> timeout_tx_height) {
    std::optional<uint32_t> early =
        early_fail_back_height(profile, incoming_expiry, outgoing_expiry);
    if (!timeout_tx_height.has_value()) {
        return early;
    }
    uint32_t resolved = resolved_fail_back_height(profile, *timeout_tx_height);
    return early.has_value() ? std::min(*early, resolved) : resolved;
}

}  // namespace actors::lightning
