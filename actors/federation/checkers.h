// Invariant checkers a scenario world attaches to a federation (and to its Lightning network,
// gateways and clients). Each reports a violation once, with the seed, the sim time and the
// violating event, and fails the run as check_failed (which ends it, or with the simulation's
// keep_going is recorded while the run goes on); the world can also read violations().
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
//                             last fault healed — except a funded payment its gateway was never
//                             asked about, which upstream ends only by the timelock: it must be
//                             terminal within the bound after the agreed LN count reaches
//                             timelock + 1 — or a receive with no funded contract (by the
//                             federation's consensus state), which upstream ends only 60 s
//                             after its invoice expired; a gateway that paid over Lightning can
//                             still claim its contract (an honest gateway never loses funds).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "actors/federation/federation.h"
#include "actors/lightning/lightning_network.h"
#include "sim/simulation.h"

namespace actors::federation {

// Shared reporting: every violation fails the run (the first one's message is the run's).
//
// When the run goes on after a violation (SimulationConfig::keep_going), each violation is
// reported once, keyed by (checker, subject): a repeat of a key already reported is dropped:
// not traced, not listed and not failed again. An ongoing violation (diverged guardian states,
// unbalanced books, an overdue payment) is seen again at every round or pass, and would
// otherwise be listed thousands of times. The subject is what makes two violations of one
// checker different (a pair of guardians, an imbalance, a payment, a contract, a UTXO, an
// HTLC); without one it is the event text itself, so only word-for-word repeats are dropped.
// Stop-at-first keeps every report (its run ends after the event of the first), as before.
//
// A violation's text is "<checker>" + k_violation_marker + " at t=...": who reported it is
// read back from that prefix (scenario/worlds/hub_check.h).
inline constexpr std::string_view k_violation_marker = " violated";

class CheckerHub {
public:
    explicit CheckerHub(sim::Simulation& sim) : sim_(sim) {}
    void report(std::string_view checker, std::string_view event) {
        report(checker, event, event);
    }
    void report(std::string_view checker, std::string_view event, std::string_view subject);
    const std::vector<std::string>& violations() const { return violations_; }
    bool ok() const { return violations_.empty(); }
    sim::Simulation& sim() { return sim_; }

private:
    sim::Simulation& sim_;
    std::vector<std::string> violations_;
    std::set<std::pair<std::string, std::string>> reported_;  // (checker, subject)
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
    // What on_round checks, on parts a test can choose freely: every UTXO in `utxos` must be
    // confirmed on the canonical chain with its value, spent there, or an output of one of
    // `peg_out_txs` (the peg-outs the federation signed); each one that is none of these is
    // reported once for (peer, round).
    void check(PeerId peer, uint64_t round, const std::map<chain::OutPoint, chain::Amount>& utxos,
               const std::vector<chain::Transaction>& peg_out_txs);

private:
    CheckerHub& hub_;
    const chain::Chain& canonical_;
    // The last UTXO set found backed by the canonical chain alone (each UTXO confirmed with its
    // value, or spent there), and the tip it was found at. That verdict is a function of the
    // active chain, which its tip decides, and of the set; the guardians of a federation apply
    // equal sets round after round, so an equal pair needs no lookups.
    std::optional<chain::BlockHash> backed_at_tip_;
    std::map<chain::OutPoint, chain::Amount> backed_utxos_;
};

struct LightningCheckerConfig {
    sim::SimDuration period = sim::SimDuration::seconds(5);
    // Blocks of slack past the profile's go-on-chain height (view lag, notification order).
    uint32_t onchain_slack_blocks = 2;
    // Every this many periodic passes, walk every channel instead of the touched ones (a
    // safety net, see check_pass); 1 walks every channel on every pass.
    uint32_t full_walk_every = 720;
    // Tests: on every periodic pass compute both and assert they agree.
    bool verify_incremental = false;
};

// Channel conservation (LightningNetwork::check_conservation: the first channel, in index
// order, whose accounting identity fails) and HTLC expiry (the first channel in index order
// with an HTLC, the first in id order, committed past its go-on-chain height plus slack).
//
// A full walk costs channels x passes. The periodic pass instead re-checks only the channels
// the network reports touched since the last pass (LightningNetwork::take_channel_changes)
// and keeps, per channel, whether its identity fails and the lowest height at which one of its
// HTLCs would be late; it then reports exactly what the full walk would, at the same pass.
class LightningChecker {
public:
    LightningChecker(CheckerHub& hub, const lightning::LightningNetwork& ln,
                     LightningCheckerConfig config = {});
    // Spawns the periodic check (a daemon).
    void start();
    // One full walk; called at the end of a run.
    void check();
    // One periodic pass (what the daemon runs every period).
    void check_pass();

private:
    struct Findings {
        std::string conservation;  // empty: holds
        std::string expiry;        // empty: no late HTLC
        std::string expiry_subject;  // "channel C htlc H": the late HTLC, for the hub
        bool operator==(const Findings&) const = default;
    };
    Findings walk_all() const;
    Findings walk_touched();
    void refresh(lightning::ChannelIndex c);
    // The late HTLC's text ("" if none); `subject` gets its channel and id.
    std::string late_htlc(lightning::ChannelIndex c, uint32_t tip, std::string* subject) const;
    void report(const Findings& f);

