// The model-level benchmark worlds (issue 8): the standard scenario — a four-guardian
// federation, one gateway, a generated Lightning network, payments in both directions through
// the gateway, automatic mining and network faults over one simulated day — and, with larger
// parameters, the scale scenario (adds node-to-node Lightning payments on a big generated
// graph). One builder serves the benchmarks and the fingerprint guard test, so the world the
// guard pins is exactly the world the figures measure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/simulation.h"
#include "sim/time.h"

namespace bench {

struct StandardOptions {
    uint64_t seed = 1;
    uint32_t guardians = 4;
    uint32_t ln_nodes = 10;
    uint32_t ln_channels = 20;         // scale-free: ln_nodes - 1 <= m
    uint32_t payments_each_way = 100;  // client -> LN payee, and LN payer -> client
    uint32_t ln_payments = 0;          // LN node -> LN node, not touching the federation
    uint32_t clients = 4;
    uint32_t blocks = 144;  // mined at seeded times over `day`
    sim::SimDuration day = sim::SimDuration::hours(24);
    bool faults = true;
    // Fedimint's production timing (GuardianTiming::production(): 60 s bitcoind polls, 3-minute
    // sessions; the gateway re-registers every 510 s) instead of the test environment's (100 ms
    // polls, 10 s sessions, 10 s re-registration). The intervals below override either.
    bool production_timing = false;
    // Guardian round pacing; 0 keeps the model's default (200 ms, the tests' value).
    sim::SimDuration round_interval = sim::SimDuration::zero();
    // Guardian bitcoind poll interval; 0 keeps the timing's default.
    sim::SimDuration monitor_interval = sim::SimDuration::zero();
    // Guardian session heartbeat (a round with nothing to order); 0 keeps the timing's default.
    sim::SimDuration heartbeat = sim::SimDuration::zero();
    // How often the gateway re-registers; 0 keeps the timing's default.
    sim::SimDuration registration_interval = sim::SimDuration::zero();
};

struct StandardReport {
    sim::SimulationResult result;
    uint64_t out_succeeded = 0;  // client payments (any terminal state counts as resolved)
    uint64_t out_resolved = 0;
    uint64_t in_received = 0;
    uint64_t ln_succeeded = 0;
    std::string violation;  // first checker violation, empty when none
    bool ok() const { return result.run.ok() && violation.empty(); }
};

// Why `options` cannot be built for their seed, or nothing: a Lightning graph that cannot be
// drawn (more channels than the nodes allow), or channels and peg-ins that need more than
// regtest can ever mint for the faucet (actors::lightning::faucet_supply).
std::optional<std::string> options_error(const StandardOptions& options);

// Builds the world for `options.seed`, runs it to completion and checks every invariant.
// REQUIRES !options_error(options).
StandardReport run_standard(const StandardOptions& options);

// The standard scenario: Fedimint's production timing over one simulated day (see
// docs/performance.md, "Model level").
StandardOptions standard_options(uint64_t seed);

// Peak resident set of this process so far, in KiB (VmHWM).
uint64_t peak_rss_kib();

}  // namespace bench
