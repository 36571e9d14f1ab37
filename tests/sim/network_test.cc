// Virtual network: latency bounds, FIFO, loss, duplication, partitions that heal, pauses.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sim/simulation.h"
#include "sim/this_actor.h"

using sim::NodeId;
using sim::SimDuration;
using sim::SimTime;
using sim::Simulation;
namespace this_actor = sim::this_actor;

namespace {

struct Ping {
    int n;
};

struct Pair {
    Simulation sim;
    NodeId a;
    NodeId b;
    std::vector<std::pair<int, SimTime>> received;

    explicit Pair(sim::SimulationConfig cfg) : sim(cfg) {
        a = sim.network().add_node("a");
        b = sim.network().add_node("b");
        sim.scheduler().spawn(
            "b.recv",
            [this] {
                while (auto env = sim.network().inbox(b).recv()) {
                    received.emplace_back(env->as<Ping>()->n, this_actor::now());
                }
            },
            {.kind = sim::ActorKind::daemon});
    }
};

sim::SimulationConfig with_link(sim::LinkConfig link, uint64_t seed = 1) {
    sim::SimulationConfig cfg;
    cfg.seed = seed;
    cfg.default_link = link;
    return cfg;
}

}  // namespace

TEST_CASE("latency stays in bounds and links are FIFO", "[network]") {
    Pair p(with_link({.latency_min = SimDuration::millis(5), .latency_max = SimDuration::millis(50)}));
    p.sim.scheduler().spawn("a.send", [&] {
        for (int i = 0; i < 200; ++i) {
            p.sim.network().send(p.a, p.b, "ping", Ping{i});
            this_actor::sleep_for(SimDuration::millis(1));
        }
        this_actor::sleep_for(SimDuration::seconds(1));
    });
    REQUIRE(p.sim.run().run.ok());
    REQUIRE(p.received.size() == 200);
    for (size_t i = 0; i < p.received.size(); ++i) {
        CHECK(p.received[i].first == static_cast<int>(i));
        SimTime sent = SimTime::zero() + SimDuration::millis(static_cast<int64_t>(i));
        CHECK(p.received[i].second - sent >= SimDuration::millis(5));
    }
}

TEST_CASE("envelopes carry typed bodies; a wrong type reads as null", "[network]") {
    Pair p(with_link({}));
    p.sim.scheduler().spawn("a.send", [&] {
        p.sim.network().send(p.a, p.b, "ping", Ping{1});
        auto env = p.sim.network().inbox(p.a).recv_for(SimDuration::millis(10));
        CHECK_FALSE(env.has_value());
    });
    sim::Envelope e;
    e.body = std::make_shared<const Ping>(Ping{3});
    e.type = sim::message_type_tag<Ping>();
    CHECK(e.as<Ping>()->n == 3);
    CHECK(e.as<int>() == nullptr);
    REQUIRE(p.sim.run().run.ok());
}

TEST_CASE("drop and duplicate ratios act, seeded", "[network]") {
    auto run = [](uint64_t seed) {
        Pair p(with_link({.drop = {1, 4}, .duplicate = {1, 4}}, seed));
        p.sim.scheduler().spawn("a.send", [&] {
            for (int i = 0; i < 400; ++i) {
                p.sim.network().send(p.a, p.b, "ping", Ping{i});
            }
            this_actor::sleep_for(SimDuration::seconds(1));
        });
        sim::SimulationResult r = p.sim.run();
        REQUIRE(r.run.ok());
        CHECK(r.network.dropped > 50);
        CHECK(r.network.duplicated > 50);
        return p.received.size();
    };
    CHECK(run(5) == run(5));
    CHECK(run(5) != run(6));
}

TEST_CASE("a symmetric partition cuts both ways and heals on schedule", "[network][partition]") {
    Simulation sim(with_link({}));
    NodeId a = sim.network().add_node("a");
    NodeId b = sim.network().add_node("b");
    NodeId c = sim.network().add_node("c");
    std::vector<std::string> log;
    auto listener = [&](NodeId self) {
        return [&, self] {
            while (auto env = sim.network().inbox(self).recv()) {
                log.push_back(sim.network().node_name(env->from) + "->" +
                              sim.network().node_name(self) + "@" +
                              sim::to_string(this_actor::now()));
            }
        };
    };
    for (NodeId n : {a, b, c}) {
        sim.scheduler().spawn(sim.network().node_name(n), listener(n),
                              {.kind = sim::ActorKind::daemon});
    }
    sim.scheduler().spawn("driver", [&] {
        sim.network().partition({a}, {b}, sim::PartitionKind::symmetric, SimDuration::seconds(10));
        sim.network().send(a, b, "x", 0);
        sim.network().send(b, a, "x", 0);
        sim.network().send(a, c, "x", 0);  // unaffected
        this_actor::sleep_for(SimDuration::seconds(10));
        sim.network().send(a, b, "x", 0);  // healed exactly now
        this_actor::sleep_for(SimDuration::seconds(1));
    });
    REQUIRE(sim.run().run.ok());
    CHECK(log == std::vector<std::string>{"a->c@0.001s", "a->b@10.001s"});
}

