// The incoming half of "an honest gateway never loses" (checker gw.never_loses): the federation
// funded an incoming contract with the gateway's ecash and decrypted its preimage — so the
// receiver can claim that ecash and the gateway can no longer refund itself — but the gateway's
// Lightning node no longer holds the intercepted HTLC and the gateway did not settle it. The
// gateway then paid the amount and was paid nothing. The judgement is a pure function
// (incoming_loss) so that tests can feed it each edge; IncomingLossChecker applies it to a live
// federation, gateway and Lightning network and reports each loss once.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/gateway/gateway.h"
#include "actors/lightning/lightning_network.h"

namespace scenario {

// Why intercepted HTLC `intercept_id` (`p`) is a loss for the gateway, or nothing if it is not
// one yet. `contract` is the federation's record for the HTLC's hash (null: never funded) and
// `held` how many HTLCs of that hash the gateway's node still holds. Not a loss: settled; still
// held (the gateway can still settle); funded by someone else or not at all; decryption pending
// (not yet certain: an LNv1 incoming contract has no timeout, it waits for the shares); decrypted
// invalid (the gateway spends it back with its key). Sources: /work/shared/reference/fedimint.md
// 2.2 (spend of an incoming account: `Some(p)` -> the preimage's key, `Invalid` -> gateway_key;
// no block-height timeout).
std::optional<std::string> incoming_loss(uint64_t intercept_id,
                                         const actors::gateway::IncomingPayment& p,
                                         const actors::federation::IncomingRecord* contract,
                                         actors::federation::ClientId gateway_client,
                                         size_t held);

class IncomingLossChecker {
public:
    IncomingLossChecker(actors::federation::CheckerHub& hub,
                        const actors::federation::Federation& federation,
                        const actors::gateway::Gateway& gateway,
                        const actors::lightning::LightningNetwork& ln)
        : hub_(hub), federation_(federation), gateway_(gateway), ln_(ln) {}

    // Judges every intercepted HTLC against the most advanced guardian's state (decryption is
    // final once a round applied it) and reports each new loss as gw.never_loses.
    void check();

private:
    actors::federation::CheckerHub& hub_;
    const actors::federation::Federation& federation_;
    const actors::gateway::Gateway& gateway_;
    const actors::lightning::LightningNetwork& ln_;
    std::set<uint64_t> reported_;  // intercept ids
};

}  // namespace scenario
