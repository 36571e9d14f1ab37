// Client: paying through a gateway and receiving through one.
#include "actors/client/client.h"

#include "actors/client/pay_request.h"
#include "actors/gateway/gateway.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::client {

namespace this_actor = sim::this_actor;
using federation::PaymentState;

Client::Client(sim::Simulation& sim, lightning::LightningNetwork& ln,
               federation::Federation& federation, ClientConfig config,
               federation::PaymentChecker* checker)
    : sim_(sim), ln_(ln), config_(std::move(config)), checker_(checker) {
    SIM_ASSERT(config_.id.valid());
    node_ = sim_.network().add_node(config_.name);
    api_ = std::make_unique<federation::FederationApi>(sim_, node_, federation);
}

// The default refresh timing is the default gateway's (gateway_refresh.h).
static_assert(k_default_gateway_ttl == gateway::announcement_ttl(sim::SimDuration::seconds(10)));

// The cache task, spawned at the client's start as upstream's integrators spawn
// `update_gateway_cache_continuously` right after building the client (fedimint-cli's and the
// wallets' "update gateway cache" task; fedimint-ln-client src/lib.rs), which first calls
// `update_gateway_cache()` once (its error ignored, not retried), then the loop: sleep
// (gateway_refresh_sleep: 0 the first time if the cache is empty, "retry immediately first
// time"; else ABOUT_TO_EXPIRE before the soonest cached announcement expires; 10 min if the cache
// is empty), then `retry("update_gateway_cache", background_backoff(), ..)`: a backoff built
// anew for each refresh, so a success resets it (gateway_retry_delay). A read is
// `fetch_gateways` (FederationApi::fetch_gateways): it fails once f + 1 guardians errored,
// leaving the cache as it was; an answered one replaces the whole cache ("Remove all previous
// gateway entries"), so an answered empty union empties it.
void Client::run_gateway_cache() {
    // The integrators' `update_gateway_cache()` before the loop (fedimint-cli, the wallets).
    fill_gateway_cache();
    bool first_time = true;
    while (true) {
        const sim::SimDuration sleep =
            gateway_refresh_sleep(gateway_listings_, first_time, config_.gateway_refresh);
        gateway_refresh_at_ = this_actor::now() + sleep;
        this_actor::sleep_for(sleep);
        for (uint64_t attempt = 0; !fill_gateway_cache(); ++attempt) {
            const sim::SimDuration backoff = gateway_retry_delay(attempt);
            gateway_refresh_at_ = this_actor::now() + backoff;
            this_actor::sleep_for(backoff);
        }
        first_time = false;
    }
}

bool Client::fill_gateway_cache() {
    std::optional<std::vector<federation::ListedGateway>> listed = api_->fetch_gateways();
    if (!listed.has_value()) {
        ++gateway_failed_reads_;
        return false;
    }
    gateway_listings_ = std::move(*listed);
    gateway_cache_.clear();
    for (const federation::ListedGateway& l : gateway_listings_) {
        gateway_cache_.push_back(l.announcement);
    }
    ++gateway_fills_;
    return true;
}

void Client::start() {
    api_->start();
    sim_.scheduler().spawn(config_.name + ".gateway_cache", [this] { run_gateway_cache(); },
                           {.kind = sim::ActorKind::daemon, .node = node_});
}

// No wait of the client's own and no read: upstream (fedimint-ln-client src/lib.rs @0026491:
// `select_available_gateway`, `pay_bolt11_invoice`) reads only the local gateway cache: an
// empty cache is "No gateways available", and an external payment without a gateway fails at
// once with `PayBolt11InvoiceError::NoLnGatewayAvailable`; `create_bolt11_invoice` without a
// gateway makes an internal-only invoice (not modelled: the model's receive needs a gateway).
// A client whose cache was never filled (every read unanswered so far) fails "no gateway".
std::optional<federation::GatewayAnnouncement> Client::pick_gateway() const {
    if (gateway_cache_.empty()) {
        return std::nullopt;
    }
    return gateway_cache_.front();  // ordered by gateway key: deterministic
}

