// check-determinism, diff and shrink.
#include "tools/debug_commands.h"

#include "scenario/parser.h"
#include "scenario/shrink.h"
#include "scenario/trace_export.h"
#include "scenario/writer.h"
#include "tools/scenario_cli.h"
#include "tools/seed_range.h"

namespace tools {

namespace {

// Index of the first record that differs in text or in the fingerprint after it; the
// fingerprint also folds in dispatched events, so it can diverge before any record text does.
size_t first_divergence(const std::vector<sim::TraceRecord>& a,
                        const std::vector<sim::TraceRecord>& b, bool compare_fingerprints) {
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i].to_text() == b[i].to_text() &&
           (!compare_fingerprints || a[i].fingerprint_after == b[i].fingerprint_after)) {
        ++i;
    }
    return i;
}

void print_divergence(const std::vector<sim::TraceRecord>& a,
                      const std::vector<sim::TraceRecord>& b, size_t at, size_t context,
                      const std::string& name_a, const std::string& name_b) {
    std::printf("first divergence at record %zu:\n", at + 1);
    for (size_t i = at > context ? at - context : 0; i < at; ++i) {
        std::printf("    %s\n", a[i].to_text().c_str());
    }
    for (size_t i = at; i < at + 3; ++i) {
        std::printf("  - %s: %s\n", name_a.c_str(),
                    i < a.size() ? a[i].to_text().c_str() : "(no more records)");
        std::printf("  + %s: %s\n", name_b.c_str(),
                    i < b.size() ? b[i].to_text().c_str() : "(no more records)");
        if (i >= a.size() || i >= b.size()) {
            break;
        }
    }
}

int check_determinism(const std::string& file, const std::string& seeds_arg) {
    std::optional<scenario::Scenario> s = load_or_report(file);
    if (!s) {
        return k_exit_usage;
    }
    std::string error;
    std::optional<SeedRange> range = parse_seed_range(seeds_arg.empty() ? s->seeds : seeds_arg,
                                                      &error);
    if (!range) {
        std::fprintf(stderr, "fedsim check-determinism: --seeds: %s\n", error.c_str());
        return k_exit_usage;
    }
    uint64_t mismatches = 0;
    for (uint64_t seed = range->first;; ++seed) {
        scenario::RunReport one = run_seed(*s, {.seed = seed, .keep_records = true});
        scenario::RunReport two = run_seed(*s, {.seed = seed, .keep_records = true});
        if (one.run.fingerprint != two.run.fingerprint) {
            ++mismatches;
            std::printf("seed %llu: NOT DETERMINISTIC: fingerprint %s, then %s\n",
                        static_cast<unsigned long long>(seed),
                        hex64(one.run.fingerprint).c_str(), hex64(two.run.fingerprint).c_str());
            size_t at = first_divergence(one.records, two.records, true);
            print_divergence(one.records, two.records, at, 5, "run 1", "run 2");
            std::printf("replay: %s\n", replay_command(file, seed).c_str());
        }
        if (seed == range->last) {
            break;
        }
    }
    std::printf("%llu seeds run twice: %llu deterministic, %llu not\n",
                static_cast<unsigned long long>(range->count()),
                static_cast<unsigned long long>(range->count() - mismatches),
                static_cast<unsigned long long>(mismatches));
    return mismatches == 0 ? k_exit_pass : k_exit_fail;
}

int diff_traces(const std::string& path_a, const std::string& path_b, size_t context) {
    std::vector<sim::TraceRecord> a;
    std::vector<sim::TraceRecord> b;
    std::string error;
    if (!scenario::read_jsonl_trace(path_a, &a, &error) ||
        !scenario::read_jsonl_trace(path_b, &b, &error)) {
        std::fprintf(stderr, "fedsim diff: %s\n", error.c_str());
        return k_exit_usage;
    }
    size_t at = first_divergence(a, b, false);
    if (at == a.size() && at == b.size()) {
        std::printf("traces are identical (%zu records)\n", a.size());
        return k_exit_pass;
    }
    std::printf("traces diverge: %s has %zu records, %s has %zu\n", path_a.c_str(), a.size(),
                path_b.c_str(), b.size());
    print_divergence(a, b, at, context, path_a, path_b);
    return k_exit_fail;
}

struct ShrinkArgs {
    std::string file;
    uint64_t seed = 0;
    std::string out;
    size_t max_runs = 500;
};

