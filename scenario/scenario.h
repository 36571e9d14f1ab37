// Scenario: the plain, parsed form of a scenario file — what a run is made of.
//
// A scenario names a world kind (see world_registry.h) and describes its topology, the
// parameters each seed picks from, the network and fault-point settings, a timeline of actions
// and the expectations a run must meet. Nothing here knows JSON: the parser (parser.h) builds
// these structs and the writer (writer.h) turns them back into a file, so the runner, the
// shrinker and the world builders work on plain data. Every element remembers where it came
// from (a JSON pointer and a line) so later checks can point at the file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/random.h"
#include "sim/time.h"

namespace scenario {

// Where an element was written: its JSON pointer and 1-based line/column (0 when unknown).
struct SourceLocation {
    std::string pointer;
    int line = 0;
    int column = 0;
};

enum class ValueType : uint8_t { integer, duration, boolean, text, ratio, names };
const char* to_string(ValueType t);

// One typed value of a property, an action argument or a picked parameter.
struct Value {
    ValueType type = ValueType::integer;
    int64_t number = 0;            // integer; duration in ns; boolean as 0/1
    std::string text;              // text (also a choice)
    sim::Ratio ratio;              // ratio
    std::vector<std::string> names;  // names (a list of node names)
    SourceLocation where;

    sim::SimDuration duration() const { return sim::SimDuration::nanos(number); }
    bool flag() const { return number != 0; }
    // "90s", "12", "true", "1/50", "[a, b]": for reports and the writer.
    std::string to_text() const;
};

// A parameter: a fixed value, an inclusive range each seed picks from (biased to the ends
// and their neighbours), or a list of options each seed picks one of.
struct ParamSpec {
    std::string name;
    ValueType type = ValueType::integer;
    enum class Form : uint8_t { fixed, range, choice } form = Form::fixed;
    Value fixed;                 // fixed
    int64_t lo = 0;              // range: inclusive bounds (integer, or duration in ns)
    int64_t hi = 0;
    std::vector<Value> options;  // choice
    bool from_default = false;   // filled in from the world's default, so not written back
    SourceLocation where;
};

struct TopologyNode {
    std::string name;
    std::string role;
    int64_t count = 1;  // count > 1 names the nodes name0..nameN-1
    std::map<std::string, Value> props;
    SourceLocation where;
};

struct TopologyLink {
    std::string kind;  // e.g. "channel"; validated by the world
    std::string from;
    std::string to;
    std::map<std::string, Value> props;
    SourceLocation where;
};

struct Topology {
    std::vector<TopologyNode> nodes;
    std::vector<TopologyLink> links;
    std::optional<std::string> generator;  // a generated topology, by name
    std::map<std::string, Value> generator_args;
    SourceLocation generator_where;
};

// One timeline entry: an action at a time, or after another entry (or a world event) fired.
struct TimelineEntry {
    std::string name;  // may be empty; needed to be referred to by "after"
    std::optional<sim::SimDuration> at;
    std::string after;
    sim::SimDuration delay;
    std::string action;
    std::map<std::string, Value> args;
    SourceLocation where;
};

struct LinkFaults {
    std::string from;  // node names; empty in the default link
    std::string to;
    sim::SimDuration latency_min = sim::SimDuration::millis(1);
    sim::SimDuration latency_max = sim::SimDuration::millis(1);
    sim::Ratio drop = sim::Ratio::never();
    sim::Ratio duplicate = sim::Ratio::never();
    sim::Ratio reorder = sim::Ratio::never();
    SourceLocation where;
};

struct Faults {
    LinkFaults network;
    std::vector<LinkFaults> links;
    // Swarm testing: each run switches each network fault kind (drop, duplicate, reorder) on or
    // off from the seed, so some runs see only one kind of trouble.
    bool swarm = false;
    bool perturb_same_instant = false;
    bool fault_points = false;
    sim::Ratio activation = {1, 4};
    sim::Ratio fire = {1, 4};
    std::map<std::string, bool> forced;
    SourceLocation where;
};

enum class Comparison : uint8_t { eq, ne, lt, le, gt, ge };
const char* to_string(Comparison c);

// A custom condition over a metric the world exports, e.g. "payments.pending == 0".
struct Condition {
    std::string metric;
    Comparison op = Comparison::eq;
    int64_t value = 0;
    SourceLocation where;
};

struct Expectations {
    std::vector<std::string> outcomes = {"ok"};  // sim::Outcome names a run may end with
    std::string message_contains;                // when the run fails as expected
    std::vector<std::string> checks;             // world checkers to run; empty: all
    bool all_checks = true;
    std::vector<Condition> conditions;
    SourceLocation where;
};

struct Limits {
    sim::SimDuration max_time = sim::SimDuration::hours(1);
    uint64_t max_events = 50'000'000;
    sim::SimDuration wall_time = sim::SimDuration::seconds(120);  // OS time, per run
};

struct Scenario {
    std::string file;  // the path it was read from (for messages and replay commands)
    std::string name;
    std::string description;
    std::string world;
    std::string seeds = "1..100";  // the default sweep range
    Topology topology;
    std::vector<ParamSpec> params;
    Faults faults;
    std::vector<TimelineEntry> timeline;
    Expectations expect;
    Limits limits;
};

// The values one seed picked, by parameter name.
using ParamValues = std::map<std::string, Value>;

// Picks every parameter's value for `seed` from the stream "params"/<name>, so adding or
// pinning one parameter never changes another's pick or any other stream of the run.
ParamValues pick_params(const Scenario& s, uint64_t seed);

// The names of the nodes the topology declares (count > 1 expands to name0..nameN-1).
std::vector<std::string> topology_node_names(const Topology& t);

}  // namespace scenario
