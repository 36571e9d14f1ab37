// An actor that keeps waiting for a deadline that has already passed never blocks, so sim time
// never advances and the run would hang with nothing to report. The scheduler counts such waits
// per activation and fails like an assertion past Scheduler::k_expired_wait_limit; waits that
// block in between, or stay within the limit, are untouched. The failure ends the process, so
// those runs happen in a forked child.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <csignal>
#include <cstdint>
#include <string>

#include "sim/channel.h"
#include "sim/scheduler.h"
#include "sim/sync.h"
#include "sim/this_actor.h"
#include "tests/sim/child_process.h"

namespace {

using sim::SimDuration;
using sim::SimTime;
using sim_test::ChildResult;
using sim_test::run_in_child;

constexpr uint64_t k_limit = sim::Scheduler::k_expired_wait_limit;

// `per_activation` waits on a deadline already passed, `activations` times, sleeping a second
// between activations.
void expired_recv_waits(uint64_t per_activation, int activations, uint64_t* done) {
    sim::Channel<int> inbox("inbox");
    for (int a = 0; a < activations; ++a) {
        sim::this_actor::sleep_for(SimDuration::seconds(1));
        const SimTime missed = sim::this_actor::now() - SimDuration::nanos(1);
        for (uint64_t i = 0; i < per_activation; ++i) {
            // No Catch assertion per wait: ten million of them would dominate the test's time.
            if (!inbox.recv_until(missed).has_value()) {
                ++*done;
            }
        }
    }
}

}  // namespace

TEST_CASE("one more expired wait than the limit in one activation fails with the actor's name",
          "[scheduler][spin]") {
    ChildResult r = run_in_child([] {
        sim::Scheduler s({.seed = 41});
        uint64_t done = 0;
        s.spawn("spinner", [&] { expired_recv_waits(k_limit + 1, 1, &done); });
        s.run();
    });
    REQUIRE(WIFSIGNALED(r.status));
    CHECK(WTERMSIG(r.status) == SIGABRT);
    CHECK(r.stderr_text.find("actor 'spinner' returned from 10000001 waits (the last one "
                             "'recv') whose deadline had already passed") != std::string::npos);
    CHECK(r.stderr_text.find("seed=41") != std::string::npos);
}

TEST_CASE("exactly the limit per activation, with a block between activations, runs to the end",
          "[scheduler][spin]") {
    sim::Scheduler s({.seed = 41});
    uint64_t done = 0;
    s.spawn("patient", [&] { expired_recv_waits(k_limit, 2, &done); });
    REQUIRE(s.run().ok());
    CHECK(done == 2 * k_limit);
}

TEST_CASE("every primitive's expired wait counts toward the limit", "[scheduler][spin]") {
    // A flag and a select on it: the other primitives' early returns feed the same counter, so
    // a loop that alternates between them is caught as well.
    ChildResult r = run_in_child([] {
        sim::Scheduler s({.seed = 43});
        s.spawn("alternating", [] {
            sim::Flag flag("never-set");
            const SimTime missed = sim::this_actor::now();
            for (;;) {
                (void)flag.wait_until(missed);
                (void)sim::select({&flag}, missed);
            }
        });
        s.run();
    });
    REQUIRE(WIFSIGNALED(r.status));
    CHECK(r.stderr_text.find("actor 'alternating' returned from 10000001 waits") !=
          std::string::npos);
}
