// World kind "gateway": the builder (Lightning nodes and channels, declared or generated; the
// federation over the Lightning chain; the gateway with the chosen variant; the clients), the
// structural validation and the registration. Run time is in gateway_world_run.cc.
#include "scenario/worlds/gateway_world.h"

#include <algorithm>
#include <set>

#include "actors/lightning/topology.h"
#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/lightning_world_shared.h"

namespace scenario {

namespace {

namespace ln = actors::lightning;
namespace fed = actors::federation;
namespace gw = actors::gateway;

const char* const k_world = "gateway world";

// Here the first failed channel stops the set-up (false). `r` is the graph drawn for the
// faucet's plan (draw_generated).
bool open_generated(BuildContext& ctx, GatewayScenarioWorld& w, const ln::Result<ln::Topology>& r,
                    const std::vector<ln::NodeIndex>& nodes) {
    const SourceLocation& where = ctx.scenario.topology.generator_where;
    if (!setup_ok(ctx.sim, w.input_error_sink(), k_world, r.ok(), where,
                  r.ok() ? "" : r.error())) {
        return false;
    }
    for (const ln::ChannelOptions& o : generated_channels(r.value(), nodes)) {
        ln::Result<ln::ChannelIndex> c = w.ln().open_channel(o);
        if (!setup_ok(ctx.sim, w.input_error_sink(), k_world, c.ok(), where,
                      c.ok() ? "" : c.error())) {
            return false;
        }
    }
    return true;
}

bool open_declared(BuildContext& ctx, GatewayScenarioWorld& w) {
    for (const TopologyLink& l : ctx.scenario.topology.links) {
        const SourceLocation where = declared_channel_where(l, w.ln());
        ln::Result<ln::ChannelIndex> c = w.ln().open_channel(declared_channel(l, w.index()));
        if (!setup_ok(ctx.sim, w.input_error_sink(), k_world, c.ok(), where,
                      c.ok() ? "" : l.from + " -> " + l.to + ": " + c.error())) {
            return false;
        }
    }
    return true;
}

// Where the scenario sets parameter `name` ("/params/<name>" when it leaves the default: the
// parser keeps a defaulted parameter as a ParamSpec with from_default and no place of its own,
// read_params in scenario/parser_sections.cc).
SourceLocation param_location(const Scenario& s, const std::string& name) {
    for (const ParamSpec& p : s.params) {
        if (p.name == name && !p.where.pointer.empty()) {
            return p.where;
        }
    }
    return {"/params/" + pointer_token(name), 0, 0};
}

GatewayRunConfig run_config(const ParamValues& p) {
    return {.peg_in_sat = static_cast<uint64_t>(param_int(p, "peg_in_sat")),
            .amount_msat = param_int(p, "amount_msat"),
            .min_final = param_int(p, "min_final_cltv_expiry_delta"),
            .invoice_expiry = param_duration(p, "invoice_expiry"),
            .payee_hold_blocks = param_int(p, "payee_hold_blocks"),
            .block_interval = param_duration(p, "block_interval"),
            .open_max_blocks = static_cast<uint32_t>(param_int(p, "open_max_blocks")),
            .payments = param_int(p, "payments"),
            .payee = param_text(p, "payee"),
            .receives = param_int(p, "receives"),
            .payer = param_text(p, "payer"),
            .payment_interval = param_duration(p, "payment_interval"),
            .duration = param_duration(p, "duration"),
            .stop_within = param_duration(p, "stop_within"),
            .payment_bound = param_duration(p, "payment_bound"),
            .payments_must_succeed = param_text(p, "expect_payments") == "succeed"};
}

// What the faucet pays (faucet_plan.h), in the order the world pays it: the channels, then a
// peg-in of peg_in_sat for the gateway and for each client (GatewayScenarioWorld::drive).
FaucetPlan plan_faucet(const BuildContext& ctx, const GatewayRunConfig& run,
                       const std::optional<ln::Result<ln::Topology>>& generated) {
    FaucetPlan plan;
    plan_channels(ctx.scenario.topology, generated, &plan);
    const int64_t clients = param_int(ctx.params, "clients");
    const SourceLocation where = param_location(ctx.scenario, "peg_in_sat");
    for (int64_t i = 0; i <= clients; ++i) {
        plan.add(run.peg_in_sat, where,
                 "peg_in_sat " + std::to_string(run.peg_in_sat) + " (a peg-in for the gateway "
                 "and each of " + std::to_string(clients) + " clients)");
    }
    return plan;
}

std::unique_ptr<World> build(BuildContext& ctx) {
    const ParamValues& p = ctx.params;
    GatewayRunConfig run = run_config(p);
    run.min_final_where = param_location(ctx.scenario, "min_final_cltv_expiry_delta");
    const std::optional<ln::Result<ln::Topology>> generated =
        draw_generated(ctx.scenario, ctx.sim, "gateway.topology");
    const FaucetPlan faucet = plan_faucet(ctx, run, generated);
    auto w = std::make_unique<GatewayScenarioWorld>(ctx.sim, run, faucet.faucet_min_sat());
    const std::string& gateway_node = param_text(p, "gateway_node");
    const std::string& gateway_profile = param_text(p, "gateway_profile");
    // The gateway's node takes gateway_profile (a parameter a seed may draw); overrides that
    // profile refuses are blamed on the parameter, whose range is what to fix.
    std::optional<std::vector<ln::NodeIndex>> nodes = add_declared_nodes(
        ctx, w->input_error_sink(), k_world, w->ln(), w->index(),
        [&](ln::NodeOptions& o) -> std::optional<AdjustBlame> {
            if (o.alias != gateway_node || gateway_profile == "node") {
                return std::nullopt;
            }
            o.profile = gateway_profile;
            return AdjustBlame{param_location(ctx.scenario, "gateway_profile"),
                               "gateway_profile drew \"" + gateway_profile +
                                   "\" for the gateway's node"};
        });
    if (!nodes) {
        return w;
    }
    const std::optional<Diagnostic>& over = faucet.refusal();
    if (!setup_ok(ctx.sim, w->input_error_sink(), k_world, !over,
                  over ? over->where : SourceLocation{}, over ? over->message : "")) {
        return w;
    }
    if (!open_declared(ctx, *w)) {
        return w;
    }
    if (generated.has_value() && !open_generated(ctx, *w, *generated, *nodes)) {
        return w;
    }
    const int64_t timelock_blocks = param_int(p, "contract_timelock_blocks");
    w->build_federation(static_cast<uint64_t>(param_int(p, "guardians")),
                        param_duration(p, "view_lag"));
    w->build_gateway(w->index().at(gateway_node),
                     *gw::parse_gateway_variant(param_text(p, "variant")),
                     static_cast<size_t>(param_int(p, "clients")),
                     timelock_blocks > 0 ? std::optional<uint64_t>(timelock_blocks)
                                         : std::nullopt);
    w->start(ctx.emit);
    return w;
}

// "fed.g3" -> 3 for prefix "fed.g"; -1 when `name` is not of that form.
int64_t indexed_name(const std::string& name, const std::string& prefix) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
        return -1;
    }
    int64_t v = 0;
    for (size_t i = prefix.size(); i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') {
            return -1;
        }
        // Any index past the largest count is as bad as any other: stop before overflowing.
        v = std::min<int64_t>(v * 10 + (name[i] - '0'), 1'000'000);
    }
    return v;
}

