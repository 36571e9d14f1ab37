// LightningNode: paying — route search over the node's own graph view and liquidity knowledge,
// one HTLC per attempt, learning from each failure, retrying until a limit stops it.
#include <algorithm>

#include "actors/lightning/lightning_network.h"
#include "actors/lightning/lightning_node.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::lightning {

namespace this_actor = sim::this_actor;

namespace {

std::shared_ptr<const std::vector<HopPayload>> onion_layers(const Route& route) {
    auto layers = std::make_shared<std::vector<HopPayload>>();
    for (size_t i = 0; i < route.hops.size(); ++i) {
        if (i + 1 == route.hops.size()) {
            layers->push_back(HopPayload{std::nullopt, route.hops[i].amount_msat,
                                         route.hops[i].cltv_expiry});
        } else {
            const RouteHop& next = route.hops[i + 1];
            layers->push_back(HopPayload{next.scid, next.amount_msat, next.cltv_expiry});
        }
    }
    return layers;
}

std::string describe(const HtlcFailure& f) {
    return std::string(to_string(f.code)) + " from node " + std::to_string(f.failing_node) +
           " (" + f.reason + ")";
}

}  // namespace

// Before every attempt. A balance is written only when it differs from what this node last
// wrote for the channel: nothing else writes own balances into knowledge_ (knowledge() reads
// it only), so the knowledge ends exactly as if every balance were written each time, without
// two map writes per channel per attempt (a hub has thousands of channels). synced_[i] belongs
// to channels_[i]: that needs channels_ to only ever grow, which the assertion checks.
void LightningNode::sync_own_liquidity() {
    SIM_ASSERT(synced_.size() <= channels_.size());
    synced_.resize(channels_.size());
    for (size_t i = 0; i < channels_.size(); ++i) {
        const ChannelLedger& ch = network_.channel(channels_[i]);
        if (ch.status() != ChannelStatus::open) {
            continue;
        }
        const int me = my_side(ch);
        if (ch.shutting_down) {
            knowledge_.exclude_channel(ch.scid());
            continue;
        }
        // A side with no HTLC slot left can send nothing more over the channel, as LDK's
        // first-hop next_outbound_htlc_limit_msat and LND's link bandwidth report 0.
        const uint64_t mine = ch.has_htlc_slot(me) ? ch.available_msat(me) : 0;
        const uint64_t peer = ch.has_htlc_slot(1 - me) ? ch.available_msat(1 - me) : 0;
        SyncedBalances& last = synced_[i];
        SIM_ASSERT(!last.set || last.channel == channels_[i]);
        if (last.set && last.mine == mine && last.peer == peer) {
            continue;
        }
        knowledge_.set_own_balance(ch.scid(), index_, mine);
        knowledge_.set_own_balance(ch.scid(), ch.side(1 - me).node, peer);
        last = SyncedBalances{channels_[i], mine, peer, true};
    }
}

LightningNode::AttemptOutcome LightningNode::attempt(const Route& route, const PaymentHash& hash) {
    SIM_ASSERT(!route.hops.empty());
    ChannelLedger* first = channel_by_scid(route.hops.front().scid);
    const uint64_t amount = route.hops.front().amount_msat;
    std::string refused;
    if (first == nullptr || first->status() != ChannelStatus::open || first->shutting_down ||
        first->available_msat(my_side(*first)) < amount) {
        refused = "cannot carry " + std::to_string(amount) + " msat";
    } else if (!first->has_htlc_slot(my_side(*first))) {
        // BOLT 2: no more than the peer's max_accepted_htlcs; a full first hop is refused
        // locally like one without the liquidity.
        const int me = my_side(*first);
        refused = "already has " + std::to_string(first->offered_count(me)) + " HTLCs (max " +
                  std::to_string(first->side(1 - me).profile.max_accepted_htlcs) + ")";
    }
    if (!refused.empty()) {
        HtlcFailure f{FailureCode::temporary_channel_failure,
                      alias_ + ": first hop " + route.hops.front().scid.to_string() + " " +
                          refused,
                      index_, std::nullopt, std::nullopt};
        return AttemptOutcome{false, {}, {}, f};
    }
    auto done = std::make_shared<sim::Channel<AttemptOutcome>>(
        alias_ + ".payment#" + std::to_string(next_payment_++));
    uint64_t id = offer_htlc(*first, amount, hash, route.hops.front().cltv_expiry,
                             Onion{onion_layers(route), 0});
    payments_[HtlcKey{first->index(), id}] = done;
    std::optional<AttemptOutcome> outcome = done->recv();
    SIM_ASSERT(outcome.has_value());
    return *outcome;
}

