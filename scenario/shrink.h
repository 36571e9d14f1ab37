// Shrinking: reduce a failing scenario, for one seed, to a smaller one that fails the same way.
//
// First every parameter is pinned to the value the seed picked (parameter streams are forked
// by name, so pinning changes nothing else). Then, until nothing more can go, the shrinker
// tries removing timeline entries (with the entries that wait for them), network faults, fault
// points and perturbation, topology nodes and links, and lowering the numbers a world marks as
// shrinkable (fewer payments, smaller amounts, fewer blocks). A candidate is kept only if it
// still validates and the run still fails with the same signature (runner.h).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace scenario {

struct ShrinkOptions {
    uint64_t seed = 1;
    size_t max_runs = 500;
    // Runs one candidate (the tools add their wall budget); defaults to run_scenario.
    std::function<RunReport(const Scenario&, uint64_t seed)> run;
    // Called after each kept reduction, for progress output.
    std::function<void(const std::string&)> on_step;
};

struct ShrinkResult {
    bool reproduced = false;  // the original scenario failed with this seed
    std::string input_error;  // the original was bad input (RunReport::setup_error)
    std::string signature;
    std::string reason;
    Scenario minimal;
    std::vector<std::string> removed;  // what was taken out or narrowed, in order
    size_t runs = 0;
};

ShrinkResult shrink_scenario(const Scenario& original, const ShrinkOptions& options);

}  // namespace scenario
