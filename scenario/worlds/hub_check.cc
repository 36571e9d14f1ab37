// A world check read from a CheckerHub's violations (see hub_check.h).
#include "scenario/worlds/hub_check.h"

namespace scenario {

namespace {

// Whether `violation` was reported by `checker`: CheckerHub::report's text starts
// "<checker>" + k_violation_marker (checkers.h).
bool reported_by(std::string_view violation, std::string_view checker) {
    constexpr std::string_view marker = actors::federation::k_violation_marker;
    return violation.size() > checker.size() + marker.size() &&
           violation.substr(0, checker.size()) == checker &&
           violation.substr(checker.size(), marker.size()) == marker;
}

}  // namespace

CheckResult hub_check(const actors::federation::CheckerHub& hub, std::string name,
                      const std::vector<std::string_view>& sources) {
    CheckResult r{.checker = std::move(name), .already_reported = true};
    for (const std::string& v : hub.violations()) {
        for (std::string_view src : sources) {
            if (r.passed && reported_by(v, src)) {
                r.passed = false;
                r.message = v;
            }
        }
    }
    return r;
}

}  // namespace scenario
