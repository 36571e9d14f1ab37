// Pieces the Lightning-bearing worlds ("lightning" and "gateway") share: the channel generators
// they declare, and how their builders read the topology: a node's or channel side's profile
// overrides, the declared nodes and channels, the generated channel graph (line / star /
// scale-free), the structural checks of channels, and how a failed set-up step ends the run
// (as bad input).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/lightning/lightning_network.h"
#include "actors/lightning/profile.h"
#include "actors/lightning/result.h"
#include "actors/lightning/topology.h"
#include "scenario/diagnostics.h"
#include "scenario/worlds/faucet_plan.h"
#include "scenario/worlds/workload_duration.h"
#include "scenario/scenario.h"
#include "scenario/world_registry.h"
#include "sim/random.h"

namespace scenario {

// The overrides named `prefix` + "cltv_expiry_delta", "fee_base_msat", "fee_ppm",
// "max_accepted_htlcs" and "min_final_cltv_expiry_delta"; absent properties stay unset.
actors::lightning::ProfileOverrides profile_overrides(const std::map<std::string, Value>& props,
                                                      const std::string& prefix);

// The channel graph over `n` nodes that the topology's generator describes, drawn from `random`.
actors::lightning::Result<actors::lightning::Topology> generate_topology(const Topology& topology,
                                                                         uint32_t n,
                                                                         sim::Random& random);

// The graph the topology's generator describes over its declared nodes, drawn from the seed's
// stream `stream` (the same graph whenever it is drawn: streams are forked by name), or none
// without a generator. Drawn before the chain is built, to size its faucet (plan_channels).
std::optional<actors::lightning::Result<actors::lightning::Topology>> draw_generated(
    const Scenario& scenario, const sim::Simulation& sim, const std::string& stream);

// Adds to `plan` what the faucet pays for channels, in the order the builders open them: each
// declared channel's capacity_sat (at that field), then each channel of a generated graph (at
// the field that sets its largest capacity: capacity_sat_max when written, capacity_sat_min
// when written alone above the default, which the max then follows; else the generator).
void plan_channels(const Topology& topology,
                   const std::optional<actors::lightning::Result<actors::lightning::Topology>>&
                       generated,
                   FaucetPlan* plan);

// The generators "line", "star" and "scale_free" and the arguments generate_topology reads:
// min/max pairs (capacity_sat, share_percent), each end defaulting to the pair's default or,
// when the other end is written alone past that default, to the other end; scale_free's
// channels.
std::vector<ActionSpec> channel_generators();

// A failed set-up step is bad input, like the federation world's too-deep reorg: validation
// refuses what a scenario fixes (scenario_validation, validate_overrides), so what fails here
// came from a seed's draw (the gateway world's gateway_profile making a node break its own
// overrides, say). The first such error is kept in `sink` as "<world> setup: <error>" at
// `where` (the element or parameter to fix) and the run is stopped; the world returns it from
// World::input_error, so `fedsim run` exits 2 naming it and a sweep counts the seed as bad
// input, not as a bug found. Returns `ok`.
bool setup_ok(sim::Simulation& sim, std::optional<Diagnostic>* sink, const std::string& world,
              bool ok, const SourceLocation& where, const std::string& error);

// A timeline entry the world cannot carry out because the input asks for something a node
// refuses (an LDK payee asked for an invoice whose `c` is too short): bad input as for
// setup_ok, kept in `sink` (the first only) as "<world>: <error>" at `where` (the argument or
// parameter to fix), and the run is stopped, so `fedsim run` exits 2 naming it.
void refuse_entry(sim::Simulation& sim, std::optional<Diagnostic>* sink, const std::string& world,
                  const SourceLocation& where, const std::string& error);

// What a builder's node adjustment may answer: the place to blame (a drawn parameter) and a
// note for the message, when what it changed makes the node impossible.
struct AdjustBlame {
    SourceLocation where;
    std::string note;
};

// Adds the topology's nodes in order (a node with a count stands for name0, name1, ...), each
// with its profile, overrides and chain lag as `adjust` (may be empty) leaves them, and records
// each in `index` by name. A node that cannot be added is a set-up error (setup_ok) at the
// node, or where `adjust` blames. Returns them in order, or nothing once a failed add ended
// the run.
std::optional<std::vector<actors::lightning::NodeIndex>> add_declared_nodes(
    BuildContext& ctx, std::optional<Diagnostic>* sink, const std::string& world,
    actors::lightning::LightningNetwork& ln,
    std::map<std::string, actors::lightning::NodeIndex>& index,
    const std::function<std::optional<AdjustBlame>(actors::lightning::NodeOptions&)>& adjust);

// The channel a declared link describes: `from` funds it and pushes push_msat (default: half)
// to `to`; each side's overrides; announced unless the link says otherwise.
actors::lightning::ChannelOptions declared_channel(
    const TopologyLink& link, const std::map<std::string, actors::lightning::NodeIndex>& index);

// Where a refused open of `link`'s channel is reported: its capacity_sat when the faucet
// cannot fund that capacity (LightningNetwork::open_channel refuses it; with the faucet sized
// by a FaucetPlan it never should), else the link.
SourceLocation declared_channel_where(const TopologyLink& link,
                                      const actors::lightning::LightningNetwork& ln);

// The channels of a generated graph, in its channel order, between `nodes` (the graph's node i
// is nodes[i]), each funded by its node1 with node1's balance.
std::vector<actors::lightning::ChannelOptions> generated_channels(
    const actors::lightning::Topology& graph,
    const std::vector<actors::lightning::NodeIndex>& nodes);

// Channel structure checks: a scale_free generator's channel count fits the declared nodes, no
// generator min/max pair is written crossed (min above max; an end left out cannot cross, see
// channel_generators), and no declared channel connects a node to itself.
void validate_channels(const Scenario& s, std::vector<Diagnostic>* out);

}  // namespace scenario
