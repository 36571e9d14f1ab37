// World kind "gateway": a federation of guardians, one LNv1 gateway attached to a Lightning node
// of a chosen profile, a declared or generated Lightning topology, and clients that pay external
// payees through the gateway and receive from external payers through it.
//
// The world owns the Lightning network, the federation (its guardians read the Lightning chain
// through lagging views), the gateway and the clients, and the always-on invariant checkers of
// actors/federation/checkers.h (round fingerprints, books, chain backing, channel conservation,
// HTLC expiry per profile, payments terminal within a bound, an honest gateway never loses)
// plus three of its own: a contract the gateway funded whose preimage the guardians decrypted
// is settled by the gateway (the incoming half of "never loses", gateway_incoming_loss.h),
// /stop returns within `stop_within`, and no invoice is paid after it expired. A violation
// fails the run at the event that caused it.
// A foreground driver opens the channels, pegs in, waits for the gateway's registration,
// fires "ready", runs the workload for `duration` and judges (gateway_world_run.cc). The
// "variant" parameter switches on one historical bug (actors/gateway/gateway_variant.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/client/client.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/gateway/gateway.h"
#include "actors/gateway/gateway_variant.h"
#include "actors/lightning/lightning_network.h"
#include "scenario/world_registry.h"
#include "scenario/worlds/gateway_incoming_loss.h"
#include "scenario/worlds/lightning_federation.h"

namespace scenario {

// The gateway's own ecash account in the federation.
inline constexpr uint32_t k_gateway_world_client = 1000;

struct GatewayRunConfig {
    uint64_t peg_in_sat = 0;
    int64_t amount_msat = 0;
    int64_t min_final = -1;  // -1: the payee's profile default
    SourceLocation min_final_where;  // the parameter, for a payee's refusal of it
    sim::SimDuration invoice_expiry;
    int64_t payee_hold_blocks = 0;
    sim::SimDuration block_interval;
    uint32_t open_max_blocks = 20;
    int64_t payments = 0;
    std::string payee;
    int64_t receives = 0;
    std::string payer;
    sim::SimDuration payment_interval;
    sim::SimDuration duration;
    sim::SimDuration stop_within;
    sim::SimDuration payment_bound;
    bool payments_must_succeed = false;
};

class GatewayScenarioWorld : public World {
public:
    struct Payment {
        std::string name;
        bool outgoing = true;  // client pays an external payee; false: a client receives
        size_t client = 0;
        actors::lightning::NodeIndex peer = 0;  // payee (outgoing) or payer (incoming)
        actors::lightning::PaymentHash hash{};
        std::optional<actors::lightning::Preimage> hold_preimage;
        int64_t hold_blocks = 0;
        int64_t expires_at_unix = 0;
        std::optional<actors::client::ClientPayment> result;  // outgoing, when finished
        std::optional<bool> received;  // incoming, when the client ended it (unset: pending)
        bool external_paid = false;                          // incoming: the payer's side
        bool payer_returned = false;                         // incoming: the payer's pay() did
        bool judged = false;                                 // incoming: judge() ran
        std::string note;  // incoming: why it failed (the payer's side, set when its pay() returns)
    };

    // The chain's faucet is mined to hold `faucet_min_sat` (FaucetPlan: the channels and peg-ins).
    GatewayScenarioWorld(sim::Simulation& sim, GatewayRunConfig run,
                         actors::chain::Amount faucet_min_sat);

    void on_action(const TimelineEntry& entry) override;
    // A generic timeline fault (partition, crash, ...): the payment bound counts from its end.
    void on_fault(const TimelineEntry& entry, sim::SimTime faults_end) override;
    std::vector<CheckResult> check() const override;
    std::map<std::string, int64_t> metrics() const override;
    // A set-up step that failed on the seed's draw (setup_ok): bad input, not a finding.
    std::optional<Diagnostic> input_error() const override { return input_error_; }
    std::optional<Diagnostic>* input_error_sink() { return &input_error_; }

