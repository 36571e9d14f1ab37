// gw.never_loses for incoming payments: the judgement (incoming_loss) and the live checker.
#include "scenario/worlds/gateway_incoming_loss.h"

namespace scenario {

namespace fed = actors::federation;
namespace gw = actors::gateway;

std::optional<std::string> incoming_loss(uint64_t intercept_id, const gw::IncomingPayment& p,
                                         const fed::IncomingRecord* contract,
                                         fed::ClientId gateway_client, size_t held) {
    if (p.stage == gw::IncomingStage::settled || held > 0 || contract == nullptr ||
        contract->funder != gateway_client ||
        contract->contract.state() != fed::DecryptedPreimage::some) {
        return std::nullopt;
    }
    const uint64_t amount = contract->contract.amount_msat();
    const std::string receiver =
        contract->paid_to.has_value()
            ? "claimed by client " + std::to_string(contract->paid_to->value)
            : "the receiver can claim it";
    std::string why = p.note.empty() ? "no reason recorded" : p.note;
    if (!p.lost) {  // lost: the gateway tried to settle; otherwise it gave the HTLC up
        why = p.stage == gw::IncomingStage::failed
                  ? "the gateway failed it: " + why
                  : "the HTLC is gone while the gateway has not resolved it";
    }
    return "incoming contract " + std::to_string(fed::hash_key(contract->contract.hash())) +
           " (intercepted HTLC " + std::to_string(intercept_id) +
           "): the federation funded it with " + std::to_string(amount) +
           " msat of the gateway's ecash and decrypted the preimage (" +
           receiver + "), but the gateway's Lightning node never settled the HTLC (" + why +
           "): the gateway lost " + std::to_string(amount) + " msat";
}

void IncomingLossChecker::check() {
    fed::PeerId best(0);
    for (uint32_t i = 1; i < federation_.size(); ++i) {
        if (federation_.store(fed::PeerId(i)).state.rounds_applied() >
            federation_.store(best).state.rounds_applied()) {
            best = fed::PeerId(i);
        }
    }
    const fed::FederationState& state = federation_.store(best).state;
    const actors::lightning::LightningNode& node = ln_.node(gateway_.config().ln_node);
    for (const auto& [id, p] : gateway_.store().incoming) {
        if (reported_.count(id) > 0) {
            continue;
        }
        auto rec = state.incoming().find(p.htlc.payment_hash);
        const std::optional<std::string> loss =
            incoming_loss(id, p, rec == state.incoming().end() ? nullptr : &rec->second,
                          gateway_.config().client, node.held_count(p.htlc.payment_hash));
        if (loss.has_value()) {
            reported_.insert(id);
            hub_.report("gw.never_loses", *loss);
        }
    }
}

}  // namespace scenario
