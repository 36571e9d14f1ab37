// The sweep subcommand: seed selection, the worker pool, live reporting and result files.
#include "tools/sweep_command.h"

#include <algorithm>
#include <functional>
#include <set>
#include <thread>

#include "tools/progress.h"
#include "tools/scenario_cli.h"
#include "tools/seed_range.h"
#include "tools/sweep_journal.h"
#include "tools/sweep_results.h"
#include "tools/worker_pool.h"

namespace tools {

namespace {

struct SweepArgs {
    std::string file;
    std::string seeds;
    int jobs = 0;
    std::string junit;
    std::string json;
    bool stop_on_first = false;
    std::string shard = "1/1";
    std::string progress = "auto";
    double wall_limit = 0;  // seconds per seed before its worker is killed; 0: the default
    bool resume = false;
};

bool parse_shard(const std::string& text, uint64_t* index, uint64_t* count) {
    size_t slash = text.find('/');
    std::string error;
    if (slash == std::string::npos) {
        return false;
    }
    std::optional<SeedRange> k = parse_seed_range(text.substr(0, slash), &error);
    std::optional<SeedRange> n = parse_seed_range(text.substr(slash + 1), &error);
    if (!k || !n || k->count() != 1 || n->count() != 1 || k->first < 1 || k->first > n->first) {
        return false;
    }
    *index = k->first;
    *count = n->first;
    return true;
}

// One sweep process holds every seed's result in memory; past this many seeds a typo
// ("1..99999999999") would run for years and exhaust memory first, so it is refused up front.
constexpr uint64_t k_max_sweep_seeds = 10'000'000;

// How many seeds shard `index` of `count` gets: every count-th seed of the range, starting at
// the index-th.
uint64_t shard_size(const SeedRange& range, uint64_t index, uint64_t count) {
    uint64_t span = range.last - range.first;  // seeds after the first
    return index - 1 > span ? 0 : (span - (index - 1)) / count + 1;
}

// The seeds of this shard (shard_size() of them, computed, not searched for).
std::vector<uint64_t> shard_seeds(const SeedRange& range, uint64_t index, uint64_t count) {
    std::vector<uint64_t> out;
    uint64_t n = shard_size(range, index, count);
    out.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
        out.push_back(range.first + (index - 1) + i * count);
    }
    return out;
}

std::vector<SeedResult> by_seed_with(const SweepResults& results,
                                     const std::function<bool(const SeedResult&)>& keep) {
    std::vector<SeedResult> out;
    for (const SeedResult& r : results.runs) {
        if (keep(r)) {
            out.push_back(r);
        }
    }
    std::sort(out.begin(), out.end(),
              [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });
    return out;
}

constexpr size_t k_listed = 50;

// Failed and crashed seeds, each with its reason and replay command.
void print_failing(const SweepResults& results) {
    std::vector<SeedResult> failing = by_seed_with(results, [](const SeedResult& r) {
        return r.status != k_status_pass && r.status != k_status_input_error;
    });
    if (!failing.empty()) {
        std::printf("failing seeds:\n");
    }
    for (size_t i = 0; i < failing.size() && i < k_listed; ++i) {
        std::printf("  seed %llu: %s\n    replay: %s\n",
                    static_cast<unsigned long long>(failing[i].seed), failing[i].reason.c_str(),
                    failing[i].replay.c_str());
    }
    if (failing.size() > k_listed) {
        std::printf("  ... and %zu more (see --json)\n", failing.size() - k_listed);
    }
}

// The "name=value" words of a run's params ("a=1 b=90s") for the parameters the scenario
// draws per seed (a range or a choice); the fixed ones are the same in every seed.
std::string drawn_params(const std::string& params, const scenario::Scenario& s) {
    std::string out;
    size_t begin = 0;
    while (begin < params.size()) {
        size_t end = std::min(params.find(' ', begin), params.size());
        std::string word = params.substr(begin, end - begin);
        begin = end + 1;
        for (const scenario::ParamSpec& p : s.params) {
            if (p.form != scenario::ParamSpec::Form::fixed && word.rfind(p.name + "=", 0) == 0) {
                out += (out.empty() ? "" : " ") + word;
            }
        }
    }
    return out;
}

// Bad-input seeds are not findings: the first is shown in full (its error names the file,
// line and JSON pointer, as `fedsim run` prints it, and its drawn parameters say which draw
// was impossible), the rest by number.
void print_bad_input(const SweepResults& results, const scenario::Scenario& s) {
    std::vector<SeedResult> bad = by_seed_with(
        results, [](const SeedResult& r) { return r.status == k_status_input_error; });
    if (bad.empty()) {
        return;
    }
    const std::string drawn = drawn_params(bad.front().params, s);
    std::printf("bad input: %zu seed%s drew parameters the scenario cannot run (not a bug found; "
                "fix the scenario's ranges). First, seed %llu%s:\n  %s\n  replay: %s\n",
                bad.size(), bad.size() == 1 ? "" : "s",
                static_cast<unsigned long long>(bad.front().seed),
                drawn.empty() ? "" : (" (" + drawn + ")").c_str(), bad.front().reason.c_str(),
                bad.front().replay.c_str());
    if (bad.size() == 1) {
        return;
    }
    std::string list;
    for (size_t i = 0; i < bad.size() && i < k_listed; ++i) {
        list += (i == 0 ? "" : " ") + std::to_string(bad[i].seed);
    }
    std::printf("bad-input seeds: %s%s\n", list.c_str(),
                bad.size() > k_listed
                    ? (" ... and " + std::to_string(bad.size() - k_listed) + " more (see --json)")
                          .c_str()
                    : "");
}

void print_summary(const SweepResults& results, const scenario::Scenario& s,
                   const Progress& progress, int jobs) {
    double wall = progress.seconds();
    std::printf("\nswept %zu seeds of %s (%s%s) in %.2fs (%.1f seeds/s, %d jobs)\n",
                results.runs.size(), results.scenario.c_str(), results.file.c_str(),
                override_arguments(param_overrides()).c_str(), wall,
                wall > 0 ? static_cast<double>(results.runs.size()) / wall : 0.0, jobs);
    std::printf("%s\n", describe_summary(results.summary()).c_str());
    print_failing(results);
    print_bad_input(results, s);
}

SeedResult crash_result(const std::string& file, uint64_t seed, const std::string& crash) {
    std::string why = crash.empty() ? "the worker sent a garbled result" : crash;
    return SeedResult{.seed = seed, .status = k_status_crash, .outcome = "crash", .reason = why,
                      .signature = scenario::failure_signature("crash", "worker", why),
                      .replay = replay_command(file, seed)};
}

// Rewrites the results files while the sweep runs, so a long sweep's results can be read as it
// goes; always at the end. Each rewrite costs time in proportion to the seeds done, so rewrites
// are spaced at least a second and ten times the last rewrite's cost apart: a 100,000-seed
// sweep spends at most a tenth of its time here. Nothing is lost in between: the journal
// (sweep_journal.h) has every seed.
class ResultWriter {
public:
    explicit ResultWriter(const SweepArgs& a) : args_(a) {}
    bool write(const SweepResults& r, bool final_write) {
        if (!final_write && timer_.seconds() - last_ < std::max(1.0, 10 * cost_)) {
            return true;
        }
        last_ = timer_.seconds();
        bool ok = write_all(r);
        cost_ = timer_.seconds() - last_;
        return ok;
    }

private:
    bool write_all(const SweepResults& r) {
        bool ok = true;
        if (!args_.json.empty()) {
            ok = write_atomically(args_.json, results_json(r)) && ok;
        }
        if (!args_.junit.empty()) {
            ok = write_atomically(args_.junit, junit_xml(r)) && ok;
        }
        return ok;
    }
    static bool write_atomically(const std::string& path, const std::string& text) {
        std::string tmp = path + ".tmp";
        return write_text_file(tmp, text) && std::rename(tmp.c_str(), path.c_str()) == 0;
    }
    const SweepArgs& args_;
    WallTimer timer_;
    double last_ = -10;
    double cost_ = 0;  // seconds the last rewrite took
};

// --resume: takes the runs an interrupted sweep left in its --json file and journal, and
// narrows `seeds` to the ones still missing. False (reported) if they belong to another sweep.
bool resume_from_partial(const SweepArgs& a, SweepResults* results, std::vector<uint64_t>* seeds) {
    if (a.json.empty()) {
        std::fprintf(stderr, "fedsim sweep: --resume needs --json FILE (the results to resume)\n");
        return false;
    }
    std::string error;
    std::optional<SweepResults> partial = read_partial_results(a.json, *results, &error);
    if (!partial) {
        std::fprintf(stderr, "fedsim sweep --resume: %s\n", error.c_str());
        return false;
    }
    std::set<uint64_t> done;
    for (const SeedResult& r : partial->runs) {
        done.insert(r.seed);
    }
    std::vector<uint64_t> missing;
    for (uint64_t seed : *seeds) {
        if (done.count(seed) == 0) {
            missing.push_back(seed);
        }
    }
    std::printf("resuming %s: %zu of %zu seeds already done, %zu to run\n", a.json.c_str(),
                seeds->size() - missing.size(), seeds->size(), missing.size());
    results->runs = partial->runs;
    *seeds = std::move(missing);
    return true;
}

// The options that shape how the rest of an interrupted sweep runs (not what it runs), as given:
// a user who chose --jobs 1 for a memory-hungry scenario must not get one worker per CPU on resume.
std::string resumed_run_options(const SweepArgs& a) {
    std::string options;
    if (a.jobs > 0) {
        options += " --jobs " + std::to_string(a.jobs);
    }
    if (a.wall_limit > 0) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", a.wall_limit);
        options += " --wall-limit " + std::string(text);
    }
    return options;
}

