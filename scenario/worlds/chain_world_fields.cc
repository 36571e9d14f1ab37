// Field helpers shared by the model worlds (see chain_world_fields.h).
#include "scenario/worlds/chain_world_fields.h"

#include <algorithm>

#include "scenario/worlds/builtin_worlds.h"
#include "sim/assert.h"

namespace scenario {

FieldSpec bool_field(std::string name, std::string doc, bool def) {
    return {.name = std::move(name), .type = ValueType::boolean, .doc = std::move(doc),
            .default_value = bool_value(def)};
}

FieldSpec ratio_field(std::string name, std::string doc) {
    return {.name = std::move(name), .type = ValueType::ratio, .doc = std::move(doc),
            .default_value = Value{.type = ValueType::ratio, .ratio = sim::Ratio::never()}};
}

FieldSpec opt_int(std::string name, std::string doc, int64_t min, int64_t max) {
    return {.name = std::move(name), .type = ValueType::integer, .doc = std::move(doc),
            .min = min, .max = max};
}

FieldSpec node_field(std::string name, std::string doc) {
    return {.name = std::move(name), .type = ValueType::text, .doc = std::move(doc),
            .required = true, .is_node = true};
}

FieldSpec positive_duration_param(std::string name, std::string doc, sim::SimDuration def) {
    FieldSpec f = duration_param(std::move(name), std::move(doc), def);
    f.min = 1;
    return f;
}

sim::SimDuration prop_duration(const TopologyNode& n, const std::string& name) {
    auto it = n.props.find(name);
    SIM_ASSERT_MSG(it != n.props.end(), "prop " + name + " has no default");
    return it->second.duration();
}

bool prop_flag(const TopologyNode& n, const std::string& name) {
    auto it = n.props.find(name);
    SIM_ASSERT_MSG(it != n.props.end(), "prop " + name + " has no default");
    return it->second.flag();
}

int64_t prop_int_or(const std::map<std::string, Value>& props, const std::string& name,
                    int64_t fallback) {
    auto it = props.find(name);
    return it == props.end() ? fallback : it->second.number;
}

namespace {

// The largest (or smallest) value a parameter can take over all seeds.
int64_t extreme(const ParamSpec& p, bool largest) {
    if (p.form == ParamSpec::Form::range) {
        return largest ? p.hi : p.lo;
    }
    if (p.form == ParamSpec::Form::fixed) {
        return p.fixed.number;
    }
    int64_t out = p.options.empty() ? 0 : p.options.front().number;
    for (const Value& v : p.options) {
        out = largest ? std::max(out, v.number) : std::min(out, v.number);
    }
    return out;
}

}  // namespace

void check_param_order(const Scenario& s, const std::string& lo, const std::string& hi,
                       std::vector<Diagnostic>* out) {
    const ParamSpec* a = nullptr;
    const ParamSpec* b = nullptr;
    for (const ParamSpec& p : s.params) {
        a = p.name == lo ? &p : a;
        b = p.name == hi ? &p : b;
    }
    if (a == nullptr || b == nullptr) {
        return;
    }
    if (extreme(*a, true) > extreme(*b, false)) {
        out->push_back({a->where.pointer.empty() ? b->where : a->where,
                        lo + " may exceed " + hi + " for some seeds"});
    }
}

}  // namespace scenario