void Client::finish(const std::string& name, ClientPayment* payment, PaymentState state) {
    payment->state = state;
    if (checker_ != nullptr) {
        checker_->finished(name, state);
    }
    this_actor::trace("client_payment")
        .field("client", config_.name)
        .field("payment", name)
        .field("state", federation::to_string(state))
        .field("note", payment->note);
}

ClientPayment Client::pay(const lightning::Invoice& invoice) {
    ClientPayment payment;
    const std::string name = config_.name + ".pay." +
                             std::to_string(federation::hash_key(invoice.payment_hash));
    if (checker_ != nullptr) {
        checker_->started(name);
    }
    // The payment's first record: the HTML timeline's bar for it starts here.
    this_actor::trace("client_payment_start").field("client", config_.name).field("payment", name);
    std::optional<federation::GatewayAnnouncement> gw = pick_gateway();
    std::optional<uint64_t> c0;
    while (gw.has_value() && !(c0 = api_->ln_count()).has_value()) {
        this_actor::sleep_for(config_.poll);
    }
    if (!gw.has_value() || !invoice.amount_msat.has_value()) {
        payment.note = gw.has_value() ? "amountless invoice" : "no gateway";
        finish(name, &payment, PaymentState::failed);
        return payment;
    }
    payment.timelock = config_.timelock_blocks.has_value()
                           ? (*c0 > 0 ? *c0 - 1 : 0) + *config_.timelock_blocks
                           : federation::lnv1_client_timelock(
                                 *c0, invoice.final_cltv_delta_or(18), config_.timelock);
    payment.amount_msat = federation::lnv1_client_contract_amount(*invoice.amount_msat, gw->fees).msat;
    const federation::OutgoingContractV1 contract{.hash = invoice.payment_hash,
                                                  .gateway_key = gw->gateway_key,
                                                  .user_key = config_.user_key,
                                                  .timelock = payment.timelock,
                                                  .cancelled = false};
    payment.contract = federation::contract_id_of(contract);
    federation::FedTx fund{api_->new_tx_id(),
                           federation::FundOutgoingTx{.client = config_.id,
                                                      .contract = contract,
                                                      .amount_msat = payment.amount_msat}};
    // No deadline (submit_until_answered): pay.rs `await_outgoing_contract_funded` (newest
    // LNv1 client read; the index holds it without a commit to pin) loops on
    // `await_output_outcome` and ends only on a rejection (-> FundingRejected) or acceptance.
    const federation::TxOutcome o = api_->submit_until_answered(fund);
    if (!o.accepted) {
        payment.note = "funding rejected: " + o.error;
        finish(name, &payment, PaymentState::failed);
        return payment;
    }
    payment.funded_at = this_actor::now();
    if (checker_ != nullptr) {
        checker_->funded(name, payment.contract, payment.timelock);
    }
    // Links the payment to its contract (the gateway's records name only the contract, as
    // gateway_payments.cc does, same integer) and gives the timelock: the timeline's deadline.
    this_actor::trace("client_contract_funded")
        .field("client", config_.name)
        .field("payment", name)
        .field("contract", payment.contract.value)
        .field("timelock", payment.timelock);
    payment = follow(invoice, payment, gw->api_node);
    finish(name, &payment, payment.state);
    return payment;
}

