// Reading scenario files: JSON text in, a checked Scenario or located diagnostics out.
//
// parse_scenario() checks the syntax (with line and column), every key (unknown keys get a
// did-you-mean), every type and range, and then the cross-references: node names, "after"
// references and their cycles, checker and metric names, all against the world kind's
// declaration in the registry. A scenario it returns is ready to run.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/diagnostics.h"
#include "scenario/scenario.h"
#include "scenario/world_registry.h"

namespace scenario {

struct LoadResult {
    std::optional<Scenario> scenario;
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return scenario.has_value() && diagnostics.empty(); }
    // Every diagnostic, one per line, formatted against `file`.
    std::string describe(const std::string& file) const;
};

LoadResult parse_scenario(std::string_view text, const std::string& file,
                          const WorldRegistry& registry = WorldRegistry::instance());
LoadResult load_scenario_file(const std::string& path,
                              const WorldRegistry& registry = WorldRegistry::instance());

// Params replaced from the command line (`fedsim ... --set NAME=VALUE`): each NAME's value, as
// JSON text, in order (a later one of the same name wins). They are written into the parsed
// document's "params" before it is read and validated, so a value is checked exactly as if the
// file held it. Locations stay those of the file's own text; anything under an overridden
// /params/NAME has none (line 0): it is not in the file.
using ParamOverrides = std::vector<std::pair<std::string, std::string>>;
LoadResult parse_scenario(std::string_view text, const std::string& file,
                          const ParamOverrides& overrides,
                          const WorldRegistry& registry = WorldRegistry::instance());
LoadResult load_scenario_file(const std::string& path, const ParamOverrides& overrides,
                              const WorldRegistry& registry = WorldRegistry::instance());

// The keys the parser accepts in each kind of object, by a schema-like path ("" is the top
// level, "/faults", "/timeline/*", ...). The schema test compares them with the JSON Schema.
const std::map<std::string, std::vector<std::string>>& known_keys();

// Metrics every world exports (network and run counters).
const std::vector<NamedDoc>& generic_metrics();

// The names sim::Outcome prints, in enum order (what "expect.outcome" accepts).
const std::vector<std::string>& outcome_names();

// Parses "metric OP value" (OP one of == != < <= > >=); false with a reason otherwise.
bool parse_condition(const std::string& text, Condition* out, std::string* error);

// Cross-reference checks, run by parse_scenario after the structure is read.
void validate_scenario(const Scenario& s, const WorldKind& kind, std::vector<Diagnostic>* out);

}  // namespace scenario
