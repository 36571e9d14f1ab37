// Profile overrides and generated channel graphs for the Lightning-bearing worlds.
#include "scenario/worlds/lightning_world_shared.h"

#include <optional>

#include "scenario/worlds/chain_world_fields.h"

namespace scenario {

namespace ln = actors::lightning;

namespace {

template <typename T>
std::optional<T> optional_prop(const std::map<std::string, Value>& props, const std::string& n) {
    auto it = props.find(n);
    return it == props.end() ? std::nullopt : std::optional<T>(static_cast<T>(it->second.number));
}

}  // namespace

ln::ProfileOverrides profile_overrides(const std::map<std::string, Value>& props,
                                       const std::string& prefix) {
    ln::ProfileOverrides o;
    o.cltv_expiry_delta = optional_prop<uint32_t>(props, prefix + "cltv_expiry_delta");
    o.fee_base_msat = optional_prop<uint64_t>(props, prefix + "fee_base_msat");
    o.fee_ppm = optional_prop<uint32_t>(props, prefix + "fee_ppm");
    o.max_accepted_htlcs = optional_prop<uint32_t>(props, prefix + "max_accepted_htlcs");
    o.min_final_cltv_expiry_delta =
        optional_prop<uint32_t>(props, prefix + "min_final_cltv_expiry_delta");
    return o;
}

ln::Result<ln::Topology> generate_topology(const Topology& topology, uint32_t n,
                                           sim::Random& random) {
    const auto& a = topology.generator_args;
    ln::TopologyOptions opt;
    opt.capacity_sat = {static_cast<uint64_t>(prop_int_or(a, "capacity_sat_min", 1000000)),
                        static_cast<uint64_t>(prop_int_or(a, "capacity_sat_max", 1000000))};
    opt.node1_share_percent = {static_cast<uint64_t>(prop_int_or(a, "share_percent_min", 50)),
                               static_cast<uint64_t>(prop_int_or(a, "share_percent_max", 50))};
    const std::string& kind = *topology.generator;
    if (kind == "line") {
        return ln::Result<ln::Topology>::success(ln::line_topology(n, opt, random));
    }
    if (kind == "star") {
        return ln::Result<ln::Topology>::success(ln::star_topology(n - 1, opt, random));
    }
    auto m = static_cast<uint32_t>(prop_int_or(a, "channels", n - 1));
    return ln::scale_free_topology(n, m, opt, random);
}

}  // namespace scenario
