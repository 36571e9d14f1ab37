// World kind "echo": ping clients and one echo server (examples/echo), for network faults.
//
// The topology declares one "server" and any number of "client" nodes; every client pings the
// server. With partitions, crashes, frozen nodes and lossy links from the timeline and the
// faults section, the checkers ask whether every ping was eventually answered.
#include "actors/examples/echo.h"
#include "scenario/worlds/builtin_worlds.h"

namespace scenario {

namespace {

using actors::examples::PingClientStats;

class EchoScenarioWorld : public World {
public:
    std::vector<PingClientStats> stats;

    std::vector<CheckResult> check() const override {
        int64_t gave_up = metrics().at("echo.gave_up");
        return {{"echo.all_answered", gave_up == 0,
                 gave_up == 0 ? "" : std::to_string(gave_up) + " ping(s) never answered"}};
    }

    std::map<std::string, int64_t> metrics() const override {
        std::map<std::string, int64_t> m = {{"echo.answered", 0},   {"echo.gave_up", 0},
                                            {"echo.retries", 0},    {"echo.stale_pongs", 0},
                                            {"echo.worst_rtt_us", 0}};
        for (const PingClientStats& s : stats) {
            m["echo.answered"] += static_cast<int64_t>(s.answered);
            m["echo.gave_up"] += static_cast<int64_t>(s.gave_up);
            m["echo.retries"] += static_cast<int64_t>(s.retries);
            m["echo.stale_pongs"] += static_cast<int64_t>(s.stale_pongs);
            m["echo.worst_rtt_us"] = std::max(m["echo.worst_rtt_us"], s.worst_rtt.ns() / 1000);
        }
        return m;
    }
};

std::unique_ptr<World> build(BuildContext& ctx) {
    auto world = std::make_unique<EchoScenarioWorld>();
    sim::Network& net = ctx.sim.network();
    const ParamValues& p = ctx.params;
    std::vector<std::string> clients;
    sim::NodeId server;
    for (const TopologyNode& n : ctx.scenario.topology.nodes) {
        if (n.role == "server") {
            server = net.add_node(n.name);
            actors::examples::spawn_echo_server(
                net, {.node = server, .work_min = param_duration(p, "work_min"),
                      .work_max = param_duration(p, "work_max")});
        } else {
            std::vector<std::string> names = topology_node_names({.nodes = {n}});
            clients.insert(clients.end(), names.begin(), names.end());
        }
    }
    world->stats.resize(clients.size());
    for (size_t i = 0; i < clients.size(); ++i) {
        sim::NodeId id = net.add_node(clients[i]);
        actors::examples::spawn_ping_client(
            net,
            {.node = id, .server = server, .count = static_cast<uint64_t>(param_int(p, "pings")),
             .timeout = param_duration(p, "ping_timeout"),
             .max_attempts = static_cast<uint32_t>(param_int(p, "max_attempts"))},
            &world->stats[i]);
    }
    return world;
}

void validate(const Scenario& s, std::vector<Diagnostic>* out) {
    int servers = 0;
    int clients = 0;
    for (const TopologyNode& n : s.topology.nodes) {
        (n.role == "server" ? servers : clients) += 1;
    }
    if (servers != 1 || clients == 0) {
        out->push_back({{"/topology/nodes", 0, 0},
                        "world echo needs exactly one \"server\" node and at least one "
                        "\"client\" node"});
    }
}

}  // namespace

void register_echo_world(WorldRegistry& registry) {
    WorldKind k;
    k.name = "echo";
    k.doc = "Ping clients and an echo server with timeouts and retries (examples/echo)";
    k.roles = {{"server", "answers every ping with a pong", {}, 1},
               {"client", "sends pings, retrying on timeout", {}, 64}};
    k.params = {
        integer_param("pings", "pings each client sends", 10, 1, 100000),
        duration_param("ping_timeout", "how long a client waits for each pong",
                       sim::SimDuration::millis(50)),
        integer_param("max_attempts", "tries per ping before giving up", 3, 1, 100),
        duration_param("work_min", "fastest server reply", sim::SimDuration::micros(100)),
        duration_param("work_max", "slowest server reply", sim::SimDuration::micros(900)),
    };
    k.params[0].shrink_toward = 1;
    k.checkers = {{"echo.all_answered", "every ping was answered within its attempts"}};
    k.metrics = {{"echo.answered", "pings answered"},
                 {"echo.gave_up", "pings given up on"},
                 {"echo.retries", "retries sent"},
                 {"echo.stale_pongs", "pongs that arrived after their attempt timed out"},
                 {"echo.worst_rtt_us", "slowest answered round trip, microseconds"}};
    k.validate = validate;
    k.build = build;
    registry.register_world(std::move(k));
}

}  // namespace scenario
