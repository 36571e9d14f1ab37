// LightningNode: what a node does with an HTLC once it is locked in — receive it as the final
// hop (regular or hold invoice), forward it under the BOLT 2/4/7 checks, or hand it to an
// interceptor — and the invoice and interceptor APIs that feed those paths.
#include "actors/lightning/lightning_network.h"
#include "actors/lightning/lightning_node.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::lightning {

namespace this_actor = sim::this_actor;

void LightningNode::on_htlc_committed(ChannelLedger& ch, HtlcEntry& h, const Onion& onion) {
    if (h.offerer == my_side(ch)) {
        return;  // our own offer locked in on the peer's side; nothing to do here
    }
    const HopPayload& payload = onion.current();
    if (!payload.next_scid.has_value()) {
        receive_final(ch, h, payload);
    } else if (interceptors_.count(*payload.next_scid) != 0) {
        intercept(ch, h, payload);
    } else {
        forward(ch, h, onion);
    }
}

HtlcFailure LightningNode::failure_here(const Failure& f, const ChannelLedger* out) const {
    HtlcFailure failure{f.code, alias_ + ": " + f.reason, index_, std::nullopt, std::nullopt};
    if (out != nullptr && carries_update(f.code)) {
        failure.channel_update = out->side(out->side_of(index_)).policy;
        failure.update_scid = out->scid();
    }
    return failure;
}

void LightningNode::receive_final(ChannelLedger& ch, HtlcEntry& h, const HopPayload& payload) {
    const HtlcKey in{ch.index(), h.id};
    auto it = invoices_.find(h.payment_hash);
    InvoiceEntry* entry = it == invoices_.end() ? nullptr : &it->second;
    HtlcRequest req{h.amount_msat, h.cltv_expiry, payload.amt_to_forward_msat,
                    payload.outgoing_cltv_value};
    const Profile& profile = ch.side(my_side(ch)).profile;
    std::optional<Failure> f =
        check_final(profile, req, entry != nullptr ? &entry->invoice : nullptr, tip());
    constexpr FailureCode details = FailureCode::incorrect_or_unknown_payment_details;
    if (!f.has_value() && invoice_expired(entry->invoice, profile.payee_invoice_expiry,
                                          unix_now_ns(), block_time_seen())) {
        f = Failure{details, "invoice expired at unix " +
                                 std::to_string(entry->invoice.expires_at_unix()) + ", now " +
                                 std::to_string(unix_now_ns()) + " ns, block time " +
                                 std::to_string(block_time_seen())};
    }
    if (!f.has_value() && entry->state == InvoiceState::canceled) {
        f = Failure{details, "invoice was cancelled"};
    }
    if (f.has_value()) {
        fail_incoming(in, failure_here(*f, nullptr));
        return;
    }
    if (entry->invoice.preimage.has_value()) {
        entry->state = InvoiceState::settled;
        log_.received.push_back(h.payment_hash);
        fulfill_incoming(in, *entry->invoice.preimage, entry->invoice.payment_hash);
        return;
    }
    entry->state = InvoiceState::accepted;
    held_[in] = Held{HeldKind::hold_invoice, h.payment_hash, 0};
    trace_htlc("held", ch, h);
}

void LightningNode::forward(ChannelLedger& ch, HtlcEntry& h, const Onion& onion) {
    const HtlcKey in{ch.index(), h.id};
    const HopPayload& payload = onion.current();
    ChannelLedger* out = channel_by_scid(*payload.next_scid);
    if (out == nullptr || out->status() != ChannelStatus::open || out->shutting_down) {
        Failure f{out == nullptr ? FailureCode::unknown_next_peer
                                 : FailureCode::permanent_channel_failure,
                  "no open channel " + payload.next_scid->to_string()};
        fail_incoming(in, failure_here(f, nullptr));
        return;
    }
    const int me = my_side(*out);
    const ChannelSide& peer = out->side(1 - me);
    // check_forward refuses at the peer's max_accepted_htlcs (BOLT 2), as has_htlc_slot does.
    OutgoingChannelState state{out->side(me).policy, out->available_msat(me),
                               out->offered_count(me), peer.profile.max_accepted_htlcs,
                               network_.sim().network().node_up(peer.net)};
    HtlcRequest req{h.amount_msat, h.cltv_expiry, payload.amt_to_forward_msat,
                    payload.outgoing_cltv_value};
    if (std::optional<Failure> f = check_forward(out->side(me).profile, req, state, tip())) {
        fail_incoming(in, failure_here(*f, out));
        return;
    }
    // The onion for the next hop is the rest of ours.
    uint64_t out_id = offer_htlc(*out, payload.amt_to_forward_msat, h.payment_hash,
                                 payload.outgoing_cltv_value, onion.peeled());
    forwards_[HtlcKey{out->index(), out_id}] = in;
}

