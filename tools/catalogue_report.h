// The catalogue's results per bug and their rendering as docs/bug-catalogue.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario/variants.h"

namespace tools {

// One detection sweep: seeds from `start` until the first failure.
struct SweepResult {
    uint64_t start = 0;
    bool found = false;
    // Seeds run up to and including the first failure (max_seeds when none was found); for a
    // sweep stopped by bad input, up to and including that seed (no verdict: the report leaves
    // such sweeps out of its medians and counts them apart).
    uint64_t seeds = 0;
    uint64_t failing_seed = 0;
    double seconds = 0;  // wall time to the first failure (or to giving up)
    std::string reason;
    std::string bad_input;  // the sweep stopped at a bad-input seed (failing_seed): its error
};

struct BugRow {
    const scenario::BugVariant* bug = nullptr;
    std::string error;  // every problem met, in order, "; "-separated (add_error)
    uint64_t proof_seeds = 0;
    std::vector<uint64_t> proof_failures;
    double proof_seconds = 0;
    std::vector<SweepResult> sweeps;
    std::string first_reason;
    size_t shrink_runs = 0;
    size_t shrink_reductions = 0;
    std::string regression;
    std::string regression_symptom;  // the message part the regression file expects
    size_t shrunk_bytes = 0;
    size_t shrunk_lines = 0;
    size_t shrunk_params = 0;
    size_t shrunk_timeline = 0;

    // Clean with the variant off, found by every sweep, shrunk to a regression file.
    bool ok() const;
    // Appends a problem to `error`, keeping the ones before it.
    void add_error(const std::string& e);
};

struct RenderOptions {
    uint64_t sweeps = 0;
    uint64_t max_seeds = 0;
};

std::string render_catalogue(const std::vector<BugRow>& rows, const RenderOptions& options);

}  // namespace tools
