// The shared end-of-run judgement (see end_of_run.h).
#include "scenario/worlds/end_of_run.h"

namespace scenario {

void judge_end_of_run(sim::Scheduler& sched, const std::vector<CheckResult>& checks,
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
}

}  // namespace scenario
