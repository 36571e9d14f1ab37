// World kind "lightning": the declaration and the builder (nodes with profiles and overrides,
// declared channels, generated line / star / scale-free channel graphs over the declared nodes).
// Actions, the driver and the checks live in lightning_world_run.cc.
#include "scenario/worlds/lightning_world.h"

#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/lightning_world_shared.h"

namespace scenario {

namespace {

namespace ln = actors::lightning;

const char* const k_world = "lightning";

// Here a failed channel does not stop the ones after it. `r` is the graph drawn for the
// faucet's plan (draw_generated).
void open_generated(BuildContext& ctx, LightningScenarioWorld& w, const ln::Result<ln::Topology>& r,
                    const std::vector<ln::NodeIndex>& nodes) {
    const SourceLocation& where = ctx.scenario.topology.generator_where;
    if (!setup_ok(ctx.sim, w.input_error_sink(), k_world, r.ok(), where,
                  r.ok() ? "" : r.error())) {
        return;
    }
    for (const ln::ChannelOptions& o : generated_channels(r.value(), nodes)) {
        ln::Result<ln::ChannelIndex> c = w.ln().open_channel(o);
        setup_ok(ctx.sim, w.input_error_sink(), k_world, c.ok(), where, c.ok() ? "" : c.error());
    }
}

void build_channels(BuildContext& ctx, LightningScenarioWorld& w) {
    for (const TopologyLink& l : ctx.scenario.topology.links) {
        const SourceLocation where = declared_channel_where(l, w.ln());
        ln::Result<ln::ChannelIndex> c = w.ln().open_channel(declared_channel(l, w.index()));
        setup_ok(ctx.sim, w.input_error_sink(), k_world, c.ok(), where,
                 c.ok() ? "" : l.from + " -> " + l.to + ": " + c.error());
    }
}

LightningRunConfig run_config(const ParamValues& p) {
    return {.duration = param_duration(p, "duration"),
            .open_max_blocks = static_cast<uint32_t>(param_int(p, "open_max_blocks")),
            .block_interval = param_duration(p, "block_interval"),
            .amount_msat = param_int(p, "amount_msat"),
            .max_fee_msat = param_int(p, "max_fee_msat"),
            .cltv_limit = param_int(p, "cltv_limit"),
            .pay_timeout = param_duration(p, "pay_timeout"),
            .max_attempts = static_cast<uint32_t>(param_int(p, "max_attempts")),
            .onchain_slack_blocks = static_cast<uint32_t>(param_int(p, "onchain_slack_blocks"))};
}

std::unique_ptr<World> build(BuildContext& ctx) {
    const ParamValues& p = ctx.params;
    ln::LightningNetworkConfig cfg;
    cfg.gossip = param_text(p, "gossip") == "propagated" ? ln::GossipMode::propagated
                                                         : ln::GossipMode::instant;
    cfg.chain_lag = param_duration(p, "chain_lag");
    // The faucet is mined to hold every channel before the chain exists (faucet_plan.h).
    const std::optional<ln::Result<ln::Topology>> generated =
        draw_generated(ctx.scenario, ctx.sim, "lightning.topology");
    FaucetPlan faucet;
    plan_channels(ctx.scenario.topology, generated, &faucet);
    cfg.chain.faucet_min_sat = faucet.faucet_min_sat();
    auto w = std::make_unique<LightningScenarioWorld>(ctx.sim, cfg, run_config(p));
    std::optional<std::vector<ln::NodeIndex>> nodes = add_declared_nodes(
        ctx, w->input_error_sink(), k_world, w->ln(), w->index(),
        [&cfg](ln::NodeOptions& o) -> std::optional<AdjustBlame> {
            o.chain_lag = *o.chain_lag + cfg.chain_lag;
            return std::nullopt;
        });
    if (!nodes) {
        return w;
    }
    const std::optional<Diagnostic>& over = faucet.refusal();
    if (!setup_ok(ctx.sim, w->input_error_sink(), k_world, !over,
                  over ? over->where : SourceLocation{}, over ? over->message : "")) {
        return w;
    }
    build_channels(ctx, *w);
    if (generated.has_value()) {
        open_generated(ctx, *w, *generated, *nodes);
    }
    w->start(ctx.emit);
    return w;
}

void validate(const Scenario& s, std::vector<Diagnostic>* out) {
    if (topology_node_names(s.topology).size() < 2) {
        out->push_back({{"/topology/nodes", 0, 0}, "world lightning needs at least two nodes"});
    }
    validate_channels(s, out);
    validate_workload_duration(s, "channels_open", out);
}

}  // namespace

// The declaration (lightning_world_decl.cc).
WorldKind lightning_world_kind();

void register_lightning_world(WorldRegistry& registry) {
    WorldKind k = lightning_world_kind();
    k.validate = validate;
    k.build = build;
    for (const std::string& name : ln::profile_names()) {
        registry.add_catalog_entry({"profile", name, "Lightning implementation profile "
                                                     "(docs/lightning.md)"});
    }
    registry.register_world(std::move(k));
}

}  // namespace scenario
