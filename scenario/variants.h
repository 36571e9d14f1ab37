// The historical bug catalogue: every named buggy variant a scenario can switch on, with the
// upstream issue it reproduces, its root cause, the world that carries it and the scenario in
// scenarios/bugs/ that finds it without knowing about it.
//
// A variant is off unless a scenario names it in the world's "variant" parameter; bug scenarios
// never do, and their expectations are the general ones (a peg-in with the documented
// confirmations is accepted, every task stops on shutdown, no blocking call in a destructor).
// `fedsim catalogue` turns each variant on, sweeps its scenario, shrinks the first failure and
// writes the regression file and docs/bug-catalogue.md; `fedsim list bugs` prints this table
// through the worlds' declarations.
#pragma once

#include <string>
#include <vector>

#include "scenario/world_registry.h"

namespace scenario {

struct BugVariant {
    std::string id;          // the catalogue key and the regression file's stem
    std::string issue;       // upstream issue / PR numbers
    std::string title;
    std::string root_cause;
    std::string world;       // the world kind whose "variant" parameter turns it on
    std::string variant;     // the value of that parameter
    std::string scenario;    // relative to the source tree: the variant-off bug scenario
    std::string search;      // which search feature finds it (for the doc)
    std::string expect_outcome;   // how a run with the variant fails: the outcome ...
    std::string expect_message;   // ... and a stable part of its message
    // Other messages the same root cause produces, e.g. a consensus halt instead of a
    // rejection; a regression file pins whichever one its shrunk failure shows.
    std::vector<std::string> other_messages;

    // The first of expect_message and other_messages that `reason` contains, or "" if none.
    std::string symptom_in(const std::string& reason) const;
};

// Every catalogued variant, in the order of fedimint.md section 5.
const std::vector<BugVariant>& bug_variants();
const BugVariant* find_bug_variant(const std::string& id);

// The world's "variant" parameter: "none" plus each variant the world carries.
FieldSpec variant_param(const std::string& world);
// The rows `fedsim list bugs` prints for the world (name "<id>", doc with issue and cause).
std::vector<NamedDoc> variant_docs(const std::string& world);

}  // namespace scenario
