// Registration of the built-in world kinds, and the declaration shorthands they share.
#include "scenario/worlds/builtin_worlds.h"

#include "sim/assert.h"

namespace scenario {

#if FEDSIM_MODEL_WORLDS
void register_chain_world(WorldRegistry& registry);      // chain_world.cc
void register_lightning_world(WorldRegistry& registry);  // lightning_world.cc
void register_peg_in_world(WorldRegistry& registry);     // catalogue_peg_in_world.cc
void register_service_world(WorldRegistry& registry);    // catalogue_service_world.cc
void register_federation_world(WorldRegistry& registry);  // federation_world_decl.cc
#endif
#if FEDSIM_GATEWAY_WORLD
void register_gateway_world(WorldRegistry& registry);    // gateway_world.cc
#endif

void register_builtin_worlds(WorldRegistry& registry) {
    register_escrow_world(registry);
    register_echo_world(registry);
    register_shutdown_world(registry);
    register_selftest_world(registry);
#if FEDSIM_MODEL_WORLDS
    register_chain_world(registry);
    register_lightning_world(registry);
    register_peg_in_world(registry);
    register_service_world(registry);
    register_federation_world(registry);
#endif
#if FEDSIM_GATEWAY_WORLD
    register_gateway_world(registry);
#endif
    // Further model kinds register here; see docs/scenario-worlds.md.
}

Value integer_value(int64_t v) { return {.type = ValueType::integer, .number = v}; }
Value duration_value(sim::SimDuration d) { return {.type = ValueType::duration, .number = d.ns()}; }
Value text_value(std::string s) { return {.type = ValueType::text, .text = std::move(s)}; }
Value bool_value(bool b) { return {.type = ValueType::boolean, .number = b ? 1 : 0}; }

FieldSpec integer_param(std::string name, std::string doc, int64_t def, int64_t min, int64_t max) {
    return {.name = std::move(name), .type = ValueType::integer, .doc = std::move(doc), .min = min,
            .max = max, .default_value = integer_value(def)};
}

FieldSpec duration_param(std::string name, std::string doc, sim::SimDuration def) {
    return {.name = std::move(name), .type = ValueType::duration, .doc = std::move(doc),
            .min = 0, .max = sim::SimDuration::hours(24 * 365).ns(),
            .default_value = duration_value(def)};
}

int64_t param_int(const ParamValues& params, const std::string& name) {
    auto it = params.find(name);
    SIM_ASSERT(it != params.end());
    return it->second.number;
}

sim::SimDuration param_duration(const ParamValues& params, const std::string& name) {
    return sim::SimDuration::nanos(param_int(params, name));
}

const std::string& param_text(const ParamValues& params, const std::string& name) {
    auto it = params.find(name);
    SIM_ASSERT(it != params.end());
    return it->second.text;
}

}  // namespace scenario