// The smallest (or largest) value any seed can pick for an integer parameter, or its default.
int64_t param_extreme(const Scenario& s, const std::string& name, int64_t def, bool largest) {
    for (const ParamSpec& p : s.params) {
        if (p.name != name) {
            continue;
        }
        if (p.form == ParamSpec::Form::range) {
            return largest ? p.hi : p.lo;
        }
        if (p.form == ParamSpec::Form::fixed) {
            return p.fixed.number;
        }
        int64_t out = p.options.empty() ? def : p.options.front().number;
        for (const Value& v : p.options) {
            out = largest ? std::max(out, v.number) : std::min(out, v.number);
        }
        return out;
    }
    return def;
}

// A text parameter's fixed value (or its default); empty when it varies per seed.
std::vector<std::pair<std::string, SourceLocation>> text_values(const Scenario& s,
                                                                const std::string& name,
                                                                const std::string& def) {
    for (const ParamSpec& p : s.params) {
        if (p.name != name) {
            continue;
        }
        if (p.form == ParamSpec::Form::fixed) {
            return {{p.fixed.text, p.where}};
        }
        std::vector<std::pair<std::string, SourceLocation>> out;
        for (const Value& v : p.options) {
            out.emplace_back(v.text, p.where);
        }
        return out;
    }
    return {{def, {"/params", 0, 0}}};
}

