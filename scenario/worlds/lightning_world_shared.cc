// What the Lightning-bearing worlds share (see lightning_world_shared.h).
#include "scenario/worlds/lightning_world_shared.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "scenario/worlds/chain_world_fields.h"

namespace scenario {

namespace ln = actors::lightning;

namespace {

template <typename T>
std::optional<T> optional_prop(const std::map<std::string, Value>& props, const std::string& n) {
    auto it = props.find(n);
    return it == props.end() ? std::nullopt : std::optional<T>(static_cast<T>(it->second.number));
}

// The schema's largest amount: 21e6 BTC in sat.
constexpr int64_t k_max_sat = 2'100'000'000'000'000;

// A min/max pair of generator arguments: its names, the default of both ends, the bounds the
// parser holds each end to, the docs' nouns, and the range of ln::TopologyOptions it sets. The
// one place these live: channel_generators declares, validate_generator_ranges checks and
// generate_topology reads through it.
struct GeneratorRange {
    const char* min;
    const char* max;
    int64_t fallback;
    int64_t lowest;
    int64_t highest;
    const char* what;  // "capacity": the docs say "smallest capacity", "largest capacity"
    ln::IntRange ln::TopologyOptions::*range;
};

constexpr GeneratorRange k_generator_ranges[] = {
    {"capacity_sat_min", "capacity_sat_max", 1'000'000, 1, k_max_sat, "capacity",
     &ln::TopologyOptions::capacity_sat},
    {"share_percent_min", "share_percent_max", 50, 0, 100, "share of the lower node",
     &ln::TopologyOptions::node1_share_percent},
};

// A pair's ends as the generator uses them. An end left out takes the default, except that it
// follows a lone written end that passed it: capacity_sat_min 2,000,000 alone draws from
// [2,000,000, 2,000,000], not the empty [2,000,000, 1,000,000] (and a lone max below the
// default takes the min down with it). A lone end within the default keeps the default other
// end, so every range that drew before draws the same. Only two written ends can cross.
struct EffectiveRange {
    int64_t lo;
    int64_t hi;
    // The written end hi comes from (the max, or a lone min the max followed); null when hi is
    // the default. What to lower when a drawn value is too large.
    const char* hi_from;
};

EffectiveRange effective_range(const std::map<std::string, Value>& a, const GeneratorRange& r) {
    const int64_t lo = prop_int_or(a, r.min, r.fallback);
    const int64_t hi = prop_int_or(a, r.max, r.fallback);
    const bool has_min = a.contains(r.min);
    const bool has_max = a.contains(r.max);
    if (has_min == has_max) {
        return {lo, hi, has_max ? r.max : nullptr};
    }
    if (has_max) {
        return {std::min(lo, hi), hi, r.max};
    }
    return lo > hi ? EffectiveRange{lo, lo, r.min} : EffectiveRange{lo, hi, nullptr};
}

// "/topology/generate/capacity_sat_max at 3:52" (line:column, when known), for a message that
// names a second place besides its diagnostic's own.
std::string where_text(const SourceLocation& w) {
    return w.pointer +
           (w.line > 0 ? " at " + std::to_string(w.line) + ":" + std::to_string(w.column) : "");
}

// Two written ends that cross would reach topology.cc's draw, whose SIM_ASSERT(r.min <= r.max)
// aborts; refused here at the min (as the parser does for an empty parameter range), the
// message naming the max and its place too.
void validate_generator_ranges(const Topology& t, std::vector<Diagnostic>* out) {
    if (!t.generator) {
        return;
    }
    const std::map<std::string, Value>& a = t.generator_args;
    for (const GeneratorRange& r : k_generator_ranges) {
        const EffectiveRange e = effective_range(a, r);
        if (e.lo <= e.hi) {
            continue;
        }
        const SourceLocation& max_where = a.at(r.max).where;
        out->push_back({a.at(r.min).where,
                        *t.generator + ": " + r.min + " " + std::to_string(e.lo) + " exceeds " +
                            r.max + " " + std::to_string(e.hi) + " (" + where_text(max_where) +
                            "): an empty range to draw from"});
    }
}

// Where a generated channel's capacity comes from, the field to lower when the faucet cannot
// pay it: the written end the effective capacity_sat_max comes from (effective_range: the max,
// or a lone min the max followed), else the generator's.
SourceLocation generated_capacity_where(const Topology& t) {
    const std::map<std::string, Value>& a = t.generator_args;
    for (const GeneratorRange& r : k_generator_ranges) {
        if (r.range != &ln::TopologyOptions::capacity_sat) {
            continue;
        }
        if (const char* field = effective_range(a, r).hi_from) {
            return a.at(field).where;
        }
    }
    return t.generator_where;
}

// 1000000 as "1,000,000", for the docs.
std::string grouped(int64_t n) {
    std::string digits = std::to_string(n);
    for (auto i = static_cast<int64_t>(digits.size()) - 3; i > 0; i -= 3) {
        digits.insert(static_cast<size_t>(i), ",");
    }
    return digits;
}

}  // namespace

ln::ProfileOverrides profile_overrides(const std::map<std::string, Value>& props,
                                       const std::string& prefix) {
    ln::ProfileOverrides o;
    o.cltv_expiry_delta = optional_prop<uint32_t>(props, prefix + "cltv_expiry_delta");
    o.fee_base_msat = optional_prop<uint64_t>(props, prefix + "fee_base_msat");
    o.fee_ppm = optional_prop<uint32_t>(props, prefix + "fee_ppm");
    o.max_accepted_htlcs = optional_prop<uint32_t>(props, prefix + "max_accepted_htlcs");
    o.min_final_cltv_expiry_delta =
        optional_prop<uint32_t>(props, prefix + "min_final_cltv_expiry_delta");
    return o;
}

ln::Result<ln::Topology> generate_topology(const Topology& topology, uint32_t n,
                                           sim::Random& random) {
    const auto& a = topology.generator_args;
    ln::TopologyOptions opt;
    for (const GeneratorRange& r : k_generator_ranges) {
        // validate_generator_ranges has refused a pair that crosses; both ends are >= 0.
        const EffectiveRange e = effective_range(a, r);
        opt.*r.range = {static_cast<uint64_t>(e.lo), static_cast<uint64_t>(e.hi)};
    }
    const std::string& kind = *topology.generator;
    if (kind == "line") {
        return ln::Result<ln::Topology>::success(ln::line_topology(n, opt, random));
    }
    if (kind == "star") {
        return ln::Result<ln::Topology>::success(ln::star_topology(n - 1, opt, random));
    }
    auto m = static_cast<uint32_t>(prop_int_or(a, "channels", n - 1));
    return ln::scale_free_topology(n, m, opt, random);
}

std::optional<ln::Result<ln::Topology>> draw_generated(const Scenario& scenario,
                                                       const sim::Simulation& sim,
                                                       const std::string& stream) {
    if (!scenario.topology.generator) {
        return std::nullopt;
    }
    sim::Random rng = sim.random(stream);
    const auto n = static_cast<uint32_t>(topology_node_names(scenario.topology).size());
    return generate_topology(scenario.topology, n, rng);
}

void plan_channels(const Topology& topology,
                   const std::optional<ln::Result<ln::Topology>>& generated, FaucetPlan* plan) {
    for (const TopologyLink& l : topology.links) {
        const Value& capacity = l.props.at("capacity_sat");
        const auto sat = static_cast<uint64_t>(capacity.number);
        // A capacity left at its default has no place of its own: blame the link.
        plan->add(sat, capacity.where.pointer.empty() ? l.where : capacity.where,
                  "capacity_sat " + std::to_string(sat));
    }
    if (!generated.has_value() || !generated->ok()) {
        return;
    }
    const SourceLocation where = generated_capacity_where(topology);
    for (const auto& [scid, info] : generated->value().graph.channels()) {
        plan->add(info.capacity_msat / 1000, where,
                  "a generated channel of " + std::to_string(info.capacity_msat / 1000) + " sat");
    }
}

std::vector<ActionSpec> channel_generators() {
    std::vector<FieldSpec> common;
    for (const GeneratorRange& r : k_generator_ranges) {
        const std::string def = " (default " + grouped(r.fallback) + ", or ";
        common.push_back(opt_int(r.min, std::string("smallest ") + r.what + def + r.max +
                                            " when that is written lower)",
                                 r.lowest, r.highest));
        common.push_back(opt_int(r.max, std::string("largest ") + r.what + def + r.min +
                                            " when that is written higher)",
                                 r.lowest, r.highest));
    }
    std::vector<FieldSpec> sf = common;
    sf.push_back(opt_int("channels", "channels in all (default nodes - 1)", 1, 100000));
    return {{"line", "channels between the declared nodes in order", common},
            {"star", "the first declared node is the hub", common},
            {"scale_free", "preferential attachment over the declared nodes", sf}};
}

bool setup_ok(sim::Simulation& sim, std::optional<Diagnostic>* sink, const std::string& world,
              bool ok, const SourceLocation& where, const std::string& error) {
    if (!ok && !sink->has_value()) {
        *sink = Diagnostic{where, world + " setup: " + error};
        sim.scheduler().stop();
    }
    return ok;
}

void refuse_entry(sim::Simulation& sim, std::optional<Diagnostic>* sink, const std::string& world,
                  const SourceLocation& where, const std::string& error) {
    if (!sink->has_value()) {
        *sink = Diagnostic{where, world + ": " + error};
        sim.scheduler().stop();
    }
}

std::optional<std::vector<ln::NodeIndex>> add_declared_nodes(
    BuildContext& ctx, std::optional<Diagnostic>* sink, const std::string& world,
    ln::LightningNetwork& ln, std::map<std::string, ln::NodeIndex>& index,
    const std::function<std::optional<AdjustBlame>(ln::NodeOptions&)>& adjust) {
    std::vector<ln::NodeIndex> nodes;
    for (const TopologyNode& n : ctx.scenario.topology.nodes) {
        for (const std::string& name : topology_node_names({.nodes = {n}})) {
            ln::NodeOptions o{.alias = name, .profile = n.props.at("profile").text,
                              .overrides = profile_overrides(n.props, ""),
                              .chain_lag = prop_duration(n, "chain_lag")};
            std::optional<AdjustBlame> blame = adjust ? adjust(o) : std::nullopt;
            ln::Result<ln::NodeIndex> r = ln.add_node(o);
            const std::string error =
                r.ok() ? "" : r.error() + (blame ? " (" + blame->note + ")" : "");
            if (!setup_ok(ctx.sim, sink, world, r.ok(), blame ? blame->where : n.where, error)) {
                return std::nullopt;
            }
            nodes.push_back(r.value());
            index[name] = r.value();
        }
    }
    return nodes;
}

ln::ChannelOptions declared_channel(const TopologyLink& link,
                                    const std::map<std::string, ln::NodeIndex>& index) {
    const auto capacity = static_cast<uint64_t>(link.props.at("capacity_sat").number);
    // The gateway world declares no "announce": its channels are all announced.
    auto announce = link.props.find("announce");
    return {.funder = index.at(link.from), .peer = index.at(link.to), .capacity_sat = capacity,
            .push_msat = static_cast<uint64_t>(
                prop_int_or(link.props, "push_msat", static_cast<int64_t>(capacity) * 500)),
            .funder_overrides = profile_overrides(link.props, ""),
            .peer_overrides = profile_overrides(link.props, "peer_"),
            .announce = announce == link.props.end() || announce->second.flag()};
}

SourceLocation declared_channel_where(const TopologyLink& link, const ln::LightningNetwork& ln) {
    auto capacity = link.props.find("capacity_sat");
    if (capacity != link.props.end() &&
        capacity->second.number > ln.chain().faucet_balance()) {
        return capacity->second.where;
    }
    return link.where;
}

std::vector<ln::ChannelOptions> generated_channels(const ln::Topology& graph,
                                                   const std::vector<ln::NodeIndex>& nodes) {
    std::vector<ln::ChannelOptions> out;
    for (const auto& [scid, info] : graph.graph.channels()) {
        const uint64_t node1_msat = graph.node1_balance_msat.at(scid);
        out.push_back({.funder = nodes.at(info.node1), .peer = nodes.at(info.node2),
                       .capacity_sat = info.capacity_msat / 1000,
                       .push_msat = info.capacity_msat - node1_msat});
    }
    return out;
}

namespace {

// LightningNetwork::add_node and open_channel refuse overrides that break an implementation's
// limits (a cltv_expiry_delta below its minimum, say); a scenario learns it at validation,
// naming the node or link, not as a failed run.
void validate_overrides(const Scenario& s, std::vector<Diagnostic>* out) {
    std::map<std::string, ln::Profile> by_name;
    for (const TopologyNode& n : s.topology.nodes) {
        auto name = n.props.find("profile");
        ln::Result<ln::Profile> base = ln::profile_by_name(
            name == n.props.end() ? std::string_view() : std::string_view(name->second.text));
        if (!base.ok()) {
            continue;
        }
        ln::Result<ln::Profile> p = ln::apply_overrides(base.value(), profile_overrides(n.props, ""));
        if (!p.ok()) {
            out->push_back({n.where, "node '" + n.name + "': " + p.error()});
            continue;
        }
        for (const std::string& each : topology_node_names({.nodes = {n}})) {
            by_name.emplace(each, p.value());
        }
    }
    for (const TopologyLink& l : s.topology.links) {
        auto from = by_name.find(l.from);
        auto to = by_name.find(l.to);
        if (l.kind != "channel" || from == by_name.end() || to == by_name.end()) {
            continue;
        }
        ln::Result<ln::Profile> fp = ln::apply_overrides(from->second,
                                                         profile_overrides(l.props, ""));
        ln::Result<ln::Profile> pp = ln::apply_overrides(to->second,
                                                         profile_overrides(l.props, "peer_"));
        if (!fp.ok() || !pp.ok()) {
            out->push_back({l.where, "channel " + l.from + " -> " + l.to + ": " +
                                         (fp.ok() ? "peer: " + pp.error() : fp.error())});
        }
    }
}

}  // namespace

void validate_channels(const Scenario& s, std::vector<Diagnostic>* out) {
    validate_overrides(s, out);
    validate_generator_ranges(s.topology, out);
    if (s.topology.generator && *s.topology.generator == "scale_free") {
        const auto n = static_cast<int64_t>(topology_node_names(s.topology).size());
        const int64_t m = prop_int_or(s.topology.generator_args, "channels", n - 1);
        if (m < n - 1 || m > n * (n - 1) / 2) {
            out->push_back({s.topology.generator_where, "scale_free: channels must be in "
                                                        "[nodes - 1, nodes * (nodes - 1) / 2]"});
        }
    }
    for (const TopologyLink& l : s.topology.links) {
        if (l.kind == "channel" && l.from == l.to) {
            out->push_back({l.where, "a channel needs two different nodes"});
        }
        // LightningNetwork::open_channel refuses more than the capacity on the peer's side; a
        // scenario learns it here, naming the field, not as a failed run.
        auto push = l.props.find("push_msat");
        auto capacity = l.props.find("capacity_sat");
        // Both are bounded by the world's declaration (capacity_sat <= 21e6 BTC in sat), so
        // capacity_sat * 1000 cannot overflow.
        if (l.kind == "channel" && push != l.props.end() && capacity != l.props.end() &&
            push->second.number > capacity->second.number * 1000) {
            out->push_back({push->second.where,
                            "push_msat " + std::to_string(push->second.number) +
                                " exceeds the channel's capacity (capacity_sat " +
                                std::to_string(capacity->second.number) + " is " +
                                std::to_string(capacity->second.number) + "000 msat)"});
        }
    }
}

}  // namespace scenario
