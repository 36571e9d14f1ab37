// SweepResults: what a sweep found, seed by seed, as JSON (--json), JUnit XML (--junit), and
// the line format workers send to the sweep over their pipe.
//
// Nothing here depends on the OS clock or on the order workers finished in: the runs are kept
// sorted by seed and carry no wall times, so a merged set of shard files is byte-identical to
// the file of the same sweep run unsharded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/runner.h"

namespace tools {

// A seed's status, as written in results files and journals. Three ways not to pass, kept
// apart because each asks something different of the user:
//   "fail"        a checker or the expected outcome found a bug: shrink and fix it;
//   "crash"       the worker process died or ran past --wall-limit: fedsim or model code
//                 crashed or spun, reported for the seed the worker held;
//   "input_error" the seed's drawn parameters make the scenario impossible
//                 (RunReport::setup_error, World::input_error): fix the scenario's ranges.
// Files written before "input_error" existed have such seeds as "fail" with an "input:"
// signature; readers take any status they do not know as "fail".
inline constexpr const char* k_status_pass = "pass";
inline constexpr const char* k_status_fail = "fail";
inline constexpr const char* k_status_crash = "crash";
inline constexpr const char* k_status_input_error = "input_error";

// The --json results format. 2: statuses "input_error" and the summary's "bad_input" exist,
// and "failed" no longer counts bad-input seeds (in 1 it did, as "fail"), so a reader that
// judged a file by failed + crashed + not_run == 0 must add bad_input: the bump makes a
// reader that checks the version notice. Readers take both (files of 1 as described above).
inline constexpr int k_results_format = 2;

struct SeedResult {
    uint64_t seed = 0;
    std::string status;  // one of the k_status_* above
    std::string outcome;
    std::string reason;
    std::string signature;
    std::string fingerprint;
    uint64_t events = 0;
    int64_t end_ns = 0;
    std::string params;
    std::string replay;
};

struct SweepSummary {
    uint64_t passed = 0;
    uint64_t failed = 0;
    uint64_t crashed = 0;
    uint64_t bad_input = 0;  // "input_error" seeds
    uint64_t not_run = 0;
};

// A sweep's (or merge's) exit code from its summary: 1 (k_exit_fail) when any seed failed or
// crashed, or seeds were not run; otherwise 2 (k_exit_usage) when any seed was bad input,
// like `fedsim run` on that seed; 0 when every planned seed passed. A found bug outranks bad
// input: the failing seeds are valid draws, and the summary line counts the bad ones too.
int sweep_exit_code(const SweepSummary& s);

struct SweepResults {
    std::string scenario;
    std::string file;
    std::string digest;  // of the file's bytes and the --set arguments: shards of different
                         // scenarios never merge, and --resume never mixes two
    std::vector<std::string> set;  // the --set arguments (NAME=VALUE), in command-line order
    std::string seeds;   // the whole range, "A..B"
    uint64_t shard_index = 1;
    uint64_t shard_count = 1;
    uint64_t planned = 0;  // seeds this shard was to run
    std::vector<SeedResult> runs;
    SweepSummary summary() const;
};

SeedResult seed_result_from(const scenario::RunReport& r, const std::string& file);
// "17 passed, 6 failed, 1 crashed, 2 bad input" (", 3 not run" when some were not run).
std::string describe_summary(const SweepSummary& s);
std::string seed_result_line(const SeedResult& r);
std::optional<SeedResult> parse_seed_result_line(const std::string& line);

// Sorted by seed, one run per line, a summary at the end.
std::string results_json(const SweepResults& results);
std::optional<SweepResults> read_results_file(const std::string& path, std::string* error);
std::string junit_xml(const SweepResults& results);

// FNV-1a of a file's bytes, followed by the overrides when there are any (canonical_overrides:
// the same values give the same digest whatever their order or spelling), as hex; empty if the
// file is unreadable. Without overrides it is the digest of the bytes alone, as before --set.
std::string scenario_digest(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace tools
