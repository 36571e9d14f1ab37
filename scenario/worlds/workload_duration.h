// The check every model world makes of its `duration` parameter against limits.max_time: a
// workload that cannot be over before the time limit ends every seed with time_limit, which a
// user would only learn after a whole sweep. Refused at the parameter instead, unless the
// scenario expects time_limit.
#pragma once

#include <vector>

#include "scenario/diagnostics.h"
#include "scenario/scenario.h"

namespace scenario {

// The workload runs `duration` from the world's `phase` (channels_open, ready), which comes
// after the channels are confirmed, so a duration at or past limits.max_time cannot end first.
void validate_workload_duration(const Scenario& s, const char* phase,
                                std::vector<Diagnostic>* out);

// The workload runs `duration` from the start of the run (chain, federation). The scheduler
// still runs an event at exactly limits.max_time, so a duration equal to it can end ok (when
// the end-of-run convergence needs no more time); only a longer one cannot.
void validate_workload_from_start(const Scenario& s, std::vector<Diagnostic>* out);

}  // namespace scenario
