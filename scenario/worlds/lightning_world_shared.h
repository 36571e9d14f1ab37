// Pieces the Lightning-bearing worlds ("lightning" and "gateway") share: a channel side's
// profile overrides read from a topology entry's properties, and the generated channel graph
// (line / star / scale-free) read from the topology's generator arguments.
#pragma once

#include <map>
#include <string>

#include "actors/lightning/profile.h"
#include "actors/lightning/result.h"
#include "actors/lightning/topology.h"
#include "scenario/scenario.h"
#include "sim/random.h"

namespace scenario {

// The overrides named `prefix` + "cltv_expiry_delta", "fee_base_msat", "fee_ppm",
// "max_accepted_htlcs" and "min_final_cltv_expiry_delta"; absent properties stay unset.
actors::lightning::ProfileOverrides profile_overrides(const std::map<std::string, Value>& props,
                                                      const std::string& prefix);

// The channel graph over `n` nodes that the topology's generator describes, drawn from `random`.
actors::lightning::Result<actors::lightning::Topology> generate_topology(const Topology& topology,
                                                                         uint32_t n,
                                                                         sim::Random& random);

}  // namespace scenario
