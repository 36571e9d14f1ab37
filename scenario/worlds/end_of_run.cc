// The shared end-of-run judgement (see end_of_run.h).
#include "scenario/worlds/end_of_run.h"

namespace scenario {

CheckResult hub_check(const actors::federation::CheckerHub& hub, std::string name,
                      const std::vector<std::string_view>& sources) {
    CheckResult r{.checker = std::move(name), .already_reported = true};
    for (const std::string& v : hub.violations()) {
        for (std::string_view src : sources) {
            // CheckerHub::report's text starts "<checker> violated at ...".
            if (r.passed && v.size() > src.size() && v.compare(0, src.size(), src) == 0 &&
                v.compare(src.size(), 9, " violated") == 0) {
                r.passed = false;
                r.message = v;
            }
        }
    }
    return r;
}

bool judge_end_of_run(sim::Scheduler& sched, const std::vector<CheckResult>& checks,
                      const FailCheck& fail) {
    bool failed = false;
    for (const CheckResult& c : checks) {
        failed = failed || !c.passed;
        if (c.passed || c.already_reported) {
            continue;
        }
        if (fail) {
            fail(c);
        } else {
            sched.fail(sim::Outcome::check_failed, c.checker + ": " + c.message);
        }
    }
    if (failed) {
        sched.stop();
    }
    return failed;
}

}  // namespace scenario
