// World kind "service": a daemon's life cycle — tasks that start up and subscribe to the
// shutdown signal while the service is being stopped, and user actors sharing one client handle
// whose background tasks still run when the last user lets go.
//
// Expectations are the general ones: every task stops within the grace period after shutdown
// (the run fails with "did not stop" otherwise), and nothing blocks in a destructor (the
// scheduler's blocking-misuse detection). The "variant" parameter switches on the historical
// task-group race (#2701) or the blocking Drop (#9053); see scenario/variants.h.
#include "actors/variants/client_handle.h"
#include "actors/variants/handler_task_group.h"
#include "scenario/variants.h"
#include "scenario/worlds/builtin_worlds.h"
#include "scenario/worlds/end_of_run.h"
#include "sim/this_actor.h"

namespace scenario {

namespace {

using actors::variants::ClientCore;
using actors::variants::ClientHandle;
using actors::variants::DropMode;
using actors::variants::HandlerTaskGroup;
using actors::variants::OnShutdownMode;

class ServiceWorld : public World {
public:
    ServiceWorld(sim::Scheduler& sched, OnShutdownMode mode) : group(sched, "service", mode) {}

    HandlerTaskGroup group;
    int64_t stopped_tasks = 0;
    int64_t drops = 0;

    std::map<std::string, int64_t> metrics() const override {
        return {{"service.stopped_tasks", stopped_tasks}, {"service.handle_drops", drops}};
    }
};

struct ServiceParams {
    int64_t tasks = 0;
    sim::SimDuration startup_max;
    sim::SimDuration tick;
    sim::SimDuration stop_after;
    sim::SimDuration grace;
    int64_t users = 0;
    sim::SimDuration user_work_max;
    int64_t syncs = 0;
    sim::SimDuration sync_max;
};

// A task that does its start-up work, then subscribes to shutdown and ticks until told to stop.
void run_task(ServiceWorld* w, sim::SimDuration startup_max, sim::SimDuration tick) {
    sim::this_actor::sleep_for(sim::this_actor::random().duration(sim::SimDuration::zero(),
                                                                  startup_max));
    std::shared_ptr<sim::Flag> rx = w->group.make_shutdown_rx();
    while (!rx->wait_until(sim::this_actor::now() + tick)) {
    }
    ++w->stopped_tasks;
}

void run_service(ServiceWorld* w, const ServiceParams& p) {
    for (int64_t i = 0; i < p.tasks; ++i) {
        w->group.spawn("task" + std::to_string(i),
                       [w, p] { run_task(w, p.startup_max, p.tick); });
    }
    sim::this_actor::sleep_for(p.stop_after);
    w->group.shutdown();
    std::vector<std::string> unfinished = w->group.join_all(p.grace);
    // The verdict is in; a task that missed the shutdown ticks forever, so a failure ends the
    // run here under keep_going too (end_of_run.h).
    const CheckResult stopped{
        .checker = "service.tasks_stop",
        .passed = unfinished.empty(),
        .message = unfinished.empty()
                       ? ""
                       : "task '" + unfinished.front() + "' did not stop within " +
                             sim::to_string(p.grace) + " of shutdown (" +
                             std::to_string(unfinished.size()) + " still running)"};
    judge_end_of_run(sim::Scheduler::current(), {stopped},
                     [](const CheckResult& c) { sim::this_actor::fail(c.message); });
}

// Users share one client; each works a while and drops its handle. The last drop shuts the
// client down, wherever that happens.
void start_users(sim::Simulation& simulation, ServiceWorld* w, const ServiceParams& p,
                 DropMode mode) {
    sim::Scheduler& sched = simulation.scheduler();
    sim::Random rng = simulation.random("service.client");
    ClientHandle client = std::make_shared<ClientCore>(sched, "client", mode);
    for (int64_t i = 0; i < p.syncs; ++i) {
        client->spawn_background(
            "sync" + std::to_string(i),
            rng.duration(sim::SimDuration::zero(), p.sync_max));
    }
    for (int64_t i = 0; i < p.users; ++i) {
        sched.spawn("user" + std::to_string(i), [w, client, p]() mutable {
            sim::this_actor::sleep_for(sim::this_actor::random().duration(
                sim::SimDuration::zero(), p.user_work_max));
            ++w->drops;
            client.reset();
        });
    }
}

std::unique_ptr<World> build(BuildContext& ctx) {
    const ParamValues& v = ctx.params;
    const std::string& variant = param_text(v, "variant");
    ServiceParams p{.tasks = param_int(v, "tasks"), .startup_max = param_duration(v, "startup_max"),
                    .tick = param_duration(v, "tick"), .stop_after = param_duration(v, "stop_after"),
                    .grace = param_duration(v, "grace"), .users = param_int(v, "users"),
                    .user_work_max = param_duration(v, "user_work_max"),
                    .syncs = param_int(v, "syncs"), .sync_max = param_duration(v, "sync_max")};
    OnShutdownMode mode = variant == "on_shutdown_race" ? OnShutdownMode::lost_if_late
                                                        : OnShutdownMode::run_if_late;
    DropMode drop = variant == "blocking_drop" ? DropMode::block_on_join : DropMode::cancel_only;
    sim::Scheduler& sched = ctx.sim.scheduler();
    auto world = std::make_unique<ServiceWorld>(sched, mode);
    ServiceWorld* w = world.get();
    sim::NodeId node = ctx.sim.network().add_node("service");
    sched.spawn("supervisor", [w, p] { run_service(w, p); }, {.node = node});
    if (p.users > 0) {
        start_users(ctx.sim, w, p, drop);
    }
    return world;
}

}  // namespace

void register_service_world(WorldRegistry& registry) {
    WorldKind k;
    k.name = "service";
    k.doc = "A daemon's tasks start up and subscribe to shutdown while it stops; users share a "
            "client handle with background tasks";
    k.fixed_nodes = {"service"};
    k.params = {
        variant_param("service"),
        integer_param("tasks", "tasks the service spawns at start", 4, 0, 1000),
        duration_param("startup_max", "a task's start-up work before it subscribes to "
                                      "shutdown, drawn from [0, startup_max]",
                       sim::SimDuration::millis(20)),
        duration_param("tick", "a task's work period", sim::SimDuration::millis(5)),
        duration_param("stop_after", "when the supervisor stops the service",
                       sim::SimDuration::millis(100)),
        duration_param("grace", "how long the join waits for every task",
                       sim::SimDuration::seconds(1)),
        integer_param("users", "user actors sharing one client handle", 0, 0, 1000),
        duration_param("user_work_max", "a user's work before dropping its handle",
                       sim::SimDuration::millis(50)),
        integer_param("syncs", "the client's background tasks", 2, 0, 1000),
        duration_param("sync_max", "a background task's work", sim::SimDuration::millis(50)),
    };
    k.params[1].shrink_toward = 1;
    k.params[6].shrink_toward = 1;
    k.params[8].shrink_toward = 1;
    k.metrics = {{"service.stopped_tasks", "tasks that saw the shutdown signal and returned"},
                 {"service.handle_drops", "client handles dropped by users"}};
    k.bug_variants = variant_docs("service");
    k.build = build;
    registry.register_world(std::move(k));
}

}  // namespace scenario
