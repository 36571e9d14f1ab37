// W1 timer chains: C independent chains of callbacks, E events in total, on sim::Scheduler.
#include <vector>

#include "bench/bench_common.h"
#include "sim/scheduler.h"

namespace {

struct Chain {
    bench::SpecStream rng;
    uint64_t remaining;
};

struct World {
    sim::Scheduler* sched;
    std::vector<Chain> chains;
    uint64_t events = 0;
};

void on_event(World* w, uint64_t i) {
    ++w->events;
    Chain& c = w->chains[i];
    if (--c.remaining > 0) {
        w->sched->schedule_after(sim::SimDuration::micros(static_cast<int64_t>(c.rng.delay_us())),
                                 [w, i] { on_event(w, i); });
    }
}

}  // namespace

int main(int argc, char** argv) {
    const uint64_t chains = bench::arg_u64(argc, argv, "c", 1000);
    const uint64_t total = bench::arg_u64(argc, argv, "events", 10000000);
    sim::Scheduler sched({.seed = 42});
    World w{&sched, {}, 0};
    w.chains.reserve(chains);
    for (uint64_t i = 0; i < chains; ++i) {
        w.chains.push_back(Chain{bench::SpecStream(i), total / chains});
    }
    for (uint64_t i = 0; i < chains; ++i) {
        auto first = sim::SimDuration::micros(static_cast<int64_t>(w.chains[i].rng.delay_us()));
        sched.schedule_at(sim::SimTime::zero() + first, [wp = &w, i] { on_event(wp, i); });
    }
    bench::Stopwatch watch;
    sim::RunResult r = sched.run();
    double wall = watch.seconds();
    bench::report("W1", chains, "events_per_s", w.events, wall, r.end_time.ns(), r.fingerprint);
    return r.ok() ? 0 : 1;
}
