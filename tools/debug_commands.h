// Commands for hunting down a failure or a nondeterminism:
//   fedsim check-determinism FILE --seeds A..B   runs each seed twice and compares; on a
//                                                mismatch shows the first diverging record;
//   fedsim diff TRACE_A TRACE_B                  the first divergence of two JSON Lines traces;
//   fedsim shrink FILE --seed N -o MIN.json      a minimal scenario that fails the same check.
#pragma once

#include <CLI/CLI.hpp>

namespace tools {

void add_check_determinism_command(CLI::App& app, int* exit_code);
void add_diff_command(CLI::App& app, int* exit_code);
void add_shrink_command(CLI::App& app, int* exit_code);

}  // namespace tools
