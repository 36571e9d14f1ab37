// A downstream program: loads a scenario with the installed library and runs a few seeds.
#include <cstdio>

#include "scenario/parser.h"
#include "scenario/runner.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        return 2;
    }
    scenario::LoadResult loaded = scenario::load_scenario_file(argv[1]);
    if (!loaded.ok()) {
        std::fputs(loaded.describe(argv[1]).c_str(), stderr);
        return 2;
    }
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        scenario::RunReport r = scenario::run_scenario(*loaded.scenario, {.seed = seed});
        std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed),
                    r.passed ? "pass" : r.reason.c_str());
        if (!r.passed) {
            return 1;
        }
    }
    return 0;
}
