// Per-run site activation and per-evaluation firing for fault points.
#include "sim/fault_points.h"

namespace sim {

namespace {
thread_local FaultPoints* t_current_faults = nullptr;
}

FaultPoints::FaultPoints(uint64_t seed, FaultConfig config)
    : root_(Random(seed).fork("fault-points")), config_(std::move(config)) {
    for (const auto& [name, on] : config_.forced) {
        site(name);
    }
}

FaultPoints::Site& FaultPoints::site(std::string_view name) {
    auto it = sites_.find(name);
    if (it != sites_.end()) {
        return it->second;
    }
    Site s;
    s.rng = root_.fork(name);
    Random activation = root_.fork(std::string(name) + "#activation");
    auto forced = config_.forced.find(std::string(name));
    if (forced != config_.forced.end()) {
        s.active = forced->second;
    } else {
        s.active = config_.enabled && activation.chance(config_.activation);
    }
    return sites_.emplace(std::string(name), std::move(s)).first->second;
}

bool FaultPoints::is_active(std::string_view name) { return site(name).active; }

bool FaultPoints::fire(std::string_view name) {
    Site& s = site(name);
    ++s.evaluations;
    if (!s.active) {
        return false;
    }
    bool fired = s.rng.chance(config_.fire);
    s.fires += fired ? 1 : 0;
    return fired;
}

std::vector<std::string> FaultPoints::active_sites() const {
    std::vector<std::string> out;
    for (const auto& [name, s] : sites_) {
        if (s.active) {
            out.push_back(name);
        }
    }
    return out;
}

FaultPoints* FaultPoints::current() { return t_current_faults; }
void FaultPoints::set_current(FaultPoints* fp) { t_current_faults = fp; }

bool buggify(std::string_view site) {
    FaultPoints* fp = FaultPoints::current();
    return fp != nullptr && fp->fire(site);
}

}  // namespace sim
