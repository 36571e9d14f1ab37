// `fedsim fingerprints`: prints "seed fingerprint outcome" for the sample system over a seed
// range. CI runs it under the g++ and the clang build and compares the outputs byte for byte.
#pragma once

#include <CLI/CLI.hpp>

namespace tools {

void add_fingerprints_command(CLI::App& app, int* exit_code);

}  // namespace tools
