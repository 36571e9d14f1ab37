// The `duration` parameter against limits.max_time (see workload_duration.h).
#include "scenario/worlds/workload_duration.h"

#include <algorithm>
#include <string>

namespace scenario {

namespace {

// The largest value a duration parameter can take over the scenario's sweep (its fixed value,
// its range's upper end, or its largest choice).
sim::SimDuration largest_duration(const ParamSpec& p) {
    switch (p.form) {
        case ParamSpec::Form::fixed:
            return p.fixed.duration();
        case ParamSpec::Form::range:
            return sim::SimDuration::nanos(p.hi);
        case ParamSpec::Form::choice:
            break;
    }
    sim::SimDuration most = sim::SimDuration::zero();
    for (const Value& v : p.options) {
        most = std::max(most, v.duration());
    }
    return most;
}

bool expects_time_limit(const Scenario& s) {
    const std::vector<std::string>& allowed = s.expect.outcomes;
    return std::find(allowed.begin(), allowed.end(), "time_limit") != allowed.end();
}

// Where a diagnostic about `p` points: a defaulted parameter has no place of its own
// (read_params, parser_sections.cc).
SourceLocation duration_place(const ParamSpec& p) {
    return p.where.pointer.empty() ? SourceLocation{"/params/duration", 0, 0} : p.where;
}

const ParamSpec* duration_param(const Scenario& s) {
    for (const ParamSpec& p : s.params) {
        if (p.name == "duration") {
            return &p;
        }
    }
    return nullptr;
}

}  // namespace

void validate_workload_duration(const Scenario& s, const char* phase,
                                std::vector<Diagnostic>* out) {
    const ParamSpec* p = duration_param(s);
    if (p == nullptr || expects_time_limit(s) || largest_duration(*p) < s.limits.max_time) {
        return;
    }
    out->push_back({duration_place(*p),
                    "duration " + sim::to_string(largest_duration(*p)) + " runs after " + phase +
                        ", so every run reaches limits.max_time (" +
                        sim::to_string(s.limits.max_time) +
                        ") first and ends with time_limit; lower duration or raise "
                        "limits.max_time"});
}

void validate_workload_from_start(const Scenario& s, std::vector<Diagnostic>* out) {
    const ParamSpec* p = duration_param(s);
    if (p == nullptr || expects_time_limit(s) || largest_duration(*p) <= s.limits.max_time) {
        return;
    }
    out->push_back({duration_place(*p),
                    "duration " + sim::to_string(largest_duration(*p)) +
                        " runs past limits.max_time (" + sim::to_string(s.limits.max_time) +
                        "), so every run ends with time_limit before the end-of-run checks; "
                        "lower duration or raise limits.max_time"});
}

}  // namespace scenario
