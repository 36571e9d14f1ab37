// NodeClock: each node's wall clock, which can be wrong.
//
// wall = epoch + sim time + offset + drift, with drift in parts per million of elapsed sim time.
// Models read unix time through here (invoice expiry, unix-time votes), so clock skew is a
// fault like any other: seeded, scheduled, traced. Integer arithmetic only.
#pragma once

#include <cstdint>
#include <map>

#include "sim/ids.h"
#include "sim/time.h"

namespace sim {

struct ClockSkew {
    SimDuration offset;
    int64_t drift_ppm = 0;
};

class Clocks {
public:
    // 2026-01-01T00:00:00Z: a fixed, readable origin for unix times in every run.
    static constexpr int64_t k_default_epoch_unix_s = 1767225600;

    explicit Clocks(int64_t epoch_unix_s = k_default_epoch_unix_s) : epoch_s_(epoch_unix_s) {}

    void set_skew(NodeId node, ClockSkew skew) { skews_[node.value] = skew; }
    ClockSkew skew(NodeId node) const;
    int64_t epoch_unix_s() const { return epoch_s_; }

    // The node's idea of unix time at sim time `now`, in nanoseconds and whole seconds.
    int64_t unix_ns(NodeId node, SimTime now) const;
    int64_t unix_seconds(NodeId node, SimTime now) const;

private:
    int64_t epoch_s_;
    std::map<uint32_t, ClockSkew> skews_;
};

}  // namespace sim
