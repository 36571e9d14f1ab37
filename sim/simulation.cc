// Wiring of one run's engine parts and the traced run configuration.
#include "sim/simulation.h"

namespace sim {

Simulation::Simulation(const SimulationConfig& config)
    : config_(config),
      sched_(SchedulerConfig{.seed = config.seed,
                             .stack_bytes = config.stack_bytes,
                             .perturb_same_instant = config.perturb_same_instant,
                             .keep_going = config.keep_going}),
      net_(sched_, Random(config.seed).fork("network")),
      clocks_(config.epoch_unix_s),
      faults_(config.seed, config.faults) {
    net_.set_default_link(config.default_link);
    previous_faults_ = FaultPoints::current();
    FaultPoints::set_current(&faults_);
}

Simulation::~Simulation() { FaultPoints::set_current(previous_faults_); }

SimulationResult Simulation::run(const RunLimits& limits) {
    sched_.trace("run_config")
        .field("seed", config_.seed)
        .field("perturb", config_.perturb_same_instant)
        .field("faults", config_.faults.enabled);
    FaultPoints* saved = FaultPoints::current();
    FaultPoints::set_current(&faults_);
    SimulationResult result;
    result.run = sched_.run(limits);
    FaultPoints::set_current(saved);
    result.active_faults = faults_.active_sites();
    result.network = net_.stats();
    return result;
}

}  // namespace sim
