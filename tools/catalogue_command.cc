// fedsim catalogue: variant-off proofs, detection sweeps, shrinking, regression files and the
// detection table (docs/bug-catalogue.md). Runs seeds in forked workers for the proofs and
// in-process for the sweeps, whose order matters (the first failing seed of each sweep).
#include "tools/catalogue_command.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "scenario/diagnostics.h"
#include "scenario/shrink.h"
#include "scenario/variants.h"
#include "scenario/writer.h"
#include "tools/catalogue_report.h"
#include "tools/scenario_cli.h"
#include "tools/wall_clock.h"
#include "tools/worker_pool.h"

namespace tools {

namespace {

struct CatalogueArgs {
    std::vector<std::string> bugs;
    std::string verify;
    uint64_t sweeps = 20;
    uint64_t max_seeds = 1000;
    uint64_t proof_seeds = 2000;
    int jobs = 2;
    std::string source = FEDSIM_SOURCE_DIR;  // the tree the bug scenarios are read from
    std::string doc = FEDSIM_SOURCE_DIR "/docs/bug-catalogue.md";
    std::string regressions = FEDSIM_SOURCE_DIR "/scenarios/bugs/regressions";
};

scenario::Scenario with_variant(scenario::Scenario s, const std::string& variant) {
    s.params.erase(std::remove_if(s.params.begin(), s.params.end(),
                                  [](const scenario::ParamSpec& p) { return p.name == "variant"; }),
                   s.params.end());
    scenario::ParamSpec p;
    p.name = "variant";
    p.type = scenario::ValueType::text;
    p.fixed = {.type = scenario::ValueType::text, .text = variant};
    s.params.insert(s.params.begin(), p);
    return s;
}

scenario::Scenario expecting_ok(scenario::Scenario s) {
    s.expect = scenario::Expectations{};
    return s;
}

// The variant-off proof's seeds that did not pass: failed or crashed, and bad input (the first
// such seed's error; a bundled scenario whose draw is impossible is not a clean proof either,
// but it is the scenario's fault, not a bug the variant-off code has).
struct ProofResult {
    std::vector<uint64_t> failed;
    std::vector<uint64_t> bad_input;
    std::string first_bad_input;  // the lowest bad-input seed's error
};

// Seeds 1..n with the variant off, in worker processes.
ProofResult prove_clean(const scenario::Scenario& s, uint64_t n, int jobs) {
    std::vector<uint64_t> seeds;
    for (uint64_t i = 1; i <= n; ++i) {
        seeds.push_back(i);
    }
    WorkerPool pool(jobs, [&s](uint64_t seed) {
        scenario::RunReport r = run_seed(s, {.seed = seed});
        std::string why = r.setup_error;
        std::replace(why.begin(), why.end(), '\n', ' ');  // one result line per seed
        return r.passed ? std::string("pass") : why.empty() ? "fail" : "input_error " + why;
    });
    ProofResult out;
    pool.run(seeds, [&out](uint64_t seed, const std::string& line, const std::string& crash) {
        const std::string tag = "input_error ";
        if (crash.empty() && line.rfind(tag, 0) == 0) {
            // Workers finish out of order: keep the lowest seed's error.
            if (out.bad_input.empty() ||
                seed < *std::min_element(out.bad_input.begin(), out.bad_input.end())) {
                out.first_bad_input = line.substr(tag.size());
            }
            out.bad_input.push_back(seed);
        } else if (line != "pass" || !crash.empty()) {
            out.failed.push_back(seed);
        }
        return true;
    });
    std::sort(out.failed.begin(), out.failed.end());
    std::sort(out.bad_input.begin(), out.bad_input.end());
    return out;
}

// One detection sweep from `start`: seeds run until the first failure (or max_seeds). A
// bad-input seed ends it too, as not found: it is no detection, and shrinking must not start
// from it.
SweepResult sweep_until_failure(const scenario::Scenario& s, uint64_t start, uint64_t max_seeds) {
    WallTimer timer;
    SweepResult r;
    r.start = start;
    r.seeds = max_seeds;
    for (uint64_t i = 0; i < max_seeds; ++i) {
        scenario::RunReport rep = run_seed(s, {.seed = start + i});
        if (!rep.passed) {
            r.found = rep.setup_error.empty();
            r.seeds = i + 1;
            r.failing_seed = start + i;
            r.reason = rep.reason;
            r.bad_input = rep.setup_error;
            break;
        }
    }
    r.seconds = timer.seconds();
    return r;
}

// What a regression file must do, run at `seed`: fail the way it says (its expectations
// hold), fail the ordinary "ok" expectations with its variant on, and pass with it off.
struct RegressionCheck {
    bool as_written = false;
    scenario::RunReport on;
    scenario::RunReport off;
    bool ok() const { return as_written && !on.passed && off.passed; }
    std::string problem() const {
        if (!as_written) {
            return "it does not fail as it says (variant on: " +
                   (on.passed ? std::string("passes") : on.reason) + ")";
        }
        if (on.passed) {
            return "it passes with the variant on";
        }
        return off.passed ? std::string() : "it fails with the variant off: " + off.reason;
    }
};

RegressionCheck check_regression(const scenario::Scenario& s, uint64_t seed) {
    RegressionCheck c;
    c.as_written = run_seed(s, {.seed = seed}).passed;
    c.on = run_seed(expecting_ok(s), {.seed = seed});
    c.off = run_seed(expecting_ok(with_variant(s, "none")), {.seed = seed});
    return c;
}

// Shrinks the failure and writes it as a regression that expects the variant's failure with
// the symptom it showed. Writes nothing, and records why, when the symptom is not one the
// table names or the file would not pass --verify.
void shrink_to_regression(const scenario::BugVariant& bug, const scenario::Scenario& on,
                          uint64_t seed, const std::string& dir, BugRow* row) {
    scenario::ShrinkOptions opt;
    opt.seed = seed;
    opt.run = [](const scenario::Scenario& c, uint64_t sd) { return run_seed(c, {.seed = sd}); };
    scenario::ShrinkResult res = scenario::shrink_scenario(on, opt);
    row->shrink_runs = res.runs;
    row->shrink_reductions = res.removed.size();
    if (!res.reproduced) {
        row->add_error("the failure of seed " + std::to_string(seed) + " did not reproduce");
        return;
    }
    scenario::Scenario m = res.minimal;
    const std::string reason = run_seed(expecting_ok(m), {.seed = seed}).reason;
    const std::string symptom = bug.symptom_in(reason);
    if (symptom.empty()) {
        row->add_error("the shrunk failure is none of the symptoms the table names: " + reason);
        return;
    }
    m.name = "regression-" + bug.id;
    m.description = "Regression for " + bug.issue + " (" + bug.title + "): " + bug.scenario +
                    " shrunk from seed " + std::to_string(seed) + " with variant=" +
                    bug.variant + ". It must fail as below with the variant on and pass with "
                    "it off (fedsim catalogue --verify).";
    m.expect = scenario::Expectations{};
    m.expect.outcomes = {bug.expect_outcome};
    m.expect.message_contains = symptom;
    m.expect.all_checks = false;
    const RegressionCheck check = check_regression(m, seed);
    if (!check.ok()) {
        row->add_error("the shrunk regression would not verify: " + check.problem());
        return;
    }
    std::string text = scenario::write_scenario(m);
    // A row names a regression only once its file is on disk: a table that links a file the
    // run could not write would read as a result.
    const std::string path = dir + "/" + bug.id + ".json";
    if (!write_text_file(path, text)) {
        row->add_error("the regression could not be written to " + path);
        return;
    }
    // The table links the file as the repository holds it (docs/ is beside scenarios/).
    row->regression = "scenarios/bugs/regressions/" + bug.id + ".json";
    row->regression_symptom = symptom;
    row->shrunk_bytes = text.size();
    row->shrunk_lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    row->shrunk_params = m.params.size();
    row->shrunk_timeline = m.timeline.size();
    std::printf("  shrunk in %zu runs to %zu lines -> %s\n", row->shrink_runs, row->shrunk_lines,
                path.c_str());
}

BugRow catalogue_one(const scenario::BugVariant& bug, const CatalogueArgs& a) {
    BugRow row;
    row.bug = &bug;
    std::optional<scenario::Scenario> off = load_or_report(a.source + "/" + bug.scenario);
    if (!off) {
        row.add_error("cannot load " + bug.scenario);
        return row;
    }
    WallTimer proof_timer;
    ProofResult proof = prove_clean(*off, a.proof_seeds, a.jobs);
    row.proof_failures = proof.failed;  // the proof's "clean" count excludes bad input too
    row.proof_failures.insert(row.proof_failures.end(), proof.bad_input.begin(),
                              proof.bad_input.end());
    std::sort(row.proof_failures.begin(), row.proof_failures.end());
    row.proof_seeds = a.proof_seeds;
    row.proof_seconds = proof_timer.seconds();
    std::printf("%s: variant off, %llu seeds: %zu failed, %zu bad input (%.1fs)\n",
                bug.id.c_str(), static_cast<unsigned long long>(a.proof_seeds),
                proof.failed.size(), proof.bad_input.size(), row.proof_seconds);
    if (!proof.bad_input.empty()) {
        row.add_error("variant off, " + std::to_string(proof.bad_input.size()) +
                      " seeds are bad input (first, seed " +
                      std::to_string(proof.bad_input.front()) + ": " + proof.first_bad_input +
                      ")");
    }
    scenario::Scenario on = with_variant(*off, bug.variant);
    for (uint64_t k = 0; k < a.sweeps; ++k) {
        row.sweeps.push_back(sweep_until_failure(on, 1 + k * 100'003, a.max_seeds));
        const SweepResult& r = row.sweeps.back();
        std::printf("  sweep %2llu from seed %llu: %s after %llu seeds (%.2fs)\n",
                    static_cast<unsigned long long>(k + 1),
                    static_cast<unsigned long long>(r.start),
                    r.found ? "failed" : !r.bad_input.empty() ? "bad input" : "nothing",
                    static_cast<unsigned long long>(r.seeds), r.seconds);
        if (!r.bad_input.empty()) {
            row.add_error("sweep " + std::to_string(k + 1) + " stopped at seed " +
                          std::to_string(r.failing_seed) + ", bad input, not a detection: " +
                          r.bad_input);
        }
    }
    if (!row.sweeps.empty() && row.sweeps.front().found) {
        row.first_reason = row.sweeps.front().reason;
        // A regression must pass with the variant off; with a proof that was not clean (a
        // failure, or bad input) the file would stand on an unproven baseline, so it is
        // neither shrunk nor written, and whatever is on disk stays.
        if (!row.proof_failures.empty()) {
            row.add_error("no regression written: the variant-off proof was not clean");
            std::printf("  not shrunk: the variant-off proof was not clean\n");
        } else {
            shrink_to_regression(bug, on, row.sweeps.front().failing_seed, a.regressions, &row);
        }
    }
    std::fflush(stdout);
    return row;
}

// A regression file: fails with its variant (judged by the ordinary "ok" expectations), still
// fails the way the file says, and passes with the variant off.
int verify(const std::string& file) {
    std::optional<scenario::Scenario> s = load_or_report(file);
    if (!s) {
        return k_exit_usage;
    }
    const uint64_t seed = default_seed(*s);
    const RegressionCheck c = check_regression(*s, seed);
    // A regression that cannot run is bad input (exit 2, like `fedsim run`), not a regression
    // that stopped failing. The variant-on runs are the file's own; the variant-off one differs
    // only in `variant`, so its error is the file's too.
    for (const scenario::RunReport* r : {&c.on, &c.off}) {
        if (!r->setup_error.empty()) {
            std::fprintf(stderr, "fedsim catalogue --verify: %s\n", r->setup_error.c_str());
            return k_exit_usage;
        }
    }
    std::printf("%s seed %llu:\n  fails as written: %s\n  variant on:  %s%s\n  variant off: %s%s\n",
                file.c_str(), static_cast<unsigned long long>(seed),
                c.as_written ? "yes" : "NO", c.on.passed ? "PASSED (expected a failure)" : "fails: ",
                c.on.reason.c_str(), c.off.passed ? "passes" : "FAILS: ", c.off.reason.c_str());
    return c.ok() ? k_exit_pass : k_exit_fail;
}

// Every --bug must be a catalogue id; an unknown one would silently leave its row out (and an
// all-unknown list would write an empty table and exit 0).
bool bug_ids_known(const std::vector<std::string>& wanted) {
    std::vector<std::string> ids;
    for (const scenario::BugVariant& bug : scenario::bug_variants()) {
        ids.push_back(bug.id);
    }
    bool ok = true;
    for (const std::string& id : wanted) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
            std::string all;
            for (const std::string& known : ids) {
                all += (all.empty() ? "" : ", ") + known;
            }
            std::fprintf(stderr,
                         "fedsim catalogue: --bug \"%s\" is not a catalogued bug%s; the ids are: "
                         "%s\n",
                         id.c_str(), scenario::did_you_mean(id, ids).c_str(), all.c_str());
            ok = false;
        }
    }
    return ok;
}

// Checked before any sweep, as --doc is: a missing directory used to surface only as a
// "cannot write" line per bug after hours of sweeping, while the table still linked the files.
bool regressions_dir_usable(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        std::fprintf(stderr, "fedsim: --regressions '%s' is not a directory\n", dir.c_str());
        return false;
    }
    return true;
}

int run_catalogue(const CatalogueArgs& a) {
    if (!a.verify.empty()) {
        return verify(a.verify);
    }
    if (!bug_ids_known(a.bugs) || (a.doc != "-" && !output_path_writable(a.doc, "--doc")) ||
        !regressions_dir_usable(a.regressions)) {
        return k_exit_usage;
    }
    std::vector<BugRow> rows;
    for (const scenario::BugVariant& bug : scenario::bug_variants()) {
        if (!a.bugs.empty() && std::find(a.bugs.begin(), a.bugs.end(), bug.id) == a.bugs.end()) {
            continue;
        }
        rows.push_back(catalogue_one(bug, a));
    }
    std::string doc = render_catalogue(rows, {.sweeps = a.sweeps, .max_seeds = a.max_seeds});
    if (!a.doc.empty() && a.doc != "-") {
        if (!write_text_file(a.doc, doc)) {
            return k_exit_usage;
        }
        std::printf("wrote %s\n", a.doc.c_str());
    } else {
        std::printf("%s", doc.c_str());
    }
    bool ok = std::all_of(rows.begin(), rows.end(), [](const BugRow& r) { return r.ok(); });
    return ok ? k_exit_pass : k_exit_fail;
}

}  // namespace