// Ctrl-C: the seeds done so far are in the --json file and its journal (kept), and the same
// sweep with --resume runs the rest. 130 is the shell's code for a SIGINT death.
int report_interrupted(const SweepArgs& a, const std::string& seeds_text,
                       const SweepResults& results) {
    std::printf("\ninterrupted after %zu of %zu seeds\n", results.runs.size(), results.planned);
    if (a.json.empty()) {
        std::printf("nothing was kept (no --json); add --json FILE to a sweep to resume it\n");
        return 130;
    }
    std::string command = scenario::shell_quote(program_name()) + " sweep " +
                          scenario::shell_quote(a.file) + " --seeds " + seeds_text +
                          (a.shard == "1/1" ? "" : " --shard " + a.shard) + " --json " +
                          scenario::shell_quote(a.json) +
                          (a.junit.empty() ? "" : " --junit " + scenario::shell_quote(a.junit)) +
                          resumed_run_options(a) + " --resume" +
                          override_arguments(param_overrides());
    std::printf("the seeds done are in %s; run the rest with:\n  %s\n", a.json.c_str(),
                command.c_str());
    return 130;
}

// The hard per-seed limit: --wall-limit, or twice the scenario's own (cooperative) wall budget
// plus a margin, which only an actor that never yields to the run loop can exceed.
double hard_wall_limit(const SweepArgs& a, const scenario::Scenario& s) {
    return a.wall_limit > 0 ? a.wall_limit
                            : 2 * static_cast<double>(s.limits.wall_time.ns()) / 1e9 + 10;
}

