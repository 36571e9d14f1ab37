// World kind "federation": the declaration (roles, parameters, actions, checkers, metrics), the
// structural checks and the builder. The run-time side is in federation_world_run.cc and
// federation_world_depositor.cc.
#include <algorithm>

#include "scenario/variants.h"
#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/chain_world_fields.h"
#include "scenario/worlds/federation_world.h"
#include "scenario/worlds/workload_duration.h"

namespace scenario {

namespace {

namespace chain = actors::chain;
namespace fed = actors::federation;

constexpr int64_t k_max_guardians = 32;
constexpr int64_t k_max_offset = 1'000'000'000;

FieldSpec optional_duration(std::string name, std::string doc) {
    return {.name = std::move(name), .type = ValueType::duration, .doc = std::move(doc),
            .min = 0, .max = sim::SimDuration::hours(24 * 365).ns()};
}

std::vector<FieldSpec> guardian_props() {
    return {
        duration_param("lag", "added to every block propagation to this guardian's bitcoind",
                       sim::SimDuration::zero()),
        bool_field("lagging", "also add the world parameter `lag` (sweepable) to its bitcoind"),
        bool_field("frozen", "its bitcoind starts frozen (until unfreeze_bitcoind)"),
        optional_duration("rpc_latency_min",
                          "fastest RPC round trip of its bitcoind (default: the parameter)"),
        optional_duration("rpc_latency_max",
                          "slowest RPC round trip of its bitcoind (default: the parameter)"),
        ratio_field("rpc_error", "share of its bitcoind's RPC calls answered with an error"),
        ratio_field("rpc_timeout", "share of its bitcoind's RPC calls that never answer"),
        duration_param("rpc_client_timeout", "how long an unanswered call blocks the guardian",
                       sim::SimDuration::seconds(30)),
        {.name = "monitor_interval", .type = ValueType::duration,
         .doc = "its bitcoind monitor's poll period (default: the parameter)", .min = 1,
         .max = sim::SimDuration::hours(24).ns()},
        duration_param("message_lag", "every message the guardian handles is delayed this long",
                       sim::SimDuration::zero()),
        bool_field("byzantine", "votes shifted by the block_count_offset / unix_time_offset "
                                "parameters (sweepable)"),
        opt_int("block_count_offset", "added to its block-count votes (Byzantine)",
                -k_max_offset, k_max_offset),
        opt_int("unix_time_offset", "seconds added to its LNv2 unix-time votes "
                                    "(Byzantine)",
                -k_max_offset, k_max_offset),
        bool_field("invalid_shares", "its decryption shares are invalid (Byzantine)"),
    };
}

std::vector<FieldSpec> params() {
    std::vector<FieldSpec> out = {
        variant_param("federation"),
        integer_param("guardians", "guardians when the topology declares none (named "
                                   "fed.g0 ..)",
                      4, 1, k_max_guardians),
        {.name = "wallet_rule", .type = ValueType::text,
         .doc = "wallet block-count aggregation: padded upper median (v1) or threshold-th "
                "highest (v2)",
         .choices = {"wallet_v1", "wallet_v2"}, .default_value = text_value("wallet_v1")},
        {.name = "ln_rule", .type = ValueType::text,
         .doc = "Lightning block-count aggregation: LNv1's padded median or LNv2's "
                "threshold-th highest",
         .choices = {"ln_v1", "ln_v2"}, .default_value = text_value("ln_v1")},
        integer_param("finality_delay", "the wallet's finality delay", 10, 0, 100),
        integer_param("wallet_round_cap", "how far one round may raise a wallet vote over the "
                                          "consensus (5 production, 100 test)",
                      100, 1, 100000),
        positive_duration_param("monitor_interval", "every guardian's bitcoind poll period "
                                                    "(100ms test, 60s production)",
                                sim::SimDuration::millis(100)),
        positive_duration_param("round_interval", "least pause between rounds",
                                sim::SimDuration::millis(200)),
        positive_duration_param("attempt_timeout", "a round attempt's time before the next "
                                                   "leader takes over",
                                sim::SimDuration::seconds(2)),
        positive_duration_param("heartbeat", "an idle federation still decides a round this "
                                             "often (the session length: 10s test, 3m "
                                             "production)",
                                sim::SimDuration::seconds(10)),
        integer_param("premine", "blocks mined (to the depositor) before the run", 20, 0, 100000),
        integer_param("coinbase_maturity", "blocks before a coinbase can be spent", 5, 1, 100),
        {.name = "mining", .type = ValueType::text, .doc = "when blocks appear besides `mine`",
         .choices = {"on_demand", "poisson", "fixed"}, .default_value = text_value("on_demand")},
        positive_duration_param("block_interval", "mean (poisson) or exact (fixed) block gap",
                                sim::SimDuration::minutes(10)),
        duration_param("propagation_min", "fastest block propagation to a bitcoind",
                       sim::SimDuration::millis(50)),
        duration_param("propagation_max", "slowest block propagation to a bitcoind",
                       sim::SimDuration::millis(500)),
        duration_param("lag", "extra bitcoind lag of guardians with \"lagging\": true",
                       sim::SimDuration::zero()),
        duration_param("rpc_latency_min", "fastest RPC round trip of a guardian's bitcoind",
                       sim::SimDuration::millis(1)),
        duration_param("rpc_latency_max", "slowest RPC round trip of a guardian's bitcoind",
                       sim::SimDuration::millis(5)),
        integer_param("block_count_offset", "block-count vote offset of \"byzantine\" guardians",
                      0, -k_max_offset, k_max_offset),
        integer_param("unix_time_offset", "unix-time vote offset (s) of \"byzantine\" guardians",
                      0, -k_max_offset, k_max_offset),
        duration_param("depositor_lag", "extra block propagation lag of the depositor's bitcoind",
                       sim::SimDuration::zero()),
        positive_duration_param("depositor_poll", "how often the depositor polls its bitcoind",
                                sim::SimDuration::millis(100)),
        duration_param("depositor_rpc_latency_max", "slowest RPC round trip of the depositor's "
                                                    "bitcoind",
                       sim::SimDuration::millis(5)),
        integer_param("peg_in_amount", "sats a peg_in deposits unless it says otherwise", 100000,
                      1000, 100'000'000),
        integer_param("extra_confirmations", "a peg_in without \"confirmations\" waits for "
                                             "finality_delay + this many (at least 1)",
                      1, -100, 1000),
        duration_param("peg_in_spacing", "gap between the blocks a peg_in mines",
                       sim::SimDuration::millis(500)),
        duration_param("sync_timeout", "how long the depositor waits for the federation's "
                                       "consensus to include its deposit",
                       sim::SimDuration::seconds(60)),
        positive_duration_param("outcome_timeout", "how long a submitted transaction may take",
                                sim::SimDuration::seconds(60)),
        duration_param("duration", "workload before the end-of-run checks",
                       sim::SimDuration::minutes(2)),
        duration_param("converge_within", "time the guardians get to catch up at the end",
                       sim::SimDuration::minutes(1)),
    };
    out[1].shrink_toward = 1;
    out[10].shrink_toward = 6;
    return out;
}

std::vector<ActionSpec> actions() {
    const int64_t year = sim::SimDuration::hours(24 * 365).ns();
    return {
        {"mine", "mine blocks on the canonical chain",
         {integer_param("blocks", "how many", 1, 1, 10000),
          duration_param("spacing", "time between them", sim::SimDuration::zero())}},
        {"reorg",
         "invalidate the top `depth` canonical blocks and mine `blocks` replacement blocks (a "
         "bitcoind only moves to a branch with more work: blocks must exceed depth); with "
         "double_spend the first replacement block spends every invalidated federation deposit's "
         "inputs back to the depositor (only the depositor's own deposits: a peg-out is mined "
         "again)",
         {{.name = "depth", .type = ValueType::integer,
           .doc = "blocks to invalidate (at most the chain's height when the entry fires, or the "
                  "run stops as bad input)",
           .required = true, .min = 1, .max = 10000},
          opt_int("blocks", "replacement blocks (default depth + 1)", 2, 10001),
          bool_field("double_spend", "double-spend the invalidated deposits", false),
          duration_param("spacing", "time between the replacement blocks",
                         sim::SimDuration::zero())}},
        {"peg_in",
         "the depositor pays the federation from a mature coinbase, waits for the deposit's "
         "confirmations on its own bitcoind and for the federation, then claims ecash (the "
         "entry name labels it)",
         {opt_int("amount", "sats (default: peg_in_amount)", 1000, 100'000'000),
          opt_int("confirmations", "confirmations to wait for (default: finality_delay "
                                   "+ extra_confirmations)",
                  1, 10000),
          bool_field("mine", "mine the deposit's block and its confirmations now (false: leave "
                             "it to the miner)",
                     true)}},
        {"peg_out", "the depositor redeems ecash to an on-chain address",
         {integer_param("amount", "sats", 10000, 1, 100'000'000),
          {.name = "address", .type = ValueType::text, .doc = "the recipient",
           .default_value = text_value("alice")}}},
        {"crash_guardian", "kill the guardian's process and take its node off the network "
                           "(its store survives)",
         {node_field("node", "the guardian")}},
        {"restart_guardian", "restart a crashed guardian from its store; it catches up from "
                             "its peers",
         {node_field("node", "the guardian")}},
        {"lag_guardian", "delay every message the guardian handles",
         {node_field("node", "the guardian"),
          {.name = "lag", .type = ValueType::duration, .doc = "the delay (0 ends it)",
           .required = true, .min = 0, .max = year}}},
        {"set_byzantine", "change a guardian's vote offsets and shares",
         {node_field("node", "the guardian"),
          integer_param("block_count_offset", "added to its block-count votes", 0,
                        -k_max_offset, k_max_offset),
          integer_param("unix_time_offset", "seconds added to its unix-time votes", 0,
                        -k_max_offset, k_max_offset),
          bool_field("invalid_shares", "invalid decryption shares")}},
        {"freeze_bitcoind", "the guardian's (or the depositor's) bitcoind ignores new blocks",
         {node_field("node", "a guardian or \"depositor\"")}},
        {"unfreeze_bitcoind", "the bitcoind catches up after one propagation delay",
         {node_field("node", "a guardian or \"depositor\"")}},
        {"set_lag", "change a bitcoind's extra propagation lag",
         {node_field("node", "a guardian or \"depositor\""),
          {.name = "lag", .type = ValueType::duration, .doc = "the new lag", .required = true,
           .min = 0, .max = year}}},
        {"rpc_down", "every RPC call to the bitcoind fails (or works again with down = false)",
         {node_field("node", "a guardian or \"depositor\""),
          bool_field("down", "down or back up", true)}},
        {"expect_rounds",
         "the federation must decide between min and max new rounds in the next `within`",
         {{.name = "within", .type = ValueType::duration, .doc = "the window", .required = true,
           .min = 1, .max = year},
          integer_param("min", "fewest new rounds", 1, 0, INT64_MAX),
          opt_int("max", "most new rounds (default: no limit)", 0, INT64_MAX)}},
        {"expect_block_fetches",
         "the busiest guardian's wallet sync must fetch at most `max` blocks from its bitcoind "
         "in the next `within`",
         {{.name = "within", .type = ValueType::duration, .doc = "the window", .required = true,
           .min = 1, .max = year},
          {.name = "max", .type = ValueType::integer, .doc = "most block fetches",
           .required = true, .min = 0, .max = INT64_MAX}}},
        {"expect_count",
         "every running guardian's wallet consensus count must reach `at_least` within "
         "`within`",
         {{.name = "within", .type = ValueType::duration, .doc = "the deadline",
           .required = true, .min = 1, .max = year},
          opt_int("at_least", "the count (default: the synced value, canonical count "
                              "- finality_delay, when the entry fires)",
                  0, INT64_MAX)}},
    };
}

// Guardian actions name a guardian; bitcoind actions a guardian or the depositor.
void check_guardian_args(const Scenario& s, std::vector<Diagnostic>* out) {
    const std::vector<std::string> guardians = topology_node_names(s.topology);
    for (const TimelineEntry& e : s.timeline) {
        const bool guardian_only = e.action == "crash_guardian" ||
                                   e.action == "restart_guardian" ||
                                   e.action == "lag_guardian" || e.action == "set_byzantine";
        const bool bitcoind = e.action == "freeze_bitcoind" || e.action == "unfreeze_bitcoind" ||
                              e.action == "set_lag" || e.action == "rpc_down";
        auto node = e.args.find("node");
        if ((!guardian_only && !bitcoind) || node == e.args.end()) {
            continue;
        }
        const std::string& name = node->second.text;
        const bool is_guardian =
            std::find(guardians.begin(), guardians.end(), name) != guardians.end();
        if (!is_guardian && (guardian_only || name != "depositor")) {
            out->push_back({node->second.where,
                            "action " + e.action + " names \"" + name + "\", which is not " +
                                (guardian_only ? "a guardian" : "a guardian or \"depositor\"") +
                                " (name guardians in the topology to refer to them)"});
        }
    }
}

// A replacement branch no longer than the invalidated one moves the miners and no node.
void check_reorgs(const Scenario& s, std::vector<Diagnostic>* out) {
    for (const TimelineEntry& e : s.timeline) {
        auto depth = e.args.find("depth");
        auto blocks = e.args.find("blocks");
        if (e.action != "reorg" || depth == e.args.end() || blocks == e.args.end() ||
            blocks->second.number > depth->second.number) {
            continue;
        }
        out->push_back({blocks->second.where,
                        "reorg: blocks (" + std::to_string(blocks->second.number) +
                            ") must exceed depth (" + std::to_string(depth->second.number) +
                            "): a bitcoind only switches to a branch with more work"});
    }
}

void validate(const Scenario& s, std::vector<Diagnostic>* out) {
    int64_t guardians = 0;
    for (const TopologyNode& n : s.topology.nodes) {
        guardians += n.count;
        auto lo = n.props.find("rpc_latency_min");
        auto hi = n.props.find("rpc_latency_max");
        if (lo != n.props.end() && hi != n.props.end() && lo->second.number > hi->second.number) {
            out->push_back({n.where, "guardian " + n.name +
                                         ": rpc_latency_min exceeds rpc_latency_max"});
        }
    }
    if (guardians > k_max_guardians) {
        out->push_back({{"/topology/nodes", 0, 0},
                        "world federation supports at most " + std::to_string(k_max_guardians) +
                            " guardians; the topology declares " + std::to_string(guardians)});
    }
    for (const ParamSpec& p : s.params) {
        if (p.name == "guardians" && guardians > 0 && !p.from_default) {
            out->push_back({p.where, "guardians is set by the topology's guardian nodes (" +
                                         std::to_string(guardians) + "); drop the parameter"});
        }
    }
    check_param_order(s, "propagation_min", "propagation_max", out);
    check_param_order(s, "rpc_latency_min", "rpc_latency_max", out);
    check_guardian_args(s, out);
    check_reorgs(s, out);
    validate_workload_from_start(s, out);
}

chain::NodeConfig guardian_node(const std::string& name, const TopologyNode* n,
                                const ParamValues& p) {
    chain::NodeConfig nc{.name = name + ".btc"};
    nc.rpc.latency_min = param_duration(p, "rpc_latency_min");
    nc.rpc.latency_max = param_duration(p, "rpc_latency_max");
    if (n == nullptr) {
        return nc;
    }
    nc.lag = prop_duration(*n, "lag");
    if (prop_flag(*n, "lagging")) {
        nc.lag = nc.lag + param_duration(p, "lag");
    }
    nc.rpc.latency_min = sim::SimDuration::nanos(
        prop_int_or(n->props, "rpc_latency_min", nc.rpc.latency_min.ns()));
    nc.rpc.latency_max = sim::SimDuration::nanos(
        prop_int_or(n->props, "rpc_latency_max", nc.rpc.latency_max.ns()));
    if (nc.rpc.latency_min > nc.rpc.latency_max) {
        nc.rpc.latency_min = nc.rpc.latency_max;  // a prop below the swept parameter's pick
    }
    nc.rpc.error = n->props.at("rpc_error").ratio;
    nc.rpc.timeout = n->props.at("rpc_timeout").ratio;
    nc.rpc.client_timeout = prop_duration(*n, "rpc_client_timeout");
    return nc;
}

fed::ByzantineConfig byzantine_of(const TopologyNode& n, const ParamValues& p) {
    const bool byz = prop_flag(n, "byzantine");
    return {.block_count_offset = prop_int_or(n.props, "block_count_offset",
                                              byz ? param_int(p, "block_count_offset") : 0),
            .unix_time_offset = prop_int_or(n.props, "unix_time_offset",
                                            byz ? param_int(p, "unix_time_offset") : 0),
            .invalid_shares = prop_flag(n, "invalid_shares")};
}

std::unique_ptr<World> build(BuildContext& ctx) {
    const ParamValues& p = ctx.params;
    chain::BitcoinNetworkConfig cc;
    cc.params.coinbase_maturity = param_int(p, "coinbase_maturity");
    cc.propagation_min = param_duration(p, "propagation_min");
    cc.propagation_max = param_duration(p, "propagation_max");
    FederationRunConfig run{
        .variant = param_text(p, "variant"),
        .finality_delay = static_cast<uint64_t>(param_int(p, "finality_delay")),
        .extra_confirmations = param_int(p, "extra_confirmations"),
        .peg_in_amount_sat = param_int(p, "peg_in_amount"),
        .peg_in_spacing = param_duration(p, "peg_in_spacing"),
        .depositor_poll = param_duration(p, "depositor_poll"),
        .sync_timeout = param_duration(p, "sync_timeout"),
        .outcome_timeout = param_duration(p, "outcome_timeout"),
        .duration = param_duration(p, "duration"),
        .converge_within = param_duration(p, "converge_within")};
    auto world = std::make_unique<FederationScenarioWorld>(ctx.sim, cc, run);
    // Premined blocks come before any node exists, so every node starts at the same tip and
    // the depositor has mature coinbases to spend.
    for (int64_t i = 0; i < param_int(p, "premine"); ++i) {
        world->btc().mine(1, "depositor");
    }

    // Guardians: the topology's, in order, or `guardians` unnamed ones.
    std::vector<std::pair<std::string, const TopologyNode*>> guardians;
    for (const TopologyNode& n : ctx.scenario.topology.nodes) {
        for (const std::string& name : topology_node_names({.nodes = {n}})) {
            guardians.emplace_back(name, &n);
        }
    }
    if (guardians.empty()) {
        for (int64_t i = 0; i < param_int(p, "guardians"); ++i) {
            guardians.emplace_back("fed.g" + std::to_string(i), nullptr);
        }
    }
    fed::GuardianTiming timing;
    timing.monitor_interval = param_duration(p, "monitor_interval");
    timing.round_interval = param_duration(p, "round_interval");
    timing.attempt_timeout = param_duration(p, "attempt_timeout");
    timing.heartbeat = param_duration(p, "heartbeat");
    timing.wallet_round_cap = static_cast<uint64_t>(param_int(p, "wallet_round_cap"));
    fed::FederationConfig fc{.name = "fed", .guardians = guardians.size(), .params = {},
                             .timing = timing, .node_names = {}, .guardian_timing = {},
                             .variants = {}};
    // The guardians' historical bugs (the depositor's is read from run.variant).
    fc.variants.vote_zero_livelock = run.variant == "vote_zero_livelock";
    fc.variants.sync_from_genesis = run.variant == "sync_from_genesis";
    fc.params.finality_delay = run.finality_delay;
    fc.params.wallet_rule = param_text(p, "wallet_rule") == "wallet_v2" ? fed::VoteRule::ln_v2
                                                                       : fed::VoteRule::wallet_v1;
    fc.params.ln_rule =
        param_text(p, "ln_rule") == "ln_v2" ? fed::VoteRule::ln_v2 : fed::VoteRule::ln_v1;
    for (const auto& [name, node] : guardians) {
        chain::NodeConfig nc = guardian_node(name, node, p);
        world->add_guardian_node(name, nc);
        fc.node_names.push_back(name);
        fed::GuardianTiming t = timing;
        if (node != nullptr) {
            t.monitor_interval = sim::SimDuration::nanos(
                prop_int_or(node->props, "monitor_interval", timing.monitor_interval.ns()));
        }
        fc.guardian_timing.push_back(t);
    }
    world->set_depositor_node(chain::NodeConfig{
        .name = "depositor.btc",
        .lag = param_duration(p, "depositor_lag"),
        .rpc = {.latency_min = sim::SimDuration::zero(),
                .latency_max = param_duration(p, "depositor_rpc_latency_max")},
        .count_variant = chain::CountVariant::correct});
    world->create_federation(std::move(fc));
    for (size_t i = 0; i < guardians.size(); ++i) {
        if (const TopologyNode* n = guardians[i].second) {
            world->set_byzantine(i, byzantine_of(*n, p));
            world->set_guardian_lag(i, prop_duration(*n, "message_lag"));
        }
    }
    world->start({.mode = *chain::parse_mining_mode(param_text(p, "mining")),
                  .interval = param_duration(p, "block_interval")},
                 ctx.emit);
    return world;
}

}  // namespace

WorldKind federation_world_kind() {
    WorldKind k;
    k.name = "federation";
    k.doc = "n guardians on their own bitcoind nodes (lag, RPC faults, poll interval, Byzantine "
            "votes), a depositor pegging in and out, the federation's invariant checkers "
            "(actors/federation)";
    k.roles = {{"guardian", "a guardian with its own bitcoind node", guardian_props(),
                k_max_guardians}};
    k.params = params();
    k.actions = actions();
    k.fixed_nodes = {"depositor"};
    k.events = {{"synced", "every running guardian's wallet consensus count first reached the "
                           "canonical count - finality_delay (> 0)"}};
    k.checkers = {
        {"fed.same_state", "every guardian that applies round r reaches the same state "
                           "(RoundFingerprintChecker, on every round)"},
        {"fed.books", "ecash + escrow == the federation's UTXOs; no double claim or issue "
                      "(FederationBooksChecker, on every round)"},
        {"fed.chain_backing", "every UTXO the federation counts exists on chain "
                              "(ChainBackingChecker, on every round)"},
        {"fed.pegins", "a deposit with finality_delay + 1 confirmations is credited and one "
                       "with fewer is not; the federation's consensus reaches a confirmed "
                       "deposit within sync_timeout"},
        {"fed.pegouts", "a peg-out the depositor's ecash covers is accepted, one it does not "
                        "is rejected, and every accepted one is on chain or in the mempool at "
                        "the end"},
        {"fed.caught_up", "at the end every running guardian reaches the leading guardian's "
                          "round within converge_within"},
        {"fed.wallet_sync", "no guardian's wallet sync panicked on a block whose prev_blockhash "
                            "is not the hash synced for the height below (a reorg deeper than "
                            "finality_delay; fedimintd's assert_eq!)"},
        {"fed.expectations", "every expect_rounds, expect_count and expect_block_fetches entry "
                             "held"}};
    k.metrics = {
        {"fed.guardians", "guardians in the federation"},
        {"fed.rounds", "rounds applied by the most advanced running guardian"},
        {"fed.min_rounds", "rounds applied by the least advanced running guardian"},
        {"fed.rounds_per_minute", "fed.rounds per minute of the run"},
        {"fed.wallet_count", "the leading guardian's wallet consensus block count"},
        {"fed.ln_count", "the leading guardian's LNv1 consensus block count"},
        {"fed.lnv2_count", "the leading guardian's LNv2 consensus block count"},
        {"fed.unix_time_error_s", "|LNv2 consensus unix time - true unix time| in seconds"},
        {"fed.items_processed", "consensus items (votes, transactions, shares) the busiest "
                                "guardian processed"},
        {"fed.items_per_minute", "fed.items_processed per minute of the run"},
        {"fed.votes_rejected", "vote items processing rejected as redundant or outdated (the "
                               "busiest guardian)"},
        {"fed.block_fetches", "blocks the busiest guardian's wallet sync fetched from its "
                              "bitcoind"},
        {"fed.restarts", "guardian restarts"},
        {"fed.sync_panics", "wallet syncs that failed the prev_blockhash assertion (each stops "
                            "its guardian)"},
        {"fed.down", "guardians not running at the end"},
        {"pegin.accepted", "peg-ins the federation accepted"},
        {"pegin.rejected", "peg-ins the federation rejected"},
        {"pegin.unfinished", "peg-ins without an outcome"},
        {"pegout.accepted", "peg-outs the federation accepted"},
        {"pegout.rejected", "peg-outs the federation rejected"},
        {"pegout.on_chain", "accepted peg-outs confirmed or in the mempool at the end"},
        {"depositor.balance_sat", "the depositor's ecash, in sats"},
        {"chain.tip_height", "canonical tip height at the end"}};
    k.bug_variants = variant_docs("federation");
    k.validate = validate;
    k.build = build;
    return k;
}

void register_federation_world(WorldRegistry& registry) {
    registry.register_world(federation_world_kind());
}

}  // namespace scenario
