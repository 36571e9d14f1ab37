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

struct SeedResult {
    uint64_t seed = 0;
    std::string status;  // "pass", "fail" or "crash" (the worker process died)
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
    uint64_t not_run = 0;
};

struct SweepResults {
    std::string scenario;
    std::string file;
    std::string digest;  // of the scenario file's bytes: shards of different files never merge
    std::string seeds;   // the whole range, "A..B"
    uint64_t shard_index = 1;
    uint64_t shard_count = 1;
    uint64_t planned = 0;  // seeds this shard was to run
    std::vector<SeedResult> runs;
    SweepSummary summary() const;
};

SeedResult seed_result_from(const scenario::RunReport& r, const std::string& file);
std::string seed_result_line(const SeedResult& r);
std::optional<SeedResult> parse_seed_result_line(const std::string& line);

// Sorted by seed, one run per line, a summary at the end.
std::string results_json(const SweepResults& results);
std::optional<SweepResults> read_results_file(const std::string& path, std::string* error);
std::string junit_xml(const SweepResults& results);

// FNV-1a of a file's bytes, as hex; empty if unreadable.
std::string file_digest(const std::string& path);

}  // namespace tools