// Learns how the payment ends from three long-polls raced, as fedimint-ln-client pay.rs races
// its refund triggers: the contract cancelled (`wait_outgoing_contract_cancelled`), the LN count
// passing the timelock (`wait_block_height(timelock)`: count >= timelock + 1), and, where
// upstream takes the gateway's pay_invoice response, the contract being spent (the model
// follows the federation's state, never the gateway's word). The decision rules are the
// polling loop's: spent means claimed (success) or refunded; cancelled or expired means refund.
ClientPayment Client::follow(const lightning::Invoice& invoice, ClientPayment payment,
                             sim::NodeId gateway_node) {
    using federation::AwaitKind;
    using federation::FederationApi;
    // A harness limit, not client behaviour: upstream follows until the outcome (pay.rs races
    // gateway_pay_invoice, await_contract_cancelled and await_contract_timeout, none with a
    // deadline). See ClientConfig::follow_limit.
    const sim::SimTime deadline = this_actor::now() + config_.follow_limit;
    federation::LongPoll poll(*api_);
    const size_t spent =
        poll.add(FederationApi::outgoing_await(payment.contract, AwaitKind::outgoing_spent));
    size_t cancelled =
        poll.add(FederationApi::outgoing_await(payment.contract, AwaitKind::outgoing_cancelled));
    size_t expired = poll.add(FederationApi::ln_count_await(payment.timelock));
    // The pay request: at the funding, then every 10 s for 180 s (pay_request.h).
    PayRequestSchedule requests(*payment.funded_at, config_.resend, config_.pay_request_window);
    while (this_actor::now() < deadline) {
        const sim::SimTime now = this_actor::now();
        if (requests.due(now)) {
            sim_.network().send(node_, gateway_node, "gw_pay_request",
                                gateway::PayRequest{payment.contract, invoice});
            requests.sent(now);
        }
        // Every pass of this loop must wait until a later instant: a wait until `now` or
        // earlier returns at once without yielding, and the loop would spin at one instant
        // where no run limit can stop it. An assertion names the bug instead.
        const sim::SimTime wake = std::min(requests.next(now), deadline);
        SIM_ASSERT_MSG(wake > now, "client follow: the next wake is not after now");
        std::optional<federation::LongPoll::Answer> a = poll.wait_until(wake);
        if (!a.has_value()) {
            continue;
        }
        if (a->index == spent) {
            const federation::OutgoingSnapshot& snap = *a->reply.outgoing;
            const bool claimed = snap.spent_by == federation::OutgoingSpender::gateway;
            payment.preimage = snap.preimage;
            payment.state = claimed ? PaymentState::succeeded : PaymentState::refunded;
            poll.withdraw_open();
            return payment;
        }
        payment.cancelled = a->index == cancelled;
        payment.note = payment.cancelled ? "cancelled by the gateway" : "timelock passed";
        payment.refund_count = a->index == expired ? a->reply.ln_count : 0;
        if (refund(&payment)) {
            payment.state = PaymentState::refunded;
            poll.withdraw_open();
            return payment;
        }
        // The refund was rejected (the gateway's claim came first, or a transient rejection):
        // the spent await stays parked; the fired one is asked again after a pause.
        this_actor::sleep_for(config_.poll);
        if (a->index == cancelled) {
            cancelled = poll.add(FederationApi::outgoing_await(payment.contract,
                                                               AwaitKind::outgoing_cancelled));
        } else {
            expired = poll.add(FederationApi::ln_count_await(payment.timelock));
        }
    }
    payment.note = "harness limit: stopped following the payment (upstream keeps following)";
    payment.state = PaymentState::pending;
    poll.withdraw_open();
    return payment;
}

// Upstream (pay.rs `try_refund_outgoing_contract`) claims the refund input once and ends the
// pay machine in Refund; the refund transaction goes to the submission machine, which
// resubmits until accepted or rejected (submit_until_answered): no deadline. A rejection (the
// gateway's claim came first) returns false; follow() then learns the outcome from the spent
// await [model: upstream's subscription would report the refund as unsuccessful].
bool Client::refund(ClientPayment* payment) {
    federation::FedTx tx{api_->new_tx_id(),
                         federation::SpendOutgoingTx{.contract = payment->contract,
                                                     .signer = config_.user_key,
                                                     .preimage = std::nullopt,
                                                     .payout = config_.id}};
    return api_->submit_until_answered(tx).accepted;
}

