// A world check read from a CheckerHub's violations, for the end-of-run judgement
// (end_of_run.h). Its own header so that worlds without a hub (the bug catalogue's service)
// judge their checks without the federation and Lightning headers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "actors/federation/checkers.h"
#include "scenario/world_registry.h"

namespace scenario {

// The world check `name` as the hub's violations judge it: failed with the first violation
// (in report order) one of the hub checkers in `sources` reported, and marked already_reported.
CheckResult hub_check(const actors::federation::CheckerHub& hub, std::string name,
                      const std::vector<std::string_view>& sources);

}  // namespace scenario
