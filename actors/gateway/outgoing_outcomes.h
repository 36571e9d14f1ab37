// What a gateway's stored outgoing payments show about Lightning: which ones its node paid
// (the stage says so from `paid` on) and which of those were handed to the node
// after their invoice had expired. The gateway world's gw.no_expired_payment check and its
// metrics read the store through these, so a rejected claim counts as a payment made.
#pragma once

#include <cstdint>
#include <vector>

#include "actors/gateway/gateway.h"

namespace actors::gateway {

// Paid over Lightning: `paid` (the node paid, the preimage is known, the claim unanswered: it
// may stay so to the run's end, consensus stalled or the gateway crashed there and never
// restarted), `claimed`, or `claim_rejected` (the federation refused the claim; the money went
// out all the same). `received` / `paying` have not paid (yet) and `cancelled` never paid.
bool paid_over_lightning(OutgoingStage stage);

// How many of `store`'s outgoing payments ended `claim_rejected`: paid over Lightning, the
// claim refused, the gateway out of pocket (the gateway world's gw.claim_rejected metric).
int64_t claim_rejected_count(const GatewayStore& store);

// A payment paid over Lightning although it was dispatched after its invoice's expiry.
struct ExpiredDispatch {
    ContractId contract;
    int64_t expired_at_unix = 0;  // the invoice's expiry (unix seconds)
    int64_t late_s = 0;           // how long after it the payment was dispatched (floored)
};

// Every payment in `store` with paid_over_lightning(stage) whose dispatch, on the reference
// clock (epoch_unix_s + sim time), came strictly after its invoice's expiry (an invoice is
// expired once now > expires_at, lightning/invoice.h is_expired), in contract order.
std::vector<ExpiredDispatch> expired_dispatches(const GatewayStore& store, int64_t epoch_unix_s);

}  // namespace actors::gateway
