// Scheduler: actor lifecycle, ordering, limits, stalls, crashes and blocking misuse.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/scheduler.h"
#include "sim/this_actor.h"

using sim::Outcome;
using sim::Scheduler;
using sim::SimDuration;
using sim::SimTime;
namespace this_actor = sim::this_actor;

TEST_CASE("actors sleep in virtual time; idle time is skipped", "[scheduler]") {
    Scheduler s({.seed = 1});
    std::vector<std::string> log;
    s.spawn("a", [&] {
        this_actor::sleep_for(SimDuration::hours(10));
        log.push_back("a@" + sim::to_string(this_actor::now()));
    });
    s.spawn("b", [&] {
        this_actor::sleep_for(SimDuration::seconds(1));
        log.push_back("b@" + sim::to_string(this_actor::now()));
    });
    sim::RunResult r = s.run();
    CHECK(r.ok());
    CHECK(log == std::vector<std::string>{"b@1s", "a@36000s"});
    CHECK(r.end_time == SimTime::zero() + SimDuration::hours(10));
}

TEST_CASE("equal-time wake-ups run FIFO in scheduling order", "[scheduler]") {
    Scheduler s({.seed = 1});
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) {
        s.spawn("w" + std::to_string(i), [&order, i] {
            this_actor::sleep_for(SimDuration::millis(5));
            order.push_back(i);
        });
    }
    REQUIRE(s.run().ok());
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("same-instant perturbation shuffles ties reproducibly", "[scheduler]") {
    auto run = [](uint64_t seed) {
        Scheduler s({.seed = seed, .perturb_same_instant = true});
        std::vector<int> order;
        for (int i = 0; i < 8; ++i) {
            s.spawn("w" + std::to_string(i), [&order, i] {
                this_actor::sleep_for(SimDuration::millis(5));
                order.push_back(i);
            });
        }
        REQUIRE(s.run().ok());
        return order;
    };
    CHECK(run(9) == run(9));
    std::vector<int> fifo{0, 1, 2, 3, 4, 5, 6, 7};
    bool some_differs = false;
    for (uint64_t seed = 1; seed < 6; ++seed) {
        some_differs = some_differs || run(seed) != fifo;
    }
    CHECK(some_differs);
}

TEST_CASE("callbacks and actors share one timeline", "[scheduler]") {
    Scheduler s({.seed = 1});
    std::vector<std::string> log;
    s.schedule_at(SimTime::from_ns(50), [&] { log.push_back("cb50"); });
    sim::EventId cancelled = s.schedule_at(SimTime::from_ns(60), [&] { log.push_back("cb60"); });
    s.spawn("a", [&] {
        this_actor::sleep_until(SimTime::from_ns(50));
        log.push_back("a50");
        this_actor::sleep_until(SimTime::from_ns(70));
        log.push_back("a70");
    });
    CHECK(s.cancel(cancelled));
    REQUIRE(s.run().ok());
    CHECK(log == std::vector<std::string>{"cb50", "a50", "a70"});
}

TEST_CASE("yield lets every event of this instant run first", "[scheduler]") {
    Scheduler s({.seed = 1});
    std::vector<std::string> log;
    s.spawn("a", [&] {
        log.push_back("a1");
        this_actor::yield();
        log.push_back("a2");
    });
    s.spawn("b", [&] { log.push_back("b"); });
    REQUIRE(s.run().ok());
    CHECK(log == std::vector<std::string>{"a1", "b", "a2"});
    CHECK(s.now() == SimTime::zero());
}

TEST_CASE("an exception in an actor fails the run, naming actor, time and seed",
          "[scheduler][crash]") {
    Scheduler s({.seed = 77});
    bool other_ran_after = false;
    s.spawn("victim", [] {
        this_actor::sleep_for(SimDuration::seconds(3));
        throw std::runtime_error("boom");
    });
    s.spawn("other", [&] {
        this_actor::sleep_for(SimDuration::seconds(10));
        other_ran_after = true;
    });
    sim::RunResult r = s.run();
    CHECK(r.outcome == Outcome::actor_crashed);
    CHECK(r.message.find("victim") != std::string::npos);
    CHECK(r.message.find("3s") != std::string::npos);
    CHECK(r.message.find("boom") != std::string::npos);
    CHECK(r.seed == 77);
    CHECK_FALSE(other_ran_after);
    CHECK(s.actor(sim::ActorId(0)).state() == sim::ActorState::crashed);
}