void LightningNode::intercept(ChannelLedger& ch, HtlcEntry& h, const HopPayload& payload) {
    const HtlcKey in{ch.index(), h.id};
    const uint64_t id = next_intercept_id_++;
    held_[in] = Held{HeldKind::intercept, h.payment_hash, id, payload.outgoing_cltv_value};
    intercepted_[id] = in;
    trace_htlc("intercepted", ch, h);
    InterceptedHtlc event{id,
                          h.payment_hash,
                          h.amount_msat,
                          payload.amt_to_forward_msat,
                          h.cltv_expiry,
                          payload.outgoing_cltv_value,
                          *payload.next_scid,
                          ch.scid()};
    bool sent = interceptors_.at(*payload.next_scid)->try_send(event);
    SIM_ASSERT(sent);
}

// --- Invoices ----------------------------------------------------------------------------

Result<Invoice> LightningNode::try_create_invoice(const InvoiceOptions& options) {
    InvoiceRequest req{options.amount_msat, options.min_final_cltv_expiry_delta, unix_now(),
                       options.expiry_seconds, options.route_hints, unix_now_ns(),
                       block_time_seen()};
    if (std::optional<std::string> refused = invoice_request_error(profile_, req)) {
        return Result<Invoice>::failure(alias_ + ": " + *refused);
    }
    sim::Random& rng = this_actor::random();
    Invoice invoice = make_invoice(profile_, index_, req, rng);
    network_.chain().register_preimage(*invoice.preimage);
    invoices_[invoice.payment_hash] = InvoiceEntry{invoice, false, InvoiceState::open};
    return Result<Invoice>::success(public_copy(invoice));
}

Result<Invoice> LightningNode::try_create_hold_invoice(const InvoiceOptions& options,
                                                       const PaymentHash& hash) {
    InvoiceRequest req{options.amount_msat, options.min_final_cltv_expiry_delta, unix_now(),
                       options.expiry_seconds, options.route_hints, unix_now_ns(),
                       block_time_seen()};
    if (std::optional<std::string> refused = invoice_request_error(profile_, req)) {
        return Result<Invoice>::failure(alias_ + ": " + *refused);
    }
    sim::Random unused(0);  // the drawn preimage is discarded: the caller keeps the real one
    Invoice invoice = make_invoice(profile_, index_, req, unused);
    invoice.preimage.reset();
    invoice.payment_hash = hash;
    invoices_[hash] = InvoiceEntry{invoice, true, InvoiceState::open};
    return Result<Invoice>::success(public_copy(invoice));
}

bool LightningNode::settle_hold(const Preimage& preimage) {
    auto it = invoices_.find(payment_hash_of(preimage));
    if (it == invoices_.end() || !it->second.hold || it->second.state == InvoiceState::canceled) {
        return false;
    }
    network_.chain().register_preimage(preimage);
    it->second.invoice.preimage = preimage;
    it->second.state = InvoiceState::settled;
    std::vector<HtlcKey> keys;
    for (const auto& [key, held] : held_) {
        if (held.kind == HeldKind::hold_invoice && held.hash == it->first) {
            keys.push_back(key);
        }
    }
    for (HtlcKey key : keys) {
        log_.received.push_back(it->first);
        fulfill_incoming(key, preimage, it->first);
    }
    return true;
}

bool LightningNode::cancel_hold(const PaymentHash& hash) {
    auto it = invoices_.find(hash);
    if (it == invoices_.end() || !it->second.hold || it->second.state == InvoiceState::settled) {
        return false;
    }
    it->second.state = InvoiceState::canceled;
    std::vector<HtlcKey> keys;
    for (const auto& [key, held] : held_) {
        if (held.kind == HeldKind::hold_invoice && held.hash == hash) {
            keys.push_back(key);
        }
    }
    for (HtlcKey key : keys) {
        Failure f{FailureCode::incorrect_or_unknown_payment_details, "hold invoice cancelled"};
        fail_incoming(key, failure_here(f, nullptr));
    }
    return true;
}

size_t LightningNode::held_count(const PaymentHash& hash) const {
    size_t n = 0;
    for (const auto& [key, held] : held_) {
        n += held.hash == hash ? 1 : 0;
    }
    return n;
}

// --- Interception ------------------------------------------------------------------------

sim::Channel<InterceptedHtlc>& LightningNode::register_interceptor(ShortChannelId scid) {
    auto& slot = interceptors_[scid];
    if (slot == nullptr) {
        slot = std::make_unique<sim::Channel<InterceptedHtlc>>(alias_ + ".intercept." +
                                                              scid.to_string());
    }
    return *slot;
}

bool LightningNode::resolve_intercepted(uint64_t intercept_id,
                                        const InterceptResolution& resolution) {
    auto it = intercepted_.find(intercept_id);
    if (it == intercepted_.end() || held_.count(it->second) == 0) {
        return false;  // unknown, already resolved, or auto-failed
    }
    HtlcKey in = it->second;
    const PaymentHash hash = held_.at(in).hash;
    if (resolution.action == InterceptAction::settle) {
        if (!resolution.preimage.has_value() || payment_hash_of(*resolution.preimage) != hash) {
            return false;
        }
        intercepted_.erase(it);
        network_.chain().register_preimage(*resolution.preimage);
        fulfill_incoming(in, *resolution.preimage, hash);
        return true;
    }
    intercepted_.erase(it);
    fail_incoming(in, failure_here(Failure{resolution.code, "interceptor failed the HTLC"},
                                   nullptr));
    return true;
}

}  // namespace actors::lightning
