// FaultPoints: buggify-style fault sites, decided per run by the seed (swarm testing).
//
// Model code asks `buggify("gateway.skip_revalidation")` at a place where something unusual may
// happen. Each site is activated or not once per run, from (seed, site name) alone, with the
// activation ratio; an active site then fires on each evaluation with the fire ratio, drawn from
// the site's own stream. So whether one site is active never depends on which other sites were
// evaluated first, and the active set is part of the run's identity (printed with the run).
// A scenario can force a site on or off, or switch fault points off altogether.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/random.h"

namespace sim {

struct FaultConfig {
    bool enabled = false;
    Ratio activation = {1, 4};
    Ratio fire = {1, 4};
    std::map<std::string, bool> forced;  // site -> on/off regardless of the draw
};

class FaultPoints {
public:
    FaultPoints(uint64_t seed, FaultConfig config);

    // True when the site is active in this run and fires on this evaluation.
    bool fire(std::string_view site);
    bool is_active(std::string_view site);
    // Sites evaluated (or forced on) that are active in this run, sorted by name.
    std::vector<std::string> active_sites() const;
    const FaultConfig& config() const { return config_; }

    // The fault points of the simulation running on this thread (nullptr if none).
    static FaultPoints* current();
    static void set_current(FaultPoints* fp);

private:
    struct Site {
        bool active = false;
        Random rng{0};
        uint64_t evaluations = 0;
        uint64_t fires = 0;
    };
    Site& site(std::string_view name);

    Random root_;
    FaultConfig config_;
    std::map<std::string, Site, std::less<>> sites_;
};

// Shorthand for model code: false when no simulation with fault points is running.
bool buggify(std::string_view site);

}  // namespace sim