TEST_CASE("daemons do not keep a run alive once the workload is done", "[scheduler]") {
    Scheduler s({.seed = 1});
    int ticks = 0;
    s.spawn("poller", [&] {
        for (;;) {
            this_actor::sleep_for(SimDuration::seconds(1));
            ++ticks;
        }
    }, {.kind = sim::ActorKind::daemon});
    s.spawn("work", [] { this_actor::sleep_for(SimDuration::millis(5500)); });
    sim::RunResult r = s.run();
    CHECK(r.ok());
    CHECK(ticks == 5);
    CHECK(r.end_time == SimTime::from_ns(5500000000));
}

TEST_CASE("event and time limits are their own outcomes", "[scheduler][limits]") {
    auto spinner = [] {
        for (;;) {
            this_actor::sleep_for(SimDuration::seconds(1));
        }
    };
    {
        Scheduler s({.seed = 1});
        s.spawn("spin", spinner);
        sim::RunResult r = s.run({.max_events = 100});
        CHECK(r.outcome == Outcome::event_limit);
        CHECK(r.events == 100);
    }
    {
        Scheduler s({.seed = 1});
        s.spawn("spin", spinner);
        sim::RunResult r = s.run({.max_time = SimTime::zero() + SimDuration::seconds(30)});
        CHECK(r.outcome == Outcome::time_limit);
        CHECK(r.end_time == SimTime::zero() + SimDuration::seconds(30));
    }
    {
        Scheduler s({.seed = 1});
        s.spawn("spin", spinner);
        int polls = 0;
        sim::RunResult r = s.run({.wall_clock_exceeded = [&] { return ++polls == 3; }});
        CHECK(r.outcome == Outcome::wall_limit);
    }
}

TEST_CASE("kill unwinds a blocked actor's stack; join observes the exit", "[scheduler]") {
    Scheduler s({.seed = 1});
    bool destructor_ran = false;
    struct Guard {
        bool* flag;
        ~Guard() { *flag = true; }
    };
    sim::ActorId victim = s.spawn("victim", [&] {
        Guard g{&destructor_ran};
        this_actor::sleep_for(SimDuration::hours(1));
    });
    bool joined = false;
    s.spawn("killer", [&] {
        this_actor::sleep_for(SimDuration::seconds(2));
        Scheduler::current().kill(victim);
        joined = Scheduler::current().join(victim, SimTime::never());
    });
    REQUIRE(s.run().ok());
    CHECK(destructor_ran);
    CHECK(joined);
    CHECK(s.actor(victim).state() == sim::ActorState::killed);
    CHECK(s.now() == SimTime::zero() + SimDuration::seconds(2));
}

TEST_CASE("join with a deadline times out on a live actor", "[scheduler]") {
    Scheduler s({.seed = 1});
    sim::ActorId slow = s.spawn("slow", [] { this_actor::sleep_for(SimDuration::seconds(9)); });
    bool joined = true;
    s.spawn("joiner", [&] {
        joined = Scheduler::current().join(slow, this_actor::now() + SimDuration::seconds(5));
    });
    REQUIRE(s.run().ok());
    CHECK_FALSE(joined);
}

TEST_CASE("blocking outside any actor is reported, not hung", "[scheduler][misuse]") {
    Scheduler s({.seed = 5});
    CHECK_THROWS_AS(this_actor::sleep_for(SimDuration::seconds(1)), sim::BlockingMisuse);
    s.schedule_at(SimTime::from_ns(10), [] { this_actor::sleep_for(SimDuration::seconds(1)); });
    sim::RunResult r = s.run();
    CHECK(r.outcome == Outcome::blocking_misuse);
    CHECK(r.message.find("outside any actor") != std::string::npos);
}

TEST_CASE("blocking inside a no-blocking scope names the scope and the actor",
          "[scheduler][misuse]") {
    Scheduler s({.seed = 5});
    s.spawn("gateway", [] {
        sim::NoBlockingScope scope("Gateway::~Gateway");
        this_actor::sleep_for(SimDuration::seconds(1));
    });
    sim::RunResult r = s.run();
    CHECK(r.outcome == Outcome::blocking_misuse);
    CHECK(r.message.find("Gateway::~Gateway") != std::string::npos);
    CHECK(r.message.find("'gateway'") != std::string::npos);
}

TEST_CASE("blocking in a destructor during unwinding is reported", "[scheduler][misuse]") {
    Scheduler s({.seed = 5});
    struct BlocksOnDrop {
        ~BlocksOnDrop() { this_actor::sleep_for(SimDuration::seconds(1)); }
    };
    s.spawn("client", [] {
        BlocksOnDrop d;
        throw std::runtime_error("early return");
    });
    sim::RunResult r = s.run();
    CHECK(r.outcome == Outcome::blocking_misuse);
    CHECK(r.message.find("destructor") != std::string::npos);
}

