// Timeline: fires a scenario's timeline entries at their times or after their predecessors.
//
// Entries with "at" are scheduled when the run starts; an entry with "after" is scheduled
// (with its delay) when the entry or world event it names fires for the first time. The
// generic actions (partition, heal, pause/resume a link, crash/restart, freeze/thaw, skew a
// clock, stop) are carried out here on the engine; anything else goes to the world. Every
// firing is traced, so the timeline is part of the run's fingerprint.
#pragma once

#include <map>
#include <set>
#include <string>

#include "scenario/world_registry.h"
#include "sim/simulation.h"

namespace scenario {

class Timeline {
public:
    Timeline(const Scenario& s, sim::Simulation& sim) : s_(s), sim_(sim) {}
    Timeline(const Timeline&) = delete;
    Timeline& operator=(const Timeline&) = delete;

    // Schedules the "at" entries. `world` receives the world actions; it must outlive the run.
    void start(World* world);
    // A world event (or an entry) fired: schedules the entries waiting for it (once).
    void emit(const std::string& name);
    uint64_t fired() const { return fired_; }

private:
    void fire(size_t index);
    void apply_generic(const TimelineEntry& e);
    void partition(const TimelineEntry& e);
    void set_frozen(sim::NodeId node, bool frozen);
    sim::NodeId node(const TimelineEntry& e, const std::string& arg) const;
    std::vector<sim::NodeId> nodes(const std::vector<std::string>& names) const;

    const Scenario& s_;
    sim::Simulation& sim_;
    World* world_ = nullptr;
    std::set<std::string> emitted_;
    std::map<std::string, uint32_t> partitions_;  // entry name -> network partition id
    uint64_t fired_ = 0;
};

}  // namespace scenario
