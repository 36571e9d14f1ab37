// WorldRegistry: the kinds of world a scenario can name, and what each one accepts.
//
// A world kind is a builder plus a declaration: the node roles and their properties, the
// parameters (with their types and allowed bounds), the timeline actions it handles beyond the
// generic network ones, its checkers, metrics, fault points and historical bug variants. The
// validator checks a scenario against the declaration before anything runs, so a model author
// writes the builder against already-checked, typed values. Models add kinds by calling
// register_world() from a registration function listed in builtin_worlds.cc (see
// docs/scenario-worlds.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenario/diagnostics.h"
#include "scenario/scenario.h"
#include "sim/simulation.h"

namespace scenario {

// One accepted property, argument or parameter.
struct FieldSpec {
    std::string name;
    ValueType type = ValueType::integer;
    std::string doc;
    bool required = false;
    int64_t min = INT64_MIN;  // inclusive bounds for integer and duration values
    int64_t max = INT64_MAX;
    std::vector<std::string> choices;  // allowed text values (empty: any)
    // A text or names value that must name topology nodes (checked by the validator).
    bool is_node = false;
    std::optional<Value> default_value;
    // For the shrinker: a smaller value that keeps the scenario meaningful (e.g. fewer payments).
    std::optional<int64_t> shrink_toward;
};

struct RoleSpec {
    std::string name;
    std::string doc;
    std::vector<FieldSpec> props;
    int64_t max_count = 1;
};

struct ActionSpec {
    std::string name;
    std::string doc;
    std::vector<FieldSpec> args;
};

struct NamedDoc {
    std::string name;
    std::string doc;
};

struct CheckResult {
    std::string checker;
    bool passed = true;
    std::string message;
    // Whoever built the result says whether its failure already failed the run when it was
    // found: a check made from a CheckerHub's violations (worlds/hub_check.h) was
    // reported, and failed the run, by the hub (a world's own verdict failed as it happened
    // may say so too). The world's end-of-run judgement does not fail (and with keep_going
    // list) it again.
    bool already_reported = false;
};

// A built world: the actors live in the Simulation; this object keeps the state checkers read.
class World {
public:
    virtual ~World() = default;
    // Handles a world action from the timeline (called from a scheduler callback). The generic
    // actions (network, clocks) never reach here.
    virtual void on_action(const TimelineEntry& entry) { (void)entry; }
    // The timeline applied a generic fault action: every generic action but "stop" (partition,
    // heal, pause_link, resume_link, crash, restart, freeze, thaw, skew_clock), the ends of
    // faults included. `faults_end` is when the timeline's faults all end: SimTime::never()
    // while one holds that only a later action ends (a partition without heal_after, a paused
    // link, a crashed or frozen node), else the latest heal_after heal, or now if that is past.
    // A world with a bound "after the last fault" restarts it from there (never: the bound
    // waits). Called after the action took effect, from the scheduler callback; the timeline
    // traces nothing more than its "timeline" firing, so a world that traces nothing here
    // leaves the fingerprint unchanged.
    virtual void on_fault(const TimelineEntry& entry, sim::SimTime faults_end) {
        (void)entry;
        (void)faults_end;
    }
    // Runs after the run ended: one result per checker.
    virtual std::vector<CheckResult> check() const { return {}; }
    // Numbers the expectations' conditions can compare, e.g. "payments.paid".
    virtual std::map<std::string, int64_t> metrics() const { return {}; }
    // A scenario input the world found impossible only while running (e.g. a reorg deeper
    // than the chain is at that moment). The world ends the run; the runner reports it as bad
    // input (RunReport::setup_error, exit 2), never as a finding for sweeps to shrink.
    virtual std::optional<Diagnostic> input_error() const { return std::nullopt; }
};

struct BuildContext {
    const Scenario& scenario;
    const ParamValues& params;
    sim::Simulation& sim;
    // Fires a world event that timeline entries can wait for with "after".
    std::function<void(const std::string&)> emit;
};

struct WorldKind {
    std::string name;
    std::string doc;
    std::vector<RoleSpec> roles;
    std::vector<std::string> link_kinds;  // topology link kinds (e.g. "channel")
    std::vector<FieldSpec> link_props;
    std::vector<FieldSpec> params;
    std::vector<ActionSpec> actions;
    // Generated topologies ("topology": {"generate": {"kind": ..., args}}), by name.
    std::vector<ActionSpec> generators;
    std::vector<NamedDoc> checkers;
    std::vector<NamedDoc> metrics;
    std::vector<NamedDoc> events;
    std::vector<NamedDoc> fault_points;
    std::vector<NamedDoc> bug_variants;
    // Node names the world creates no matter the topology (e.g. escrow's "ledger"), so the
    // timeline can refer to them.
    std::vector<std::string> fixed_nodes;
    // World-specific structure checks beyond the declaration (e.g. "needs one server").
    std::function<void(const Scenario&, std::vector<Diagnostic>*)> validate;
    std::function<std::unique_ptr<World>(BuildContext&)> build;
};

// Catalogue entries that models publish for `fedsim list`: rule sets, profiles, ... .
struct CatalogEntry {
    std::string category;  // "rule set", "profile", ...
    std::string name;
    std::string doc;
};

class WorldRegistry {
public:
    // The process-wide registry with every built-in kind registered.
    static WorldRegistry& instance();

    void register_world(WorldKind kind);
    void add_catalog_entry(CatalogEntry entry);
    const WorldKind* find(const std::string& name) const;
    const std::map<std::string, WorldKind>& kinds() const { return kinds_; }
    const std::vector<CatalogEntry>& catalog() const { return catalog_; }

private:
    std::map<std::string, WorldKind> kinds_;
    std::vector<CatalogEntry> catalog_;
};

// The actions every world accepts (network, node and clock faults), handled by the timeline.
const std::vector<ActionSpec>& generic_actions();

}  // namespace scenario
