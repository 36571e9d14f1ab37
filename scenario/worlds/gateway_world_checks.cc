// The gateway world's own checkers (an incoming contract the gateway funded and the guardians
// decrypted is settled: gateway_incoming_loss.h; /stop returns in time; no expired invoice is
// paid), the periodic watch that runs them, the mapping of every violation to a named checker,
// and the metrics.
#include <algorithm>

#include "actors/gateway/outgoing_outcomes.h"
#include "scenario/worlds/gateway_world.h"
#include "scenario/worlds/hub_check.h"
#include "sim/this_actor.h"

namespace scenario {

namespace ln = actors::lightning;
namespace fed = actors::federation;
namespace gw = actors::gateway;
namespace this_actor = sim::this_actor;

namespace {

// The hub's checker names, grouped under the world's checker names.
const std::vector<std::pair<std::string, std::vector<std::string_view>>>& checker_groups() {
    static const std::vector<std::pair<std::string, std::vector<std::string_view>>> groups = {
        {"fed.consensus", {"round_fingerprint"}},
        {"fed.books", {"federation_books", "ecash_issued_once", "claimed_xor_refunded"}},
        {"fed.chain_backing", {"chain_backing"}},
        {"ln.conservation", {"channel_conservation"}},
        {"ln.htlc_expiry", {"htlc_expiry"}},
        {"gw.never_loses", {"gateway_never_loses", "gw.never_loses"}},
        {"gw.payments_terminal", {"payment_terminal"}},
        {"gw.stops", {"gw.stops"}},
        {"gw.no_expired_payment", {"gw.no_expired_payment"}},
        {"gw.route_hint_policy", {"gw.route_hint_policy"}}};
    return groups;
}

}  // namespace

void GatewayScenarioWorld::watch() {
    size_t hint_digest_seen = 0;
    std::vector<uint64_t> hints;
    while (true) {
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        if (stop_requested_.has_value() && !stopped_at_.has_value() &&
            this_actor::now() > *stop_requested_ + run_.stop_within) {
            hub_.report("gw.stops",
                        "the gateway did not stop within " + sim::to_string(run_.stop_within) +
                            " of /stop",
                        stop_subject());
        }
        check_incoming_losses();
        check_expired_payments();
        std::vector<uint64_t> now_hints;
        for (const fed::RouteHintRecord& h : gateway_->store().registered_hints) {
            now_hints.push_back(h.short_channel_id);
        }
        if (!now_hints.empty() && now_hints != hints) {
            hint_changes_ += hint_digest_seen > 0 ? 1 : 0;
            ++hint_digest_seen;
            hints = now_hints;
        }
    }
}

// Each loss once, at the first watch (every 5 s) or the final check after it became certain.
void GatewayScenarioWorld::check_incoming_losses() { incoming_losses_->check(); }

// A payment the gateway's node paid, its claim unanswered, accepted or rejected (paid all the
// same): outgoing_outcomes.h. Each once (reported_expired_), though its stage moves on.
void GatewayScenarioWorld::check_expired_payments() {
    for (const gw::ExpiredDispatch& e :
         gw::expired_dispatches(gateway_->store(), sim_.clocks().epoch_unix_s())) {
        if (!reported_expired_.insert(e.contract).second) {
            continue;
        }
        hub_.report("gw.no_expired_payment",
                    "contract " + std::to_string(e.contract.value) +
                        ": the invoice expired at unix " + std::to_string(e.expired_at_unix) +
                        " but was paid, dispatched " + std::to_string(e.late_s) +
                        " s later by the reference clock");
    }
}

GatewayScenarioWorld::HintPolicies GatewayScenarioWorld::hint_policies(
    const ln::Invoice& inv) const {
    HintPolicies out;
    for (const ln::RouteHint& hint : inv.route_hints) {
        for (const ln::RouteHintHop& hop : hint) {
            const std::optional<ln::ChannelIndex> c = ln_->channel_with_scid(hop.scid);
            if (c.has_value()) {
                const ln::ChannelLedger& ch = ln_->channel(*c);
                out[hop.scid] = ch.side(ch.side_of(hop.source)).policy;
            }
        }
    }
    return out;
}

// A receive the payer gave up on: did an attempt fail with a policy error (fee or CLTV) at a
// hop of the invoice's route hint, over the hinted channel itself (the failure's update names
// its scid), whose policy is not the one the hint's node charged for that channel? Then the
// hint, not the payer, is wrong, and the message says whose policy the hint carried (the
// gateway's own side: fedimint lnd.rs before #8928 took node1_policy). "Charged" is the policy
// when the invoice was made (`at_invoice`), and a hop whose policy changed since is skipped: a
// hint that went stale after registration is not the gateway's fault. Not covered: a change
// between the registration and the invoice (none of the gateway world's actions changes a
// policy; the hint would be judged against the newer one).
void GatewayScenarioWorld::check_route_hint(const std::string& receive, const ln::Invoice& inv,
                                            const HintPolicies& at_invoice,
                                            const ln::PaymentResult& r) {
    auto same = [](const ln::ChannelPolicy& x, const ln::ChannelPolicy& y) {
        return x.fee_base_msat == y.fee_base_msat && x.fee_ppm == y.fee_ppm &&
               x.cltv_expiry_delta == y.cltv_expiry_delta;
    };
    auto text = [](const ln::ChannelPolicy& x) {
        return std::to_string(x.fee_base_msat) + " msat + " + std::to_string(x.fee_ppm) +
               " ppm, cltv_expiry_delta " + std::to_string(x.cltv_expiry_delta);
    };
    for (const ln::AttemptRecord& a : r.attempts) {
        if (!a.failure.has_value() || (a.failure->code != ln::FailureCode::fee_insufficient &&
                                       a.failure->code != ln::FailureCode::incorrect_cltv_expiry)) {
            continue;
        }
        for (const ln::RouteHint& hint : inv.route_hints) {
            for (const ln::RouteHintHop& hop : hint) {
                if (hop.source != a.failure->failing_node || a.failure->update_scid != hop.scid) {
                    continue;
                }
                const std::optional<ln::ChannelIndex> c = ln_->channel_with_scid(hop.scid);
                const auto then = at_invoice.find(hop.scid);
                if (!c.has_value() || then == at_invoice.end()) {
                    continue;
                }
                const ln::ChannelLedger& ch = ln_->channel(*c);
                const int src = ch.side_of(hop.source);
                const ln::ChannelPolicy& charged = then->second;
                if (!same(ch.side(src).policy, charged) || same(hop.policy, charged)) {
                    continue;  // changed since the invoice, or the hint was right
                }
                const ln::ChannelPolicy& other = ch.side(1 - src).policy;
                hub_.report("gw.route_hint_policy",
                            "receive " + receive + " failed: " +
                                ln::to_string(a.failure->code) + " from the hint's node " +
                                ln_->node(hop.source).alias() + " at " + hop.scid.to_string() +
                                ": the gateway's route hint advertises " + text(hop.policy) +
                                (same(hop.policy, other) ? " (the other side's policy, " +
                                                               ln_->node(ch.side(1 - src).node)
                                                                   .alias() + "'s)"
                                                         : "") +
                                ", but " + ln_->node(hop.source).alias() + " charges " +
                                text(charged) + " (payer: " + r.reason + ")");
                return;
            }
        }
    }
}

// Every check is the hub's: its violations failed the run when found (already_reported).
std::vector<CheckResult> GatewayScenarioWorld::check() const {
    std::vector<CheckResult> out;
    for (const auto& [name, sources] : checker_groups()) {
        out.push_back(hub_check(hub_, name, sources));
    }
    return out;
}

std::map<std::string, int64_t> GatewayScenarioWorld::metrics() const {
    std::map<std::string, int64_t> m = {
        {"gw.payments", 0}, {"gw.paid", 0}, {"gw.refunded", 0}, {"gw.failed", 0},
        {"gw.pending", 0}, {"gw.refund_margin_min", -1}, {"gw.receives", 0}, {"gw.received", 0},
        {"gw.receive_failed", 0}, {"gw.receive_pending", 0}, {"gw.cancelled", 0}, {"gw.claim_rejected", 0},
        {"gw.timeout_too_close", 0},
        {"gw.invoice_expired", 0}, {"gw.stopped", stopped_at_.has_value() ? 1 : 0},
        {"gw.restarts", gateway_restarts_}, {"gw.hint_changes", hint_changes_},
        {"ln.tip_height", ln_->chain().tip()}};
    std::optional<int64_t> margin_min;
    for (const auto& p : payments_) {
        if (!p->outgoing) {
            ++m["gw.receives"];
            ++m[!p->received.has_value() ? "gw.receive_pending"
                : *p->received              ? "gw.received"
                                            : "gw.receive_failed"];
            continue;
        }
        ++m["gw.payments"];
        if (!p->result.has_value()) {
            ++m["gw.pending"];
            continue;
        }
        const actors::client::ClientPayment& r = *p->result;
        switch (r.state) {
            case fed::PaymentState::succeeded:
                ++m["gw.paid"];
                break;
            case fed::PaymentState::refunded: {
                ++m["gw.refunded"];
                if (!r.cancelled) {
                    const int64_t margin = static_cast<int64_t>(r.refund_count) -
                                           static_cast<int64_t>(r.timelock);
                    margin_min = margin_min.has_value() ? std::min(*margin_min, margin) : margin;
                }
                break;
            }
            case fed::PaymentState::failed:
                ++m["gw.failed"];
                break;
            case fed::PaymentState::pending:
                ++m["gw.pending"];
                break;
        }
    }
    m["gw.refund_margin_min"] = margin_min.value_or(-1);
    if (gateway_ == nullptr) {
        return m;  // the world's set-up failed before the gateway was built (reported already)
    }
    // Paid over Lightning, the claim refused: the gateway is out of pocket (a gw.never_loses
    // violation says why when the checker saw it first).
    m["gw.claim_rejected"] = gw::claim_rejected_count(gateway_->store());
    for (const auto& [cid, out] : gateway_->store().outgoing) {
        if (out.stage != gw::OutgoingStage::cancelled) {
            continue;
        }
        ++m["gw.cancelled"];
        m["gw.timeout_too_close"] += out.note == "TimeoutTooClose" ? 1 : 0;
        m["gw.invoice_expired"] += out.note == "InvoiceExpired" ? 1 : 0;
    }
    return m;
}

}  // namespace scenario
