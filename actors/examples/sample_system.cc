// Composition of the sample system (see the header).
#include "actors/examples/sample_system.h"

#include "actors/examples/echo.h"
#include "actors/examples/escrow.h"
#include "sim/task_group.h"
#include "sim/this_actor.h"

namespace actors::examples {

namespace {

sim::SimulationConfig sample_config(uint64_t seed) {
    sim::SimulationConfig cfg;
    cfg.seed = seed;
    cfg.perturb_same_instant = true;
    cfg.faults.enabled = true;
    cfg.default_link = {.latency_min = sim::SimDuration::micros(500),
                        .latency_max = sim::SimDuration::millis(20),
                        .drop = {1, 50},
                        .duplicate = {1, 50},
                        .reorder = {1, 20}};
    return cfg;
}

void add_echo(sim::Simulation& sim, PingClientStats* stats) {
    sim::Network& net = sim.network();
    sim::NodeId server = net.add_node("echo-server");
    spawn_echo_server(net, {.node = server});
    for (int i = 0; i < 3; ++i) {
        sim::NodeId node = net.add_node("pinger" + std::to_string(i));
        spawn_ping_client(net, {.node = node, .server = server, .count = 8}, &stats[i]);
    }
    // A partition of the server from the first client, healing after a while.
    sim.scheduler().schedule_at(sim::SimTime::zero() + sim::SimDuration::millis(30),
                                [&net, server] {
                                    net.partition({server}, {sim::NodeId(server.value + 1)},
                                                  sim::PartitionKind::symmetric,
                                                  sim::SimDuration::millis(120));
                                });
}

void add_shutdown(sim::Simulation& sim, sim::TaskGroup* group) {
    sim.scheduler().spawn("supervisor", [group] {
        group->spawn("ticker", [](const sim::CancelToken& token) {
            while (!token.wait_until(sim::this_actor::now() + sim::SimDuration::millis(7))) {
                if (sim::buggify("sample.ticker_stall")) {
                    sim::this_actor::sleep_for(sim::SimDuration::millis(3));
                }
            }
        });
        sim::this_actor::sleep_for(sim::SimDuration::millis(200));
        group->shutdown_and_join_or_fail(sim::SimDuration::seconds(1));
    });
}

}  // namespace

sim::SimulationResult run_sample_system(uint64_t seed) {
    sim::Simulation sim(sample_config(seed));
    PingClientStats stats[3];
    add_echo(sim, stats);
    EscrowWorld escrow;
    build_escrow(sim.network(), {.mode = LedgerMode::reserve_first, .payments = 5}, &escrow);
    sim::TaskGroup group(sim.scheduler(), "sample");
    add_shutdown(sim, &group);
    return sim.run({.max_time = sim::SimTime::zero() + sim::SimDuration::hours(1)});
}

}  // namespace actors::examples