int sweep(const SweepArgs& a) {
    std::optional<scenario::Scenario> s = load_or_report(a.file);
    if (!s) {
        return k_exit_usage;
    }
    std::string error;
    std::string seeds_text = a.seeds.empty() ? s->seeds : a.seeds;
    std::optional<SeedRange> range = parse_seed_range(seeds_text, &error);
    uint64_t shard_index = 1;
    uint64_t shard_count = 1;
    if (!range) {
        std::fprintf(stderr, "fedsim sweep: --seeds: %s\n", error.c_str());
        return k_exit_usage;
    }
    if (!parse_shard(a.shard, &shard_index, &shard_count)) {
        std::fprintf(stderr, "fedsim sweep: --shard \"%s\" must be K/N with 1 <= K <= N\n",
                     a.shard.c_str());
        return k_exit_usage;
    }
    if (uint64_t n = shard_size(*range, shard_index, shard_count); n > k_max_sweep_seeds) {
        std::fprintf(stderr,
                     "fedsim sweep: %s \"%s\" gives %llu seeds%s; one sweep runs at most %llu "
                     "(use a smaller range, or split it with --shard K/N)\n",
                     a.seeds.empty() ? "the scenario's \"seeds\"" : "--seeds", seeds_text.c_str(),
                     static_cast<unsigned long long>(n), shard_count > 1 ? " in this shard" : "",
                     static_cast<unsigned long long>(k_max_sweep_seeds));
        return k_exit_usage;
    }
    if (!output_path_writable(a.json, "--json") || !output_path_writable(a.junit, "--junit")) {
        return k_exit_usage;
    }
    std::vector<uint64_t> seeds = shard_seeds(*range, shard_index, shard_count);
    int jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    std::vector<std::string> set;
    for (const ParamOverride& o : param_overrides()) {
        set.push_back(o.arg);
    }
    SweepResults results{.scenario = s->name, .file = a.file,
                         .digest = scenario_digest(a.file, canonical_overrides(param_overrides())),
                         .set = set,
                         .seeds = seeds_text, .shard_index = shard_index,
                         .shard_count = shard_count, .planned = seeds.size()};
    // Resume first: a refused --resume (nothing to resume, another sweep's file) must not have
    // announced a sweep it never starts.
    if (a.resume && !resume_from_partial(a, &results, &seeds)) {
        return k_exit_usage;
    }
    std::printf("sweeping %s (%s%s) over seeds %s%s: %zu runs, %d jobs\n", s->name.c_str(),
                a.file.c_str(), override_arguments(param_overrides()).c_str(), seeds_text.c_str(),
                shard_count > 1 ? (", shard " + a.shard).c_str() : "", seeds.size(), jobs);
    std::fflush(stdout);
    SweepJournal journal;
    if (!a.json.empty() && !journal.open(a.json, results)) {
        return k_exit_usage;
    }
    Progress progress(seeds.size(), progress_mode(a.progress));
    ResultWriter writer(a);
    uint64_t failed = 0;     // failed or crashed
    uint64_t bad_input = 0;  // input_error
    size_t ran = 0;
    const scenario::Scenario& sc = *s;
    WorkerPool pool(jobs, [&sc](uint64_t seed) {
        return seed_result_line(seed_result_from(run_seed(sc, {.seed = seed}), sc.file));
    }, hard_wall_limit(a, sc));
    pool.stop_on_sigint();
    pool.run(seeds, [&](uint64_t seed, const std::string& line, const std::string& crash) {
        std::optional<SeedResult> r = line.empty() ? std::nullopt : parse_seed_result_line(line);
        if (!r) {
            r = crash_result(a.file, seed, crash);
        }
        results.runs.push_back(*r);
        journal.append(*r);
        if (r->status == k_status_input_error) {
            ++bad_input;  // not a finding: --stop-on-first goes on looking for one
            progress.print_line("BAD INPUT seed " + std::to_string(seed) + ": " + r->reason +
                                "\n  replay: " + r->replay);
        } else if (r->status != k_status_pass) {
            ++failed;
            progress.print_line("FAIL seed " + std::to_string(seed) + ": " + r->reason +
                                "\n  replay: " + r->replay);
        }
        progress.update(++ran, failed, bad_input);
        writer.write(results, false);
        return !(a.stop_on_first && failed > 0);
    });
    progress.finish();
    if (!writer.write(results, true)) {
        return k_exit_usage;
    }
    if (pool.interrupted()) {
        return report_interrupted(a, seeds_text, results);
    }
    journal.remove();
    print_summary(results, sc, progress, jobs);
    return sweep_exit_code(results.summary());
}

}  // namespace

