// The sample system: every engine feature at once, small enough to run thousands of seeds.
//
// Three ping clients and an echo server over a lossy, duplicating, reordering network with a
// partition that heals; the fixed escrow ledger; fault points on (swarm); same-instant
// perturbation on; a task group shut down at the end. Used by the determinism tests and by
// `fedsim fingerprints`, which CI runs under g++ and clang and compares.
#pragma once

#include <cstdint>

#include "sim/simulation.h"

namespace actors::examples {

sim::SimulationResult run_sample_system(uint64_t seed);

}  // namespace actors::examples
