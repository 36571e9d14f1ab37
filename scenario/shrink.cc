// The greedy reduction loop of the shrinker and its candidate generators.
#include "scenario/shrink.h"

#include <algorithm>
#include <set>

#include "scenario/parser.h"
#include "sim/assert.h"

namespace scenario {

namespace {

struct Candidate {
    Scenario scenario;
    std::string change;
};

class Shrinker {
public:
    Shrinker(const ShrinkOptions& options, const WorldKind& kind)
        : options_(options), kind_(kind) {}

    ShrinkResult run(const Scenario& original) {
        result_.minimal = original;
        RunReport first = run_one(original);
        if (first.passed) {
            return result_;
        }
        if (!first.setup_error.empty()) {
            // A scenario input mistake found while running is not a failure to shrink.
            result_.input_error = first.setup_error;
            return result_;
        }
        result_.reproduced = true;
        result_.signature = first.signature;
        result_.reason = first.reason;
        pin_params(first.params);
        result_.minimal.seeds = std::to_string(options_.seed) + ".." +
                                std::to_string(options_.seed);
        bool progress = true;
        while (progress && result_.runs < options_.max_runs) {
            progress = false;
            for (Candidate& c : candidates()) {
                if (result_.runs >= options_.max_runs) {
                    break;
                }
                if (still_fails(c.scenario)) {
                    result_.minimal = std::move(c.scenario);
                    note(c.change);
                    progress = true;
                    break;  // candidates were built from the old scenario: rebuild them
                }
            }
        }
        return result_;
    }

private:
    RunReport run_one(const Scenario& s) {
        ++result_.runs;
        if (options_.run) {
            return options_.run(s, options_.seed);
        }
        return run_scenario(s, {.seed = options_.seed});
    }

    bool still_fails(const Scenario& s) {
        std::vector<Diagnostic> problems;
        validate_scenario(s, kind_, &problems);
        if (!problems.empty()) {
            return false;
        }
        RunReport r = run_one(s);
        return !r.passed && r.signature == result_.signature;
    }

    void note(const std::string& change) {
        result_.removed.push_back(change);
        if (options_.on_step) {
            options_.on_step(change);
        }
    }

    void pin_params(const ParamValues& picked) {
        for (ParamSpec& p : result_.minimal.params) {
            if (p.form == ParamSpec::Form::fixed) {
                continue;
            }
            Value v = picked.at(p.name);
            note("param " + p.name + ": pinned to the failing value " + v.to_text());
            p.form = ParamSpec::Form::fixed;
            p.fixed = v;
            p.from_default = false;
        }
    }

    std::vector<Candidate> candidates() {
        std::vector<Candidate> out;
        add_timeline_candidates(&out);
        add_fault_candidates(&out);
        add_topology_candidates(&out);
        add_number_candidates(&out);
        return out;
    }

    // Removes entry i and every entry that (transitively) waits for it or heals it.
    void add_timeline_candidates(std::vector<Candidate>* out) {
        const auto& timeline = result_.minimal.timeline;
        for (size_t i = 0; i < timeline.size(); ++i) {
            std::set<std::string> gone;
            std::vector<bool> drop(timeline.size(), false);
            drop[i] = true;
            if (!timeline[i].name.empty()) {
                gone.insert(timeline[i].name);
            }
            for (bool grew = true; grew;) {
                grew = false;
                for (size_t j = 0; j < timeline.size(); ++j) {
                    auto ref = timeline[j].args.find("partition");
                    bool orphan = gone.count(timeline[j].after) > 0 ||
                                  (ref != timeline[j].args.end() && gone.count(ref->second.text));
                    if (!drop[j] && orphan) {
                        drop[j] = grew = true;
                        gone.insert(timeline[j].name);
                    }
                }
            }
            size_t dependents = static_cast<size_t>(std::count(drop.begin(), drop.end(), true)) - 1;
            Candidate c{result_.minimal,
                        "timeline entry " + describe_entry(timeline[i], i) +
                            (dependents == 0 ? ""
                                             : " and " + std::to_string(dependents) +
                                                   " entr" + (dependents == 1 ? "y" : "ies") +
                                                   " waiting for it")};
            c.scenario.timeline.clear();
            for (size_t j = 0; j < timeline.size(); ++j) {
                if (!drop[j]) {
                    c.scenario.timeline.push_back(timeline[j]);
                }
            }
            out->push_back(std::move(c));
        }
    }

    static std::string describe_entry(const TimelineEntry& e, size_t index) {
        return (e.name.empty() ? "#" + std::to_string(index) : "\"" + e.name + "\"") + " (" +
               e.action + ")";
    }

