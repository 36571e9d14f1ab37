// Section readers: parameters, faults, timeline entries, expectations and limits.
#include "scenario/parser_sections.h"

#include <algorithm>
#include <charconv>

#include "scenario/parser.h"
#include "sim/scheduler.h"

namespace scenario {

const std::map<std::string, std::vector<std::string>>& known_keys() {
    static const std::map<std::string, std::vector<std::string>> keys = {
        {"",
         {"$schema", "name", "description", "world", "seeds", "topology", "params", "faults",
          "timeline", "expect", "limits"}},
        {"/topology", {"nodes", "links", "generate"}},
        {"/topology/nodes/*", {"name", "role", "count", "props"}},
        {"/topology/links/*", {"kind", "from", "to", "props"}},
        {"/params/*", {"min", "max", "one_of"}},
        {"/faults", {"network", "links", "swarm", "perturb_same_instant", "fault_points"}},
        {"/faults/network", {"latency", "drop", "duplicate", "reorder"}},
        {"/faults/links/*", {"from", "to", "latency", "drop", "duplicate", "reorder"}},
        {"/faults/network/latency", {"min", "max"}},
        {"/faults/fault_points", {"enabled", "activation", "fire", "force"}},
        {"/timeline/*", {"name", "at", "after", "delay", "action"}},
        {"/expect", {"outcome", "message_contains", "checks", "conditions"}},
        {"/limits", {"max_time", "max_events", "wall_time"}},
    };
    return keys;
}

const std::vector<std::string>& outcome_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (int i = 0; i <= static_cast<int>(sim::Outcome::unclean_shutdown); ++i) {
            out.push_back(sim::to_string(static_cast<sim::Outcome>(i)));
        }
        return out;
    }();
    return names;
}

namespace {

FieldSpec as_field(const ParamSpec& p, const FieldSpec& f) {
    FieldSpec out = f;
    out.name = p.name;
    return out;
}

std::optional<ParamSpec> read_param(JsonReader& r, const Json& j, const std::string& p,
                                    const FieldSpec& f) {
    ParamSpec ps;
    ps.name = f.name;
    ps.type = f.type;
    ps.where = r.where(p);
    if (!j.is_object()) {
        std::optional<Value> v = r.value(j, p, f);
        if (!v) {
            return std::nullopt;
        }
        ps.fixed = *v;
        return ps;
    }
    if (!r.object(j, p, known_keys().at("/params/*"), "parameter " + f.name)) {
        return std::nullopt;
    }
    if (j.contains("one_of")) {
        ps.form = ParamSpec::Form::choice;
        if (!r.array(j["one_of"], child(p, "one_of")) || j["one_of"].empty() ||
            j.contains("min") || j.contains("max")) {
            r.error(p, "parameter " + f.name + " needs a non-empty \"one_of\" list, or min/max");
            return std::nullopt;
        }
        for (size_t i = 0; i < j["one_of"].size(); ++i) {
            std::optional<Value> v = r.value(j["one_of"][i], child(child(p, "one_of"), i), f);
            if (!v) {
                return std::nullopt;
            }
            ps.options.push_back(*v);
        }
        return ps;
    }
    if (f.type != ValueType::integer && f.type != ValueType::duration) {
        r.error(p, "parameter " + f.name + " is " + to_string(f.type) +
                       ": give a value or \"one_of\", not a range");
        return std::nullopt;
    }
    if (!j.contains("min") || !j.contains("max")) {
        r.error(p, "a parameter range needs both \"min\" and \"max\"");
        return std::nullopt;
    }
    std::optional<Value> lo = r.value(j["min"], child(p, "min"), as_field(ps, f));
    std::optional<Value> hi = r.value(j["max"], child(p, "max"), as_field(ps, f));
    if (!lo || !hi) {
        return std::nullopt;
    }
    if (lo->number > hi->number) {
        r.error(child(p, "min"), "the range of " + f.name + " is empty: min " + lo->to_text() +
                                     " exceeds max " + hi->to_text());
        return std::nullopt;
    }
    ps.form = ParamSpec::Form::range;
    ps.lo = lo->number;
    ps.hi = hi->number;
    return ps;
}

}  // namespace