// Guardian and client nodes named by generic actions ("partition", "skew_clock", ...) must
// exist for every seed.
void validate_node_names(const Scenario& s, int64_t guardians, int64_t clients,
                         std::vector<Diagnostic>* out) {
    auto check = [&](const std::string& name, const SourceLocation& where) {
        const int64_t g = indexed_name(name, "fed.g");
        const int64_t c = indexed_name(name, "client");
        if (g >= guardians) {
            out->push_back({where, "node " + name + " does not exist when a seed picks " +
                                       std::to_string(guardians) + " guardians"});
        }
        if (c >= clients) {
            out->push_back({where, "node " + name + " does not exist when a seed picks " +
                                       std::to_string(clients) + " clients"});
        }
    };
    for (const TimelineEntry& e : s.timeline) {
        for (const auto& [arg, value] : e.args) {
            if (value.type == ValueType::text) {
                check(value.text, value.where);
            }
            for (const std::string& n : value.names) {
                check(n, value.where);
            }
        }
    }
}

void validate_indices(const Scenario& s, std::vector<Diagnostic>* out) {
    const int64_t guardians = param_extreme(s, "guardians", 4, false);
    const int64_t clients = param_extreme(s, "clients", 1, false);
    validate_node_names(s, guardians, clients, out);
    for (const TimelineEntry& e : s.timeline) {
        auto g = e.args.find("guardian");
        if (g != e.args.end() && g->second.number >= guardians) {
            out->push_back({g->second.where, "guardian " + std::to_string(g->second.number) +
                                                 " does not exist when a seed picks " +
                                                 std::to_string(guardians) + " guardians"});
        }
        auto c = e.args.find("client");
        if (c != e.args.end() && c->second.number >= clients) {
            out->push_back({c->second.where, "client " + std::to_string(c->second.number) +
                                                 " does not exist when a seed picks " +
                                                 std::to_string(clients) + " clients"});
        }
    }
}

// Nodes reachable from `from` over declared channels (either direction).
std::set<std::string> connected_to(const Scenario& s, const std::string& from) {
    std::set<std::string> seen = {from};
    bool grew = true;
    while (grew) {
        grew = false;
        for (const TopologyLink& l : s.topology.links) {
            const bool a = seen.count(l.from) > 0;
            const bool b = seen.count(l.to) > 0;
            if (a != b) {
                seen.insert(a ? l.to : l.from);
                grew = true;
            }
        }
    }
    return seen;
}

