// The guardian's bitcoind monitor schedule: when it polls and what a poll yields.
//
// Each guardian reads its own node through `ServerBitcoinRpcMonitor`: a task that ticks at a
// fixed interval (100 ms in the test env, 60 s in production) and replaces the cached status
// with Some(status) on success or None on any RPC error (fedimint.md 1.2). Module votes read the
// cached status, never the chain. Guardians start with a seeded phase so their polls interleave
// differently per seed instead of all landing on the same instant.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/assert.h"
#include "sim/random.h"
#include "sim/time.h"

namespace actors::federation {

constexpr sim::SimDuration k_monitor_interval_test = sim::SimDuration::millis(100);
constexpr sim::SimDuration k_monitor_interval_production = sim::SimDuration::seconds(60);

// What the monitor caches. Only the count matters to the rules modelled here.
struct BitcoinStatus {
    uint64_t block_count = 0;  // tip height + 1.
};

// The cached value after one poll: the RPC's answer, or None when the RPC failed.
constexpr std::optional<BitcoinStatus> monitor_poll_result(std::optional<uint64_t> rpc_count) {
    if (!rpc_count.has_value()) {
        return std::nullopt;
    }
    return BitcoinStatus{.block_count = *rpc_count};
}

struct MonitorSchedule {
    sim::SimDuration interval = k_monitor_interval_test;
    sim::SimDuration phase;  // first poll at start + phase; 0 <= phase < interval.

    // A phase drawn uniformly in [0, interval) from the guardian's own stream.
    static MonitorSchedule seeded(sim::SimDuration interval, sim::Random& random) {
        SIM_ASSERT(interval > sim::SimDuration::zero());
        uint64_t ns = random.below(static_cast<uint64_t>(interval.ns()));
        return MonitorSchedule{.interval = interval,
                               .phase = sim::SimDuration::nanos(static_cast<int64_t>(ns))};
    }

    // The first poll strictly after `now`, for a monitor started at `start`: polls happen at
    // start + phase + k * interval for k >= 0.
    constexpr sim::SimTime next_poll_after(sim::SimTime start, sim::SimTime now) const {
        SIM_ASSERT(interval > sim::SimDuration::zero());
        sim::SimTime first = start + phase;
        if (now < first) {
            return first;
        }
        int64_t elapsed = (now - first).ns();
        int64_t k = elapsed / interval.ns() + 1;
        return first + interval * k;
    }
};

// The client/gateway-side block-count task only reports a poll when the count changed.
constexpr bool block_count_update_due(std::optional<uint64_t> last_reported, uint64_t polled) {
    return !last_reported.has_value() || *last_reported != polled;
}

}  // namespace actors::federation
