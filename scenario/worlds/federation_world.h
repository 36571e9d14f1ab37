// World kind "federation": n guardians (actors/federation), each on its own bitcoind node
// (actors/chain) with its own lag, RPC faults, monitor poll interval and Byzantine vote offsets,
// and a depositor with a bitcoind of its own who pegs in and out from the timeline.
//
// The federation's always-on checkers (actors/federation/checkers.h: same state per round,
// value conservation, chain backing) watch every applied round and end the run at the first
// violation. The depositor holds the federation to the documented peg-in rule (fedimint.md 1.3:
// a deposit whose block has finality_delay + 1 confirmations is credited, one with fewer is
// not), the timeline can require progress (`expect_rounds`, `expect_count`), and a foreground
// driver runs for `duration`, lets the guardians catch up and judges the end state
// (federation_world_run.cc). Declaration: federation_world_decl.cc; the depositor:
// federation_world_depositor.cc.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/chain/bitcoin_network.h"
#include "actors/chain/miner.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/federation/federation_api.h"
#include "scenario/world_registry.h"

namespace scenario {

// What the builder decided from the parameters; read by the world at run time.
struct FederationRunConfig {
    std::string variant = "none";
    uint64_t finality_delay = 10;
    int64_t extra_confirmations = 1;     // default peg-in confirmations: finality_delay + this
    int64_t peg_in_amount_sat = 100000;
    sim::SimDuration peg_in_spacing;     // gap between the blocks a peg-in mines
    sim::SimDuration depositor_poll;     // the depositor's own bitcoind poll period
    sim::SimDuration sync_timeout;       // the depositor's wait for the federation's consensus
    sim::SimDuration outcome_timeout;    // how long a submitted transaction may take
    sim::SimDuration duration;           // workload before the end-of-run judgement
    sim::SimDuration converge_within;    // time the guardians get to catch up at the end
};

// The depositor's federation client id (all its peg-ins and peg-outs).
inline constexpr actors::federation::ClientId k_depositor{1};

class FederationScenarioWorld : public World {
public:
    FederationScenarioWorld(sim::Simulation& sim, actors::chain::BitcoinNetworkConfig chain,
                            FederationRunConfig run);

    void on_action(const TimelineEntry& entry) override;
    std::vector<CheckResult> check() const override;
    std::map<std::string, int64_t> metrics() const override;
    std::optional<Diagnostic> input_error() const override { return input_error_; }

    // --- Set-up (federation_world_decl.cc) ------------------------------------------------
    actors::chain::BitcoinNetwork& btc() { return btc_; }
    // Adds a guardian's bitcoind; guardians are then created in the same order.
    void add_guardian_node(const std::string& guardian, actors::chain::NodeConfig node);
    void set_depositor_node(actors::chain::NodeConfig node);
    void create_federation(actors::federation::FederationConfig config);
    void set_byzantine(size_t guardian, const actors::federation::ByzantineConfig& byz);
    void set_guardian_lag(size_t guardian, sim::SimDuration lag);
    void start(actors::chain::MinerConfig miner, std::function<void(const std::string&)> emit);

    // --- The depositor (federation_world_depositor.cc) -------------------------------------
    struct PegIn {
        std::string name;
        int64_t amount_sat = 0;
        uint64_t confirmations = 0;  // what the depositor waits for on its own node
        int64_t block_height = -1;   // of the deposit, once mined
        actors::chain::BlockHash block_hash;  // the block the proof names (depositor's node)
        uint64_t confs_at_submit = 0;  // on the canonical chain
        uint64_t confs_at_outcome = 0;
        bool waited_for_federation = false;
        bool federation_synced = false;  // the federation's count covered the block in time
        bool submitted = false;
        std::optional<actors::federation::TxOutcome> outcome;
        // Its violation (peg_in_violation) failed the run when the outcome came: the
        // end-of-run fed.pegins does not list it again.
        bool violation_reported = false;
        bool done = false;
    };
    struct PegOut {
        std::string name;
        int64_t amount_sat = 0;
        std::string address;
        actors::federation::FedTxId id;
        bool covered = false;  // the depositor's ecash covered amount + fee when it asked
        std::optional<actors::federation::TxOutcome> outcome;
        // Its violation (peg_out_violation) failed the run when the outcome came.
        bool violation_reported = false;
        bool done = false;
    };

private:
    struct GuardianSlot {
        std::string name;
        actors::chain::BitcoindNode* node = nullptr;
    };

