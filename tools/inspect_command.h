// `fedsim validate FILE...` and `fedsim list [WHAT]`: checking scenario files and listing
// what scenarios can use (scenarios, worlds, actions, rule sets, profiles, fault points,
// checkers, metrics, historical bug variants).
#pragma once

#include <CLI/CLI.hpp>

namespace tools {

void add_validate_command(CLI::App& app, int* exit_code);
void add_list_command(CLI::App& app, int* exit_code);

}  // namespace tools
