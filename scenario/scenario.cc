// Value formatting, parameter picking and topology naming.
#include "scenario/scenario.h"

namespace scenario {

const char* to_string(ValueType t) {
    switch (t) {
        case ValueType::integer:
            return "an integer";
        case ValueType::duration:
            return "a duration";
        case ValueType::boolean:
            return "a boolean";
        case ValueType::text:
            return "a string";
        case ValueType::ratio:
            return "a ratio";
        case ValueType::names:
            return "a list of names";
    }
    return "?";
}

const char* to_string(Comparison c) {
    switch (c) {
        case Comparison::eq:
            return "==";
        case Comparison::ne:
            return "!=";
        case Comparison::lt:
            return "<";
        case Comparison::le:
            return "<=";
        case Comparison::gt:
            return ">";
        case Comparison::ge:
            return ">=";
    }
    return "?";
}

std::string Value::to_text() const {
    switch (type) {
        case ValueType::integer:
            return std::to_string(number);
        case ValueType::duration:
            return sim::to_string(duration());
        case ValueType::boolean:
            return number != 0 ? "true" : "false";
        case ValueType::text:
            return text;
        case ValueType::ratio:
            return std::to_string(ratio.num) + "/" + std::to_string(ratio.den);
        case ValueType::names: {
            std::string out = "[";
            for (size_t i = 0; i < names.size(); ++i) {
                out += (i == 0 ? "" : ", ") + names[i];
            }
            return out + "]";
        }
    }
    return "?";
}

ParamValues pick_params(const Scenario& s, uint64_t seed) {
    sim::Random root = sim::Random(seed).fork("params");
    ParamValues out;
    for (const ParamSpec& p : s.params) {
        sim::Random rng = root.fork(p.name);
        Value v;
        switch (p.form) {
            case ParamSpec::Form::fixed:
                v = p.fixed;
                break;
            case ParamSpec::Form::range:
                v.type = p.type;
                v.number = rng.boundary_biased(p.lo, p.hi);
                break;
            case ParamSpec::Form::choice:
                v = rng.pick(p.options);
                break;
        }
        v.where = p.where;
        out[p.name] = v;
    }
    return out;
}

std::vector<std::string> topology_node_names(const Topology& t) {
    std::vector<std::string> out;
    for (const TopologyNode& n : t.nodes) {
        if (n.count == 1) {
            out.push_back(n.name);
            continue;
        }
        for (int64_t i = 0; i < n.count; ++i) {
            out.push_back(n.name + std::to_string(i));
        }
    }
    return out;
}

}  // namespace scenario