TEST_CASE("a one-way partition blocks one direction only; in-flight messages are lost",
          "[network][partition]") {
    Simulation sim(with_link({.latency_min = SimDuration::millis(100),
                              .latency_max = SimDuration::millis(100)}));
    NodeId a = sim.network().add_node("a");
    NodeId b = sim.network().add_node("b");
    int at_a = 0;
    int at_b = 0;
    sim.scheduler().spawn("a", [&] { while (sim.network().inbox(a).recv()) { ++at_a; } },
                          {.kind = sim::ActorKind::daemon});
    sim.scheduler().spawn("b", [&] { while (sim.network().inbox(b).recv()) { ++at_b; } },
                          {.kind = sim::ActorKind::daemon});
    sim.scheduler().spawn("driver", [&] {
        sim.network().send(a, b, "in-flight", 0);
        this_actor::sleep_for(SimDuration::millis(50));
        uint32_t id = sim.network().partition({a}, {b}, sim::PartitionKind::one_way);
        CHECK_FALSE(sim.network().send(a, b, "blocked", 0));
        CHECK(sim.network().send(b, a, "allowed", 0));
        this_actor::sleep_for(SimDuration::seconds(1));
        sim.network().heal(id);
        CHECK(sim.network().send(a, b, "after-heal", 0));
        this_actor::sleep_for(SimDuration::seconds(1));
    });
    REQUIRE(sim.run().run.ok());
    CHECK(at_a == 1);
    CHECK(at_b == 1);  // only after-heal: the in-flight one was cut
}

TEST_CASE("a paused link holds messages and releases them in order", "[network]") {
    Pair p(with_link({}));
    p.sim.scheduler().spawn("driver", [&] {
        p.sim.network().pause_link(p.a, p.b);
        for (int i = 0; i < 3; ++i) {
            p.sim.network().send(p.a, p.b, "ping", Ping{i});
        }
        this_actor::sleep_for(SimDuration::seconds(5));
        CHECK(p.received.empty());
        p.sim.network().resume_link(p.a, p.b);
        this_actor::sleep_for(SimDuration::seconds(1));
    });
    REQUIRE(p.sim.run().run.ok());
    REQUIRE(p.received.size() == 3);
    CHECK(p.received[2].first == 2);
    CHECK(p.received[0].second == SimTime::zero() + SimDuration::millis(5001));
}

TEST_CASE("a down node drops what is addressed to it; bounded inboxes drop overflow",
          "[network]") {
    sim::SimulationConfig cfg;
    Simulation sim(cfg);
    NodeId a = sim.network().add_node("a");
    NodeId b = sim.network().add_node("b", 2);
    sim.scheduler().spawn("driver", [&] {
        sim.network().set_node_up(b, false);
        sim.network().send(a, b, "x", 1);
        this_actor::sleep_for(SimDuration::seconds(1));
        sim.network().set_node_up(b, true);
        for (int i = 0; i < 5; ++i) {
            sim.network().send(a, b, "x", i);
        }
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(sim.network().inbox(b).size() == 2);
    });
    sim::SimulationResult r = sim.run();
    REQUIRE(r.run.ok());
    CHECK(r.network.dropped == 4);
}

TEST_CASE("node clocks apply offset and drift in integer arithmetic", "[clock]") {
    sim::Clocks clocks(1000);
    NodeId n(0);
    NodeId skewed(1);
    clocks.set_skew(skewed, {.offset = SimDuration::seconds(-30), .drift_ppm = 100});
    SimTime t = SimTime::zero() + SimDuration::seconds(10000);
    CHECK(clocks.unix_seconds(n, t) == 11000);
    // 10000 s at +100 ppm drifts one second; minus the 30 s offset.
    CHECK(clocks.unix_seconds(skewed, t) == 11000 - 30 + 1);
    CHECK(clocks.unix_ns(skewed, SimTime::zero()) == 1000LL * 1000000000 - 30LL * 1000000000);
}

TEST_CASE("fault sites activate per run from the seed alone, and fire at their ratio",
          "[faults]") {
    sim::FaultConfig cfg{.enabled = true, .activation = {1, 2}, .fire = {1, 2}};
    sim::FaultPoints f1(9, cfg);
    sim::FaultPoints f2(9, cfg);
    // Evaluating sites in a different order gives the same activations.
    for (const char* s : {"a", "b", "c", "d", "e", "f", "g", "h"}) {
        f1.is_active(s);
    }
    for (const char* s : {"h", "g", "f", "e", "d", "c", "b", "a"}) {
        f2.is_active(s);
    }
    CHECK(f1.active_sites() == f2.active_sites());
    CHECK_FALSE(f1.active_sites().empty());
    CHECK(f1.active_sites().size() < 8);
    // Forced sites and the master switch.
    sim::FaultPoints off(9, {.enabled = false, .forced = {{"forced", true}}});
    CHECK_FALSE(off.fire("anything"));
    CHECK(off.is_active("forced"));
    CHECK(off.active_sites() == std::vector<std::string>{"forced"});
    sim::FaultPoints always(1, {.enabled = true, .activation = {1, 1}, .fire = {1, 1}});
    CHECK(always.fire("x"));
}

