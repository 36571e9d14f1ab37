// SweepJournal: the sweep's per-seed record on disk, and what `fedsim sweep --resume` reads.
//
// The --json results file is rewritten whole (at most once a second), which is too costly to
// do for every seed of a long sweep. So next to it, in FILE.partial, every finished seed is
// appended as one line and flushed before the next result is taken: a sweep killed at any
// moment loses at most the seeds still running. The first line names the sweep (scenario
// digest, seed range, shard) so a resume never mixes results of different sweeps. The journal
// is removed once the complete results file is written.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "tools/sweep_results.h"

namespace tools {

class SweepJournal {
public:
    SweepJournal() = default;
    SweepJournal(const SweepJournal&) = delete;
    SweepJournal& operator=(const SweepJournal&) = delete;
    ~SweepJournal();

    // Starts FILE.partial with the header and the runs already known (from a resume).
    bool open(const std::string& json_path, const SweepResults& results);
    bool append(const SeedResult& r);
    // Called after the complete results file is on disk.
    void remove();

private:
    std::string path_;
    std::FILE* file_ = nullptr;
};

// The path of the journal kept beside a --json results file.
std::string journal_path(const std::string& json_path);

// What an interrupted sweep left: the runs in the results file and the journal, checked
// against `planned` (same scenario bytes, range and shard). nullopt with a reason naming the
// file and the mismatch otherwise, or when neither file exists.
std::optional<SweepResults> read_partial_results(const std::string& json_path,
                                                 const SweepResults& planned, std::string* error);

}  // namespace tools