    CheckerHub& hub_;
    const lightning::LightningNetwork& ln_;
    LightningCheckerConfig config_;
    size_t reader_;
    uint64_t passes_ = 0;
    std::vector<lightning::ChannelIndex> touched_;
    // Channels whose accounting identity fails.
    std::set<lightning::ChannelIndex> unbalanced_;
    // Open channels with a committed HTLC: (the lowest tip at which one is late, channel).
    std::set<std::pair<uint32_t, lightning::ChannelIndex>> late_at_;
    std::vector<std::optional<uint32_t>> late_at_of_;  // per channel: its entry in late_at_
};

enum class PaymentState : uint8_t { pending, succeeded, refunded, failed };
const char* to_string(PaymentState s);

class PaymentChecker {
public:
    PaymentChecker(CheckerHub& hub, sim::SimDuration bound) : hub_(hub), bound_(bound) {}

    // Clients.
    void started(const std::string& payment);
    void finished(const std::string& payment, PaymentState state);
    // Clients: `payment` funded `contract`, refundable once the agreed count >= timelock + 1.
    void funded(const std::string& payment, ContractId contract, uint64_t timelock);
    // Clients: receive `payment` has an offer for `hash` but no funded incoming contract yet;
    // the client ends such a receive once `client_node`'s clock reads `excused_until_unix` (its
    // upstream end: the invoice's expiry + 60 s, Client::receive_step), so it is owed no terminal
    // state while the contract is unfunded and the client's clock read `slack` ago (sim time)
    // is less than `excused_until_unix`: `slack` is the client's poll and reads after its clock
    // passed the mark (Client::receive_end_slack), taken on the sim's time so a drifting client
    // clock does not stretch or shrink it. After that it is judged as any payment.
    void receive_unfunded(const std::string& payment, const PaymentHash& hash,
                          sim::NodeId client_node, int64_t excused_until_unix,
                          sim::SimDuration slack);
    // Clients: a read of the receive's incoming contract answered "funded" (a quorum's answer, so
    // the consensus state has it): from now on it is owed a terminal state as any payment
    // (upstream then waits for the decryption without end).
    void receive_funded(const std::string& payment);
    // Whether the federation's consensus state has a funded incoming contract for `hash` (the
    // world's federation). The unfunded excuse is judged by it, not only by the clients' reads:
    // a receive funded while its client is not reading is owed its terminal state all the same.
    void set_incoming_funded(std::function<bool(const PaymentHash&)> funded) {
        incoming_funded_ = std::move(funded);
    }
    // Gateways: a pay request for `contract` reached the gateway (it pays or cancels).
    void gateway_asked(ContractId contract);
    // The agreed LN block count (the world's federation). Without it, no payment is excused.
    void set_ln_count(std::function<uint64_t()> count) { ln_count_ = std::move(count); }
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
    struct Funded {
        ContractId contract;
        uint64_t timelock = 0;
        sim::SimTime refundable_since = sim::SimTime::never();  // first seen count >= tl + 1
    };
    // Upstream (fedimint-ln-client pay.rs LightningPayFunded) stops asking the gateway 180 s
    // after the funding; a payment the gateway never got then waits for the cancellation or
    // the timelock. Such a payment is not owed a terminal state before the count passes it.
    bool awaits_timelock(const std::string& payment, uint64_t count) const;
    // A pending payment overdue at `now`: the reason, or empty.
    std::string overdue(const std::string& payment, sim::SimTime now, uint64_t count);
    // Whether `payment` is a receive with no funded contract whose invoice has not expired
    // (by its client's clock, plus 60 s and the slack) at `now`: owed no terminal state yet.
    bool receive_excused(const std::string& payment, sim::SimTime now) const;

    CheckerHub& hub_;
    sim::SimDuration bound_;
    sim::SimTime healed_at_ = sim::SimTime::zero();
    std::function<uint64_t()> ln_count_;
    std::map<std::string, PaymentState> payments_;
    // The names in payments_ whose state is pending, in the same (name) order: the watcher's
    // 5 s pass walks these, not every payment the run has seen (a day's run ends with hundreds
    // of terminal ones, and the pass runs 17,280 times a day).
    std::set<std::string> pending_;
    std::map<std::string, Funded> funded_;
    std::set<ContractId> gateway_asked_;
    struct UnfundedReceive {
        PaymentHash hash;
        sim::NodeId client_node;
        int64_t excused_until_unix = 0;  // the client's end (its clock)
        sim::SimDuration slack;
    };
    std::map<std::string, UnfundedReceive> receives_unfunded_;
    std::function<bool(const PaymentHash&)> incoming_funded_;
    std::set<ContractId> gateway_paid_;
    std::set<ContractId> gateway_claimed_;
};

}  // namespace actors::federation