void read_params(JsonReader& r, const WorldKind& kind, const Json& j, const std::string& p,
                 Scenario* s) {
    std::vector<std::string> names;
    for (const FieldSpec& f : kind.params) {
        names.push_back(f.name);
    }
    if (!r.object(j, p, names, "the params of world " + kind.name)) {
        return;
    }
    for (const FieldSpec& f : kind.params) {
        if (j.contains(f.name)) {
            if (std::optional<ParamSpec> ps = read_param(r, j[f.name], child(p, f.name), f)) {
                s->params.push_back(*ps);
            }
        } else if (f.default_value) {
            ParamSpec ps{.name = f.name, .type = f.type, .fixed = *f.default_value};
            ps.from_default = true;
            s->params.push_back(ps);
        } else {
            r.error(p, "world " + kind.name + " needs the parameter \"" + f.name + "\" (" + f.doc +
                           ")");
        }
    }
}

namespace {

void read_latency(JsonReader& r, const Json& j, const std::string& p, LinkFaults* l) {
    if (j.is_string()) {
        if (std::optional<sim::SimDuration> d = r.duration(j, p)) {
            l->latency_min = l->latency_max = *d;
        }
        return;
    }
    if (!j.is_object()) {
        r.error(p, "a latency must be a duration like \"20ms\" or {\"min\": ..., \"max\": ...}, "
                   "not " + json_type_name(j));
        return;
    }
    if (!r.object(j, p, known_keys().at("/faults/network/latency"), "a latency")) {
        return;
    }
    if (!j.contains("min") || !j.contains("max")) {
        r.error(p, "a latency range needs both \"min\" and \"max\"");
        return;
    }
    std::optional<sim::SimDuration> lo = r.duration(j["min"], child(p, "min"));
    std::optional<sim::SimDuration> hi = r.duration(j["max"], child(p, "max"));
    if (lo && hi && *lo > *hi) {
        r.error(child(p, "min"), "latency min exceeds max");
    } else if (lo && hi) {
        l->latency_min = *lo;
        l->latency_max = *hi;
    }
}

void read_link_faults(JsonReader& r, const Json& j, const std::string& p, LinkFaults* l,
                      bool directed) {
    const char* path = directed ? "/faults/links/*" : "/faults/network";
    if (!r.object(j, p, known_keys().at(path), directed ? "a link's faults" : "the network")) {
        return;
    }
    l->where = r.where(p);
    if (directed) {
        if (!j.contains("from") || !j.contains("to")) {
            r.error(p, "a link's faults need \"from\" and \"to\" (node names)");
            return;
        }
        l->from = r.text(j["from"], child(p, "from")).value_or("");
        l->to = r.text(j["to"], child(p, "to")).value_or("");
    }
    if (j.contains("latency")) {
        read_latency(r, j["latency"], child(p, "latency"), l);
    }
    for (auto [key, field] : {std::pair{"drop", &l->drop}, std::pair{"duplicate", &l->duplicate},
                              std::pair{"reorder", &l->reorder}}) {
        if (j.contains(key)) {
            *field = r.ratio(j[key], child(p, key)).value_or(*field);
        }
    }
}

void read_fault_points(JsonReader& r, const Json& j, const std::string& p, Faults* f) {
    if (j.is_boolean()) {
        f->fault_points = j.get<bool>();
        return;
    }
    if (!r.object(j, p, known_keys().at("/faults/fault_points"), "fault_points")) {
        return;
    }
    f->fault_points = j.contains("enabled") ? r.boolean(j["enabled"], child(p, "enabled"))
                                                  .value_or(false)
                                            : true;
    if (j.contains("activation")) {
        f->activation = r.ratio(j["activation"], child(p, "activation")).value_or(f->activation);
    }
    if (j.contains("fire")) {
        f->fire = r.ratio(j["fire"], child(p, "fire")).value_or(f->fire);
    }
    if (j.contains("force") && j["force"].is_object()) {
        for (const auto& [site, on] : j["force"].items()) {
            if (std::optional<bool> b = r.boolean(on, child(child(p, "force"), site))) {
                f->forced[site] = *b;
            }
        }
    } else if (j.contains("force")) {
        r.error(child(p, "force"), "\"force\" must map fault point names to true or false");
    }
}

}  // namespace

