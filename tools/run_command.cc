// The run and replay subcommands.
#include "tools/run_command.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "tools/scenario_cli.h"
#include "tools/seed_range.h"

namespace tools {

namespace {

struct RunArgs {
    std::string file;
    uint64_t seed = 0;
    CLI::Option* seed_option = nullptr;  // given on the command line, or the scenario's first
    TraceOutputs outputs;
    bool log = false;
    bool quiet = false;
    std::string expect_fingerprint;
};

void add_output_options(CLI::App* cmd, RunArgs* a) {
    cmd->add_option("FILE", a->file, "Scenario file")->required();
    // Every seed a sweep can run must replay, so the whole uint64 range.
    a->seed_option =
        cmd->add_option("--seed", a->seed, "Seed (default: the first of the scenario's \"seeds\")")
            ->check(CLI::Validator(
                [](std::string& text) { return check_seed_text(text, UINT64_MAX); }, "SEED"));
    cmd->add_option("--trace", a->outputs.jsonl, "Write every trace record as JSON Lines");
    cmd->add_option("--chrome-trace", a->outputs.chrome,
                    "Write a Chrome Trace Event file (opens in Perfetto)");
    cmd->add_option("--html", a->outputs.html, "Write a self-contained HTML report");
}

int run_once(const RunArgs& a, bool print_trace) {
    std::optional<scenario::Scenario> s = load_or_report(a.file);
    if (!s) {
        return k_exit_usage;
    }
    scenario::RunOptions options;
    options.seed = a.seed_option->count() > 0 ? a.seed : default_seed(*s);
    options.jsonl_path = a.outputs.jsonl;
    options.keep_records = !a.outputs.chrome.empty() || !a.outputs.html.empty();
    std::string logger_name = "fedsim-run";
    if (print_trace) {
        std::printf("replaying %s with seed %llu, trace below:\n", a.file.c_str(),
                    static_cast<unsigned long long>(options.seed));
        auto logger = spdlog::stdout_logger_st(logger_name);
        logger->set_pattern("  %v");
        logger->set_level(spdlog::level::trace);
        options.logger = logger;
    }
    scenario::RunReport r = run_seed(*s, options);
    spdlog::drop(logger_name);
    std::fflush(stdout);
    if (!r.setup_error.empty()) {
        std::fprintf(stderr, "fedsim: %s\n", r.setup_error.c_str());
        return k_exit_usage;
    }
    print_report(stdout, *s, r);
    if (!write_trace_outputs(*s, r, a.outputs)) {
        return k_exit_usage;
    }
    if (!a.expect_fingerprint.empty() && a.expect_fingerprint != hex64(r.run.fingerprint)) {
        std::printf("fingerprint %s differs from the expected %s: the run is not reproducible\n",
                    hex64(r.run.fingerprint).c_str(), a.expect_fingerprint.c_str());
        return k_exit_fail;
    }
    return r.passed ? k_exit_pass : k_exit_fail;
}

}  // namespace

void add_run_command(CLI::App& app, int* exit_code) {
    auto a = std::make_shared<RunArgs>();
    CLI::App* cmd = app.add_subcommand("run", "Run a scenario once and judge it");
    add_output_options(cmd, a.get());
    cmd->add_flag("--log", a->log, "Print every trace record as it happens");
    cmd->callback([a, exit_code] { *exit_code = run_once(*a, a->log); });
}

void add_replay_command(CLI::App& app, int* exit_code) {
    auto a = std::make_shared<RunArgs>();
    CLI::App* cmd = app.add_subcommand(
        "replay", "Re-run one seed with full tracing (same fingerprint as the sweep)");
    add_output_options(cmd, a.get());
    cmd->get_option("--seed")->required();
    cmd->add_flag("--quiet", a->quiet, "Do not print the trace records");
    cmd->add_option("--expect-fingerprint", a->expect_fingerprint,
                    "Fail (exit 1) unless the run's fingerprint is this hex value");
    cmd->callback([a, exit_code] { *exit_code = run_once(*a, !a->quiet); });
}

}  // namespace tools