// A payee or payer with no channel path to the gateway's node can never be paid: a topology
// mistake, reported before anything runs (generated topologies are always connected). A name
// that is not a topology node (in a link, gateway_node, payee, payer or a timeline entry) is
// already reported naming its field; a path check over it would only add a misleading "no
// channel path" error for the same typo, so it is skipped.
void validate_reachable(const Scenario& s, std::vector<Diagnostic>* out) {
    if (s.topology.generator) {
        return;
    }
    const std::vector<std::string> names = topology_node_names(s.topology);
    auto known = [&](const std::string& n) {
        return std::find(names.begin(), names.end(), n) != names.end();
    };
    for (const TopologyLink& l : s.topology.links) {
        if (!known(l.from) || !known(l.to)) {
            return;
        }
    }
    for (const auto& gateway_value : text_values(s, "gateway_node", "gw")) {
        // A copy: clang 14 lambdas cannot capture structured bindings.
        const std::string gateway = gateway_value.first;
        if (!known(gateway)) {
            continue;
        }
        const std::set<std::string> reach = connected_to(s, gateway);
        auto check = [&](const std::string& node, const SourceLocation& at, const char* role) {
            if (!node.empty() && known(node) && reach.count(node) == 0) {
                out->push_back({at, std::string(role) + " " + node + " has no channel path to "
                                    "the gateway's node " + gateway});
            }
        };
        if (param_extreme(s, "payments", 0, true) > 0) {
            for (const auto& [payee, at] : text_values(s, "payee", "")) {
                check(payee, at, "payee");
            }
        }
        if (param_extreme(s, "receives", 0, true) > 0) {
            for (const auto& [payer, at] : text_values(s, "payer", "")) {
                check(payer, at, "payer");
            }
        }
        for (const TimelineEntry& e : s.timeline) {
            const char* arg = e.action == "pay" ? "to" : e.action == "receive" ? "from" : nullptr;
            auto it = arg != nullptr ? e.args.find(arg) : e.args.end();
            if (it != e.args.end()) {
                check(it->second.text, it->second.where, e.action == "pay" ? "payee" : "payer");
            }
        }
    }
}

void validate(const Scenario& s, std::vector<Diagnostic>* out) {
    const std::vector<std::string> names = topology_node_names(s.topology);
    auto known = [&](const std::string& n) {
        return std::find(names.begin(), names.end(), n) != names.end();
    };
    if (names.size() < 2) {
        out->push_back({{"/topology/nodes", 0, 0}, "world gateway needs at least two nodes"});
    }
    for (const TopologyNode& n : s.topology.nodes) {
        for (const std::string& name : topology_node_names({.nodes = {n}})) {
            if (name == "gateway" || name == "fed" || indexed_name(name, "fed.g") >= 0 ||
                indexed_name(name, "client") >= 0) {
                out->push_back({n.where, "node name " + name + " is reserved for the world's "
                                         "gateway, federation and clients"});
            }
        }
    }
    for (const auto& [value, where] : text_values(s, "gateway_node", "gw")) {
        if (!known(value)) {
            out->push_back({where, "gateway_node \"" + value + "\" is not a topology node"});
        }
    }
    for (const char* role : {"payee", "payer"}) {
        const std::string count = std::string(role) == "payee" ? "payments" : "receives";
        const bool used = param_extreme(s, count, 0, true) > 0;
        for (const auto& [value, where] : text_values(s, role, "")) {
            if ((used || !value.empty()) && !known(value)) {
                out->push_back({where, std::string(role) + " \"" + value +
                                           "\" is not a topology node (needed by " + count +
                                           ")"});
            }
        }
    }
    validate_channels(s, out);
    validate_workload_duration(s, "ready", out);
    validate_indices(s, out);
    validate_reachable(s, out);
}

}  // namespace

void register_gateway_world(WorldRegistry& registry) {
    WorldKind k = gateway_world_kind();
    // The gateway process, every guardian and client a seed can create (validate_indices
    // checks that the ones a timeline names exist for the smallest counts).
    k.fixed_nodes = {"gateway"};
    for (int i = 0; i < 16; ++i) {
        k.fixed_nodes.push_back("fed.g" + std::to_string(i));
    }
    for (int i = 0; i < 8; ++i) {
        k.fixed_nodes.push_back("client" + std::to_string(i));
    }
    k.validate = validate;
    k.build = build;
    registry.register_world(std::move(k));
}

}  // namespace scenario
