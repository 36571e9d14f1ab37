// A world's end-of-run judgement, shared by the worlds that judge their checks at the end of
// a run (federation, lightning, gateway, the bug catalogue's service): each failing check
// fails the run once, in check() order, and a failed judgement ends the run there. And which
// failure a check of several lists (ListedFailure; fed.pegouts' own order, list_pegout_failures).
//
// Why the stop: under keep_going a check failure does not end the run, and a task still waiting
// (a peg-in, a payment, a task that missed its shutdown) would carry it on to max_time, past
// the verdict. Stop-at-first has already ended it at the first failure; the stop is then a
// no-op, so a passing run and a stop-at-first run are the same run as without it.
//
// Which checks fail the run here: those whose failure has not failed it yet. A check built from
// a CheckerHub's violations (hub_check.h) says so itself (CheckResult::already_reported): the
// hub failed the run when it found each one, so listing it again would list it twice. So do the
// checks of failures their world fails as they happen (the federation world's fed.pegins and
// fed.pegouts when every failure they would list was reported, fed.expectations; the gateway
// world's gw.expect_payments).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenario/world_registry.h"
#include "sim/scheduler.h"

namespace scenario {

// How the world fails the run with one failing check (the default: check_failed with
// "checker: message").
using FailCheck = std::function<void(const CheckResult&)>;

// The judgement: `fail` for each failing check not already_reported, in order; then, if any
// check failed (reported or not), the scheduler stops.
void judge_end_of_run(sim::Scheduler& sched, const std::vector<CheckResult>& checks,
                      const FailCheck& fail = {});

// The one failure a check lists, from its failures in the order found: the first the run has
// not reported yet, else the first (every one was reported as it happened: already_reported, so
// a keep_going run does not list it twice). An unreported failure is never hidden behind a
// reported one.
class ListedFailure {
public:
    explicit ListedFailure(std::string checker);
    // True once an unreported failure is in: nothing added later changes what the check lists.
    bool add(const std::string& message, bool reported);
    const CheckResult& result() const { return result_; }

private:
    CheckResult result_;
};

// One peg-out as the federation world's fed.pegouts judges it at the end of a run.
struct PegOutAtEnd {
    std::string name;
    std::optional<std::string> violation;  // against the peg-out rule (peg_out_violation)
    bool reported = false;  // that violation failed the run when the outcome came
    // A run that finished, the peg-out accepted, and its transaction neither confirmed nor in
    // the mempool; only the end judges this (never reported before). Not judged with a
    // violation: that is the peg-out's failure.
    bool accepted_off_chain = false;
};

// fed.pegouts over the peg-outs in order: each one's violation, else its missing transaction,
// through ListedFailure (a reported violation does not hide a later unreported failure).
CheckResult list_pegout_failures(const std::vector<PegOutAtEnd>& pegouts);

}  // namespace scenario
