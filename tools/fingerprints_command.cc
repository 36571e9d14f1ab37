// Fingerprint listing for cross-build determinism checks.
#include "tools/fingerprints_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "actors/examples/sample_system.h"
#include "tools/seed_range.h"

namespace tools {

void add_fingerprints_command(CLI::App& app, int* exit_code) {
    auto seeds = std::make_shared<std::string>("1..1000");
    CLI::App* cmd = app.add_subcommand(
        "fingerprints", "Print the sample system's fingerprint for each seed (for build diffs)");
    cmd->add_option("--seeds", *seeds, "Seed range A..B")->capture_default_str();
    cmd->callback([seeds, exit_code] {
        std::string error;
        std::optional<SeedRange> range = parse_seed_range(*seeds, &error);
        if (!range) {
            std::fprintf(stderr, "fedsim fingerprints: --seeds: %s\n", error.c_str());
            *exit_code = 2;
            return;
        }
        for (uint64_t seed = range->first;; ++seed) {
            sim::SimulationResult r = actors::examples::run_sample_system(seed);
            std::printf("%llu %016llx %s\n", static_cast<unsigned long long>(seed),
                        static_cast<unsigned long long>(r.run.fingerprint),
                        sim::to_string(r.run.outcome));
            if (seed == range->last) {
                break;
            }
        }
        *exit_code = 0;
    });
}

}  // namespace tools
