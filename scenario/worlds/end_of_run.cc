// The shared end-of-run judgement (see end_of_run.h).
#include "scenario/worlds/end_of_run.h"

#include <utility>

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

ListedFailure::ListedFailure(std::string checker) : result_{.checker = std::move(checker)} {}

bool ListedFailure::add(const std::string& message, bool reported) {
    if (result_.passed || (result_.already_reported && !reported)) {
        result_.passed = false;
        result_.message = message;
        result_.already_reported = reported;
    }
    return !result_.already_reported;
}

CheckResult list_pegout_failures(const std::vector<PegOutAtEnd>& pegouts) {
    ListedFailure listed("fed.pegouts");
    for (const PegOutAtEnd& p : pegouts) {
        if (p.violation.has_value()) {
            if (listed.add(*p.violation, p.reported)) {
                break;
            }
            continue;  // a reported one: a later peg-out may still fail unreported
        }
        if (p.accepted_off_chain) {
            listed.add("peg_out " + p.name + " was accepted but its transaction is neither "
                       "confirmed nor in the mempool at the end",
                       false);
            break;
        }
    }
    return listed.result();
}

}  // namespace scenario