void read_faults(JsonReader& r, const Json& j, const std::string& p, Faults* f) {
    if (!r.object(j, p, known_keys().at("/faults"), "faults")) {
        return;
    }
    f->where = r.where(p);
    if (j.contains("network")) {
        read_link_faults(r, j["network"], child(p, "network"), &f->network, false);
    }
    if (j.contains("links") && r.array(j["links"], child(p, "links"))) {
        for (size_t i = 0; i < j["links"].size(); ++i) {
            LinkFaults l = f->network;
            read_link_faults(r, j["links"][i], child(child(p, "links"), i), &l, true);
            f->links.push_back(l);
        }
    }
    if (j.contains("swarm")) {
        f->swarm = r.boolean(j["swarm"], child(p, "swarm")).value_or(false);
    }
    if (j.contains("perturb_same_instant")) {
        f->perturb_same_instant =
            r.boolean(j["perturb_same_instant"], child(p, "perturb_same_instant")).value_or(false);
    }
    if (j.contains("fault_points")) {
        read_fault_points(r, j["fault_points"], child(p, "fault_points"), f);
    }
}

void read_entry(JsonReader& r, const WorldKind& kind, const Json& j, const std::string& p,
                Scenario* s) {
    if (!j.is_object()) {
        r.error(p, "a timeline entry must be an object, not " + json_type_name(j));
        return;
    }
    TimelineEntry e;
    e.where = r.where(p);
    if (!j.contains("action")) {
        r.error(p, "a timeline entry needs \"action\"");
        return;
    }
    std::optional<std::string> action = r.text(j["action"], child(p, "action"));
    if (!action) {
        return;
    }
    e.action = *action;
    const ActionSpec* spec = nullptr;
    std::vector<std::string> names;
    for (const auto* list : {&generic_actions(), &kind.actions}) {
        for (const ActionSpec& a : *list) {
            names.push_back(a.name);
            spec = a.name == e.action ? &a : spec;
        }
    }
    if (spec == nullptr) {
        std::string hint = did_you_mean(e.action, names);
        r.error(child(p, "action"),
                "unknown action \"" + e.action + "\" in world " + kind.name +
                    (hint.empty() ? " (fedsim list actions shows them)" : hint));
        return;
    }
    e.args = r.fields(j, p, spec->args, known_keys().at("/timeline/*"), "action " + e.action);
    if (j.contains("name")) {
        e.name = r.text(j["name"], child(p, "name")).value_or("");
    }
    if (j.contains("at") == j.contains("after")) {
        r.error(p, "a timeline entry needs exactly one of \"at\" (a time) or \"after\" (an entry "
                   "or event name)");
    } else if (j.contains("at")) {
        e.at = r.duration(j["at"], child(p, "at"));
    } else {
        e.after = r.text(j["after"], child(p, "after")).value_or("");
    }
    if (j.contains("delay")) {
        if (!j.contains("after")) {
            r.error(child(p, "delay"), "\"delay\" only goes with \"after\"");
        }
        e.delay = r.duration(j["delay"], child(p, "delay")).value_or(sim::SimDuration::zero());
    }
    s->timeline.push_back(std::move(e));
}

bool parse_condition(const std::string& text, Condition* out, std::string* error) {
    static const std::vector<std::pair<std::string, Comparison>> ops = {
        {"==", Comparison::eq}, {"!=", Comparison::ne}, {"<=", Comparison::le},
        {">=", Comparison::ge}, {"<", Comparison::lt},  {">", Comparison::gt}};
    for (const auto& [symbol, op] : ops) {
        size_t at = text.find(symbol);
        if (at == std::string::npos) {
            continue;
        }
        auto trim = [](std::string v) {
            size_t b = v.find_first_not_of(' ');
            size_t e = v.find_last_not_of(' ');
            return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
        };
        std::string metric = trim(text.substr(0, at));
        std::string number = trim(text.substr(at + symbol.size()));
        int64_t value = 0;
        auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
        if (metric.empty() || number.empty() || ec != std::errc() ||
            ptr != number.data() + number.size()) {
            break;
        }
        *out = {.metric = metric, .op = op, .value = value};
        return true;
    }
    *error = "condition \"" + text + "\" is not \"metric OP integer\" (OP: == != < <= > >=)";
    return false;
}

