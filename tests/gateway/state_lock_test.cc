// StateLock: readers share, a writer excludes, a waiting writer holds new readers back (tokio's
// fair RwLock), and a task killed while waiting for the write lock lets readers in again.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/gateway/state_lock.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"

using actors::gateway::ExclusiveGuard;
using actors::gateway::SharedGuard;
using actors::gateway::StateLock;
namespace this_actor = sim::this_actor;

TEST_CASE("StateLock orders readers and writers", "[gateway][lock]") {
    sim::Simulation sim(sim::SimulationConfig{.seed = 1});
    auto lock = std::make_shared<StateLock>("state");
    std::vector<std::string> log;
    auto at = [](int64_t ms) { return sim::SimDuration::millis(ms); };
    sim.scheduler().spawn("r1", [&] {
        SharedGuard g(lock);
        log.push_back("r1 in");
        this_actor::sleep_for(at(100));
        log.push_back("r1 out");
    });
    sim.scheduler().spawn("w", [&] {
        this_actor::sleep_for(at(10));
        ExclusiveGuard g(lock);
        log.push_back("w in");
        this_actor::sleep_for(at(50));
        log.push_back("w out");
    });
    sim.scheduler().spawn("r2", [&] {
        this_actor::sleep_for(at(20));  // the writer is waiting: r2 queues behind it
        SharedGuard g(lock);
        log.push_back("r2 in");
    });
    REQUIRE(sim.run().run.ok());
    CHECK(log == std::vector<std::string>{"r1 in", "r1 out", "w in", "w out", "r2 in"});
}

TEST_CASE("StateLock: a killed waiting writer releases the readers behind it",
          "[gateway][lock]") {
    sim::Simulation sim(sim::SimulationConfig{.seed = 2});
    auto lock = std::make_shared<StateLock>("state");
    bool reader_in = false;
    sim.scheduler().spawn("holder", [&] {
        SharedGuard g(lock);
        this_actor::sleep_for(sim::SimDuration::millis(100));
    });
    sim::ActorId writer = sim.scheduler().spawn("writer", [&] {
        this_actor::sleep_for(sim::SimDuration::millis(10));
        ExclusiveGuard g(lock);
        FAIL("the writer must have been killed");
    }, {.kind = sim::ActorKind::daemon, .node = {}});
    sim.scheduler().spawn("reader", [&] {
        this_actor::sleep_for(sim::SimDuration::millis(20));
        SharedGuard g(lock);
        reader_in = true;
    });
    sim.scheduler().spawn("killer", [&] {
        this_actor::sleep_for(sim::SimDuration::millis(50));
        sim.scheduler().kill(writer);
    });
    REQUIRE(sim.run().run.ok());
    CHECK(reader_in);
    CHECK(lock->readers() == 0);
    CHECK_FALSE(lock->locked_exclusive());
}
