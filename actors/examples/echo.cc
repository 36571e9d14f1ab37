// EchoServer and PingClient actors.
#include "actors/examples/echo.h"

#include "sim/this_actor.h"

namespace actors::examples {

namespace this_actor = sim::this_actor;

void spawn_echo_server(sim::Network& net, const EchoServerConfig& config) {
    auto body = [&net, config] {
        sim::Channel<sim::Envelope>& inbox = net.inbox(config.node);
        while (std::optional<sim::Envelope> env = inbox.recv()) {
            const Ping* ping = env->as<Ping>();
            if (ping == nullptr) {
                continue;  // not for us; a real model would trace it
            }
            this_actor::sleep_for(this_actor::random().duration(config.work_min, config.work_max));
            net.send(config.node, env->from, "pong", Pong{ping->seq});
        }
    };
    sim::Scheduler::current().spawn(net.node_name(config.node) + ".echo", body,
                                    {.kind = sim::ActorKind::daemon, .node = config.node});
}

namespace {

// Waits for the pong matching `seq` until `deadline`; older pongs are counted and skipped.
bool await_pong(sim::Network& net, sim::NodeId self, uint64_t seq, sim::SimTime deadline,
                PingClientStats* stats) {
    while (std::optional<sim::Envelope> env = net.inbox(self).recv_until(deadline)) {
        const Pong* pong = env->as<Pong>();
        if (pong != nullptr && pong->seq == seq) {
            return true;
        }
        ++stats->stale_pongs;
    }
    return false;
}

}  // namespace

void spawn_ping_client(sim::Network& net, const PingClientConfig& config, PingClientStats* stats) {
    auto body = [&net, config, stats] {
        uint64_t seq = 0;
        for (uint64_t i = 0; i < config.count; ++i) {
            bool answered = false;
            for (uint32_t attempt = 0; attempt < config.max_attempts && !answered; ++attempt) {
                stats->retries += attempt > 0 ? 1 : 0;
                sim::SimTime sent = this_actor::now();
                net.send(config.node, config.server, "ping", Ping{++seq});
                answered = await_pong(net, config.node, seq, sent + config.timeout, stats);
                if (answered && this_actor::now() - sent > stats->worst_rtt) {
                    stats->worst_rtt = this_actor::now() - sent;
                }
            }
            (answered ? stats->answered : stats->gave_up) += 1;
            this_actor::trace("ping_done").field("i", i).field("answered", answered);
        }
    };
    sim::Scheduler::current().spawn(net.node_name(config.node) + ".client", body,
                                    {.node = config.node});
}

}  // namespace actors::examples
