// Scenario -> JSON text, in the same shapes the parser reads.
#include "scenario/writer.h"

#include <nlohmann/json.hpp>

namespace scenario {

namespace {

using OJson = nlohmann::ordered_json;

OJson value_json(const Value& v) {
    switch (v.type) {
        case ValueType::integer:
            return v.number;
        case ValueType::duration:
            return sim::to_string(v.duration());
        case ValueType::boolean:
            return v.flag();
        case ValueType::text:
            return v.text;
        case ValueType::ratio:
            return std::to_string(v.ratio.num) + "/" + std::to_string(v.ratio.den);
        case ValueType::names:
            return v.names;
    }
    return nullptr;
}

std::string ratio_text(sim::Ratio r) {
    return std::to_string(r.num) + "/" + std::to_string(r.den);
}

OJson fields_json(const std::map<std::string, Value>& fields) {
    OJson out = OJson::object();
    for (const auto& [k, v] : fields) {
        out[k] = value_json(v);
    }
    return out;
}

OJson topology_json(const Topology& t) {
    OJson out = OJson::object();
    for (const TopologyNode& n : t.nodes) {
        OJson j = {{"name", n.name}, {"role", n.role}};
        if (n.count != 1) {
            j["count"] = n.count;
        }
        if (!n.props.empty()) {
            j["props"] = fields_json(n.props);
        }
        out["nodes"].push_back(j);
    }
    for (const TopologyLink& l : t.links) {
        OJson j = {{"kind", l.kind}, {"from", l.from}, {"to", l.to}};
        if (!l.props.empty()) {
            j["props"] = fields_json(l.props);
        }
        out["links"].push_back(j);
    }
    if (t.generator) {
        OJson g = {{"kind", *t.generator}};
        g.update(fields_json(t.generator_args));
        out["generate"] = g;
    }
    return out;
}

OJson params_json(const std::vector<ParamSpec>& params) {
    OJson out = OJson::object();
    for (const ParamSpec& p : params) {
        if (p.from_default) {
            continue;
        }
        if (p.form == ParamSpec::Form::fixed) {
            out[p.name] = value_json(p.fixed);
        } else if (p.form == ParamSpec::Form::range) {
            Value lo{.type = p.type, .number = p.lo};
            Value hi{.type = p.type, .number = p.hi};
            out[p.name] = {{"min", value_json(lo)}, {"max", value_json(hi)}};
        } else {
            OJson options = OJson::array();
            for (const Value& v : p.options) {
                options.push_back(value_json(v));
            }
            out[p.name] = {{"one_of", options}};
        }
    }
    return out;
}

OJson link_faults_json(const LinkFaults& l, bool directed) {
    OJson out = OJson::object();
    if (directed) {
        out["from"] = l.from;
        out["to"] = l.to;
    }
    out["latency"] = {{"min", sim::to_string(l.latency_min)},
                      {"max", sim::to_string(l.latency_max)}};
    out["drop"] = ratio_text(l.drop);
    out["duplicate"] = ratio_text(l.duplicate);
    out["reorder"] = ratio_text(l.reorder);
    return out;
}

OJson faults_json(const Faults& f) {
    OJson out = {{"network", link_faults_json(f.network, false)}};
    for (const LinkFaults& l : f.links) {
        out["links"].push_back(link_faults_json(l, true));
    }
    out["swarm"] = f.swarm;
    out["perturb_same_instant"] = f.perturb_same_instant;
    OJson fp = {{"enabled", f.fault_points},
                {"activation", ratio_text(f.activation)},
                {"fire", ratio_text(f.fire)}};
    if (!f.forced.empty()) {
        fp["force"] = OJson(f.forced);
    }
    out["fault_points"] = fp;
    return out;
}

OJson timeline_json(const std::vector<TimelineEntry>& timeline) {
    OJson out = OJson::array();
    for (const TimelineEntry& e : timeline) {
        OJson j = OJson::object();
        if (!e.name.empty()) {
            j["name"] = e.name;
        }
        if (e.at) {
            j["at"] = sim::to_string(*e.at);
        } else {
            j["after"] = e.after;
            if (e.delay.ns() != 0) {
                j["delay"] = sim::to_string(e.delay);
            }
        }
        j["action"] = e.action;
        j.update(fields_json(e.args));
        out.push_back(j);
    }
    return out;
}

OJson expect_json(const Expectations& e) {
    OJson out = {{"outcome", e.outcomes}};
    if (!e.message_contains.empty()) {
        out["message_contains"] = e.message_contains;
    }
    out["checks"] = e.all_checks ? OJson("all") : OJson(e.checks);
    for (const Condition& c : e.conditions) {
        out["conditions"].push_back(c.metric + " " + to_string(c.op) + " " +
                                    std::to_string(c.value));
    }
    return out;
}

}  // namespace

std::string write_scenario(const Scenario& s) {
    OJson j = OJson::object();
    j["name"] = s.name;
    if (!s.description.empty()) {
        j["description"] = s.description;
    }
    j["world"] = s.world;
    j["seeds"] = s.seeds;
    OJson topology = topology_json(s.topology);
    if (!topology.empty()) {
        j["topology"] = topology;
    }
    j["params"] = params_json(s.params);
    j["faults"] = faults_json(s.faults);
    if (!s.timeline.empty()) {
        j["timeline"] = timeline_json(s.timeline);
    }
    j["expect"] = expect_json(s.expect);
    j["limits"] = {{"max_time", sim::to_string(s.limits.max_time)},
                   {"max_events", s.limits.max_events},
                   {"wall_time", sim::to_string(s.limits.wall_time)}};
    return j.dump(2) + "\n";
}

}  // namespace scenario
