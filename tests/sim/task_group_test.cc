// TaskGroup and CancelToken: shutdown propagation, joins with grace, spawn/shutdown races.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/channel.h"
#include "sim/task_group.h"
#include "sim/this_actor.h"

using sim::CancelToken;
using sim::Scheduler;
using sim::SimDuration;
using sim::SimTime;
using sim::TaskGroup;
namespace this_actor = sim::this_actor;

namespace {

// A well-behaved task: does periodic work until its token is cancelled.
void cooperative(const CancelToken& token) {
    while (!token.is_cancelled()) {
        token.wait_until(this_actor::now() + SimDuration::seconds(1));
    }
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_CASE("shutdown reaches tasks in nested subgroups; join reports all finished",
          "[task_group]") {
    Scheduler s({.seed = 1});
    TaskGroup root(s, "server");
    sim::JoinReport report;
    SimTime joined_at;
    s.spawn("main", [&] {
        root.spawn("consensus", cooperative);
        root.subgroup("wallet").spawn("poller", cooperative);
        root.subgroup("wallet").subgroup("sync").spawn("fetch", cooperative);
        this_actor::sleep_for(SimDuration::seconds(10));
        report = root.shutdown_and_join(SimDuration::seconds(30));
        joined_at = this_actor::now();
    });
    REQUIRE(s.run().ok());
    CHECK(report.clean());
    CHECK(report.finished.size() == 3);
    // Subgroups are joined before the parent's own tasks.
    CHECK(report.finished.front() == "server/wallet/sync/fetch");
    CHECK(report.finished.back() == "server/consensus");
    CHECK(joined_at == SimTime::zero() + SimDuration::seconds(10));
}

TEST_CASE("a task that ignores shutdown is reported by name after the grace period",
          "[task_group]") {
    Scheduler s({.seed = 1});
    TaskGroup root(s, "gateway");
    sim::JoinReport report;
    SimTime joined_at;
    s.spawn("main", [&] {
        root.spawn("good", cooperative);
        root.spawn("stuck", [](const CancelToken&) {
            this_actor::sleep_for(SimDuration::hours(5));  // never looks at its token
        });
        this_actor::sleep_for(SimDuration::seconds(1));
        report = root.shutdown_and_join(SimDuration::seconds(60));
        joined_at = this_actor::now();
        root.abort();
    });
    REQUIRE(s.run().ok());
    CHECK_FALSE(report.clean());
    CHECK(report.unfinished == std::vector<std::string>{"gateway/stuck"});
    CHECK(contains(report.finished, "gateway/good"));
    CHECK(joined_at == SimTime::zero() + SimDuration::seconds(61));
}

TEST_CASE("an unclean shutdown can fail the run, naming the task", "[task_group]") {
    Scheduler s({.seed = 3});
    TaskGroup root(s, "client");
    s.spawn("main", [&] {
        root.spawn("stuck", [](const CancelToken&) { this_actor::sleep_for(SimDuration::hours(1)); });
        root.shutdown_and_join_or_fail(SimDuration::seconds(30));
    });
    sim::RunResult r = s.run();
    CHECK(r.outcome == sim::Outcome::unclean_shutdown);
    CHECK(r.message.find("client/stuck") != std::string::npos);
}

TEST_CASE("spawn racing shutdown at the same instant never loses the signal",
          "[task_group][race]") {
    for (bool spawn_first : {true, false}) {
        Scheduler s({.seed = 1});
        TaskGroup group(s, "g");
        bool task_saw_cancel = false;
        bool task_started = false;
        auto do_spawn = [&] {
            group.spawn("late", [&](const CancelToken& token) {
                task_started = true;
                token.wait();  // would hang forever if the signal were lost
                task_saw_cancel = true;
            });
        };
        auto at = SimTime::zero() + SimDuration::seconds(5);
        if (spawn_first) {
            s.schedule_at(at, do_spawn);
            s.schedule_at(at, [&] { group.shutdown(); });
        } else {
            s.schedule_at(at, [&] { group.shutdown(); });
            s.schedule_at(at, do_spawn);
        }
        sim::JoinReport report;
        s.spawn("joiner", [&] {
            this_actor::sleep_until(at + SimDuration::seconds(1));
            report = group.join(SimDuration::seconds(10));
        });
        REQUIRE(s.run().ok());
        CHECK(report.clean());
        if (spawn_first) {
            CHECK(task_started);
            CHECK(task_saw_cancel);
        } else {
            CHECK_FALSE(task_started);
            CHECK(report.not_started == std::vector<std::string>{"g/late"});
        }
    }
}

TEST_CASE("cancel tokens: children follow parents, late children and callbacks fire at once",
          "[task_group][cancel]") {
    Scheduler s({.seed = 1});
    CancelToken parent("parent");
    CancelToken child = parent.child("child");
    std::vector<std::string> fired;
    child.on_cancel([&] { fired.push_back("child-cb"); });
    parent.cancel();
    CHECK(child.is_cancelled());
    CHECK(parent.child("late").is_cancelled());
    parent.on_cancel([&] { fired.push_back("late-cb"); });
    CHECK(fired == std::vector<std::string>{"child-cb", "late-cb"});
    CancelToken other("other");
    other.child("c");
    CHECK_FALSE(other.is_cancelled());
}

TEST_CASE("abort unwinds tasks that ignored shutdown", "[task_group]") {
    Scheduler s({.seed = 1});
    TaskGroup group(s, "g");
    bool unwound = false;
    struct Guard {
        bool* flag;
        ~Guard() { *flag = true; }
    };
    s.spawn("main", [&] {
        sim::ActorId id = group.spawn("stuck", [&](const CancelToken&) {
            Guard g{&unwound};
            this_actor::sleep_for(SimDuration::hours(1));
        });
        this_actor::sleep_for(SimDuration::seconds(1));
        group.abort();
        CHECK(Scheduler::current().join(id, SimTime::never()));
    });
    REQUIRE(s.run().ok());
    CHECK(unwound);
}
