// Building, running and judging one seed of a scenario.
#include "scenario/runner.h"

#include <algorithm>
#include <string_view>

#include "scenario/parser.h"
#include "scenario/timeline.h"

namespace scenario {

namespace {

sim::LinkConfig link_config(const LinkFaults& f) {
    return {.latency_min = f.latency_min,
            .latency_max = f.latency_max,
            .drop = f.drop,
            .duplicate = f.duplicate,
            .reorder = f.reorder};
}

// Swarm testing: each network fault kind is kept or dropped for the whole run, from the seed.
void apply_swarm(uint64_t seed, LinkFaults* f, std::vector<std::string>* off) {
    sim::Random rng = sim::Random(seed).fork("swarm");
    for (auto [name, ratio] : {std::pair{"drop", &f->drop}, std::pair{"duplicate", &f->duplicate},
                               std::pair{"reorder", &f->reorder}}) {
        if (!rng.chance({1, 2})) {
            *ratio = sim::Ratio::never();
            off->push_back(name);
        }
    }
}

sim::SimulationConfig sim_config(const Scenario& s, uint64_t seed, bool keep_going,
                                 std::vector<std::string>* off) {
    sim::SimulationConfig cfg;
    cfg.seed = seed;
    cfg.keep_going = keep_going;
    cfg.perturb_same_instant = s.faults.perturb_same_instant;
    cfg.faults = {.enabled = s.faults.fault_points,
                  .activation = s.faults.activation,
                  .fire = s.faults.fire,
                  .forced = s.faults.forced};
    LinkFaults net = s.faults.network;
    if (s.faults.swarm) {
        apply_swarm(seed, &net, off);
    }
    cfg.default_link = link_config(net);
    return cfg;
}

bool compare(int64_t a, Comparison op, int64_t b) {
    switch (op) {
        case Comparison::eq:
            return a == b;
        case Comparison::ne:
            return a != b;
        case Comparison::lt:
            return a < b;
        case Comparison::le:
            return a <= b;
        case Comparison::gt:
            return a > b;
        case Comparison::ge:
            return a >= b;
    }
    return false;
}

void add_check(RunReport* r, CheckResult c, const std::string& kind) {
    if (!c.passed && r->passed) {
        r->passed = false;
        r->reason = c.checker + ": " + c.message;
        r->signature = failure_signature(kind, c.checker, c.message);
    }
    r->checks.push_back(std::move(c));
}

void judge_outcome(const Scenario& s, RunReport* r) {
    std::string outcome = sim::to_string(r->run.outcome);
    const auto& allowed = s.expect.outcomes;
    bool expected = std::find(allowed.begin(), allowed.end(), outcome) != allowed.end();
    std::string msg = outcome + (r->run.message.empty() ? "" : ": " + r->run.message);
    if (expected && !s.expect.message_contains.empty() && !r->run.ok() &&
        r->run.message.find(s.expect.message_contains) == std::string::npos) {
        expected = false;
        msg += " (expected the message to contain \"" + s.expect.message_contains + "\")";
    } else if (!expected) {
        std::string list;
        for (const std::string& o : allowed) {
            list += (list.empty() ? "" : " or ") + o;
        }
        msg += " (expected " + list + ")";
    }
    add_check(r, {.checker = "outcome", .passed = expected, .message = msg}, "outcome");
    r->signature = r->passed ? "" : failure_signature("outcome", outcome, r->run.message);
}

// With keep_going, a run that recorded a check failure and then ended early for another reason
// (a crash, a stall, misuse, a limit): its outcome is the check failure, which a regression
// scenario expects, so the ending is judged on its own. Unless the scenario lists that outcome
// too, it fails the verdict (stop-at-first ends at the check failure and never gets here).
void judge_ending(const Scenario& s, RunReport* r) {
    if (!r->run.ended_fatally_after_check()) {
        return;
    }
    const std::string ended = sim::to_string(r->run.ended_by);
    const std::string& message = r->run.failures.back().message;
    const auto& allowed = s.expect.outcomes;
    const bool expected = std::find(allowed.begin(), allowed.end(), ended) != allowed.end();
    add_check(r,
              {.checker = "run_end",
               .passed = expected,
               .message = "after the check failure the run ended early, " + ended + ": " +
                          message + (expected ? "" : " (expected it to reach its end)")},
              "run_end");
}

// A failing run's signature also names a fatal ending after a check failure (judge_ending), so
// the shrinker never trades a run that reached its end for one that crashes, stalls or hits a
// limit after the same first failure, nor the other way round.
void sign_ending(RunReport* r) {
    if (r->passed || !r->run.ended_fatally_after_check() ||
        r->signature.rfind("run_end:", 0) == 0) {
        return;
    }
    r->signature += " | " + failure_signature("run_end", sim::to_string(r->run.ended_by),
                                              r->run.failures.back().message);
}

void judge(const Scenario& s, const World& world, RunReport* r) {
    judge_outcome(s, r);
    judge_ending(s, r);
    for (CheckResult& c : world.check()) {
        const auto& wanted = s.expect.checks;
        if (s.expect.all_checks || std::find(wanted.begin(), wanted.end(), c.checker) !=
                                       wanted.end()) {
            add_check(r, std::move(c), "check");
        }
    }
    for (const Condition& c : s.expect.conditions) {
        auto m = r->metrics.find(c.metric);
        int64_t actual = m == r->metrics.end() ? 0 : m->second;
        std::string text = c.metric + " " + to_string(c.op) + " " + std::to_string(c.value);
        bool ok = compare(actual, c.op, c.value);
        add_check(r,
                  {.checker = "condition",
                   .passed = ok,
                   .message = text + (ok ? "" : " (was " + std::to_string(actual) + ")")},
                  "condition");
    }
    sign_ending(r);
}

void collect_metrics(const sim::SimulationResult& res, const Timeline& timeline,
                     const World& world, RunReport* r) {
    r->metrics = world.metrics();
    r->metrics["network.sent"] = static_cast<int64_t>(res.network.sent);
    r->metrics["network.delivered"] = static_cast<int64_t>(res.network.delivered);
    r->metrics["network.dropped"] = static_cast<int64_t>(res.network.dropped);
    r->metrics["network.duplicated"] = static_cast<int64_t>(res.network.duplicated);
    r->metrics["run.events"] = static_cast<int64_t>(res.run.events);
    r->metrics["run.end_ms"] = res.run.end_time.ns() / 1'000'000;
    r->metrics["timeline.fired"] = static_cast<int64_t>(timeline.fired());
}

void apply_link_faults(const Scenario& s, sim::Simulation& sim) {
    for (const LinkFaults& l : s.faults.links) {
        std::optional<sim::NodeId> from = sim.network().find_node(l.from);
        std::optional<sim::NodeId> to = sim.network().find_node(l.to);
        if (from && to) {
            sim.network().set_link(*from, *to, link_config(l));
        }
    }
}

}  // namespace

RunReport run_scenario(const Scenario& s, const RunOptions& options) {
    RunReport r;
    r.seed = options.seed;
    r.keep_going = options.keep_going;
    r.params = pick_params(s, options.seed);
    sim::Simulation sim(sim_config(s, options.seed, options.keep_going, &r.swarm_off));
    sim::Trace& trace = sim.scheduler().trace();
    trace.keep_in_memory(options.keep_records);
    if (options.logger) {
        trace.set_logger(options.logger, sim::TraceLevel::debug);
    }
    if (!options.jsonl_path.empty() && !trace.open_jsonl(options.jsonl_path, &r.setup_error)) {
        r.passed = false;
        r.reason = r.setup_error;
        return r;
    }
    for (const auto& [name, value] : r.params) {
        sim.scheduler().trace("param").field("name", name).field("value", value.to_text());
    }
    for (const std::string& off : r.swarm_off) {
        sim.scheduler().trace("swarm_off").field("fault", off);
    }
    Timeline timeline(s, sim);
    BuildContext ctx{s, r.params, sim, [&timeline](const std::string& e) { timeline.emit(e); }};
    std::unique_ptr<World> world = WorldRegistry::instance().find(s.world)->build(ctx);
    apply_link_faults(s, sim);
    timeline.start(world.get());
    sim::SimulationResult res =
        sim.run({.max_events = s.limits.max_events,
                 .max_time = sim::SimTime::zero() + s.limits.max_time,
                 .wall_clock_exceeded = options.wall_clock_exceeded});
    trace.flush();
    r.run = res.run;
    r.active_faults = res.active_faults;
    collect_metrics(res, timeline, *world, &r);
    if (std::optional<Diagnostic> bad = world->input_error()) {
        r.setup_error = format_diagnostic(s.file, *bad);
        r.passed = false;
        r.reason = r.setup_error;
        r.signature = failure_signature("input", "setup", bad->message);
        return r;
    }
    judge(s, *world, &r);
    if (options.keep_records) {
        r.records = trace.records();
    }
    return r;
}

std::string shell_quote(const std::string& word) {
    auto safe = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("_./:=@%+,-").find(c) != std::string_view::npos;
    };
    if (!word.empty() && std::all_of(word.begin(), word.end(), safe)) {
        return word;
    }
    std::string out = "'";
    for (char c : word) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

std::string replay_command(const std::string& file, uint64_t seed, const std::string& program) {
    return shell_quote(program) + " replay " + shell_quote(file) + " --seed " +
           std::to_string(seed);
}

std::string failure_signature(const std::string& kind, const std::string& name,
                              const std::string& message) {
    std::string out = kind + ":" + name + ":";
    bool in_digits = false;
    for (char c : message) {
        bool digit = c >= '0' && c <= '9';
        if (digit && !in_digits) {
            out += '#';
        } else if (!digit) {
            out += c;
        }
        in_digits = digit;
    }
    return out;
}

std::string describe_params(const ParamValues& params) {
    std::string out;
    for (const auto& [name, v] : params) {
        out += (out.empty() ? "" : " ") + name + "=" + v.to_text();
    }
    return out;
}

}  // namespace scenario