    // Built by the builder, in this order.
    actors::lightning::LightningNetwork& ln() { return *ln_; }
    std::map<std::string, actors::lightning::NodeIndex>& index() { return index_; }
    void build_federation(uint64_t guardians, sim::SimDuration view_lag);
    void build_gateway(actors::lightning::NodeIndex node, actors::gateway::GatewayVariant variant,
                       size_t clients, std::optional<uint64_t> timelock_blocks);
    void start(std::function<void(const std::string&)> emit);

private:
    std::optional<Diagnostic> input_error_;  // the first set-up error (setup_ok)
    void drive(const std::function<void(const std::string&)>& emit);
    void judge_end();
    void judge_unfinished_receives();
    void peg_in(actors::federation::FederationApi& api, actors::federation::ClientId who);
    void run_workload();
    void start_pay(std::string name, size_t client, actors::lightning::NodeIndex payee,
                   const TimelineEntry* entry);
    void start_receive(std::string name, size_t client, actors::lightning::NodeIndex payer,
                       int64_t amount_msat);
    void hold_and_settle(Payment* p);
    void drain_channel(const TimelineEntry& entry);
    void watch();
    void check_incoming_losses();
    void check_expired_payments();
    // What each hinted channel's source charged when the invoice was made (after the
    // registration its hints come from), by scid.
    using HintPolicies =
        std::map<actors::lightning::ShortChannelId, actors::lightning::ChannelPolicy>;
    HintPolicies hint_policies(const actors::lightning::Invoice& inv) const;
    void check_route_hint(const std::string& receive, const actors::lightning::Invoice& inv,
                          const HintPolicies& at_invoice,
                          const actors::lightning::PaymentResult& r);
    void fault(const std::string& what);
    void restart_payment_bound();
    void judge(const Payment& p);
    void judge_receive(Payment& p);
    actors::lightning::NodeIndex node_arg(const TimelineEntry& entry, const std::string& arg) const;
    int64_t arg_or(const TimelineEntry& entry, const std::string& arg, int64_t fallback) const;
    size_t client_arg(const TimelineEntry& entry) const;

    sim::Simulation& sim_;
    GatewayRunConfig run_;
    std::unique_ptr<actors::lightning::LightningNetwork> ln_;
    actors::federation::CheckerHub hub_;
    std::map<std::string, actors::lightning::NodeIndex> index_;
    actors::lightning::NodeIndex fed_node_ = 0;
    std::unique_ptr<actors::federation::Federation> federation_;
    std::unique_ptr<LightningFederationCheckers> checkers_;
    std::unique_ptr<actors::gateway::Gateway> gateway_;
    std::vector<std::unique_ptr<actors::client::Client>> clients_;
    std::vector<std::unique_ptr<Payment>> payments_;  // stable addresses
    std::optional<sim::SimTime> stop_requested_;
    // The hub's subject for gw.stops: the /stop it is about (the watcher and the run's end
    // both find one that never completed: one violation).
    std::string stop_subject() const {
        return "/stop at t=" + sim::to_string(*stop_requested_);
    }
    std::optional<sim::SimTime> stopped_at_;
    bool ready_ = false;
    bool finished_ = false;
    int64_t gateway_restarts_ = 0;
    // gw.payments_terminal's bound starts at the later of these (restart_payment_bound).
    sim::SimTime world_fault_at_ = sim::SimTime::zero();       // the world's last fault action
    sim::SimTime timeline_faults_end_ = sim::SimTime::zero();  // Timeline's faults end (on_fault)
    int64_t hint_changes_ = 0;
    // Payments judge() failed (expect_payments = succeed): they fail the end-of-run judgement.
    int64_t payments_failed_expectation_ = 0;
    std::unique_ptr<IncomingLossChecker> incoming_losses_;  // gw.never_loses, incoming half
    std::set<actors::federation::ContractId> reported_expired_;
    std::function<void(const std::string&)> emit_;
};

// The declaration (gateway_world_decl.cc).
WorldKind gateway_world_kind();

}  // namespace scenario
