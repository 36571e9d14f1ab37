// The merge subcommand: shard result files in, one result file (and JUnit) out.
#include <algorithm>
#include <set>

#include "tools/scenario_cli.h"
#include "tools/sweep_command.h"
#include "tools/sweep_results.h"

namespace tools {

namespace {

struct MergeArgs {
    std::string out;
    std::vector<std::string> inputs;
    std::string junit;
};

// Every shard must come from the same file and range, and together cover 1..N exactly once.
bool check_shards(const std::vector<SweepResults>& shards, const MergeArgs& a) {
    const SweepResults& first = shards.front();
    std::set<uint64_t> seen;
    for (size_t i = 0; i < shards.size(); ++i) {
        const SweepResults& s = shards[i];
        const char* what = s.digest != first.digest   ? "a different scenario (file or --set)"
                           : s.seeds != first.seeds    ? "a different seed range"
                           : s.shard_count != first.shard_count ? "a different shard count"
                                                                 : nullptr;
        if (what != nullptr) {
            std::fprintf(stderr, "fedsim merge: %s is from %s than %s\n", a.inputs[i].c_str(),
                         what, a.inputs[0].c_str());
            return false;
        }
        if (!seen.insert(s.shard_index).second) {
            std::fprintf(stderr, "fedsim merge: shard %llu/%llu is given twice\n",
                         static_cast<unsigned long long>(s.shard_index),
                         static_cast<unsigned long long>(s.shard_count));
            return false;
        }
    }
    if (seen.size() != first.shard_count) {
        std::fprintf(stderr, "fedsim merge: %zu of %llu shards given; the merge would be "
                             "incomplete\n",
                     seen.size(), static_cast<unsigned long long>(first.shard_count));
        return false;
    }
    return true;
}

int merge(const MergeArgs& a) {
    std::vector<SweepResults> shards;
    for (const std::string& path : a.inputs) {
        std::string error;
        std::optional<SweepResults> r = read_results_file(path, &error);
        if (!r) {
            std::fprintf(stderr, "fedsim merge: %s\n", error.c_str());
            return k_exit_usage;
        }
        shards.push_back(std::move(*r));
    }
    if (!check_shards(shards, a)) {
        return k_exit_usage;
    }
    SweepResults merged = shards.front();
    merged.shard_index = merged.shard_count = 1;
    merged.runs.clear();
    merged.planned = 0;
    for (const SweepResults& s : shards) {
        merged.runs.insert(merged.runs.end(), s.runs.begin(), s.runs.end());
        merged.planned += s.planned;
    }
    std::sort(merged.runs.begin(), merged.runs.end(),
              [](const SeedResult& x, const SeedResult& y) { return x.seed < y.seed; });
    if (!write_text_file(a.out, results_json(merged)) ||
        (!a.junit.empty() && !write_text_file(a.junit, junit_xml(merged)))) {
        return k_exit_usage;
    }
    SweepSummary sum = merged.summary();
    std::printf("merged %zu shards of %s: %zu runs, %s\n", shards.size(),
                merged.scenario.c_str(), merged.runs.size(), describe_summary(sum).c_str());
    // Failures and crashes first, then the bad-input seeds (not findings), each with its replay.
    for (bool bad_input : {false, true}) {
        for (const SeedResult& r : merged.runs) {
            if (r.status != k_status_pass && (r.status == k_status_input_error) == bad_input) {
                std::printf("  %sseed %llu: %s\n    replay: %s\n", bad_input ? "bad input: " : "",
                            static_cast<unsigned long long>(r.seed), r.reason.c_str(),
                            r.replay.c_str());
            }
        }
    }
    return sweep_exit_code(sum);
}

}  // namespace

void add_merge_command(CLI::App& app, int* exit_code) {
    auto a = std::make_shared<MergeArgs>();
    CLI::App* cmd = app.add_subcommand("merge", "Combine the --json results of sharded sweeps");
    cmd->add_option("OUT", a->out, "Merged results file to write")->required();
    cmd->add_option("SHARDS", a->inputs, "Shard results files (sweep --shard K/N --json)")
        ->required();
    cmd->add_option("--junit", a->junit, "Also write JUnit XML for the merged results");
    cmd->callback([a, exit_code] { *exit_code = merge(*a); });
}

}  // namespace tools