int shrink(const ShrinkArgs& a) {
    std::optional<scenario::Scenario> s = load_or_report(a.file);
    if (!s) {
        return k_exit_usage;
    }
    if (!output_path_writable(a.out, "--output")) {
        return k_exit_usage;
    }
    const std::string overrides = override_arguments(param_overrides());
    const std::string mode = keep_going() ? " --keep-going" : "";
    std::printf("shrinking %s, seed %llu%s%s\n", a.file.c_str(),
                static_cast<unsigned long long>(a.seed), mode.c_str(), overrides.c_str());
    scenario::ShrinkOptions options;
    options.seed = a.seed;
    options.max_runs = a.max_runs;
    options.run = [](const scenario::Scenario& sc, uint64_t seed) {
        return run_seed(sc, {.seed = seed});
    };
    // Each reduction is printed once, as it is kept (a shrink can take many runs); the summary
    // after it only counts them.
    options.on_step = [](const std::string& change) {
        std::printf("  - %s\n", change.c_str());
        std::fflush(stdout);
    };
    scenario::ShrinkResult r = scenario::shrink_scenario(*s, options);
    if (!r.input_error.empty()) {
        std::fprintf(stderr, "fedsim shrink: %s\n", r.input_error.c_str());
        return k_exit_usage;
    }
    if (!r.reproduced) {
        // Asking to shrink a passing seed is a usage mistake, like a bad argument: exit 2.
        const std::string seeds = s->seeds.empty() ? "1..100" : s->seeds;
        std::fprintf(stderr,
                     "fedsim shrink: seed %llu passes (outcome and every check as expected): "
                     "nothing to shrink. shrink needs a failing seed; find one with:\n  %s sweep "
                     "%s --seeds %s --stop-on-first%s\n",
                     static_cast<unsigned long long>(a.seed),
                     scenario::shell_quote(program_name()).c_str(),
                     scenario::shell_quote(a.file).c_str(), seeds.c_str(),
                     override_arguments(param_overrides()).c_str());
        return k_exit_usage;
    }
    r.minimal.file = a.out;
    // The written file must itself be a valid scenario that fails the same way.
    scenario::LoadResult again =
        scenario::parse_scenario(scenario::write_scenario(r.minimal), a.out);
    if (!again.ok()) {
        std::fprintf(stderr, "fedsim shrink: internal error, the output does not validate:\n%s",
                     again.describe(a.out).c_str());
        return k_exit_usage;
    }
    scenario::RunReport check = run_seed(*again.scenario, {.seed = a.seed});
    // The description quotes the written file's own failure (the numbers in it can differ from
    // the original's: "payment 6" where the original said "payment 4").
    r.minimal.description = "Shrunk from " + a.file + " with seed " + std::to_string(a.seed) +
                            (overrides.empty() && mode.empty() ? "" : " and" + mode + overrides) +
                            "; fails with: " + check.reason;
    if (!write_text_file(a.out, scenario::write_scenario(r.minimal))) {
        return k_exit_usage;
    }
    std::printf("%zu runs; %zu reductions (listed above)\n", r.runs, r.removed.size());
    std::printf("wrote %s; it fails with: %s\nreplay: %s\n", a.out.c_str(), check.reason.c_str(),
                replay_command(a.out, a.seed, /*with_overrides=*/false).c_str());
    bool same = !check.passed && check.signature == r.signature;
    if (!same) {
        std::printf("warning: the written scenario does not fail the same way\n");
    }
    return same ? k_exit_pass : k_exit_fail;
}

}  // namespace

void add_check_determinism_command(CLI::App& app, int* exit_code) {
    auto file = std::make_shared<std::string>();
    auto seeds = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("check-determinism",
                                       "Run each seed twice and compare the fingerprints");
    cmd->add_option("FILE", *file, "Scenario file")->required();
    cmd->add_option("--seeds", *seeds, "Seed range A..B (default: the scenario's \"seeds\")");
    add_set_option(cmd);
    add_keep_going_flag(cmd);
    cmd->callback([file, seeds, exit_code] { *exit_code = check_determinism(*file, *seeds); });
}

void add_diff_command(CLI::App& app, int* exit_code) {
    auto a = std::make_shared<std::string>();
    auto b = std::make_shared<std::string>();
    auto context = std::make_shared<size_t>(5);
    CLI::App* cmd = app.add_subcommand("diff", "Show where two JSON Lines traces diverge");
    cmd->add_option("TRACE_A", *a, "First trace (run/replay --trace)")->required();
    cmd->add_option("TRACE_B", *b, "Second trace")->required();
    cmd->add_option("--context", *context, "Common records shown before the divergence")
        ->capture_default_str()
        ->check(CLI::Range(size_t{0}, size_t{1'000'000}));  // -1 would wrap to "all of them"
    cmd->callback([a, b, context, exit_code] { *exit_code = diff_traces(*a, *b, *context); });
}

void add_shrink_command(CLI::App& app, int* exit_code) {
    auto a = std::make_shared<ShrinkArgs>();
    CLI::App* cmd = app.add_subcommand(
        "shrink", "Reduce a failing run to a minimal scenario that fails the same check");
    cmd->add_option("FILE", a->file, "Scenario file")->required();
    cmd->add_option("--seed", a->seed, "The failing seed")
        ->required()
        ->check(CLI::Validator(
            [](std::string& text) { return check_seed_text(text, UINT64_MAX); }, "SEED"));
    cmd->add_option("-o,--output", a->out, "Where to write the minimal scenario")->required();
    cmd->add_option("--max-runs", a->max_runs, "Give up reducing after this many runs")
        ->capture_default_str();
    add_set_option(cmd);  // the overrides are written into the output file
    // Shrinks in the mode that found the failure: a failure seen only with --keep-going (a
    // condition on a metric at the normal end) is kept only by runs that keep going. Not
    // written into the file; the replay command printed repeats it.
    add_keep_going_flag(cmd);
    cmd->callback([a, exit_code] { *exit_code = shrink(*a); });
}

}  // namespace tools
