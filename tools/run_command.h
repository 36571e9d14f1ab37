// `fedsim run FILE [--seed N]` and `fedsim replay FILE --seed N`: one run of a scenario.
//
// run prints the outcome, every check and the fingerprint, and writes trace files on request
// (--trace JSON Lines, --chrome-trace for Perfetto, --html report). replay is the same run with
// every trace record printed; its fingerprint is byte-identical to the sweep's for that seed,
// and --expect-fingerprint turns that into a check.
#pragma once

#include <CLI/CLI.hpp>

namespace tools {

void add_run_command(CLI::App& app, int* exit_code);
void add_replay_command(CLI::App& app, int* exit_code);

}  // namespace tools