int LightningNode::failing_hop(const Route& route, const HtlcFailure& failure) {
    int hop = -1;
    for (size_t i = 0; i < route.hops.size(); ++i) {
        if (route.hops[i].node == failure.failing_node) {
            hop = static_cast<int>(i);
        }
    }
    return hop;
}

void LightningNode::learn(const Route& route, const HtlcFailure& failure, bool apply_update,
                          LiquidityKnowledge* payment) {
    if (apply_update && profile_.failure_updates_graph && failure.channel_update.has_value() &&
        failure.update_scid.has_value()) {
        // BOLT 4: apply the channel_update carried by the failure before retrying.
        (void)graph_.update_policy(*failure.update_scid, failure.failing_node,
                                   *failure.channel_update);
    }
    const FailureReport report{failing_hop(route, failure), failure.code,
                               failure.channel_update.has_value()};
    learn_from_failure(profile_, &knowledge_, payment, route, index_, report, this_actor::now());
    if (profile_.failure_memory == FailureMemory::cln_channel_hints) {
        if (std::optional<ClnHintUpdate> u = cln_hint_update(route, index_, report)) {
            // channel_hint.c takes the channel's capacity; for a channel the graph lacks (a
            // route hint's) 0 here, so its hint lasts only the 60 s hysteresis (inference).
            const ChannelInfo* c = graph_.channel(u->scid);
            const uint64_t capacity = c != nullptr ? c->capacity_msat : 0;
            const int64_t unix_s = unix_now();  // floored, as time_now().ts.tv_sec
            if (u->enabled) {
                cln_hints_.cap(u->scid, u->from, u->estimate_msat, capacity, unix_s);
            } else {
                cln_hints_.disable(u->scid, u->from, capacity, unix_s);
            }
        }
    }
}

const LiquidityKnowledge* LightningNode::attempt_memory(const LiquidityKnowledge& payment,
                                                        LiquidityKnowledge* scratch) {
    if (cln_hints_.empty()) {
        return payment.empty_of_learned() ? nullptr : &payment;
    }
    // The whole hint set brought up to date in place before each route computation
    // (channel_hint_set_update). Inference: channel_hint.c's PAY_REFILL_HYSTERESIS comment puts
    // the relaxation "inbetween the attempt that added it and the next retry", "limited to once
    // every minute", "a stairway pattern"; the call site in v24.11's libplugin-pay.c was not
    // read (the stored versions predate it).
    // unix_now() floors, as time_now().ts.tv_sec does.
    cln_hints_.update(unix_now());
    *scratch = payment;
    cln_hints_.project(scratch);
    return scratch;
}

void LightningNode::exclude_blamed_channel(LiquidityKnowledge* payment, const Route& route,
                                           const HtlcFailure& failure) const {
    if (!profile_.excludes_blamed_channel_for_payment) {
        return;
    }
    if (std::optional<ShortChannelId> scid =
            ldk_blamed_channel(route, failing_hop(route, failure), failure.code,
                               failure.channel_update.has_value())) {
        payment->exclude_channel(*scid);
    }
}

bool LightningNode::payer_sees_expired(const Invoice& invoice) const {
    return invoice_expired(invoice, profile_.payer_invoice_expiry, unix_now_ns(),
                           block_time_seen());
}

// LND's handleFailureMessage asks the payment session first (GetAdditionalEdgePolicy for the
// error source and scid): an update for a hint's edge goes to that edge only, whether or not the
// graph also holds the channel; only an update for no hint edge goes to the graph.
bool LightningNode::update_hint_edges(std::vector<RouteHint>* hints,
                                      const HtlcFailure& failure) const {
    if (!profile_.failure_updates_hint_edges || !failure.channel_update.has_value() ||
        !failure.update_scid.has_value()) {
        return false;
    }
    bool updated = false;
    for (RouteHint& hint : *hints) {
        for (RouteHintHop& hop : hint) {
            if (hop.scid == *failure.update_scid && hop.source == failure.failing_node) {
                hop.policy = *failure.channel_update;
                updated = true;
            }
        }
    }
    return updated;
}

