// W2 actor sleep: A actors, each sleeping N/A times for spec-drawn delays.
#include "bench/bench_common.h"
#include "sim/scheduler.h"
#include "sim/this_actor.h"

int main(int argc, char** argv) {
    const uint64_t actors = bench::arg_u64(argc, argv, "a", 1000);
    const uint64_t total = bench::arg_u64(argc, argv, "wakeups", 2000000);
    const uint64_t stack_kib = bench::arg_u64(argc, argv, "stack_kib", 64);
    const uint64_t per_actor = total / actors;
    sim::Scheduler sched({.seed = 42, .stack_bytes = stack_kib * 1024});
    uint64_t wakeups = 0;
    for (uint64_t i = 0; i < actors; ++i) {
        sched.spawn("a" + std::to_string(i), [i, per_actor, &wakeups] {
            bench::SpecStream rng(i);
            for (uint64_t k = 0; k < per_actor; ++k) {
                sim::this_actor::sleep_for(
                    sim::SimDuration::micros(static_cast<int64_t>(rng.delay_us())));
                ++wakeups;
            }
        });
    }
    bench::Stopwatch watch;
    sim::RunResult r = sched.run();
    double wall = watch.seconds();
    bench::report("W2", actors, "wakeups_per_s", wakeups, wall, r.end_time.ns(), r.fingerprint);
    return r.ok() ? 0 : 1;
}
