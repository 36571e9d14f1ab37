// The cross-reference pass: names that must exist, "after" chains that must not loop.
#include <algorithm>
#include <charconv>
#include <set>

#include "scenario/parser.h"

namespace scenario {

const std::vector<NamedDoc>& generic_metrics() {
    static const std::vector<NamedDoc> metrics = {
        {"network.sent", "messages sent"},
        {"network.delivered", "messages delivered"},
        {"network.dropped", "messages dropped (faults, partitions, down nodes)"},
        {"network.duplicated", "messages duplicated"},
        {"run.events", "events the scheduler dispatched"},
        {"run.end_ms", "sim time at the end of the run, in milliseconds"},
        {"timeline.fired", "timeline entries that fired"},
    };
    return metrics;
}

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> names_of(const std::vector<NamedDoc>& docs) {
    std::vector<std::string> out;
    for (const NamedDoc& d : docs) {
        out.push_back(d.name);
    }
    return out;
}

const ActionSpec* find_action(const WorldKind& kind, const std::string& name) {
    for (const auto* list : {&generic_actions(), &kind.actions}) {
        for (const ActionSpec& a : *list) {
            if (a.name == name) {
                return &a;
            }
        }
    }
    return nullptr;
}

class Validator {
public:
    Validator(const Scenario& s, const WorldKind& kind, std::vector<Diagnostic>* out)
        : s_(s), kind_(kind), out_(out) {
        nodes_ = topology_node_names(s.topology);
        for (const std::string& n : kind.fixed_nodes) {
            nodes_.push_back(n);
        }
    }

    void run() {
        check_seeds();
        check_topology();
        check_faults();
        check_timeline_names();
        check_timeline_times();
        check_cycles();
        check_expectations();
    }

private:
    void error(const SourceLocation& at, std::string message) {
        out_->push_back({at, std::move(message)});
    }
    SourceLocation at_key(const SourceLocation& base, const std::string& key) {
        return {base.pointer + "/" + key, base.line, base.column};
    }

    void check_node(const SourceLocation& at, const std::string& name, const std::string& what) {
        if (!contains(nodes_, name)) {
            error(at, what + " names node \"" + name + "\", which the topology does not have" +
                          did_you_mean(name, nodes_));
        }
    }

    // "seeds" is what sweep, replay and check-determinism default to: refuse a range they
    // would refuse, here, with the file's line, rather than at the first command that uses it.
    void check_seeds() {
        if (s_.seeds.empty()) {
            return;
        }
        auto number = [](std::string_view text, uint64_t* v) {
            auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *v);
            return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
        };
        std::string_view text = s_.seeds;
        size_t dots = text.find("..");
        uint64_t first = 0;
        uint64_t last = 0;
        bool ok = dots == std::string_view::npos
                      ? number(text, &first)
                      : number(text.substr(0, dots), &first) &&
                            number(text.substr(dots + 2), &last) && first <= last &&
                            !(first == 0 && last == UINT64_MAX);
        if (!ok) {
            error({"/seeds"}, "seed range \"" + s_.seeds +
                                  "\" must be A..B (non-negative integers, A <= B) or one seed");
        }
    }

    // An entry "at" or past limits.max_time can never fire: the run has ended with time_limit
    // by then. Silently keeping it would let a scenario look like it tests something it never
    // does (e.g. "at": "2h" under the default 1h limit).
    void check_timeline_times() {
        for (const TimelineEntry& e : s_.timeline) {
            if (e.at && *e.at >= s_.limits.max_time) {
                error(at_key(e.where, "at"),
                      "\"at\" " + sim::to_string(*e.at) + " is not before limits.max_time (" +
                          sim::to_string(s_.limits.max_time) +
                          "), so the entry could never fire; raise limits.max_time or move it");
            }
        }
    }

    void check_topology() {
        std::set<std::string> seen;
        for (const std::string& n : nodes_) {
            if (!seen.insert(n).second) {
                error({"/topology/nodes", 0, 0}, "node name \"" + n + "\" is used twice");
            }
        }
        for (const TopologyNode& n : s_.topology.nodes) {
            check_props(n);
        }
        for (const TopologyLink& l : s_.topology.links) {
            check_node(at_key(l.where, "from"), l.from, "the link");
            check_node(at_key(l.where, "to"), l.to, "the link");
        }
    }

    void check_props(const TopologyNode& n) {
        for (const RoleSpec& role : kind_.roles) {
            for (const FieldSpec& f : role.name == n.role ? role.props : std::vector<FieldSpec>{}) {
                auto it = n.props.find(f.name);
                if (f.is_node && it != n.props.end() && !it->second.where.pointer.empty()) {
                    check_node(it->second.where, it->second.text, "node " + n.name);
                }
            }
        }
    }

