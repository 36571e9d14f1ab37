// Timeline: fires a scenario's timeline entries at their times or after their predecessors.
//
// Entries with "at" are scheduled when the run starts; an entry with "after" is scheduled
// (with its delay) when the entry or world event it names fires for the first time. The
// generic actions (partition, heal, pause/resume a link, crash/restart, freeze/thaw, skew a
// clock, stop) are carried out here on the engine; anything else goes to the world. Every
// firing is traced, so the timeline is part of the run's fingerprint. After each generic fault
// action (every generic action but "stop") the world hears when the timeline's faults end
// (World::on_fault): the timeline keeps which of its faults are still in effect for that.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

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
    // When the timeline's faults in effect end: never while one only a later action ends
    // holds, else the latest heal_after heal (now if that is past).
    sim::SimTime faults_end() const;
    sim::NodeId node(const TimelineEntry& e, const std::string& arg) const;
    std::vector<sim::NodeId> nodes(const std::vector<std::string>& names) const;

    const Scenario& s_;
    sim::Simulation& sim_;
    World* world_ = nullptr;
    std::set<std::string> emitted_;
    std::map<std::string, uint32_t> partitions_;  // entry name -> network partition id
    // The timeline's faults in effect that only a later action ends (World::on_fault).
    std::set<uint32_t> open_partitions_;  // partition ids without heal_after, not healed
    std::set<std::pair<sim::NodeId, sim::NodeId>> paused_;
    std::set<sim::NodeId> crashed_;
    std::set<sim::NodeId> frozen_;
    // The latest heal_after heal scheduled so far (kept after an early explicit heal, so the
    // time handed to the world never moves back).
    sim::SimTime self_heals_at_ = sim::SimTime::zero();
    uint64_t fired_ = 0;
};

}  // namespace scenario
