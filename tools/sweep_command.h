// `fedsim sweep FILE --seeds A..B [--jobs N]` runs a seed range in worker processes, and
// `fedsim merge OUT.json SHARD.json...` combines the --json results of sharded sweeps.
//
// sweep shows progress, prints every failing seed with its reason and a copy-paste replay
// command as it happens, ends with a summary, and writes --json and --junit results. --shard
// K/N runs every N-th seed of the range (for spreading a sweep over machines); merging all N
// shard files gives the same file the unsharded sweep writes. --stop-on-first ends at the
// first failure.
#pragma once

#include <CLI/CLI.hpp>

namespace tools {

void add_sweep_command(CLI::App& app, int* exit_code);
void add_merge_command(CLI::App& app, int* exit_code);

}  // namespace tools
