// Gateway payment state machines: paying an outgoing contract's invoice (claim or cancel),
// receiving an intercepted HTLC (fund, await decryption, settle or fail), and resuming both
// after a restart.
#include "actors/gateway/gateway.h"

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::gateway {

namespace this_actor = sim::this_actor;

namespace {

constexpr sim::SimDuration k_poll = sim::SimDuration::millis(500);

}  // namespace

InvoiceTerms Gateway::terms(const lightning::Invoice& invoice) const {
    return InvoiceTerms{
        .payment_hash = invoice.payment_hash,
        .amount_msat = invoice.amount_msat,
        .timestamp_unix_secs = static_cast<uint64_t>(invoice.created_at_unix),
        .expiry_secs = invoice.expiry_seconds,
        .min_final_cltv_delta = invoice.final_cltv_delta_or(
            static_cast<uint32_t>(k_bolt11_default_min_final_cltv_delta))};
}

void Gateway::pay(ContractId id) {
    OutgoingPayment& p = store_.outgoing.at(id);
    // The contract is read from the federation, never taken from the client's request, and
    // with no deadline of the gateway's own: fedimint-gw-client pay.rs
    // GatewayPayInvoice::await_get_payment_parameters calls `await_contract`, which is
    // `request_current_consensus_retry` on the await-account endpoint (a long-poll retried
    // without limit, returning the account, never an error; fedimint-ln-client api.rs). The
    // older ln-gateway state_machine/pay.rs (at 015de5c) used `wait_contract`, which gave up
    // (OfferDoesNotExist) on an error answer; a request timing out is one (jsonrpsee's request
    // timeout, 60 s by default [inference: not checked for that version]), so it probably gave
    // up after about 60 s. The model follows the newer code. The client sends its pay
    // request only once its funding was accepted (client.cc), so the contract exists and the
    // wait ends once the federation is reachable.
    std::optional<federation::OutgoingSnapshot> snap = api_->await_outgoing(
        id, federation::AwaitKind::outgoing_exists, sim::SimTime::never());
    SIM_ASSERT(snap.has_value());  // only a deadline ends the wait without an answer
    if (snap->spent) {
        p.stage = snap->spent_by == federation::OutgoingSpender::gateway
                      ? OutgoingStage::claimed
                      : OutgoingStage::cancelled;
        return;
    }
    pay_dispatch(id, *snap);
}

bool Gateway::pay_dispatch(ContractId id, const federation::OutgoingSnapshot& snap) {
    OutgoingPayment& p = store_.outgoing.at(id);
    std::optional<uint64_t> count;
    while (!(count = api_->ln_count()).has_value()) {
        this_actor::sleep_for(k_poll);
    }
    const PayRequestV1 request{
        .contract = snap.contract,
        .contract_amount_msat = snap.amount_msat,
        .invoice = terms(p.request.invoice),
        .our_key = config_.gateway_key,
        .consensus_count = *count,
        .now_unix_ns = sim_.clocks().unix_ns(node_, this_actor::now()),
        .routing_fees = config_.fees,
        .mode = DispatchMode::fresh};
    const PayDecision decision = decide_lnv1_payment(request, config_.rules);
    this_actor::trace("gateway_pay_decision")
        .field("contract", id.value)
        .field("count", *count)
        .field("timelock", snap.contract.timelock)
        .field("max_delay", decision.max_delay)
        .field("max_fee_msat", decision.max_fee_msat)
        .field("rejection", to_string(decision.rejection));
    if (!decision.ok()) {
        cancel(id, std::string(to_string(decision.rejection)));
        return false;
    }
    lightning_context();
    p.stage = OutgoingStage::paying;
    p.dispatched_at = this_actor::now();
    lightning::LightningNode& node = ln_.node(config_.ln_node);
    lightning::PayLimits limits{.max_fee_msat = decision.max_fee_msat,
                                .cltv_limit = static_cast<uint32_t>(decision.max_delay)};
    if (std::optional<uint64_t> secs = payment_timeout_secs(node.profile().implementation)) {
        limits.timeout = sim::SimDuration::seconds(static_cast<int64_t>(*secs));
    }
    lightning::PaymentResult result = node.pay(p.request.invoice, limits);
    // The outcome comes back over the node's RPC connection (LND: track_payment_v2).
    lightning_context();
    if (!result.succeeded || !result.preimage.has_value()) {
        cancel(id, result.reason);
        return false;
    }
    p.preimage = *result.preimage;
    p.stage = OutgoingStage::paid;
    claim(id);
    return true;
}

void Gateway::claim(ContractId id) {
    OutgoingPayment& p = store_.outgoing.at(id);
    SIM_ASSERT(p.preimage.has_value());
    if (checker_ != nullptr) {
        std::optional<federation::OutgoingSnapshot> snap;
        std::optional<uint64_t> count;
        while (!(snap = api_->outgoing(id)).has_value() || !(count = api_->ln_count())) {
            this_actor::sleep_for(k_poll);
        }
        checker_->gateway_paid(id, *snap, *count);
    }
    if (!p.claim_tx.has_value()) {
        p.claim_tx = federation::FedTx{api_->new_tx_id(),
                                       federation::SpendOutgoingTx{.contract = id,
                                                                   .signer = config_.gateway_key,
                                                                   .preimage = p.preimage,
                                                                   .payout = config_.client}};
    }
    // No deadline of the gateway's own (FederationApi::submit_until_answered). A resumed claim resubmits
    // the stored transaction (OutgoingPayment::claim_tx).
    const federation::TxOutcome o = api_->submit_until_answered(*p.claim_tx);
    if (o.accepted || spent_by_gateway(id)) {
        p.stage = OutgoingStage::claimed;
        if (checker_ != nullptr) {
            checker_->gateway_claimed(id);
        }
    } else {
        // Terminal: not in flight for /stop and not claimed again after a restart (a rejection
        // is final: upstream's submission machine ends at Rejected).
        p.stage = OutgoingStage::claim_rejected;
        p.note = "claim rejected: " + o.error;
    }
    this_actor::trace("gateway_claim").field("contract", id.value).field("note", p.note);
}

// Belt and braces for a rejected claim: true when the federation shows the contract spent by
// the gateway (an earlier claim of ours was ordered). Retries the read until it is answered.
bool Gateway::spent_by_gateway(ContractId id) {
    std::optional<federation::OutgoingSnapshot> snap;
    while (!(snap = api_->outgoing(id)).has_value()) {
        this_actor::sleep_for(k_poll);
    }
    return snap->spent && snap->spent_by == federation::OutgoingSpender::gateway;
}

void Gateway::cancel(ContractId id, const std::string& why) {
    OutgoingPayment& p = store_.outgoing.at(id);
    p.note = why;
    federation::FedTx tx{api_->new_tx_id(),
                         federation::CancelOutgoingTx{
                             .contract = id,
                             .signature = {.signer = config_.gateway_key, .signed_contract = id}}};
    const federation::TxOutcome o = api_->submit_until_answered(tx);
    p.stage = OutgoingStage::cancelled;
    this_actor::trace("gateway_cancel")
        .field("contract", id.value)
        .field("why", why)
        .field("accepted", o.accepted);
}

// Funds the incoming contract of `p` and waits for the outcome; true once the federation holds
// the gateway's funding. The transaction is stored in `p` (GatewayStore, survives a crash)
// before its first submission, so a gateway that crashed before seeing the outcome waits on the
// same transaction after its restart, as upstream's persisted incoming state machine does.
bool Gateway::fund(IncomingPayment& p) {
    const PaymentHash hash = p.htlc.payment_hash;
    if (!p.funding.has_value()) {
        std::optional<federation::IncomingSnapshot> snap = api_->incoming(hash);
        if (snap.has_value() && snap->funded) {
            return true;
        }
        p.funding = federation::FedTx{
            api_->new_tx_id(),
            federation::FundIncomingTx{.gateway_client = config_.client,
                                       .hash = hash,
                                       .amount_msat = p.htlc.outgoing_amount_msat,
                                       .gateway_key = config_.gateway_key}};
    }
    // No deadline of the gateway's own: the funding outcome is awaited until the
    // federation answers. Upstream, gateway_handle_intercepted_htlc only submits; the
    // IncomingStateMachine's FundingOfferState::await_funding_success waits on
    // `await_output_outcome(.., Duration::from_millis(i32::MAX as u64))` (~24.8 days;
    // modules/fedimint-ln-client/src/incoming.rs at 00b6e18/8f9a171) or, in the newer
    // gateway receive machine, on `await_tx_accepted` with no timeout, while the
    // tx-submission machine resubmits on `custom_backoff(2 s, 10 min, None)` ("Number of
    // retries has no limit", fedimint-client-module/src/transaction/sm.rs at a4dd5e4); and
    // the Complete machine's WaitForPreimageState::await_preimage fails the HTLC only on
    // FundingFailed / RefundSubmitted, i.e. a rejection (gateway/ln-gateway/src/
    // state_machine/complete.rs at 0635005). What ends the wait for the HTLC is the node:
    // LND and LDK auto-fail a held HTLC near its expiry (profile held_htlc_fail_margin);
    // a funding accepted after that is a real loss, settled into "HTLC gone" below.
    std::optional<federation::TxOutcome> o =
        api_->submit_and_wait(*p.funding, sim::SimTime::never());
    return o.has_value() && o->accepted;
}

void Gateway::intercept(uint64_t intercept_id) {
    IncomingPayment& p = store_.incoming.at(intercept_id);
    lightning::LightningNode& node = ln_.node(config_.ln_node);
    auto fail = [&](const char* why) { fail_htlc(intercept_id, why); };
    const PaymentHash hash = p.htlc.payment_hash;
    // The checks before the funding; a payment resumed with its funding submitted is past
    // them (failing its HTLC now could lose the funding).
    const bool fresh = p.stage == IncomingStage::intercepted && !p.funding.has_value();
    if (fresh && read_state() == GatewayState::shutting_down) {
        return fail("gateway is shutting down");
    }
    if (fresh &&
        check_incoming_htlc_expiry(p.htlc.incoming_expiry, node.tip()) != HtlcRejection::none) {
        return fail("expiry_unsafe");
    }
    if (p.stage == IncomingStage::intercepted && !fund(p)) {
        return fail("funding rejected");
    }
    p.stage = IncomingStage::funded;
    if (p.refund.has_value() && p.refund_answered) {
        // Resumed after the refund was answered but before the HTLC was failed.
        return fail("invalid preimage: refund submitted");
    }
    // The gateway's incoming state machine (fedimint-ln-client incoming.rs at 00b6e18 and
    // 8f9a171, DecryptingPreimageState::await_preimage_decryption): `wait_preimage_decrypted`,
    // a long-poll answered on `some` or `invalid`, in a `loop` that sleeps 1 s after an error
    // and asks again: no deadline. The model waits the same way. What ends a long wait for
    // the HTLC is the node (LND and LDK fail a held HTLC near its expiry, profile
    // held_htlc_fail_margin; CLN never does): a decryption after that is a real loss, "HTLC
    // gone" below. (Until session 13 the model gave up after an unsourced 10 min and failed
    // the HTLC: "decryption timed out".)
    // A payment resumed in `funded` comes straight here: its funding is the federation's
    // (a second funding would be rejected, already_funded).
    std::optional<federation::IncomingSnapshot> snap =
        api_->await_decrypted(hash, sim::SimTime::never());
    SIM_ASSERT(snap.has_value());  // only a deadline ends the wait without an answer
    if (snap->state == federation::DecryptedPreimage::some) {
        lightning_context();
        const bool settled = node.resolve_intercepted(
            intercept_id, lightning::InterceptResolution{
                              .action = lightning::InterceptAction::settle,
                              .preimage = snap->preimage});
        p.stage = settled ? IncomingStage::settled : IncomingStage::failed;
        p.lost = !settled;
        p.note = settled ? "" : "HTLC gone before it could be settled";
        return;
    }
    refund_invalid(intercept_id);
}

// The preimage decrypted `invalid`: the HTLC is failed as soon as the refund is submitted, not
// once it is ordered. Upstream the incoming machine moves to RefundSubmitted when it hands the
// refund (refund_incoming_contract: claim_input) to the submission machine, and the Complete
// machine's WaitForPreimageState::await_preimage returns on RefundSubmitted, failing the HTLC
// (gateway/ln-gateway/src/state_machine/complete.rs at 0635005); the refund's outcome is the
// submission machine's business. The refund is kept in the store so a restart resubmits the
// same transaction (resume).
void Gateway::refund_invalid(uint64_t intercept_id) {
    IncomingPayment& p = store_.incoming.at(intercept_id);
    if (!p.refund.has_value()) {
        p.refund = federation::FedTx{api_->new_tx_id(),
                                     federation::SpendIncomingTx{.hash = p.htlc.payment_hash,
                                                                 .signer = config_.gateway_key,
                                                                 .payout = config_.client}};
    }
    // One submission: refund() submits (submit_and_wait) and then waits for the outcome, and
    // the HTLC is failed by a task of its own, which runs at the same instant once this one
    // has submitted and blocked on the outcome (a spawned task starts after the running one
    // yields). The fail may itself wait for the Lightning connection; the refund's wait does
    // not wait for it. (Until session 14 the refund went out twice at one instant: a bare
    // submit before the fail, then submit_and_wait's own.)
    spawn_task("refund_fail", [this, intercept_id] {
        fail_htlc(intercept_id, "invalid preimage: refund submitted");
    });
    refund(p);
}

// complete_htlc: every resolution goes through the Lightning context.
void Gateway::fail_htlc(uint64_t intercept_id, const char* why) {
    lightning_context();
    ln_.node(config_.ln_node).resolve_intercepted(intercept_id, lightning::InterceptResolution{});
    IncomingPayment& p = store_.incoming.at(intercept_id);
    p.stage = IncomingStage::failed;
    p.note = why;
    if (p.refund_answered) {
        p.refund.reset();  // the refund's task saw its answer before the fail
    }
    this_actor::trace("gateway_htlc_failed").field("why", why);
}

// Waits for the incoming refund's outcome (resubmitting the same transaction), with no
// deadline of the gateway's own (FederationApi::submit_until_answered). The refund is dropped from the
// store only once the HTLC is failed too (here, or by fail_htlc if the fail comes later): a
// restart in between must still find it (IncomingPayment::refund).
void Gateway::refund(IncomingPayment& p) {
    const federation::TxOutcome o = api_->submit_until_answered(*p.refund);
    p.refund_answered = true;
    if (p.stage == IncomingStage::failed) {
        p.refund.reset();
    }
    this_actor::trace("gateway_incoming_refund")
        .field("intercept", p.htlc.intercept_id)
        .field("accepted", o.accepted);
}

std::optional<federation::Preimage> Gateway::settled_preimage(const PaymentHash& hash,
                                                              bool* in_flight) {
    const OfferedHtlcIndex::Found found = offered_.find(ln_, hash);
    *in_flight = found.in_flight;
    return found.preimage;
}

void Gateway::resume() {
    for (auto& [cid, payment] : store_.outgoing) {
        const ContractId id = cid;
        switch (payment.stage) {
            case OutgoingStage::received:
                spawn_task("pay", [this, id] { pay(id); });
                break;
            case OutgoingStage::paying:
                // Re-validate from the node: the HTLCs tell whether the payment went through.
                spawn_task("resume", [this, id] {
                    lightning_context();
                    OutgoingPayment& p = store_.outgoing.at(id);
                    bool in_flight = true;
                    std::optional<federation::Preimage> pre;
                    while (!(pre = settled_preimage(p.request.invoice.payment_hash, &in_flight))
                                .has_value() &&
                           in_flight) {
                        this_actor::sleep_for(k_poll);
                    }
                    if (pre.has_value()) {
                        p.preimage = pre;
                        p.stage = OutgoingStage::paid;
                        claim(id);
                    } else {
                        cancel(id, "payment failed while the gateway was down");
                    }
                });
                break;
            case OutgoingStage::paid:
                spawn_task("claim", [this, id] { claim(id); });
                break;
            case OutgoingStage::claimed:
            case OutgoingStage::cancelled:
            case OutgoingStage::claim_rejected:
                break;
        }
    }
    for (auto& [iid, payment] : store_.incoming) {
        const uint64_t id = iid;
        if (payment.stage == IncomingStage::intercepted || payment.stage == IncomingStage::funded) {
            spawn_task("receive", [this, id] { intercept(id); });
        } else if (payment.refund.has_value()) {
            spawn_task("refund", [this, id] { refund(store_.incoming.at(id)); });
        }
    }
}

}  // namespace actors::gateway
