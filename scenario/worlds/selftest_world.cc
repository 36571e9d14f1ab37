// World kind "selftest": a deliberately misbehaving world for testing fedsim's own tools.
//
// It fails on chosen seeds (a checker with a number in its message, for the shrinker), can
// crash its process on one seed in several ways (for the sweep's crash isolation: a segfault,
// an abort, a failed assertion, an actor overflowing its stack, an actor spinning forever),
// can leak state between runs in one process (for check-determinism), and its timeline can
// fail a check, crash the run or stall it at a chosen time (for keep-going: a fatal ending
// after a recorded violation). Nothing else should use it.
#include <csignal>
#include <cstdlib>
#include <stdexcept>

#include "scenario/worlds/builtin_worlds.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace scenario {

namespace {

// Deliberately process-global: the "leak_state" parameter makes runs depend on it.
int64_t g_runs_in_process = 0;

class SelftestWorld : public World {
public:
    int64_t steps_done = 0;
    int64_t marks = 0;
    int64_t value = 0;
    bool fail = false;
    uint64_t seed = 0;
    sim::Scheduler* scheduler = nullptr;
    sim::NodeId node;

    // Called from a scheduler callback: "throw" escapes it (the run ends actor_crashed).
    void on_action(const TimelineEntry& entry) override {
        if (entry.action == "mark") {
            ++marks;
        } else if (entry.action == "violate") {
            scheduler->fail(sim::Outcome::check_failed,
                            "selftest: violation '" + entry.name + "' on purpose",
                            "selftest.violate");
        } else if (entry.action == "throw") {
            throw std::runtime_error("selftest: thrown on purpose");
        } else if (entry.action == "hang") {
            // A foreground actor that waits for nothing: once the stepper is done, a stall.
            scheduler->spawn(
                "hanger", [] { sim::this_actor::sleep_until(sim::SimTime::never()); },
                {.node = node});
        }
    }

    std::vector<CheckResult> check() const override {
        return {{"selftest.seed_ok", !fail,
                 fail ? "seed " + std::to_string(seed) + " is a failing seed (value " +
                            std::to_string(value) + ")"
                      : ""}};
    }

    std::map<std::string, int64_t> metrics() const override {
        return {{"selftest.steps", steps_done}, {"selftest.marks", marks}};
    }
};

// Recurses until the actor's guard page stops it; the volatile frame keeps every level real.
// (The depth test is never true: it only tells the compiler the recursion could end.)
int64_t recurse_forever(int64_t depth) {
    if (depth == INT64_MAX) {
        return 0;
    }
    volatile char frame[512];
    frame[depth % 512] = static_cast<char>(depth);
    return recurse_forever(depth + 1) + frame[0];
}

// Crashes this process the way `mode` says. "overflow" and "loop" do it inside an actor (so the
// guard page can name it, and so the run loop never regains control), the others at once.
void crash_on_purpose(BuildContext& ctx, sim::NodeId node, const std::string& mode) {
    if (mode == "abort") {
        std::abort();
    }
    if (mode == "assert") {
        SIM_ASSERT_MSG(mode != "assert", "selftest: crash_mode assert");
    }
    if (mode == "overflow") {
        ctx.sim.scheduler().spawn("deep_recursion", [] { recurse_forever(0); }, {.node = node});
        return;
    }
    if (mode == "loop") {
        ctx.sim.scheduler().spawn(
            "spinner",
            [] {
                volatile uint64_t spins = 0;
                for (;;) {
                    spins = spins + 1;
                }
            },
            {.node = node});
        return;
    }
    std::raise(SIGSEGV);
}

std::unique_ptr<World> build(BuildContext& ctx) {
    auto world = std::make_unique<SelftestWorld>();
    const ParamValues& p = ctx.params;
    uint64_t seed = ctx.sim.config().seed;
    world->seed = seed;
    world->value = param_int(p, "value");
    int64_t fail_every = param_int(p, "fail_every");
    // Failing needs a large enough value, so the shrinker has something to narrow.
    world->fail = fail_every > 0 && seed % static_cast<uint64_t>(fail_every) == 0 &&
                  world->value >= param_int(p, "fail_min_value");
    int64_t leak = p.at("leak_state").flag() ? g_runs_in_process++ : 0;
    sim::NodeId node = ctx.sim.network().add_node("box");
    world->scheduler = &ctx.sim.scheduler();
    world->node = node;
    if (static_cast<int64_t>(seed) == param_int(p, "crash_seed")) {
        crash_on_purpose(ctx, node, param_text(p, "crash_mode"));
    }
    SelftestWorld* w = world.get();
    int64_t steps = param_int(p, "steps");
    ctx.sim.scheduler().spawn(
        "stepper",
        [w, steps, leak] {
            for (int64_t i = 0; i < steps; ++i) {
                sim::this_actor::sleep_for(sim::SimDuration::millis(1 + leak));
                ++w->steps_done;
                sim::this_actor::trace("step").field("i", i);
            }
        },
        {.node = node});
    return world;
}

}  // namespace

void register_selftest_world(WorldRegistry& registry) {
    WorldKind k;
    k.name = "selftest";
    k.doc = "Misbehaves on purpose (fails, crashes, leaks state) to test fedsim's own tools";
    k.fixed_nodes = {"box"};
    k.params = {
        integer_param("steps", "steps the one actor takes", 3, 0, 1000000),
        integer_param("value", "a number the failure message shows", 100, 0, 1000000),
        integer_param("fail_min_value", "the failure needs value >= this", 10, 0, 1000000),
        integer_param("fail_every", "seeds divisible by this fail (0: none)", 0, 0, 1000000),
        integer_param("crash_seed", "this seed crashes the process (-1: none)", -1, -1,
                      INT64_MAX),
        {.name = "crash_mode", .type = ValueType::text,
         .doc = "how crash_seed crashes: segv, abort, assert, overflow (an actor's stack) or "
                "loop (an actor that never yields)",
         .choices = {"segv", "abort", "assert", "overflow", "loop"},
         .default_value = text_value("segv")},
        {.name = "leak_state", .type = ValueType::boolean,
         .doc = "make each run depend on how many ran before it in the process",
         .default_value = bool_value(false)},
    };
    k.params[0].shrink_toward = 0;
    k.params[1].shrink_toward = 0;
    k.actions = {{"mark", "count a mark", {}},
                 {"violate", "fail a check (the entry's name in the message)", {}},
                 {"throw", "throw out of the timeline's callback: the run ends actor_crashed",
                  {}},
                 {"hang", "start an actor that waits forever: a stall once the steps end", {}}};
    k.checkers = {{"selftest.seed_ok", "the seed is not one of the failing seeds"}};
    k.metrics = {{"selftest.steps", "steps taken"}, {"selftest.marks", "marks counted"}};
    k.build = build;
    registry.register_world(std::move(k));
}

}  // namespace scenario
