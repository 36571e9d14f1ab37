// Helpers shared by the scenario subcommands: loading with diagnostics, running with a wall
// budget, printing a run, writing its trace files, and the exit codes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "scenario/runner.h"
#include "scenario/scenario.h"
#include "tools/param_overrides.h"

namespace tools {

// 0: every run passed; 1: some run failed; 2: bad input or command line.
constexpr int k_exit_pass = 0;
constexpr int k_exit_fail = 1;
constexpr int k_exit_usage = 2;

// Reads and validates FILE with the command line's --set overrides applied (see
// add_set_option); on failure prints every diagnostic to stderr. Errors in the file itself are
// reported against the file (line and column); errors an override causes name the --set.
std::optional<scenario::Scenario> load_or_report(const std::string& file);

// Adds the repeatable `--set NAME=VALUE` option to a scenario subcommand. The overrides are
// per process, like the program name: one subcommand runs per process, its load_or_report()
// applies them and its replay commands repeat them (fork()ed workers inherit them).
void add_set_option(CLI::App* cmd);
const std::vector<ParamOverride>& param_overrides();

// Adds `--keep-going` to a scenario subcommand (run, replay, shrink, check-determinism): each
// check failure is recorded and the run goes on to its normal end (scenario::RunOptions::
// keep_going). Per process, like --set: run_seed() applies it to every run and the replay
// commands repeat it, so a printed command reproduces the run in the mode that found it.
void add_keep_going_flag(CLI::App* cmd);
bool keep_going();

// Runs one seed with the scenario's wall-clock budget (the only use of the OS clock here), and
// with --keep-going if the command line gave it.
scenario::RunReport run_seed(const scenario::Scenario& s, scenario::RunOptions options);

std::string hex64(uint64_t v);

// How the user invoked fedsim (argv[0], e.g. "build/tools/fedsim"; "fedsim" if unknown): the
// replay commands start with it, so they work when pasted in the folder the command ran in.
void set_program_name(const char* argv0);
const std::string& program_name();

// The copy-paste replay command of FILE's seed, starting with program_name() and ending with
// --keep-going if given and the command line's --set overrides. `with_overrides` false is for a
// file that already holds them (shrink's output); --keep-going is kept all the same.
std::string replay_command(const std::string& file, uint64_t seed, bool with_overrides = true);

// The first seed of the scenario's "seeds" range (the default for run and replay).
uint64_t default_seed(const scenario::Scenario& s);

struct TraceOutputs {
    std::string jsonl;
    std::string chrome;
    std::string html;
    bool any() const { return !jsonl.empty() || !chrome.empty() || !html.empty(); }
};

// Writes the Chrome trace and the HTML report from the report's records. False on I/O errors
// (reported on stderr).
bool write_trace_outputs(const scenario::Scenario& s, const scenario::RunReport& r,
                         const TraceOutputs& out);

// The run's summary: params, outcome, (with --keep-going) every failure recorded, every check,
// the fingerprint, and on failure the seed and a copy-paste replay command.
void print_report(std::FILE* f, const scenario::Scenario& s, const scenario::RunReport& r);

bool write_text_file(const std::string& path, const std::string& text);

// Before a long job: whether `path` (given with `flag`) can be written, so a typo in an output
// path is reported (exit 2) before the sweep or shrink instead of after it. Leaves an existing
// file as it is and removes a file it had to create. Empty paths pass.
bool output_path_writable(const std::string& path, const char* flag);

}  // namespace tools
