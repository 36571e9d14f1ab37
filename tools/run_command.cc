// The run and replay subcommands.
#include "tools/run_command.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
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

// For --expect-fingerprint's check: empty if `text` is a fingerprint as fedsim prints it (16
// hex digits, either case), otherwise why not. Anything else could never match, so the run
// would be reported as not reproducible when the typo is in the command line.
std::string check_fingerprint_text(const std::string& text) {
    bool hex = text.size() == 16 && std::all_of(text.begin(), text.end(), [](unsigned char c) {
                   return std::isxdigit(c) != 0;
               });
    return hex ? "" : "fingerprint \"" + text + "\" is not 16 hex digits (as a run prints it)";
}

void add_output_options(CLI::App* cmd, RunArgs* a) {
    cmd->add_option("FILE", a->file, "Scenario file")->required();
    add_set_option(cmd);
    add_keep_going_flag(cmd);
    // Every seed a sweep can run must replay, so the whole uint64 range.
    a->seed_option =
        cmd->add_option("--seed", a->seed, "Seed (default: the first of the scenario's \"seeds\")")
            ->check(CLI::Validator(
                [](std::string& text) { return check_seed_text(text, UINT64_MAX); }, "SEED"));
    cmd->add_option("--trace", a->outputs.jsonl, "Write every trace record as JSON Lines");
    cmd->add_option("--chrome-trace", a->outputs.chrome,
                    "Write a Chrome Trace Event file (opens in Perfetto)");
    cmd->add_option("--html", a->outputs.html, "Write a self-contained HTML report");
    cmd->add_option("--expect-fingerprint", a->expect_fingerprint,
                    "Fail (exit 1) unless the run's fingerprint is this 16-digit hex value")
        ->check(CLI::Validator(check_fingerprint_text, "HEX"))
        ->transform([](std::string text) {  // a sweep prints lower case; accept either
            std::transform(text.begin(), text.end(), text.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            return text;
        });
}

int run_once(const RunArgs& a, bool print_trace) {
    std::optional<scenario::Scenario> s = load_or_report(a.file);
    if (!s) {
        return k_exit_usage;
    }
    if (!output_path_writable(a.outputs.chrome, "--chrome-trace") ||
        !output_path_writable(a.outputs.html, "--html")) {
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
        std::printf("FAIL seed %llu: fingerprint %s differs from the expected %s: the run is not "
                    "reproducible\nreplay: %s\n",
                    static_cast<unsigned long long>(r.seed), hex64(r.run.fingerprint).c_str(),
                    a.expect_fingerprint.c_str(), replay_command(s->file, r.seed).c_str());
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
    cmd->callback([a, exit_code] { *exit_code = run_once(*a, !a->quiet); });
}

}  // namespace tools
