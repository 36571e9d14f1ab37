// World kind "shutdown": a service's task group shut down under load, with a grace period.
//
// A supervisor starts `tasks` ticker tasks in a TaskGroup, waits until `stop_after` (or the
// timeline's "shutdown" action), then shuts the group down and joins it with `grace`; an
// unclean join fails the run (Outcome::unclean_shutdown). Fault points make tickers stall and,
// as the historical bug variant, ignore cancellation. The world emits "shutdown_started" and
// "shutdown_done" so timeline entries can follow the shutdown.
#include "scenario/worlds/builtin_worlds.h"
#include "sim/sync.h"
#include "sim/task_group.h"
#include "sim/this_actor.h"

namespace scenario {

namespace {

class ShutdownWorld : public World {
public:
    explicit ShutdownWorld(sim::Scheduler& sched) : group(sched, "service") {}

    sim::TaskGroup group;
    sim::Flag trigger{"shutdown-trigger"};
    sim::JoinReport report;
    bool joined = false;
    int64_t ticks = 0;

    void on_action(const TimelineEntry& entry) override {
        if (entry.action == "shutdown") {
            trigger.set();
        }
    }

    std::vector<CheckResult> check() const override {
        bool clean = joined && report.clean();
        return {{"shutdown.clean", clean,
                 clean ? "" : joined ? report.describe() : "the group was never joined"}};
    }

    std::map<std::string, int64_t> metrics() const override {
        return {{"shutdown.ticks", ticks},
                {"shutdown.finished", static_cast<int64_t>(report.finished.size())},
                {"shutdown.unfinished", static_cast<int64_t>(report.unfinished.size())}};
    }
};

void run_ticker(ShutdownWorld* w, const sim::CancelToken& token, sim::SimDuration tick,
                sim::SimDuration stall) {
    while (!token.wait_until(sim::this_actor::now() + tick)) {
        ++w->ticks;
        if (sim::buggify("shutdown.ticker_stall")) {
            sim::this_actor::sleep_for(stall);
        }
    }
    if (sim::buggify("shutdown.ignore_cancel")) {
        // The bug: work started after cancellation that nobody waits for or bounds.
        sim::this_actor::trace("ignoring_cancel");
        sim::this_actor::sleep_for(sim::SimDuration::hours(1));
    }
}

std::unique_ptr<World> build(BuildContext& ctx) {
    auto world = std::make_unique<ShutdownWorld>(ctx.sim.scheduler());
    sim::NodeId node = ctx.sim.network().add_node("node");
    const ParamValues& p = ctx.params;
    int64_t tasks = param_int(p, "tasks");
    sim::SimDuration tick = param_duration(p, "tick");
    sim::SimDuration stall = param_duration(p, "stall");
    sim::SimDuration stop_after = param_duration(p, "stop_after");
    sim::SimDuration grace = param_duration(p, "grace");
    ShutdownWorld* w = world.get();
    auto emit = ctx.emit;
    auto supervisor = [w, tasks, tick, stall, stop_after, grace, emit] {
        for (int64_t i = 0; i < tasks; ++i) {
            w->group.spawn("ticker" + std::to_string(i),
                           [w, tick, stall](const sim::CancelToken& token) {
                               run_ticker(w, token, tick, stall);
                           });
        }
        w->trigger.wait_until(sim::this_actor::now() + stop_after);
        emit("shutdown_started");
        w->report = w->group.shutdown_and_join_or_fail(grace);
        w->joined = true;
        emit("shutdown_done");
    };
    ctx.sim.scheduler().spawn("supervisor", supervisor, {.node = node});
    return world;
}

}  // namespace

void register_shutdown_world(WorldRegistry& registry) {
    WorldKind k;
    k.name = "shutdown";
    k.doc = "A supervisor shuts down a task group of tickers and joins it within a grace period";
    k.fixed_nodes = {"node"};
    k.params = {
        integer_param("tasks", "ticker tasks in the group", 4, 1, 1000),
        duration_param("tick", "ticker period", sim::SimDuration::millis(7)),
        duration_param("stall", "how long a stalled tick takes", sim::SimDuration::millis(3)),
        duration_param("stop_after", "when the supervisor shuts down", sim::SimDuration::millis(200)),
        duration_param("grace", "how long the join waits", sim::SimDuration::seconds(1)),
    };
    k.params[0].shrink_toward = 1;
    k.actions = {{"shutdown", "start the shutdown now", {}}};
    k.events = {{"shutdown_started", "the supervisor began shutting the group down"},
                {"shutdown_done", "the join returned"}};
    k.checkers = {{"shutdown.clean", "every task finished within the grace period"}};
    k.metrics = {{"shutdown.ticks", "ticks done by all tickers"},
                 {"shutdown.finished", "tasks that finished in time"},
                 {"shutdown.unfinished", "tasks still running at the deadline"}};
    k.fault_points = {{"shutdown.ticker_stall", "a tick takes `stall` longer"},
                      {"shutdown.ignore_cancel", "a ticker keeps working after cancellation"}};
    k.bug_variants = {{"shutdown.ignore_cancel",
                       "force the fault point on: a task ignores cancellation, so the join "
                       "times out (unclean_shutdown)"}};
    k.build = build;
    registry.register_world(std::move(k));
}

}  // namespace scenario