namespace {

void read_outcomes(JsonReader& r, const Json& j, const std::string& p, Expectations* e) {
    std::vector<std::string> list;
    if (j.is_string()) {
        list.push_back(j.get<std::string>());
    } else if (std::optional<std::vector<std::string>> v = r.names(j, p)) {
        list = *v;
    }
    e->outcomes.clear();
    for (size_t i = 0; i < list.size(); ++i) {
        const auto& known = outcome_names();
        if (std::find(known.begin(), known.end(), list[i]) == known.end()) {
            r.error(j.is_string() ? p : child(p, i),
                    "unknown outcome \"" + list[i] + "\"" + did_you_mean_or_list(list[i], known));
        } else {
            e->outcomes.push_back(list[i]);
        }
    }
}

}  // namespace

namespace {

// "checks" written as one string other than "all". A checker name: say to write it as a list.
// Anything else is a typo of a checker or of "all" (did-you-mean against both first), or
// neither: then naming the list form would suggest writing the typo as a list.
std::string one_check_message(const WorldKind& kind, const std::string& name) {
    const std::string forms = "\"checks\" is \"all\" or a list of checker names";
    std::vector<std::string> checkers;
    for (const NamedDoc& c : kind.checkers) {
        checkers.push_back(c.name);
    }
    if (std::find(checkers.begin(), checkers.end(), name) != checkers.end()) {
        return forms + ": write [\"" + name + "\"]";
    }
    std::vector<std::string> candidates = checkers;
    candidates.push_back("all");
    const std::string close = closest_match(name, candidates);
    if (close == "all") {
        return forms + " (did you mean \"all\"?)";
    }
    const std::string head = "unknown checker \"" + name + "\" in world " + kind.name;
    if (!close.empty()) {
        return head + " (did you mean \"" + close + "\"?); " + forms + ": write [\"" + close +
               "\"]";
    }
    return head + "; " + forms + did_you_mean_or_list(name, checkers);
}

}  // namespace

void read_expect(JsonReader& r, const WorldKind& kind, const Json& j, const std::string& p,
                 Expectations* e) {
    if (!r.object(j, p, known_keys().at("/expect"), "expect")) {
        return;
    }
    e->where = r.where(p);
    if (j.contains("outcome")) {
        read_outcomes(r, j["outcome"], child(p, "outcome"), e);
    }
    if (j.contains("message_contains")) {
        e->message_contains = r.text(j["message_contains"], child(p, "message_contains"))
                                  .value_or("");
    }
    if (j.contains("checks") && j["checks"].is_string() && j["checks"] != "all") {
        // One checker written without its list: say both forms rather than "expected an array".
        r.error(child(p, "checks"), one_check_message(kind, j["checks"].get<std::string>()));
        e->all_checks = false;
    } else if (j.contains("checks") && !(j["checks"].is_string() && j["checks"] == "all")) {
        e->checks = r.names(j["checks"], child(p, "checks")).value_or(std::vector<std::string>{});
        e->all_checks = false;
    }
    if (j.contains("conditions") && r.array(j["conditions"], child(p, "conditions"))) {
        for (size_t i = 0; i < j["conditions"].size(); ++i) {
            std::string cp = child(child(p, "conditions"), i);
            std::optional<std::string> text = r.text(j["conditions"][i], cp);
            Condition c;
            std::string why;
            if (text && !parse_condition(*text, &c, &why)) {
                r.error(cp, why);
            } else if (text) {
                c.where = r.where(cp);
                e->conditions.push_back(c);
            }
        }
    }
}

void read_limits(JsonReader& r, const Json& j, const std::string& p, Limits* l) {
    if (!r.object(j, p, known_keys().at("/limits"), "limits")) {
        return;
    }
    if (j.contains("max_time")) {
        l->max_time = r.duration(j["max_time"], child(p, "max_time"), 1).value_or(l->max_time);
    }
    if (j.contains("max_events")) {
        l->max_events = static_cast<uint64_t>(
            r.integer(j["max_events"], child(p, "max_events"), 1)
                .value_or(static_cast<int64_t>(l->max_events)));
    }
    if (j.contains("wall_time")) {
        l->wall_time = r.duration(j["wall_time"], child(p, "wall_time"), 1'000'000)
                           .value_or(l->wall_time);
    }
}

}  // namespace scenario