void add_catalogue_command(CLI::App& app, int* exit_code) {
    auto a = std::make_shared<CatalogueArgs>();
    CLI::App* cmd = app.add_subcommand(
        "catalogue", "Historical bug catalogue: prove each bug scenario clean, find each variant "
                     "by sweeping, shrink it, and write docs/bug-catalogue.md");
    cmd->add_option("--bug", a->bugs,
                    "Only these bugs (catalogue ids, shown by fedsim list bugs, e.g. "
                    "gateway-stop-deadlock)");
    cmd->add_option("--verify", a->verify, "Check one regression file and exit");
    // Zero of any of these would make an empty table or proof that looks like a result.
    cmd->add_option("--sweeps", a->sweeps, "Detection sweeps per bug")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000}));
    cmd->add_option("--max-seeds", a->max_seeds, "Seeds per sweep before giving up")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
    cmd->add_option("--proof-seeds", a->proof_seeds, "Variant-off seeds that must all pass")
        ->capture_default_str()
        ->check(CLI::Range(uint64_t{1}, uint64_t{10'000'000}));
    cmd->add_option("--jobs,-j", a->jobs, "Worker processes for the proof")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--doc", a->doc, "Where to write the table (- for stdout)");
    cmd->add_option("--regressions", a->regressions, "Where to write shrunk regressions");
    cmd->add_option("--source", a->source,
                    "The tree whose scenarios/bugs/ files are catalogued (default: the source "
                    "tree fedsim was built from)")
        ->capture_default_str();
    cmd->callback([a, exit_code] { *exit_code = run_catalogue(*a); });
}

}  // namespace tools
