// The demo sweep and replay over the escrow example.
#include "tools/demo_command.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "actors/examples/escrow.h"
#include "sim/simulation.h"
#include "tools/scenario_cli.h"
#include "tools/seed_range.h"
#include "tools/wall_clock.h"

namespace tools {

namespace {

using actors::examples::EscrowConfig;
using actors::examples::LedgerMode;

struct DemoOptions {
    std::string seeds = "1..2000";
    std::optional<uint64_t> seed;  // --seed: run this one seed instead of sweeping
    bool fixed = false;
    bool log = false;
    std::string trace_file;
};

struct DemoRun {
    sim::RunResult result;
    double wall_s = 0;
};

sim::SimulationConfig demo_sim_config(uint64_t seed) {
    sim::SimulationConfig cfg;
    cfg.seed = seed;
    cfg.default_link = {.latency_min = sim::SimDuration::millis(2),
                        .latency_max = sim::SimDuration::millis(30)};
    return cfg;
}

DemoRun run_seed(uint64_t seed, const DemoOptions& opt, bool verbose) {
    WallTimer timer;
    sim::Simulation sim(demo_sim_config(seed));
    if (verbose || opt.log) {
        auto logger = spdlog::stdout_logger_st("trace-" + std::to_string(seed));
        logger->set_pattern("  %v");
        sim.scheduler().trace().set_logger(logger, sim::TraceLevel::info);
    }
    if (!opt.trace_file.empty()) {
        std::string error;
        if (!sim.scheduler().trace().open_jsonl(opt.trace_file, &error)) {
            std::fprintf(stderr, "fedsim: %s\n", error.c_str());
        }
    }
    EscrowConfig cfg;
    cfg.mode = opt.fixed ? LedgerMode::reserve_first : LedgerMode::check_then_act;
    actors::examples::EscrowWorld world;
    actors::examples::build_escrow(sim.network(), cfg, &world);
    DemoRun run;
    run.result = sim.run({.max_time = sim::SimTime::zero() + sim::SimDuration::hours(1),
                          .wall_clock_exceeded = timer.exceeded_after(60)})
                     .run;
    spdlog::drop("trace-" + std::to_string(seed));
    run.wall_s = timer.seconds();
    return run;
}

std::string replay_command(uint64_t seed, bool fixed) {
    return scenario::shell_quote(program_name()) + " demo --seed " + std::to_string(seed) +
           (fixed ? " --fixed" : "");
}

void print_result(uint64_t seed, const sim::RunResult& r) {
    std::printf("seed %llu: %s%s%s  fingerprint=%016llx  events=%llu  end=%s\n",
                static_cast<unsigned long long>(seed), sim::to_string(r.outcome),
                r.message.empty() ? "" : ": ", r.message.c_str(),
                static_cast<unsigned long long>(r.fingerprint),
                static_cast<unsigned long long>(r.events), sim::to_string(r.end_time).c_str());
}

int run_single(const DemoOptions& opt) {
    uint64_t seed = *opt.seed;
    std::printf("replaying escrow demo, seed %llu (%s ledger), trace below:\n",
                static_cast<unsigned long long>(seed), opt.fixed ? "fixed" : "buggy");
    DemoRun run = run_seed(seed, opt, true);
    print_result(seed, run.result);
    return run.result.ok() ? 0 : 1;
}

int run_sweep(const DemoOptions& opt) {
    std::string error;
    std::optional<SeedRange> range = parse_seed_range(opt.seeds, &error);
    if (!range) {
        std::fprintf(stderr, "fedsim demo: --seeds: %s\n", error.c_str());
        return 2;
    }
    std::printf("sweeping the escrow demo (%s ledger) over seeds %s\n",
                opt.fixed ? "fixed" : "buggy", opt.seeds.c_str());
    WallTimer timer;
    uint64_t failures = 0;
    std::optional<uint64_t> first_failure;
    sim::RunResult first_result;
    for (uint64_t seed = range->first; seed <= range->last; ++seed) {
        DemoRun run = run_seed(seed, opt, false);
        if (seed < range->first + 5) {
            print_result(seed, run.result);
        }
        if (!run.result.ok()) {
            ++failures;
            if (!first_failure) {
                first_failure = seed;
                first_result = run.result;
            }
        }
        if (seed == range->last) {
            break;
        }
    }
    double wall = timer.seconds();
    std::printf("swept %llu seeds in %.2fs (%.0f seeds/s): %llu passed, %llu failed\n",
                static_cast<unsigned long long>(range->count()), wall,
                static_cast<double>(range->count()) / wall,
                static_cast<unsigned long long>(range->count() - failures),
                static_cast<unsigned long long>(failures));
    if (!first_failure) {
        std::printf("no failing seed found\n");
        return opt.fixed ? 0 : 1;
    }
    std::printf("\nFIRST FAILURE: seed %llu: %s: %s\n",
                static_cast<unsigned long long>(*first_failure),
                sim::to_string(first_result.outcome), first_result.message.c_str());
    std::printf("replay: %s\n\n", replay_command(*first_failure, opt.fixed).c_str());
    DemoOptions replay = opt;
    replay.seed = *first_failure;
    std::printf("replaying seed %llu with the trace on:\n",
                static_cast<unsigned long long>(*first_failure));
    DemoRun again = run_seed(*first_failure, replay, true);
    print_result(*first_failure, again.result);
    bool same = again.result.fingerprint == first_result.fingerprint;
    std::printf("replay fingerprint %s the sweep's (%016llx)\n", same ? "matches" : "DIFFERS FROM",
                static_cast<unsigned long long>(first_result.fingerprint));
    if (!same) {
        return 1;
    }
    return opt.fixed ? 1 : 0;
}

}  // namespace

void add_demo_command(CLI::App& app, int* exit_code) {
    auto opt = std::make_shared<DemoOptions>();
    CLI::App* cmd = app.add_subcommand(
        "demo", "Sweep the escrow example over many seeds, find its timeout race, replay it");
    cmd->add_option("--seeds", opt->seeds, "Seed range A..B to sweep")->capture_default_str();
    auto seed = std::make_shared<uint64_t>(0);
    CLI::Option* seed_option =
        cmd->add_option("--seed", *seed, "Run (replay) a single seed with the trace on")
            ->check(CLI::Validator(
                [](std::string& text) { return check_seed_text(text, UINT64_MAX); }, "SEED"));
    cmd->add_flag("--fixed", opt->fixed, "Use the fixed ledger (the sweep should find nothing)");
    cmd->add_flag("--log", opt->log, "Print every run's trace (noisy)");
    cmd->add_option("--trace-file", opt->trace_file, "Write the trace as JSON Lines");
    cmd->callback([opt, seed, seed_option, exit_code] {
        if (seed_option->count() > 0) {
            opt->seed = *seed;
        }
        if (!output_path_writable(opt->trace_file, "--trace-file")) {
            *exit_code = 2;  // before: reported per run, and the exit code was the run's
            return;
        }
        *exit_code = opt->seed ? run_single(*opt) : run_sweep(*opt);
    });
}

}  // namespace tools
