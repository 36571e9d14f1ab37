// FaucetPlan: what a Lightning-bearing world ("lightning", "gateway") will pay from its chain's
// faucet — every channel's capacity, declared or generated, and the gateway world's peg-ins —
// summed from the declared topology and parameters before the chain is built. The sum sizes the
// faucet (ChainBackendConfig::faucet_min_sat): a world that needs no more than the default two
// coinbases (100 BTC) mines exactly what it mined before, so its fingerprint stays; one that
// needs more mines the extra coinbases at set-up instead of aborting when the faucet runs dry.
// A sum beyond what regtest can ever mint (faucet_supply) cannot be funded: the plan keeps the
// first payment that crossed it, where it was declared, so the world refuses the scenario as
// bad input naming that field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/lightning/chain_backend.h"
#include "scenario/diagnostics.h"

namespace scenario {

class FaucetPlan {
public:
    FaucetPlan();

    // Adds a payment of `sat`, declared at `where` and named `what` in a refusal ("capacity_sat
    // 2000", say). Payments after the one that crossed the supply are ignored.
    void add(uint64_t sat, const SourceLocation& where, const std::string& what);

    // The faucet's size (ChainBackendConfig::faucet_min_sat): the sum of the payments, or 0
    // (the default two coinbases) once the sum is beyond the supply, for a world that refuses
    // the scenario anyway.
    actors::chain::Amount faucet_min_sat() const;

    // The payment that took the sum beyond regtest's supply, as "<what> takes the faucet's
    // payments to N sat, more than regtest's whole supply (S sat)" at its `where`.
    const std::optional<Diagnostic>& refusal() const { return refusal_; }

private:
    uint64_t supply_;
    uint64_t total_ = 0;
    std::optional<Diagnostic> refusal_;
};

}  // namespace scenario
