// Invariant checkers a scenario world attaches to a federation (and to its Lightning network,
// gateways and clients). Each reports its first violation once, with the seed, the sim time and
// the violating event, and ends the run as check_failed; the world can also read violations().
//
//   RoundFingerprintChecker   every guardian that applies round r reaches the same state.
//   FederationBooksChecker    ecash outstanding + contract escrow == the federation's UTXOs
//                             (value conserved through peg-ins, peg-outs, contracts; the peg-out
//                             miner fee is charged in ecash); no contract both claimed and
//                             refunded; no ecash issued twice for one contract.
//   ChainBackingChecker       every UTXO the federation's state counts exists on chain (or is
//                             the change of a peg-out it signed).
//   LightningChecker          channel conservation (LightningNetwork::check_conservation) and no
//                             HTLC outliving the height its profile goes on-chain at.
//   PaymentChecker            every registered payment is terminal within a bound after the
//                             last fault healed; a gateway that paid over Lightning can still
//                             claim its contract (an honest gateway never loses funds).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/federation/federation.h"
#include "actors/lightning/lightning_network.h"
#include "sim/simulation.h"

namespace actors::federation {

// Shared reporting: the first violation of any checker in the hub fails the run.
class CheckerHub {
public:
    explicit CheckerHub(sim::Simulation& sim) : sim_(sim) {}
    void report(std::string_view checker, std::string_view event);
    const std::vector<std::string>& violations() const { return violations_; }
    bool ok() const { return violations_.empty(); }
    sim::Simulation& sim() { return sim_; }

private:
    sim::Simulation& sim_;
    std::vector<std::string> violations_;
};

class RoundFingerprintChecker : public RoundObserver {
public:
    explicit RoundFingerprintChecker(CheckerHub& hub) : hub_(hub) {}
    void on_round(PeerId peer, const Batch& batch, const FederationState& state,
                  const std::vector<StateEvent>& events) override;
    uint64_t rounds_compared() const { return compared_; }

private:
    void forget_old_rounds();
    struct Seen {
        uint64_t fingerprint = 0;
        PeerId first;
        uint64_t reports = 1;
    };
    CheckerHub& hub_;
    std::map<uint64_t, Seen> rounds_;
    uint64_t compared_ = 0;
};

class FederationBooksChecker : public RoundObserver {
public:
    explicit FederationBooksChecker(CheckerHub& hub) : hub_(hub) {}
    void on_round(PeerId peer, const Batch& batch, const FederationState& state,
                  const std::vector<StateEvent>& events) override;

private:
    struct ContractSeen {
        uint32_t issues = 0;
        bool claimed = false;
        bool refunded = false;
    };
    CheckerHub& hub_;
    std::map<std::pair<PeerId, uint64_t>, ContractSeen> contracts_;
};

class ChainBackingChecker : public RoundObserver {
public:
    ChainBackingChecker(CheckerHub& hub, const chain::Chain& canonical)
        : hub_(hub), canonical_(canonical) {}
    void on_round(PeerId peer, const Batch& batch, const FederationState& state,
                  const std::vector<StateEvent>& events) override;

private:
    CheckerHub& hub_;
    const chain::Chain& canonical_;
};

struct LightningCheckerConfig {
    sim::SimDuration period = sim::SimDuration::seconds(5);
    // Blocks of slack past the profile's go-on-chain height (view lag, notification order).
    uint32_t onchain_slack_blocks = 2;
};

class LightningChecker {
public:
    LightningChecker(CheckerHub& hub, const lightning::LightningNetwork& ln,
                     LightningCheckerConfig config = {});
    // Spawns the periodic check (a daemon).
    void start();
    // One pass; also called at the end of a run.
    void check();

private:
    CheckerHub& hub_;
    const lightning::LightningNetwork& ln_;
    LightningCheckerConfig config_;
};

enum class PaymentState : uint8_t { pending, succeeded, refunded, failed };
const char* to_string(PaymentState s);

class PaymentChecker {
public:
    PaymentChecker(CheckerHub& hub, sim::SimDuration bound) : hub_(hub), bound_(bound) {}

    // Clients.
    void started(const std::string& payment);
    void finished(const std::string& payment, PaymentState state);
    // Scenarios: faults are over from `at` on; every payment must be terminal by at + bound.
    void faults_healed(sim::SimTime at);
    // Gateways: the Lightning payment for `contract` succeeded; `state` is what the gateway's
    // federation view shows now. The contract must still be claimable by the gateway.
    void gateway_paid(ContractId contract, const OutgoingSnapshot& snapshot, uint64_t ln_count);
    void gateway_claimed(ContractId contract);
    // Spawns the deadline watcher (a daemon).
    void start();
    // End of run: every payment terminal, every gateway-paid contract claimed by the gateway.
    void check_final();
    const std::map<std::string, PaymentState>& payments() const { return payments_; }

private:
    CheckerHub& hub_;
    sim::SimDuration bound_;
    sim::SimTime healed_at_ = sim::SimTime::zero();
    std::map<std::string, PaymentState> payments_;
    std::set<ContractId> gateway_paid_;
    std::set<ContractId> gateway_claimed_;
};

}  // namespace actors::federation