    // Timeline actions.
    void mine(const TimelineEntry& entry);
    // federation_world_reorg.cc
    void reorg(const TimelineEntry& entry);
    std::vector<actors::chain::Transaction> double_spends(
        const std::vector<actors::chain::BlockHash>& disconnected) const;
    void peg_in(const TimelineEntry& entry);
    void peg_out(const TimelineEntry& entry);
    void expect_rounds(const TimelineEntry& entry);
    void expect_count(const TimelineEntry& entry);
    void expect_block_fetches(const TimelineEntry& entry);
    uint64_t max_block_fetches() const;
    void guardian_action(const TimelineEntry& entry);
    void bitcoind_action(const TimelineEntry& entry);
    size_t guardian_arg(const TimelineEntry& entry) const;
    actors::chain::BitcoindNode& bitcoind_arg(const TimelineEntry& entry);

    // The depositor's steps.
    void run_peg_in(PegIn* p, bool mine_blocks);
    std::optional<actors::chain::Transaction> build_deposit(int64_t amount_sat);
    bool await_own_confirmations(PegIn* p, const actors::chain::Txid& txid);
    void await_federation(PegIn* p);
    void run_peg_out(PegOut* p);
    int64_t depositor_balance_sat() const;

    // The driver and the end-of-run judgement (federation_world_run.cc).
    void drive();
    void watch_sync(std::function<void(const std::string&)> emit);
    bool all_caught_up(uint64_t target) const;
    uint64_t best_chain_confirmations(const actors::chain::BlockHash& hash) const;
    const actors::federation::FederationState* leading_state() const;
    void fail(const std::string& message);
    // A timeline expectation failed: counted for fed.expectations and failed now (the count is
    // only ever raised here, so that check is already_reported).
    void fail_expectation(const std::string& message);
    CheckResult check_pegins() const;
    CheckResult check_pegouts() const;
    CheckResult check_caught_up() const;
    CheckResult check_wallet_sync() const;
    // The chain-backing check on every guardian's stored state, running or not (the end of a
    // run may come with no round applied since the chain changed).
    void check_backing_now();
    // Why a finished peg-in breaks the rule, or nothing.
    std::optional<std::string> peg_in_violation(const PegIn& p) const;
    std::optional<std::string> peg_out_violation(const PegOut& p) const;
    int64_t pegouts_on_chain() const;
    const actors::chain::Transaction* peg_out_tx(const PegOut& p) const;

    sim::Simulation& sim_;
    FederationRunConfig run_;
    actors::chain::BitcoinNetwork btc_;
    std::unique_ptr<actors::chain::Miner> miner_;
    actors::federation::CheckerHub hub_;
    actors::federation::RoundFingerprintChecker fingerprints_;
    actors::federation::FederationBooksChecker books_;
    actors::federation::ChainBackingChecker backing_;
    std::vector<GuardianSlot> guardians_;
    actors::chain::BitcoindNode* depositor_node_ = nullptr;
    std::unique_ptr<actors::federation::Federation> federation_;
    std::unique_ptr<actors::federation::FederationApi> api_;
    std::vector<std::unique_ptr<PegIn>> pegins_;    // stable addresses for the actors
    std::vector<std::unique_ptr<PegOut>> pegouts_;
    std::set<actors::chain::OutPoint> spent_coins_;  // coinbases the depositor already used
    int64_t in_flight_ = 0;                          // depositor operations still running
    int64_t expectations_failed_ = 0;
    std::optional<uint64_t> catch_up_target_;
    bool caught_up_ = true;
    sim::SimTime ended_at_;
    bool finished_ = false;
    std::optional<Diagnostic> input_error_;  // a timeline entry impossible when it fired
};

// The world's declaration (federation_world_decl.cc).
WorldKind federation_world_kind();

}  // namespace scenario