std::optional<lightning::Invoice> Client::create_invoice(uint64_t amount_msat,
                                                         uint32_t expiry_seconds) {
    std::optional<federation::GatewayAnnouncement> gw = pick_gateway();
    if (!gw.has_value()) {
        return std::nullopt;
    }
    const Preimage preimage = lightning::random_preimage(this_actor::random());
    const PaymentHash hash = federation::payment_hash_of(preimage);
    federation::IncomingOfferV1 offer{
        .amount_msat = amount_msat,
        .hash = hash,
        .encrypted_preimage = {.ciphertext_id = this_actor::random().next_u64(),
                               .plaintext = preimage,
                               .well_formed = true},
        .expiry_time_unix_secs = std::nullopt};
    // Upstream `create_bolt11_invoice_internal` (lib.rs @0026491) submits the offer and
    // awaits `await_tx_accepted` before returning the invoice, with no deadline; a rejection
    // is "Offer transaction was not accepted".
    const federation::TxOutcome o = api_->submit_until_answered(
        federation::FedTx{api_->new_tx_id(), federation::OfferIncomingTx{offer}});
    if (!o.accepted) {
        return std::nullopt;
    }
    ln_.chain().register_preimage(preimage);
    const int64_t created_unix = sim_.clocks().unix_seconds(node_, this_actor::now());
    receiving_.emplace(hash, Receiving{preimage, created_unix + expiry_seconds});
    // The last hop of every hint is the gateway's intercept "channel" to the federation.
    const lightning::RouteHintHop intercept_hop{
        gw->node_index, lightning::ShortChannelId{gw->intercept_scid},
        lightning::ChannelPolicy{0, 0, 144, 0, lightning::k_no_htlc_maximum, false}};
    lightning::Invoice invoice;
    invoice.payee = config_.federation_node;
    invoice.payment_hash = hash;
    invoice.amount_msat = amount_msat;
    invoice.min_final_cltv_expiry_delta = 18;
    invoice.created_at_unix = created_unix;
    invoice.expiry_seconds = expiry_seconds;
    for (const federation::RouteHintRecord& h : gw->route_hints) {
        lightning::RouteHintHop first{
            static_cast<lightning::NodeIndex>(h.src_node.value),
            lightning::ShortChannelId{h.short_channel_id},
            lightning::ChannelPolicy{h.fee_base_msat, static_cast<uint32_t>(h.fee_ppm),
                                     static_cast<uint32_t>(h.cltv_expiry_delta), 0,
                                     lightning::k_no_htlc_maximum, false}};
        invoice.route_hints.push_back({first, intercept_hop});
    }
    if (invoice.route_hints.empty()) {
        invoice.route_hints.push_back({intercept_hop});
    }
    const std::string name = config_.name + ".recv." + std::to_string(federation::hash_key(hash));
    // The receive's first record (its last is finish()'s): the timeline's bar starts here.
    this_actor::trace("client_payment_start").field("client", config_.name).field("payment", name);
    if (checker_ != nullptr) {
        checker_->started(name);
        // Upstream's end of an unfunded receive (receive_step): the expiry + 60 s.
        checker_->receive_unfunded(
            name, hash, node_, created_unix + expiry_seconds + k_clock_skew_tolerance_secs,
            receive_end_slack());
    }
    return invoice;
}