PaymentResult LightningNode::send_to_route(const Route& route, const PaymentHash& hash) {
    PaymentResult result;
    AttemptOutcome o = attempt(route, hash);
    result.attempts.push_back(AttemptRecord{route, o.success ? std::nullopt
                                                             : std::optional(o.failure)});
    if (o.success) {
        result.succeeded = true;
        result.preimage = o.preimage;
        result.route = route;
        result.fee_msat = route.total_fee_msat;
    } else {
        result.code = o.failure.code;
        result.reason = describe(o.failure);
    }
    return result;
}

PaymentResult LightningNode::pay(const Invoice& invoice, const PayLimits& limits) {
    PaymentResult result;
    auto give_up = [&](std::string reason) {
        this_actor::trace("ln_payment_failed").field("node", alias_).field("reason", reason);
        result.reason = std::move(reason);
        return result;
    };
    auto expired_reason = [&] {
        return "invoice expired at unix " + std::to_string(invoice.expires_at_unix()) +
               ", now " + std::to_string(unix_now_ns()) + " ns";
    };
    if (payer_sees_expired(invoice)) {
        return give_up(expired_reason());
    }
    const sim::SimTime deadline = this_actor::now() + limits.timeout;
    // The invoice's hints as this payment knows them (a failure may update one, see below).
    std::vector<RouteHint> hints = invoice.route_hints;
    // What only this payment's later attempts avoid (LDK's previously_failed_channels, CLN's
    // channel hints and excluded nodes); forgotten when the payment ends.
    LiquidityKnowledge payment_memory(index_);
    // The caller's budget, capped by the implementation's own (CLN pay: 11).
    const uint32_t max_attempts = std::min(limits.max_attempts, profile_.max_pay_attempts);
    for (uint32_t n = 0; n < max_attempts; ++n) {
        if (this_actor::now() > deadline) {
            return give_up("payment timed out after " + std::to_string(n) +
                           " attempts; last: " + result.reason);
        }
        // LDK abandons a retry once the invoice has expired (PaymentExpired).
        if (n > 0 && profile_.rechecks_invoice_expiry_per_attempt && payer_sees_expired(invoice)) {
            return give_up(expired_reason() + " before retry " + std::to_string(n) +
                           "; last: " + result.reason);
        }
        sync_own_liquidity();
        knowledge_.forget_expired(this_actor::now());
        PaymentRequest req = payment_request_from_invoice(profile_, index_, invoice, tip());
        req.amount_msat = invoice.amount_msat.value_or(limits.amount_msat.value_or(0));
        req.max_fee_msat = limits.max_fee_msat;
        req.cltv_limit = limits.cltv_limit;
        req.shadow_cltv_offset = limits.shadow_cltv_offset;
        req.route_hints = hints;
        LiquidityKnowledge with_hints(index_);
        req.payment_knowledge = attempt_memory(payment_memory, &with_hints);
        Result<Route> route = find_route(graph_, knowledge_, profile_, req);
        if (!route.ok()) {
            return give_up(n == 0 ? "no route: " + route.error()
                                  : "no route after " + std::to_string(n) +
                                        " failed attempts: " + route.error() +
                                        "; last failure: " + result.reason);
        }
        AttemptOutcome o = attempt(route.value(), invoice.payment_hash);
        if (o.success) {
            result.attempts.push_back(AttemptRecord{route.value(), std::nullopt});
            result.succeeded = true;
            result.preimage = o.preimage;
            result.route = route.value();
            result.fee_msat = route.value().total_fee_msat;
            result.reason.clear();
            this_actor::trace("ln_payment_succeeded")
                .field("node", alias_)
                .field("attempts", static_cast<int64_t>(result.attempts.size()))
                .field("fee_msat", result.fee_msat);
            return result;
        }
        result.attempts.push_back(AttemptRecord{route.value(), o.failure});
        result.code = o.failure.code;
        result.reason = describe(o.failure);
        // BOLT 4: a failure from the payee is final; so is one from the hop in front of a
        // virtual payee (a gateway refusing the intercepted HTLC).
        const bool virtual_payee = network_.is_virtual(invoice.payee) &&
                                   route.value().hops.size() >= 2 &&
                                   route.value().hops.end()[-2].node == o.failure.failing_node;
        if (o.failure.failing_node == invoice.payee || virtual_payee) {
            return give_up("payee refused: " + result.reason);
        }
        const bool hint_updated = update_hint_edges(&hints, o.failure);
        learn(route.value(), o.failure, /*apply_update=*/!hint_updated, &payment_memory);
        exclude_blamed_channel(&payment_memory, route.value(), o.failure);
    }
    return give_up("gave up after " + std::to_string(max_attempts) +
                   " attempts; last: " + result.reason);
}

}  // namespace actors::lightning