// Bodies up to 1 KiB live in the fiber's record on the actor's stack; a larger capture must not
// be placed there, or it would overflow a small stack (or land below its guard page).
TEST_CASE("a body with a capture larger than the stack runs", "[scheduler]") {
    Scheduler s({.seed = 1, .stack_bytes = 64 * 1024});
    std::array<uint64_t, 12 * 1024> big{};  // 96 KiB
    big.front() = 7;
    big.back() = 11;
    uint64_t seen = 0;
    s.spawn("big", [big, &seen] {
        this_actor::sleep_for(SimDuration::seconds(1));
        seen = big.front() + big.back();
    });
    REQUIRE(s.run().ok());
    CHECK(seen == 18);
}

// Boost's ucontext backend (the sanitizer builds) destroys a never-run fiber by starting it;
// the body must still never run, whether the actor is killed before the run or at teardown.
TEST_CASE("an actor killed before it starts never runs its body", "[scheduler]") {
    int ran = 0;
    {
        Scheduler s({.seed = 1});
        sim::ActorId early = s.spawn("early", [&] { ++ran; });
        s.kill(early);
        s.spawn("stopper", [&] {
            Scheduler::current().stop();  // the run ends after this event
            this_actor::spawn("never_started", [&] { ++ran; });  // still queued at teardown
        });
        sim::RunResult r = s.run();
        CHECK(r.ok());
        CHECK(s.actor(early).state() == sim::ActorState::killed);
    }
    CHECK(ran == 0);
}

// A join refused because the joiner itself unwinds (killed, RAII guard joining a child) must
// return, not loop: the refused block() never switched, so nothing would ever change.
TEST_CASE("join from a destructor while the joiner is killed returns", "[scheduler]") {
    Scheduler s({.seed = 1});
    sim::ActorId child = s.spawn("child", [] { this_actor::sleep_for(SimDuration::hours(5)); },
                                 {.kind = sim::ActorKind::daemon});
    bool join_result = true;
    struct JoinOnDrop {
        sim::ActorId child;
        bool* result;
        ~JoinOnDrop() { *result = Scheduler::current().join(child, SimTime::never()); }
    };
    sim::ActorId parent = s.spawn("parent", [&] {
        JoinOnDrop guard{child, &join_result};
        this_actor::sleep_for(SimDuration::hours(1));
    });
    s.spawn("killer", [&] {
        this_actor::sleep_for(SimDuration::seconds(1));
        Scheduler::current().kill(parent);
    });
    REQUIRE(s.run().ok());  // (before the fix: an endless loop inside the parent)
    CHECK_FALSE(join_result);
    CHECK(s.actor(parent).state() == sim::ActorState::killed);
}

// The body's captures are destroyed as its locals are: inside the actor, before it counts as
// exited, so a capture's destructor may still wait (a graceful close), and the actor exits
// after it.
TEST_CASE("a capture's destructor runs inside the actor and may block", "[scheduler]") {
    Scheduler s({.seed = 1});
    struct ClosesSlowly {
        bool armed = false;
        ClosesSlowly() = default;
        ClosesSlowly(ClosesSlowly&& other) noexcept : armed(std::exchange(other.armed, false)) {}
        ~ClosesSlowly() {
            if (armed) {
                this_actor::sleep_for(SimDuration::seconds(3));
            }
        }
    };
    ClosesSlowly closer;
    closer.armed = true;
    sim::ActorId id = s.spawn("closer", [c = std::move(closer)] {
        this_actor::sleep_for(SimDuration::seconds(1));
    });
    REQUIRE(s.run().ok());
    CHECK(s.actor(id).state() == sim::ActorState::finished);
    CHECK(s.now() == SimTime::zero() + SimDuration::seconds(4));
}

// The count of exceptions in flight is per thread: when a scheduler is destroyed while the
// host unwinds (a failed assertion in a test), its actors must still unwind at once instead of
// taking every block() for a blocking call during their own unwinding.
TEST_CASE("a scheduler destroyed while the host unwinds still unwinds its actors",
          "[scheduler]") {
    int destructors = 0;
    struct Counts {
        int* n;
        ~Counts() { ++*n; }
    };
    try {
        Scheduler s({.seed = 1});
        for (int i = 0; i < 2; ++i) {
            s.spawn("forever" + std::to_string(i), [&destructors] {
                Counts c{&destructors};
                for (;;) {
                    this_actor::sleep_for(SimDuration::seconds(1));
                }
            });
        }
        sim::RunLimits limits;
        limits.max_time = SimTime::zero() + SimDuration::seconds(10);
        CHECK(s.run(limits).outcome == Outcome::time_limit);
        throw std::runtime_error("host fails while the scheduler is alive");
    } catch (const std::runtime_error&) {
    }
    CHECK(destructors == 2);
}
