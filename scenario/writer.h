// Writing a Scenario back out as a scenario file (used by the shrinker).
//
// The output parses back into an equivalent Scenario: same world, topology, parameters (those
// that came from the world's defaults are left out), faults, timeline, expectations and limits.
#pragma once

#include <string>

#include "scenario/scenario.h"

namespace scenario {

// Pretty-printed JSON, two-space indent, keys in the reference order, ending in a newline.
std::string write_scenario(const Scenario& s);

}  // namespace scenario