    void check_faults() {
        for (const LinkFaults& l : s_.faults.links) {
            check_node(at_key(l.where, "from"), l.from, "the link fault");
            check_node(at_key(l.where, "to"), l.to, "the link fault");
        }
        // A world without fault points evaluates no site: switching them on or forcing one
        // would silently do nothing (a run even listed the forced name as active). An object
        // without "enabled" switches them on, so {"force": {...}} alone would earn this error
        // and the forced name's below, about one mistake: a forced name says it alone.
        const bool none = kind_.fault_points.empty();
        if (none && s_.faults.fault_points && s_.faults.forced.empty()) {
            error({"/faults/fault_points", 0, 0},
                  "world " + kind_.name + " has no fault points (fedsim list fault-points), "
                  "so switching them on does nothing");
        }
        std::vector<std::string> sites = names_of(kind_.fault_points);
        for (const auto& [site, on] : s_.faults.forced) {
            if (!contains(sites, site)) {
                error({"/faults/fault_points/force/" + pointer_token(site), 0, 0},
                      "unknown fault point \"" + site + "\" in world " + kind_.name +
                          (none ? ", which has none" : did_you_mean(site, sites)));
            }
        }
    }

    void check_args(const TimelineEntry& e) {
        const ActionSpec* spec = find_action(kind_, e.action);
        for (const FieldSpec& f : spec != nullptr ? spec->args : std::vector<FieldSpec>{}) {
            auto it = e.args.find(f.name);
            if (!f.is_node || it == e.args.end()) {
                continue;
            }
            const Value& v = it->second;
            std::vector<std::string> names = v.type == ValueType::names
                                                 ? v.names
                                                 : std::vector<std::string>{v.text};
            for (const std::string& n : names) {
                check_node(v.where, n, "action " + e.action);
            }
        }
    }

    void check_timeline_names() {
        std::vector<std::string> entry_names;
        for (const TimelineEntry& e : s_.timeline) {
            if (!e.name.empty() && contains(entry_names, e.name)) {
                error(at_key(e.where, "name"), "timeline entry name \"" + e.name +
                                                   "\" is used twice");
            }
            entry_names.push_back(e.name);
        }
        std::vector<std::string> targets = entry_names;
        for (const NamedDoc& ev : kind_.events) {
            targets.push_back(ev.name);
        }
        for (const TimelineEntry& e : s_.timeline) {
            check_args(e);
            if (!e.after.empty() && !contains(targets, e.after)) {
                error(at_key(e.where, "after"),
                      "\"after\" names \"" + e.after + "\", which is neither a timeline entry " +
                          "nor an event of world " + kind_.name + did_you_mean(e.after, targets));
            }
            auto partition = e.args.find("partition");
            if (e.action == "heal" && partition != e.args.end()) {
                check_partition_ref(partition->second);
            }
        }
    }

    void check_partition_ref(const Value& ref) {
        for (const TimelineEntry& other : s_.timeline) {
            if (other.name == ref.text && other.action == "partition") {
                return;
            }
        }
        error(ref.where, "\"" + ref.text + "\" is not the name of a partition entry");
    }

    // Depth-first search over "after" edges; reports each cycle once, at its first entry.
    void check_cycles() {
        std::map<std::string, size_t> index;
        for (size_t i = 0; i < s_.timeline.size(); ++i) {
            if (!s_.timeline[i].name.empty()) {
                index[s_.timeline[i].name] = i;
            }
        }
        std::vector<int> state(s_.timeline.size(), 0);  // 0 new, 1 on the path, 2 done
        for (size_t start = 0; start < s_.timeline.size(); ++start) {
            std::vector<size_t> path;
            size_t i = start;
            bool cycle = false;
            while (state[i] != 2) {
                if (state[i] == 1) {
                    cycle = true;
                    break;
                }
                state[i] = 1;
                path.push_back(i);
                auto next = index.find(s_.timeline[i].after);
                if (next == index.end()) {
                    break;
                }
                i = next->second;
            }
            if (cycle) {
                report_cycle(path, i);
            }
            for (size_t p : path) {
                state[p] = 2;
            }
        }
    }

    void report_cycle(const std::vector<size_t>& path, size_t back_to) {
        auto first = std::find(path.begin(), path.end(), back_to);
        std::string chain;
        for (auto it = first; it != path.end(); ++it) {
            chain += s_.timeline[*it].name + " -> ";
        }
        chain += s_.timeline[back_to].name;
        error(at_key(s_.timeline[back_to].where, "after"),
              "timeline entries wait for each other in a cycle: " + chain);
    }

    void check_expectations() {
        std::vector<std::string> checkers = names_of(kind_.checkers);
        for (size_t i = 0; i < s_.expect.checks.size(); ++i) {
            const std::string& c = s_.expect.checks[i];
            if (!contains(checkers, c)) {
                error({"/expect/checks/" + std::to_string(i), s_.expect.where.line, 0},
                      "unknown checker \"" + c + "\" in world " + kind_.name +
                          did_you_mean(c, checkers));
            }
        }
        std::vector<std::string> metrics = names_of(kind_.metrics);
        for (const NamedDoc& m : generic_metrics()) {
            metrics.push_back(m.name);
        }
        for (const Condition& c : s_.expect.conditions) {
            if (!contains(metrics, c.metric)) {
                error(c.where, "unknown metric \"" + c.metric + "\"" +
                                   did_you_mean(c.metric, metrics));
            }
        }
    }

    const Scenario& s_;
    const WorldKind& kind_;
    std::vector<Diagnostic>* out_;
    std::vector<std::string> nodes_;
};

}  // namespace

void validate_scenario(const Scenario& s, const WorldKind& kind, std::vector<Diagnostic>* out) {
    Validator(s, kind, out).run();
    if (kind.validate) {
        kind.validate(s, out);
    }
}

}  // namespace scenario