TEST_CASE("send_shared delivers one body to every recipient without copying it", "[network]") {
    sim::Simulation s(with_link({.latency_min = SimDuration::millis(1),
                                 .latency_max = SimDuration::millis(9)}));
    NodeId from = s.network().add_node("from");
    std::vector<NodeId> to;
    std::vector<const Ping*> seen;
    for (int i = 0; i < 3; ++i) {
        to.push_back(s.network().add_node("to" + std::to_string(i)));
        s.scheduler().spawn(
            "recv" + std::to_string(i),
            [&s, &seen, node = to.back()] {
                auto env = s.network().inbox(node).recv();
                REQUIRE(env.has_value());
                REQUIRE(env->is<Ping>());
                seen.push_back(env->as<Ping>());
            },
            {.kind = sim::ActorKind::daemon});
    }
    auto body = std::make_shared<const Ping>(Ping{7});
    s.scheduler().spawn("send", [&] {
        for (NodeId n : to) {
            CHECK(s.network().send_shared(from, n, "ping", body));
        }
        this_actor::sleep_for(SimDuration::millis(20));
    });
    REQUIRE(s.run().run.ok());
    REQUIRE(seen.size() == 3);
    for (const Ping* p : seen) {
        CHECK(p == body.get());
        CHECK(p->n == 7);
    }
}

TEST_CASE("find_node names the first node added under a name", "[network]") {
    sim::Simulation s(with_link({}));
    NodeId first = s.network().add_node("alice");
    NodeId bob = s.network().add_node("bob");
    NodeId again = s.network().add_node("alice");  // names are not unique; the first one wins
    CHECK(first != again);
    CHECK(s.network().find_node("alice") == std::optional<NodeId>(first));
    CHECK(s.network().find_node("bob") == std::optional<NodeId>(bob));
    CHECK_FALSE(s.network().find_node("carol").has_value());
    CHECK_FALSE(s.network().find_node("").has_value());
}

// watch_node: a node going down closes its watchers' connections, as an OS closes a dead
// process's sockets: the close follows the data already on the link, one latency later, and
// does not cross a cut.
TEST_CASE("a watched node going down sends its watchers a NodeDown after the data in flight",
          "[network][crash]") {
    sim::SimulationConfig cfg;
    cfg.default_link = {.latency_min = SimDuration::millis(30),
                        .latency_max = SimDuration::millis(30)};
    Simulation sim(cfg);
    sim::Network& net = sim.network();
    NodeId server = net.add_node("server");
    NodeId watcher = net.add_node("watcher");
    NodeId cut_off = net.add_node("cut_off");
    NodeId bystander = net.add_node("bystander");
    std::vector<std::pair<std::string, SimTime>> got;  // what the watcher received, and when
    sim.scheduler().spawn("driver", [&] {
        net.watch_node(watcher, server);
        net.watch_node(watcher, server);  // idempotent: one close
        net.watch_node(cut_off, server);
        net.partition({server}, {cut_off}, sim::PartitionKind::one_way);
        this_actor::sleep_for(SimDuration::millis(100));
        const SimTime crash = this_actor::now();
        net.send(server, watcher, "reply", Ping{1});  // written just before the process died
        net.set_node_up(server, false);
        net.set_node_up(server, false);  // already down: no second close
        this_actor::sleep_for(SimDuration::millis(29));
        CHECK(net.inbox(watcher).size() == 0);  // not at the crash instant
        this_actor::sleep_for(SimDuration::millis(1));
        while (std::optional<sim::Envelope> env = net.inbox(watcher).try_recv()) {
            got.emplace_back(env->kind, this_actor::now());
            if (const sim::NodeDown* d = env->as<sim::NodeDown>()) {
                CHECK(d->node == server);
                CHECK(d->at == crash);
                CHECK(env->from == server);
            }
        }
        REQUIRE(got.size() == 2);
        CHECK(got[0].first == "reply");  // TCP order: the data, then the FIN
        CHECK(got[1].first == "node_down");
        CHECK(got[1].second == crash + SimDuration::millis(30));
        this_actor::sleep_for(SimDuration::seconds(1));
        CHECK(net.inbox(watcher).size() == 0);
        CHECK(net.inbox(cut_off).size() == 0);    // no FIN crosses a cut
        CHECK(net.inbox(bystander).size() == 0);  // never watched
        // Up again and down again: a second close.
        net.set_node_up(server, true);
        net.set_node_up(server, false);
        this_actor::sleep_for(SimDuration::millis(31));
        CHECK(net.inbox(watcher).size() == 1);
    });
    REQUIRE(sim.run().run.ok());
}
