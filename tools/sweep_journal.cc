// The per-seed journal of a sweep, and reading back an interrupted sweep for --resume.
#include "tools/sweep_journal.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace tools {

namespace {

using OJson = nlohmann::ordered_json;

std::string shard_text(const SweepResults& r) {
    return std::to_string(r.shard_index) + "/" + std::to_string(r.shard_count);
}

OJson header_of(const SweepResults& r) {
    return {{"fedsim_journal", 1}, {"scenario", r.scenario}, {"digest", r.digest},
            {"seeds", r.seeds},     {"shard", shard_text(r)}};
}

// Empty when `found` (digest, seeds, shard as written) describes the planned sweep; otherwise
// what differs, for the refusal message.
std::string mismatch(const std::string& digest, const std::string& seeds,
                     const std::string& shard, const SweepResults& planned) {
    if (digest != planned.digest) {
        return "was written for a different scenario: other file contents or --set (digest " +
               digest + ", now " +
               planned.digest + ")";
    }
    if (seeds != planned.seeds) {
        return "was written for seeds " + seeds + ", not " + planned.seeds;
    }
    if (shard != shard_text(planned)) {
        return "was written for shard " + shard + ", not " + shard_text(planned);
    }
    return "";
}

// Reads the journal's runs into `runs`; false with a reason if its header is not this sweep's.
// A last line cut short by the interruption is ignored: that seed simply runs again.
bool read_journal(const std::string& path, const SweepResults& planned,
                  std::map<uint64_t, SeedResult>* runs, std::string* error) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) {
        return true;  // empty: the sweep died before its first seed finished
    }
    nlohmann::json head = nlohmann::json::parse(line, nullptr, false);
    if (head.is_discarded() || !head.is_object() || !head.contains("fedsim_journal")) {
        *error = path + ":1: not a fedsim sweep journal";
        return false;
    }
    std::string why = mismatch(head.value("digest", ""), head.value("seeds", ""),
                               head.value("shard", ""), planned);
    if (!why.empty()) {
        *error = path + " " + why;
        return false;
    }
    while (std::getline(in, line)) {
        if (std::optional<SeedResult> r = parse_seed_result_line(line)) {
            (*runs)[r->seed] = *r;
        }
    }
    return true;
}

}  // namespace

std::string journal_path(const std::string& json_path) { return json_path + ".partial"; }

SweepJournal::~SweepJournal() {
    if (file_ != nullptr) {
        std::fclose(file_);
    }
}

bool SweepJournal::open(const std::string& json_path, const SweepResults& results) {
    path_ = journal_path(json_path);
    file_ = std::fopen(path_.c_str(), "w");
    if (file_ == nullptr) {
        std::fprintf(stderr, "fedsim: cannot write '%s'\n", path_.c_str());
        return false;
    }
    std::fprintf(file_, "%s\n", header_of(results).dump().c_str());
    for (const SeedResult& r : results.runs) {
        std::fprintf(file_, "%s\n", seed_result_line(r).c_str());
    }
    return std::fflush(file_) == 0;
}

bool SweepJournal::append(const SeedResult& r) {
    if (file_ == nullptr) {
        return true;
    }
    std::fprintf(file_, "%s\n", seed_result_line(r).c_str());
    return std::fflush(file_) == 0;
}

void SweepJournal::remove() {
    if (file_ != nullptr) {
        std::fclose(file_);
        file_ = nullptr;
        std::remove(path_.c_str());
    }
}

std::optional<SweepResults> read_partial_results(const std::string& json_path,
                                                 const SweepResults& planned,
                                                 std::string* error) {
    std::error_code ec;
    bool have_json = std::filesystem::exists(json_path, ec);
    bool have_journal = std::filesystem::exists(journal_path(json_path), ec);
    if (!have_json && !have_journal) {
        *error = "nothing to resume: neither " + json_path + " nor " + journal_path(json_path) +
                 " exists";
        return std::nullopt;
    }
    std::map<uint64_t, SeedResult> runs;
    if (have_json) {
        std::optional<SweepResults> done = read_results_file(json_path, error);
        if (!done) {
            return std::nullopt;
        }
        std::string why = mismatch(done->digest, done->seeds, shard_text(*done), planned);
        if (!why.empty()) {
            *error = json_path + " " + why;
            return std::nullopt;
        }
        for (const SeedResult& r : done->runs) {
            runs[r.seed] = r;
        }
    }
    if (have_journal && !read_journal(journal_path(json_path), planned, &runs, error)) {
        return std::nullopt;
    }
    SweepResults out = planned;
    for (const auto& [seed, r] : runs) {
        out.runs.push_back(r);
    }
    return out;
}

}  // namespace tools
