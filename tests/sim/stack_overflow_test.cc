// A stack overflow in an actor hits its guard page and is reported by name — not a silent
// segfault. The overflow kills the process, so the run happens in a forked child.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <csignal>
#include <string>

#include "sim/scheduler.h"
#include "sim/this_actor.h"
#include "tests/sim/child_process.h"

namespace {

using sim_test::ChildResult;
using sim_test::run_in_child;

// Recursion the optimiser cannot turn into a loop: each frame keeps a live buffer.
int deep(int n) {
    volatile char pad[512];
    pad[0] = static_cast<char>(n);
    if (n == 0) {
        return 0;
    }
    return deep(n - 1) + (pad[0] == static_cast<char>(n) ? 1 : 0);
}

}  // namespace

TEST_CASE("stack overflow is caught by the guard page and reported with the actor's name",
          "[scheduler][stack]") {
    ChildResult r = run_in_child([] {
        sim::Scheduler s({.seed = 31, .stack_bytes = 64 * 1024});
        sim::set_crash_context("seed=31 replay: fedsim run x.json --seed 31");
        s.spawn("deep-recursion", [] {
            sim::this_actor::sleep_for(sim::SimDuration::seconds(2));
            deep(100000);
        });
        s.run();
    });
    REQUIRE(WIFSIGNALED(r.status));
    CHECK(WTERMSIG(r.status) == SIGSEGV);
    CHECK(r.stderr_text.find("stack overflow in actor 'deep-recursion'") != std::string::npos);
    CHECK(r.stderr_text.find("64 KiB") != std::string::npos);
    CHECK(r.stderr_text.find("2000000000ns") != std::string::npos);
    CHECK(r.stderr_text.find("seed=31 replay") != std::string::npos);
}

TEST_CASE("a larger stack lets the same recursion finish", "[scheduler][stack]") {
    sim::Scheduler s({.seed = 31, .stack_bytes = 8 * 1024 * 1024});
    int result = -1;
    s.spawn("deep-recursion", [&] { result = deep(1000); });
    REQUIRE(s.run().ok());
    CHECK(result == 1000);
}
