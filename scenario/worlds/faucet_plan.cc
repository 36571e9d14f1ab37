// The faucet's payments summed and checked against regtest's supply (see faucet_plan.h).
#include "scenario/worlds/faucet_plan.h"

namespace scenario {

FaucetPlan::FaucetPlan()
    : supply_(static_cast<uint64_t>(actors::lightning::faucet_supply())) {}

void FaucetPlan::add(uint64_t sat, const SourceLocation& where, const std::string& what) {
    if (refusal_.has_value()) {
        return;
    }
    // total_ <= supply_ (~1.5e12) and a payment is at most 21e6 BTC (2.1e15): no overflow.
    total_ += sat;
    if (total_ > supply_) {
        refusal_ = Diagnostic{where, what + " takes the faucet's payments to " +
                                         std::to_string(total_) +
                                         " sat, more than regtest's whole supply (" +
                                         std::to_string(supply_) + " sat)"};
    }
}

actors::chain::Amount FaucetPlan::faucet_min_sat() const {
    return refusal_.has_value() ? 0 : static_cast<actors::chain::Amount>(total_);
}

}  // namespace scenario