void add_sweep_command(CLI::App& app, int* exit_code) {
    auto a = std::make_shared<SweepArgs>();
    CLI::App* cmd = app.add_subcommand("sweep", "Run a scenario over a seed range in parallel");
    cmd->add_option("FILE", a->file, "Scenario file")->required();
    add_set_option(cmd);
    cmd->add_option("--seeds", a->seeds,
                    "Seed range A..B (default: the scenario's \"seeds\"); at most 10,000,000 "
                    "seeds per sweep (per shard with --shard)");
    // Known only to refuse it with a hint (exit 2): `--seed` is what run and replay take, so it
    // is the likeliest typo here, and CLI11's own message ("not expected") does not say why.
    cmd->add_option_function<std::string>(
           "--seed",
           [](const std::string& value) {
               throw CLI::ValidationError(
                   "--seed", "a sweep takes --seeds (one seed: --seeds " + value +
                                 "; a range: --seeds A..B); to run one seed, use fedsim run "
                                 "FILE --seed " + value);
           },
           "Refused: a sweep takes --seeds")
        ->group("");
    cmd->add_option("--jobs,-j", a->jobs, "Worker processes (default: one per CPU)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--junit", a->junit, "Write JUnit XML results");
    cmd->add_option("--json", a->json, "Write JSON results (input of fedsim merge)");
    cmd->add_flag("--stop-on-first", a->stop_on_first,
                  "Stop at the first failing or crashing seed (bad-input seeds do not stop it)");
    cmd->add_option("--shard", a->shard, "Run only shard K of N (every N-th seed)")
        ->capture_default_str();
    cmd->add_option("--progress", a->progress, "auto (bar on a terminal), always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    cmd->add_option("--wall-limit", a->wall_limit,
                    "Seconds one seed may run before its worker is killed and the seed reported "
                    "(default: twice the scenario's limits.wall_time plus 10)")
        ->check(CLI::Range(0.001, 1e6));
    // Known only to refuse it by name (exit 2), rather than as an unknown argument: a sweep is
    // for finding failing seeds, and stopping each run at its first violation is all a verdict
    // needs (a keep-going run lasts to its end, and its fingerprint is not the one `replay`
    // checks by default). The replay command of a failure takes --keep-going.
    cmd->add_flag_function(
        "--keep-going",
        [](int64_t) {
            throw CLI::ValidationError(
                "--keep-going",
                "a sweep stops each run at its first violation; to see every violation of a "
                "failing seed, add --keep-going to the replay command it prints");
        },
        "Refused: for run, replay, shrink and check-determinism only");
    cmd->add_flag("--resume", a->resume,
                  "Continue an interrupted sweep: keep the seeds in the --json file and its "
                  ".partial journal, run the rest (refused if scenario, seeds or shard differ)");
    cmd->callback([a, exit_code] { *exit_code = sweep(*a); });
}

}  // namespace tools
