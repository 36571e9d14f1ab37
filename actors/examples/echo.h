// Echo: the smallest complete system of actors, and the house-style example for writing one.
//
// An EchoServer answers every Ping on its node's inbox with a Pong. A PingClient sends `count`
// pings, each waiting for its pong with a timeout and retrying a bounded number of times; it
// records what happened so tests and checkers can look. Read this before writing a model:
// - an actor is a plain function running on its own stack; it blocks on channels and sleeps;
// - all time comes from this_actor::now(), all chance from this_actor::random();
// - messages are plain structs sent through sim::Network by NodeId;
// - state a checker needs is kept in a plain struct owned outside the actor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/network.h"
#include "sim/time.h"

namespace actors::examples {

struct Ping {
    uint64_t seq;
};

struct Pong {
    uint64_t seq;
};

struct EchoServerConfig {
    sim::NodeId node;
    // Processing time per ping, uniform in [min, max], from the server's own stream.
    sim::SimDuration work_min = sim::SimDuration::micros(100);
    sim::SimDuration work_max = sim::SimDuration::micros(900);
};

struct PingClientConfig {
    sim::NodeId node;
    sim::NodeId server;
    uint64_t count = 10;
    sim::SimDuration timeout = sim::SimDuration::millis(50);
    uint32_t max_attempts = 3;
};

struct PingClientStats {
    uint64_t answered = 0;
    uint64_t gave_up = 0;
    uint64_t retries = 0;
    uint64_t stale_pongs = 0;  // pongs for an earlier attempt, arriving late
    sim::SimDuration worst_rtt;
};

// Spawns the server as a daemon on `net`'s scheduler. Runs until its inbox closes.
void spawn_echo_server(sim::Network& net, const EchoServerConfig& config);

// Spawns the client as a foreground actor; `stats` must outlive the run.
void spawn_ping_client(sim::Network& net, const PingClientConfig& config, PingClientStats* stats);

}  // namespace actors::examples
