// Paid-over-Lightning and expired-dispatch queries on a gateway's store (outgoing_outcomes.h).
#include "actors/gateway/outgoing_outcomes.h"

namespace actors::gateway {

namespace {

constexpr int64_t k_ns_per_s = 1'000'000'000;

}  // namespace

bool paid_over_lightning(OutgoingStage stage) {
    return stage == OutgoingStage::paid || stage == OutgoingStage::claimed ||
           stage == OutgoingStage::claim_rejected;
}

int64_t claim_rejected_count(const GatewayStore& store) {
    int64_t n = 0;
    for (const auto& [cid, p] : store.outgoing) {
        n += p.stage == OutgoingStage::claim_rejected ? 1 : 0;
    }
    return n;
}

std::vector<ExpiredDispatch> expired_dispatches(const GatewayStore& store, int64_t epoch_unix_s) {
    std::vector<ExpiredDispatch> out;
    for (const auto& [cid, p] : store.outgoing) {
        if (!paid_over_lightning(p.stage) || !p.dispatched_at.has_value()) {
            continue;
        }
        const int64_t dispatched_ns = epoch_unix_s * k_ns_per_s + p.dispatched_at->ns();
        const int64_t expires_at = p.request.invoice.expires_at_unix();
        const int64_t expires_ns = expires_at * k_ns_per_s;
        if (dispatched_ns > expires_ns) {
            out.push_back(ExpiredDispatch{.contract = cid,
                                          .expired_at_unix = expires_at,
                                          .late_s = (dispatched_ns - expires_ns) / k_ns_per_s});
        }
    }
    return out;
}

}  // namespace actors::gateway
