// Simulation: the composition root of one run — scheduler, network, clocks and fault points,
// all derived from one seed.
//
// Models are built against a Simulation (they take its parts by reference), then run() drives
// them. The run's configuration that affects behaviour (seed, perturbation, active fault sites)
// is traced, so it is part of the fingerprint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/clock.h"
#include "sim/fault_points.h"
#include "sim/network.h"
#include "sim/scheduler.h"

namespace sim {

struct SimulationConfig {
    uint64_t seed = 0;
    std::size_t stack_bytes = k_default_stack_bytes;
    bool perturb_same_instant = false;
    // See SchedulerConfig::keep_going. Not traced in run_config, unlike the rest: it changes
    // nothing until a check fails, so a run with no check failure has the same fingerprint in
    // either mode.
    bool keep_going = false;
    FaultConfig faults;
    LinkConfig default_link;
    int64_t epoch_unix_s = Clocks::k_default_epoch_unix_s;
};

struct SimulationResult {
    RunResult run;
    std::vector<std::string> active_faults;
    NetworkStats network;
};

class Simulation {
public:
    explicit Simulation(const SimulationConfig& config);
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    Scheduler& scheduler() { return sched_; }
    Network& network() { return net_; }
    Clocks& clocks() { return clocks_; }
    FaultPoints& faults() { return faults_; }
    const SimulationConfig& config() const { return config_; }
    // A forked stream for a model component, e.g. random("chain"): stable under additions.
    Random random(std::string_view component) const { return Random(config_.seed).fork(component); }

    SimulationResult run(const RunLimits& limits = {});

private:
    SimulationConfig config_;
    Scheduler sched_;
    Network net_;
    Clocks clocks_;
    FaultPoints faults_;
    FaultPoints* previous_faults_;
};

}  // namespace sim