    void add_fault_candidates(std::vector<Candidate>* out) {
        const Faults& f = result_.minimal.faults;
        auto add = [&](const std::string& change, auto mutate) {
            Candidate c{result_.minimal, change};
            mutate(c.scenario.faults);
            out->push_back(std::move(c));
        };
        if (!f.network.drop.is_zero()) {
            add("faults.network.drop", [](Faults& g) { g.network.drop = sim::Ratio::never(); });
        }
        if (!f.network.duplicate.is_zero()) {
            add("faults.network.duplicate",
                [](Faults& g) { g.network.duplicate = sim::Ratio::never(); });
        }
        if (!f.network.reorder.is_zero()) {
            add("faults.network.reorder",
                [](Faults& g) { g.network.reorder = sim::Ratio::never(); });
        }
        if (f.network.latency_max != f.network.latency_min) {
            add("faults.network.latency range (now fixed at its minimum)",
                [](Faults& g) { g.network.latency_max = g.network.latency_min; });
        }
        for (size_t i = 0; i < f.links.size(); ++i) {
            add("faults.links[" + std::to_string(i) + "] (" + f.links[i].from + " -> " +
                    f.links[i].to + ")",
                [i](Faults& g) { g.links.erase(g.links.begin() + static_cast<long>(i)); });
        }
        if (f.swarm) {
            add("faults.swarm", [](Faults& g) { g.swarm = false; });
        }
        if (f.perturb_same_instant) {
            add("faults.perturb_same_instant", [](Faults& g) { g.perturb_same_instant = false; });
        }
        if (f.fault_points) {
            add("faults.fault_points (swarm activation)", [](Faults& g) { g.fault_points = false; });
        }
        for (const auto& [site, on] : f.forced) {
            std::string name = site;
            add("faults.fault_points.force." + site,
                [name](Faults& g) { g.forced.erase(name); });
        }
    }

    void add_topology_candidates(std::vector<Candidate>* out) {
        const Topology& t = result_.minimal.topology;
        for (size_t i = 0; i < t.nodes.size(); ++i) {
            Candidate c{result_.minimal, "topology node \"" + t.nodes[i].name + "\""};
            c.scenario.topology.nodes.erase(c.scenario.topology.nodes.begin() +
                                            static_cast<long>(i));
            out->push_back(std::move(c));
            if (t.nodes[i].count > 1) {
                Candidate fewer{result_.minimal, ""};
                int64_t& count = fewer.scenario.topology.nodes[i].count;
                count = count / 2;
                fewer.change = "topology node \"" + t.nodes[i].name + "\" count " +
                               std::to_string(t.nodes[i].count) + " -> " + std::to_string(count);
                out->push_back(std::move(fewer));
            }
        }
        for (size_t i = 0; i < t.links.size(); ++i) {
            Candidate c{result_.minimal, "topology link " + t.links[i].from + " -> " +
                                             t.links[i].to};
            c.scenario.topology.links.erase(c.scenario.topology.links.begin() +
                                            static_cast<long>(i));
            out->push_back(std::move(c));
        }
    }

    // Tries the target, then halfway, then one less, for each shrinkable parameter.
    void add_number_candidates(std::vector<Candidate>* out) {
        for (const FieldSpec& f : kind_.params) {
            if (!f.shrink_toward) {
                continue;
            }
            for (size_t i = 0; i < result_.minimal.params.size(); ++i) {
                const ParamSpec& p = result_.minimal.params[i];
                if (p.name != f.name || p.form != ParamSpec::Form::fixed) {
                    continue;
                }
                int64_t v = p.fixed.number;
                int64_t target = *f.shrink_toward;
                for (int64_t next : {target, target + (v - target) / 2, v - 1}) {
                    if (next >= v || next < target) {
                        continue;
                    }
                    Candidate c{result_.minimal, "param " + p.name + ": " + p.fixed.to_text() +
                                                     " -> " + std::to_string(next)};
                    c.scenario.params[i].fixed.number = next;
                    c.scenario.params[i].from_default = false;
                    out->push_back(std::move(c));
                }
            }
        }
    }

    const ShrinkOptions& options_;
    const WorldKind& kind_;
    ShrinkResult result_;
};

}  // namespace

ShrinkResult shrink_scenario(const Scenario& original, const ShrinkOptions& options) {
    const WorldKind* kind = WorldRegistry::instance().find(original.world);
    SIM_ASSERT(kind != nullptr);
    return Shrinker(options, *kind).run(original);
}

}  // namespace scenario
