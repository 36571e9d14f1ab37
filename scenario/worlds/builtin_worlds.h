// The world kinds built into fedsim. Model modules add theirs here (docs/scenario-worlds.md).
#pragma once

#include "scenario/world_registry.h"

namespace scenario {

void register_builtin_worlds(WorldRegistry& registry);

void register_escrow_world(WorldRegistry& registry);
void register_echo_world(WorldRegistry& registry);
void register_shutdown_world(WorldRegistry& registry);
void register_selftest_world(WorldRegistry& registry);

// Shorthands for world declarations.
Value integer_value(int64_t v);
Value duration_value(sim::SimDuration d);
Value text_value(std::string s);
Value bool_value(bool b);
FieldSpec integer_param(std::string name, std::string doc, int64_t def, int64_t min, int64_t max);
FieldSpec duration_param(std::string name, std::string doc, sim::SimDuration def);

// Typed reads of a picked parameter (the validator guarantees presence and type).
int64_t param_int(const ParamValues& params, const std::string& name);
sim::SimDuration param_duration(const ParamValues& params, const std::string& name);
const std::string& param_text(const ParamValues& params, const std::string& name);

}  // namespace scenario
