// W3 ping-pong: P pairs exchanging R = RT/P round trips over zero-latency channels.
#include <memory>
#include <vector>

#include "bench/bench_common.h"
#include "sim/channel.h"
#include "sim/scheduler.h"

int main(int argc, char** argv) {
    const uint64_t pairs = bench::arg_u64(argc, argv, "p", 100);
    const uint64_t total = bench::arg_u64(argc, argv, "roundtrips", 1000000);
    const uint64_t per_pair = total / pairs;
    sim::Scheduler sched({.seed = 42});
    std::vector<std::unique_ptr<sim::Channel<uint64_t>>> to_ping;
    std::vector<std::unique_ptr<sim::Channel<uint64_t>>> to_pong;
    for (uint64_t j = 0; j < pairs; ++j) {
        to_ping.push_back(std::make_unique<sim::Channel<uint64_t>>("to_ping" + std::to_string(j)));
        to_pong.push_back(std::make_unique<sim::Channel<uint64_t>>("to_pong" + std::to_string(j)));
    }
    uint64_t messages = 0;
    for (uint64_t j = 0; j < pairs; ++j) {
        sim::Channel<uint64_t>* in = to_ping[j].get();
        sim::Channel<uint64_t>* out = to_pong[j].get();
        sched.spawn("ping" + std::to_string(j), [in, out, per_pair, &messages] {
            for (uint64_t r = 0; r < per_pair; ++r) {
                out->send(r);
                std::optional<uint64_t> v = in->recv();
                ++messages;
                if (!v || *v != r) {
                    std::abort();
                }
            }
        });
        sched.spawn("pong" + std::to_string(j), [in = out, out = in, per_pair, &messages] {
            for (uint64_t r = 0; r < per_pair; ++r) {
                std::optional<uint64_t> v = in->recv();
                ++messages;
                out->send(*v);
            }
        });
    }
    bench::Stopwatch watch;
    sim::RunResult r = sched.run();
    double wall = watch.seconds();
    bench::report("W3", pairs, "messages_per_s", messages, wall, r.end_time.ns(), r.fingerprint);
    return r.ok() ? 0 : 1;
}
