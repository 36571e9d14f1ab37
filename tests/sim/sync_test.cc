// Channels, select, flags and signals: blocking, timeouts, and the same-instant races.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/channel.h"
#include "sim/sync.h"
#include "sim/this_actor.h"

using sim::Channel;
using sim::Scheduler;
using sim::SimDuration;
using sim::SimTime;
namespace this_actor = sim::this_actor;

namespace {
SimTime at_ms(int64_t ms) { return SimTime::zero() + SimDuration::millis(ms); }
}  // namespace

TEST_CASE("a bounded channel blocks the sender while full", "[sync][channel]") {
    Scheduler s({.seed = 1});
    Channel<int> ch("ch", 2);
    std::vector<std::string> log;
    s.spawn("producer", [&] {
        for (int i = 0; i < 4; ++i) {
            ch.send(i);
            log.push_back("sent" + std::to_string(i) + "@" + sim::to_string(this_actor::now()));
        }
    });
    s.spawn("consumer", [&] {
        this_actor::sleep_for(SimDuration::millis(10));
        for (int i = 0; i < 4; ++i) {
            auto v = ch.recv();
            REQUIRE(v.has_value());
            CHECK(*v == i);
        }
    });
    REQUIRE(s.run().ok());
    CHECK(log == std::vector<std::string>{"sent0@0s", "sent1@0s", "sent2@0.01s", "sent3@0.01s"});
}

TEST_CASE("recv_for times out at exactly the deadline", "[sync][channel]") {
    Scheduler s({.seed = 1});
    Channel<int> ch("ch");
    SimTime gave_up;
    s.spawn("r", [&] {
        auto v = ch.recv_for(SimDuration::millis(25));
        CHECK_FALSE(v.has_value());
        gave_up = this_actor::now();
    });
    REQUIRE(s.run().ok());
    CHECK(gave_up == at_ms(25));
}

TEST_CASE("send and timeout on the same instant: the earlier-scheduled event wins",
          "[sync][channel][race]") {
    // Receiver's timeout is scheduled before the sender's wake-up at the same instant.
    {
        Scheduler s({.seed = 1});
        Channel<int> ch("ch");
        std::optional<int> got = 99;
        s.spawn("receiver", [&] { got = ch.recv_until(at_ms(10)); });
        s.spawn("sender", [&] {
            this_actor::sleep_until(at_ms(10));
            ch.send(7);
        });
        REQUIRE(s.run().ok());
        CHECK_FALSE(got.has_value());  // timeout (seq lower) ran first
    }
    // Sender's wake-up is scheduled first: the value arrives before the timeout fires.
    {
        Scheduler s({.seed = 1});
        Channel<int> ch("ch");
        std::optional<int> got;
        s.spawn("sender", [&] {
            this_actor::sleep_until(at_ms(10));
            ch.send(7);
        });
        s.spawn("receiver", [&] { got = ch.recv_until(at_ms(10)); });
        REQUIRE(s.run().ok());
        REQUIRE(got.has_value());
        CHECK(*got == 7);
    }
}

TEST_CASE("closing a channel drains, then ends receivers and refuses senders",
          "[sync][channel]") {
    Scheduler s({.seed = 1});
    Channel<int> ch("ch");
    std::vector<int> got;
    bool ended = false;
    s.spawn("r", [&] {
        while (auto v = ch.recv()) {
            got.push_back(*v);
        }
        ended = true;
    });
    s.spawn("w", [&] {
        ch.send(1);
        ch.send(2);
        this_actor::sleep_for(SimDuration::millis(1));
        ch.close();
        CHECK_FALSE(ch.send(3));
    });
    REQUIRE(s.run().ok());
    CHECK(got == std::vector<int>{1, 2});
    CHECK(ended);
}

TEST_CASE("select returns the lowest ready index, or -1 at the deadline", "[sync][select]") {
    Scheduler s({.seed = 1});
    Channel<int> a("a");
    Channel<int> b("b");
    sim::Flag stop("stop");
    std::vector<std::string> log;
    s.spawn("selector", [&] {
        for (;;) {
            int i = sim::select({&a, &b, &stop}, this_actor::now() + SimDuration::millis(50));
            if (i == 0) {
                log.push_back("a" + std::to_string(*a.try_recv()));
            } else if (i == 1) {
                log.push_back("b" + std::to_string(*b.try_recv()));
            } else if (i == 2) {
                log.push_back("stop");
                return;
            } else {
                log.push_back("timeout@" + sim::to_string(this_actor::now()));
            }
        }
    });
    s.spawn("driver", [&] {
        this_actor::sleep_for(SimDuration::millis(10));
        b.send(1);
        a.send(2);  // both ready when the selector runs: a (index 0) first
        this_actor::sleep_for(SimDuration::millis(100));
        stop.set();
    });
    REQUIRE(s.run().ok());
    CHECK(log == std::vector<std::string>{"a2", "b1", "timeout@0.06s", "stop"});
}

TEST_CASE("a flag releases current and future waiters; a signal only current ones", "[sync]") {
    Scheduler s({.seed = 1});
    sim::Flag flag("flag");
    sim::Signal sig("sig");
    int released = 0;
    bool late_signal_seen = true;
    for (int i = 0; i < 3; ++i) {
        s.spawn("w" + std::to_string(i), [&] {
            flag.wait();
            ++released;
        });
    }
    s.spawn("setter", [&] {
        this_actor::sleep_for(SimDuration::millis(5));
        flag.set();
        sig.notify_all();  // nobody waits yet: lost, by design
    });
    s.spawn("late", [&] {
        this_actor::sleep_for(SimDuration::millis(6));
        CHECK(flag.wait_for(SimDuration::zero()));
        late_signal_seen = sig.wait_until(this_actor::now() + SimDuration::millis(1));
    });
    REQUIRE(s.run().ok());
    CHECK(released == 3);
    CHECK_FALSE(late_signal_seen);
}

TEST_CASE("a stall reports every blocked actor, what it waits on and since when",
          "[sync][stall]") {
    Scheduler s({.seed = 42});
    Channel<int> requests("gateway.requests");
    Channel<int> replies("client.replies");
    s.spawn("gateway", [&] {
        this_actor::sleep_for(SimDuration::seconds(2));
        requests.recv();
    });
    s.spawn("client", [&] {
        this_actor::sleep_for(SimDuration::seconds(3));
        replies.recv();
    });
    sim::RunResult r = s.run();
    CHECK(r.outcome == sim::Outcome::stalled);
    REQUIRE(r.wait_report.size() == 2);
    CHECK(r.wait_report[0] == "actor 'gateway' waits on recv 'gateway.requests' since t=2s");
    CHECK(r.wait_report[1] == "actor 'client' waits on recv 'client.replies' since t=3s");
}