// fedimint-ln-client receive.rs (`await_incoming_contract_account`): a one-shot read of the
// contract (`fetch_contract`, ACCOUNT_ENDPOINT) every RETRY_DELAY = 1 s until its preimage is
// decrypted, then the claim. Upstream long-polled here for a while (`wait_preimage_decrypted`)
// and went back to re-reading, so the receive is the one place a user still polls.
// Upstream's own ends (receive.rs, the index versions with `has_invoice_expired` and
// CLOCK_SKEW_TOLERANCE; no commit to pin): decrypted -> claim; `Invalid` -> InvalidPreimage at
// once; no funded contract while the invoice has expired 60 s ago (`would_expire(now - 60 s)`,
// its unit test: expired at exactly expiry + 60 s) -> Timeout; a funded contract still
// `Pending` is waited for without end ("Previously we would time out here but we may miss a
// payment if we do so"). The claim goes through the submission machine (no deadline); its
// rejection is ClaimRejected.
Client::ReceiveEnd Client::receive_step(const std::string& name, const PaymentHash& hash,
                                        const Receiving& r) {
    // The clock is read before the contract, as upstream's loop does (receive.rs
    // `await_incoming_contract_account`: `let now = fedimint_core::time::now()` above
    // `get_incoming_contract`, "Consider time before the api call to account for network
    // delays"): a read that returns after the mark cannot end a receive whose read began before.
    const int64_t now_unix = sim_.clocks().unix_seconds(node_, this_actor::now());
    std::optional<federation::IncomingSnapshot> snap = api_->incoming(hash);
    if (!snap.has_value()) {
        return {PaymentState::pending, ""};  // no quorum answered: read again (upstream retries)
    }
    if (!snap->funded) {
        const bool expired = now_unix - k_clock_skew_tolerance_secs >= r.expires_at_unix;
        return expired ? ReceiveEnd{PaymentState::failed, "invoice not paid before it expired"}
                       : ReceiveEnd{PaymentState::pending, ""};
    }
    if (checker_ != nullptr) {
        checker_->receive_funded(name);
    }
    if (snap->state == federation::DecryptedPreimage::invalid) {
        return {PaymentState::failed, "the decrypted preimage was invalid"};
    }
    if (snap->state == federation::DecryptedPreimage::some) {
        federation::FedTx tx{
            api_->new_tx_id(),
            federation::SpendIncomingTx{.hash = hash,
                                        .signer = federation::user_key_from_preimage(r.preimage),
                                        .payout = config_.id}};
        const federation::TxOutcome o = api_->submit_until_answered(tx);
        return o.accepted ? ReceiveEnd{PaymentState::succeeded, ""}
                          : ReceiveEnd{PaymentState::failed, "claim rejected: " + o.error};
    }
    return {PaymentState::pending, ""};  // funded, decryption pending: no end upstream
}

// How long (sim time) after the client's clock passed the invoice's expiry + 60 s an unfunded
// receive may still be pending without the client being late, for the payment checker. The clock
// is read before each contract read (receive_step), so: the read in flight when the clock passes
// the mark read the clock before it and cannot end the receive (up to a read timeout), then the
// poll, then the read that ends it (its clock read is past the mark; up to a read timeout when a
// guardian is slow, one round trip when the federation answers). Exact for that order.
sim::SimDuration Client::receive_end_slack() const {
    return config_.poll + api_->query_timeout() * 2;
}

bool Client::await_receive(const PaymentHash& hash, sim::SimDuration harness_limit) {
    return await_receive_state(hash, harness_limit) == PaymentState::succeeded;
}

PaymentState Client::await_receive_state(const PaymentHash& hash,
                                         sim::SimDuration harness_limit) {
    auto it = receiving_.find(hash);
    SIM_ASSERT(it != receiving_.end());
    const std::string name = config_.name + ".recv." + std::to_string(federation::hash_key(hash));
    ClientPayment record;
    const sim::SimTime stop = this_actor::now() + harness_limit;
    while (this_actor::now() < stop) {
        const ReceiveEnd end = receive_step(name, hash, it->second);
        if (end.state != PaymentState::pending) {
            record.note = end.note;
            finish(name, &record, end.state);
            return end.state;
        }
        this_actor::sleep_for(config_.poll);
    }
    // The caller stopped waiting: a harness limit, not a client decision (upstream keeps
    // waiting). The receive stays pending for the checkers.
    record.note = "harness limit: stopped waiting for the receive (upstream keeps waiting)";
    finish(name, &record, PaymentState::pending);
    return PaymentState::pending;
}

}  // namespace actors::client
