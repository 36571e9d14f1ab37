// Skewed wall clocks per node.
#include "sim/clock.h"

namespace sim {

ClockSkew Clocks::skew(NodeId node) const {
    auto it = skews_.find(node.value);
    return it == skews_.end() ? ClockSkew{} : it->second;
}

int64_t Clocks::unix_ns(NodeId node, SimTime now) const {
    ClockSkew s = skew(node);
    // Drift accrues over elapsed sim time: ppm of now. Division truncates toward zero.
    __extension__ typedef __int128 i128;
    i128 drift = static_cast<i128>(now.ns()) * s.drift_ppm / 1000000;
    i128 wall = static_cast<i128>(epoch_s_) * 1000000000 + now.ns() + s.offset.ns() + drift;
    return static_cast<int64_t>(wall);
}

int64_t Clocks::unix_seconds(NodeId node, SimTime now) const {
    int64_t ns = unix_ns(node, now);
    // Floor, also for (absurd) negative times.
    return ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
}

}  // namespace sim
