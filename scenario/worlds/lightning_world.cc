// World kind "lightning": the declaration and the builder (nodes with profiles and overrides,
// declared channels, generated line / star / scale-free channel graphs over the declared nodes).
// Actions, the driver and the checks live in lightning_world_run.cc.
#include "scenario/worlds/lightning_world.h"

#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/chain_world_fields.h"
#include "scenario/worlds/lightning_world_shared.h"

namespace scenario {

namespace {

namespace ln = actors::lightning;

// A failed set-up step (a profile override out of range, say) ends the run with its reason.
bool setup_ok(sim::Simulation& sim, bool ok, const std::string& error) {
    if (!ok) {
        sim.scheduler().fail(sim::Outcome::check_failed, "lightning setup: " + error);
    }
    return ok;
}

void open_generated(BuildContext& ctx, LightningScenarioWorld& w,
                    const std::vector<ln::NodeIndex>& nodes) {
    sim::Random rng = ctx.sim.random("lightning.topology");
    ln::Result<ln::Topology> r =
        generate_topology(ctx.scenario.topology, static_cast<uint32_t>(nodes.size()), rng);
    if (!setup_ok(ctx.sim, r.ok(), r.error())) {
        return;
    }
    const ln::Topology& t = r.value();
    for (const auto& [scid, info] : t.graph.channels()) {
        const uint64_t node1_msat = t.node1_balance_msat.at(scid);
        ln::Result<ln::ChannelIndex> c = w.ln().open_channel(
            {.funder = nodes.at(info.node1), .peer = nodes.at(info.node2),
             .capacity_sat = info.capacity_msat / 1000,
             .push_msat = info.capacity_msat - node1_msat});
        setup_ok(ctx.sim, c.ok(), c.ok() ? "" : c.error());
    }
}

void build_channels(BuildContext& ctx, LightningScenarioWorld& w) {
    for (const TopologyLink& l : ctx.scenario.topology.links) {
        const uint64_t capacity = static_cast<uint64_t>(l.props.at("capacity_sat").number);
        ln::ChannelOptions o{
            .funder = w.index().at(l.from), .peer = w.index().at(l.to), .capacity_sat = capacity,
            .push_msat = static_cast<uint64_t>(prop_int_or(l.props, "push_msat",
                                                           static_cast<int64_t>(capacity) * 500)),
            .funder_overrides = profile_overrides(l.props, ""),
            .peer_overrides = profile_overrides(l.props, "peer_"),
            .announce = l.props.at("announce").flag()};
        ln::Result<ln::ChannelIndex> c = w.ln().open_channel(o);
        setup_ok(ctx.sim, c.ok(), c.ok() ? "" : l.from + " -> " + l.to + ": " + c.error());
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
    auto w = std::make_unique<LightningScenarioWorld>(ctx.sim, cfg, run_config(p));
    std::vector<ln::NodeIndex> nodes;
    for (const TopologyNode& n : ctx.scenario.topology.nodes) {
        for (const std::string& name : topology_node_names({.nodes = {n}})) {
            ln::Result<ln::NodeIndex> r = w->ln().add_node(
                {.alias = name, .profile = n.props.at("profile").text,
                 .overrides = profile_overrides(n.props, ""),
                 .chain_lag = prop_duration(n, "chain_lag") + cfg.chain_lag});
            if (!setup_ok(ctx.sim, r.ok(), r.ok() ? "" : r.error())) {
                return w;
            }
            nodes.push_back(r.value());
            w->index()[name] = r.value();
        }
    }
    build_channels(ctx, *w);
    if (ctx.scenario.topology.generator) {
        open_generated(ctx, *w, nodes);
    }
    w->start(ctx.emit);
    return w;
}

void validate(const Scenario& s, std::vector<Diagnostic>* out) {
    size_t nodes = topology_node_names(s.topology).size();
    if (nodes < 2) {
        out->push_back({{"/topology/nodes", 0, 0}, "world lightning needs at least two nodes"});
    }
    if (s.topology.generator && *s.topology.generator == "scale_free") {
        int64_t m = prop_int_or(s.topology.generator_args, "channels",
                                static_cast<int64_t>(nodes) - 1);
        if (m < static_cast<int64_t>(nodes) - 1 ||
            m > static_cast<int64_t>(nodes * (nodes - 1) / 2)) {
            out->push_back({s.topology.generator_where,
                            "scale_free: channels must be in [nodes - 1, nodes * (nodes - 1) / 2]"});
        }
    }
    for (const TopologyLink& l : s.topology.links) {
        if (l.kind == "channel" && l.from == l.to) {
            out->push_back({l.where, "a channel needs two different nodes"});
        }
    }
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
