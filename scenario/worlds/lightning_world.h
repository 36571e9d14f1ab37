// World kind "lightning": Lightning node actors with per-implementation profiles, channels
// (declared or generated), payments and hold invoices from the timeline, mining, and chain-view
// freezes and lags.
//
// The world owns the LightningNetwork (actors/lightning) and the invariant checker the
// federation module already offers for it (actors/federation/checkers.h LightningChecker:
// channel conservation, no committed HTLC outliving its profile's go-on-chain height). A
// foreground driver mines until every channel is open, fires the "channels_open" event, runs
// for `duration`, and then requires every payment to be terminal (lightning_world_run.cc).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/federation/checkers.h"
#include "actors/lightning/lightning_network.h"
#include "scenario/world_registry.h"

namespace scenario {

struct LightningRunConfig {
    sim::SimDuration duration;
    uint32_t open_max_blocks = 20;
    // 0: blocks only from the timeline's `mine`; otherwise a daemon mines one block this often.
    sim::SimDuration block_interval;
    int64_t amount_msat = 0;
    int64_t max_fee_msat = -1;  // -1: the payer's profile default
    int64_t cltv_limit = -1;    // -1: the payer's profile default
    sim::SimDuration pay_timeout;
    uint32_t max_attempts = 16;
    uint32_t onchain_slack_blocks = 2;
};

class LightningScenarioWorld : public World {
public:
    LightningScenarioWorld(sim::Simulation& sim, actors::lightning::LightningNetworkConfig config,
                           LightningRunConfig run);

    void on_action(const TimelineEntry& entry) override;
    std::vector<CheckResult> check() const override;
    std::map<std::string, int64_t> metrics() const override;
    // A set-up step that failed on the seed's draw (setup_ok): bad input, not a finding.
    std::optional<Diagnostic> input_error() const override { return input_error_; }
    std::optional<Diagnostic>* input_error_sink() { return &input_error_; }

    actors::lightning::LightningNetwork& ln() { return ln_; }
    // Topology node name -> node index, filled by the builder.
    std::map<std::string, actors::lightning::NodeIndex>& index() { return index_; }
    void start(std::function<void(const std::string&)> emit);

private:
    std::optional<Diagnostic> input_error_;  // the first set-up error (setup_ok)
    enum class PayState : uint8_t { pending, succeeded, failed };
    struct Payment {
        std::string name;
        PayState state = PayState::pending;
        actors::lightning::PaymentResult result;
        actors::lightning::NodeIndex payee = 0;
        actors::lightning::Preimage preimage{};  // for hold invoices: kept by the world
        bool hold = false;
        std::optional<uint64_t> max_fee_msat;  // the limit the payer used, if not the default
    };

    void pay(const TimelineEntry& entry);
    void settle_or_cancel(const TimelineEntry& entry, bool settle);
    void mine(const TimelineEntry& entry);
    void drive(const std::function<void(const std::string&)>& emit);
    actors::lightning::NodeIndex node_arg(const TimelineEntry& entry, const std::string& arg) const;
    int64_t arg_or(const TimelineEntry& entry, const std::string& arg, int64_t fallback) const;
    CheckResult check_terminal() const;
    CheckResult check_fee_limits() const;

    sim::Simulation& sim_;
    actors::lightning::LightningNetwork ln_;
    LightningRunConfig run_;
    actors::federation::CheckerHub hub_;
    actors::federation::LightningChecker checker_;
    std::map<std::string, actors::lightning::NodeIndex> index_;
    std::vector<std::unique_ptr<Payment>> payments_;  // in timeline order; stable addresses
    bool finished_ = false;
};

}  // namespace scenario
