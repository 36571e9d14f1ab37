// fedsim catalogue: the historical bug catalogue (scenario/variants.h) as one command.
#pragma once

#include <CLI/CLI.hpp>

namespace tools {

// `fedsim catalogue [--bug ID]...`: for each bug, proves its scenario clean over the proof
// seeds with the variant off, then with it on runs sweeps from different starting seeds until
// the first failure, shrinks the first sweep's failure into scenarios/bugs/regressions/ and
// writes the detection table to docs/bug-catalogue.md.
// `fedsim catalogue --verify FILE`: a regression file still fails with its variant and passes
// without it (exit 0 when both hold, 1 otherwise).
void add_catalogue_command(CLI::App& app, int* exit_code);

}  // namespace tools
