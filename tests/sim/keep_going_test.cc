// SchedulerConfig::keep_going: a check failure is recorded and the run goes on to its normal
// end; every other failure still ends the run at once; the first failure stays the outcome; a
// run without failures is the same run (same fingerprint) in either mode.
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/scheduler.h"
#include "sim/this_actor.h"

using sim::Outcome;
using sim::Scheduler;
using sim::SimDuration;
using sim::SimTime;
namespace this_actor = sim::this_actor;

namespace {

SimTime at_s(int64_t s) { return SimTime::zero() + SimDuration::seconds(s); }

// A workload of 10 steps, 1 s apart; steps listed in `fail_at` fail a check, step `crash_at`
// (if any) throws. `steps` counts the steps that ran.
sim::RunResult run_workload(bool keep_going, std::initializer_list<int> fail_at, int crash_at,
                            int* steps) {
    Scheduler s({.seed = 7, .keep_going = keep_going});
    *steps = 0;
    s.spawn("workload", [&] {
        for (int i = 1; i <= 10; ++i) {
            this_actor::sleep_for(SimDuration::seconds(1));
            ++*steps;
            this_actor::trace("step").field("i", i);
            for (int f : fail_at) {
                if (f == i) {
                    this_actor::fail("step " + std::to_string(i) + " broke");
                }
            }
            if (i == crash_at) {
                throw std::runtime_error("boom");
            }
        }
    });
    return s.run();
}

}  // namespace

TEST_CASE("keep_going: check failures are recorded in order and the run reaches its end",
          "[scheduler][keep-going]") {
    int steps = 0;
    sim::RunResult stop = run_workload(false, {3, 6}, 0, &steps);
    CHECK(steps == 3);  // stop-at-first: the run ends after the event of the first failure
    CHECK(stop.outcome == Outcome::check_failed);
    REQUIRE(stop.failures.size() == 1);
    CHECK(stop.end_time == at_s(3));

    sim::RunResult going = run_workload(true, {3, 6}, 0, &steps);
    CHECK(steps == 10);
    CHECK(going.end_time == at_s(10));
    CHECK(going.outcome == Outcome::check_failed);
    CHECK(going.message == stop.message);  // the first failure's message, as in stop-at-first
    CHECK_THAT(going.message, Catch::Contains("step 3 broke"));
    REQUIRE(going.failures.size() == 2);
    CHECK(going.failures[0].at == at_s(3));
    CHECK(going.failures[1].at == at_s(6));
    CHECK(going.failures[1].outcome == Outcome::check_failed);
    CHECK_THAT(going.failures[1].message, Catch::Contains("step 6 broke"));
    CHECK(going.fingerprint != stop.fingerprint);  // a failing run changes: it went on
}

TEST_CASE("keep_going: a fatal outcome still ends the run at once, after the recorded checks",
          "[scheduler][keep-going]") {
    int steps = 0;
    sim::RunResult r = run_workload(true, {2}, 4, &steps);
    CHECK(steps == 4);  // the crash at step 4 ended it: steps 5..10 never ran
    CHECK(r.end_time == at_s(4));
    // The first failure wins the outcome; the crash is listed after it.
    CHECK(r.outcome == Outcome::check_failed);
    CHECK_THAT(r.message, Catch::Contains("step 2 broke"));
    REQUIRE(r.failures.size() == 2);
    CHECK(r.failures[1].outcome == Outcome::actor_crashed);
    CHECK(r.failures[1].at == at_s(4));
    CHECK_THAT(r.failures[1].message, Catch::Contains("boom"));

    // No check failure before it: a crash is the outcome, exactly as without keep_going.
    sim::RunResult crash = run_workload(true, {}, 4, &steps);
    sim::RunResult crash_stop = run_workload(false, {}, 4, &steps);
    CHECK(crash.outcome == Outcome::actor_crashed);
    CHECK(crash.end_time == at_s(4));
    CHECK(crash.fingerprint == crash_stop.fingerprint);
}

TEST_CASE("keep_going: a stall and a time limit still end the run", "[scheduler][keep-going]") {
    {
        Scheduler s({.seed = 1, .keep_going = true});
        s.spawn("waiter", [&] {
            this_actor::fail("first");
            this_actor::sleep_until(SimTime::never());
        });
        sim::RunResult r = s.run();
        CHECK(r.outcome == Outcome::check_failed);
        REQUIRE(r.failures.size() == 2);
        CHECK(r.failures[1].outcome == Outcome::stalled);
    }
    {
        Scheduler s({.seed = 1, .keep_going = true});
        s.spawn("long", [&] {
            this_actor::fail("first");
            this_actor::sleep_for(SimDuration::hours(2));
        });
        sim::RunResult r = s.run({.max_time = at_s(60)});
        CHECK(r.end_time == at_s(60));
        REQUIRE(r.failures.size() == 2);
        CHECK(r.failures[1].outcome == Outcome::time_limit);
    }
}

TEST_CASE("keep_going: a passing run has the same fingerprint in both modes; a failing one is "
          "reproducible in its mode",
          "[scheduler][keep-going]") {
    int steps = 0;
    sim::RunResult pass_stop = run_workload(false, {}, 0, &steps);
    sim::RunResult pass_going = run_workload(true, {}, 0, &steps);
    REQUIRE(pass_stop.ok());
    REQUIRE(pass_going.ok());
    CHECK(pass_going.fingerprint == pass_stop.fingerprint);
    CHECK(pass_going.events == pass_stop.events);
    CHECK(pass_going.failures.empty());

    sim::RunResult a = run_workload(true, {3, 6}, 0, &steps);
    sim::RunResult b = run_workload(true, {3, 6}, 0, &steps);
    CHECK(a.fingerprint == b.fingerprint);
}

TEST_CASE("keep_going: an ongoing violation re-checked by several actors is recorded once",
          "[scheduler][keep-going]") {
    Scheduler s({.seed = 3, .keep_going = true});
    for (int a = 0; a < 3; ++a) {
        s.spawn("checker" + std::to_string(a), [a] {
            for (int i = 0; i < 4; ++i) {
                this_actor::sleep_for(SimDuration::seconds(1 + a));
                this_actor::fail("the books are off");
            }
            this_actor::fail("checker " + std::to_string(a) + " done");
        });
    }
    sim::RunResult r = s.run();
    CHECK(r.outcome == Outcome::check_failed);
    CHECK(r.message == "actor 'checker0': the books are off");
    // Once for the ongoing violation, whichever actor saw it again; each distinct text once.
    REQUIRE(r.failures.size() == 4);
    CHECK(r.failures[0].at == at_s(1));
    CHECK(r.failures[1].message == "actor 'checker0': checker 0 done");
    CHECK(r.failures[2].message == "actor 'checker1': checker 1 done");
    CHECK(r.failures[3].message == "actor 'checker2': checker 2 done");
}
