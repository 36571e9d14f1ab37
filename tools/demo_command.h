// `fedsim demo`: sweeps the escrow example over many seeds, finds its timeout race, prints the
// failing seed with a copy-paste replay command, and replays it with the trace on to show the
// same fingerprint. Also runs a single seed (the replay command itself).
#pragma once

#include <CLI/CLI.hpp>

namespace tools {

// Registers the subcommand on `app`; the returned flag is set when it ran.
void add_demo_command(CLI::App& app, int* exit_code);

}  // namespace tools
