// Runner: one run of a scenario for one seed, and its verdict against the expectations.
//
// run_scenario() picks the parameters for the seed, builds the Simulation (network faults,
// swarm choices, fault points), lets the world kind build its actors, starts the timeline,
// runs, and then judges: the outcome must be one the scenario expects, the selected checkers
// must pass and the conditions must hold. A failure carries a reason for people and a
// signature for tools (the shrinker keeps a reduction only if the signature is unchanged).
// Reading the OS clock is the caller's business: a wall budget comes in as a predicate.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scenario/world_registry.h"
#include "sim/simulation.h"

namespace spdlog {
class logger;
}

namespace scenario {

struct RunOptions {
    uint64_t seed = 1;
    std::string jsonl_path;  // write every trace record as JSON Lines
    bool keep_records = false;
    std::shared_ptr<spdlog::logger> logger;  // print records as text
    std::function<bool()> wall_clock_exceeded;
    // Record each check failure and run on to the normal end (sim::SimulationConfig::keep_going):
    // the outcome is still the first failure's; run.failures lists them all, and the metrics and
    // checks are those at the end. A crash, stall, misuse or limit after a check failure
    // (run.ended_by) fails the verdict as the check "run_end" unless the scenario expects that
    // outcome too. A run with no check failure is the same run (fingerprint) in either mode;
    // one with a check failure is not, even when its verdict passes (expects check_failed).
    bool keep_going = false;
};

struct RunReport {
    uint64_t seed = 0;
    ParamValues params;
    sim::RunResult run;  // run.failures: every failure recorded, in order
    bool keep_going = false;  // the run went on after check failures (RunOptions::keep_going)
    std::vector<std::string> active_faults;
    std::vector<std::string> swarm_off;  // network fault kinds the swarm switched off
    std::vector<CheckResult> checks;     // "outcome", each checker, each condition
    std::map<std::string, int64_t> metrics;
    bool passed = true;
    std::string reason;     // the first failed check, for people
    std::string signature;  // the first failed check, with numbers blanked, for tools
    std::vector<sim::TraceRecord> records;
    // The world could not be built, or found a scenario input impossible while running
    // (World::input_error): bad input, reported as a failure and by `fedsim run` as exit 2.
    std::string setup_error;
};

RunReport run_scenario(const Scenario& s, const RunOptions& options);

// "fedsim replay FILE --seed N": what every failure prints. `program` is how the user invoked
// fedsim (e.g. "build/tools/fedsim"), so the line works when pasted in the same folder; the
// program and the file are shell-quoted when they hold anything but safe characters.
std::string replay_command(const std::string& file, uint64_t seed,
                           const std::string& program = "fedsim");

// `word` as one shell word: unchanged if it only holds letters, digits and _ . / : = @ % + , -;
// otherwise in single quotes (a ' inside becomes '\'').
std::string shell_quote(const std::string& word);

// The failure's identity: "kind:name:message" with every run of digits replaced by '#', so
// "payment 3 was paid twice" and "payment 1 was paid twice" are the same failure.
std::string failure_signature(const std::string& kind, const std::string& name,
                              const std::string& message);

// "a=1 b=90s" in name order, for reports.
std::string describe_params(const ParamValues& params);

}  // namespace scenario
