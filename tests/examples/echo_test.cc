// The echo example: retries recover from loss; a partition longer than all retries gives up.
#include <catch2/catch.hpp>

#include "actors/examples/echo.h"
#include "sim/simulation.h"

using actors::examples::PingClientStats;

TEST_CASE("a reliable network answers every ping without retries", "[echo]") {
    sim::Simulation sim(sim::SimulationConfig{.seed = 1});
    sim::NodeId server = sim.network().add_node("server");
    sim::NodeId client = sim.network().add_node("client");
    actors::examples::spawn_echo_server(sim.network(), {.node = server});
    PingClientStats stats;
    actors::examples::spawn_ping_client(sim.network(),
                                        {.node = client, .server = server, .count = 20}, &stats);
    REQUIRE(sim.run().run.ok());
    CHECK(stats.answered == 20);
    CHECK(stats.retries == 0);
    CHECK(stats.worst_rtt <= sim::SimDuration::millis(3));
}

TEST_CASE("a partition that heals is survived by retries; one that outlasts them is not",
          "[echo][partition]") {
    for (int64_t heal_ms : {100, 1000}) {
        sim::Simulation sim(sim::SimulationConfig{.seed = 2});
        sim::NodeId server = sim.network().add_node("server");
        sim::NodeId client = sim.network().add_node("client");
        actors::examples::spawn_echo_server(sim.network(), {.node = server});
        PingClientStats stats;
        actors::examples::spawn_ping_client(
            sim.network(),
            {.node = client, .server = server, .count = 1, .timeout = sim::SimDuration::millis(50),
             .max_attempts = 3},
            &stats);
        sim.network().partition({client}, {server}, sim::PartitionKind::symmetric,
                                sim::SimDuration::millis(heal_ms));
        REQUIRE(sim.run().run.ok());
        if (heal_ms == 100) {
            CHECK(stats.answered == 1);
            CHECK(stats.retries == 2);  // attempts at 0, 50 ms fail; 100 ms succeeds
        } else {
            CHECK(stats.gave_up == 1);
        }
    }
}
