// Scheduling of timeline entries and the generic actions on network, nodes and clocks.
#include "scenario/timeline.h"

#include <algorithm>

#include "sim/assert.h"

namespace scenario {

void Timeline::start(World* world) {
    world_ = world;
    for (size_t i = 0; i < s_.timeline.size(); ++i) {
        if (s_.timeline[i].at) {
            sim_.scheduler().schedule_at(sim::SimTime::zero() + *s_.timeline[i].at,
                                         [this, i] { fire(i); });
        }
    }
}

void Timeline::emit(const std::string& name) {
    if (name.empty() || !emitted_.insert(name).second) {
        return;
    }
    for (size_t i = 0; i < s_.timeline.size(); ++i) {
        if (s_.timeline[i].after == name) {
            sim_.scheduler().schedule_after(s_.timeline[i].delay, [this, i] { fire(i); });
        }
    }
}

void Timeline::fire(size_t index) {
    const TimelineEntry& e = s_.timeline[index];
    ++fired_;
    sim_.scheduler()
        .trace("timeline")
        .field("entry", e.name.empty() ? "#" + std::to_string(index) : e.name)
        .field("action", e.action);
    const auto& generic = generic_actions();
    bool is_generic = std::any_of(generic.begin(), generic.end(),
                                  [&](const ActionSpec& a) { return a.name == e.action; });
    if (is_generic) {
        apply_generic(e);
        // Every generic action but "stop" changes network, node or clock state: a fault (or
        // its end) the world's "after the last fault" bounds count from.
        if (world_ != nullptr && e.action != "stop") {
            world_->on_fault(e, faults_end());
        }
    } else if (world_ != nullptr) {
        world_->on_action(e);
    }
    emit(e.name);
}

sim::NodeId Timeline::node(const TimelineEntry& e, const std::string& arg) const {
    std::optional<sim::NodeId> id = sim_.network().find_node(e.args.at(arg).text);
    // The validator checked the name against the topology; a world that did not create a node
    // it declared is a programming error in the world.
    SIM_ASSERT(id.has_value());
    return *id;
}

std::vector<sim::NodeId> Timeline::nodes(const std::vector<std::string>& names) const {
    std::vector<sim::NodeId> out;
    for (const std::string& n : names) {
        std::optional<sim::NodeId> id = sim_.network().find_node(n);
        SIM_ASSERT(id.has_value());
        out.push_back(*id);
    }
    return out;
}

void Timeline::partition(const TimelineEntry& e) {
    std::vector<sim::NodeId> a = nodes(e.args.at("a").names);
    std::vector<sim::NodeId> b;
    if (e.args.count("b") > 0) {
        b = nodes(e.args.at("b").names);
    } else {
        for (uint32_t i = 0; i < sim_.network().node_count(); ++i) {
            if (std::find(a.begin(), a.end(), sim::NodeId(i)) == a.end()) {
                b.push_back(sim::NodeId(i));
            }
        }
    }
    std::optional<sim::SimDuration> heal_after;
    if (e.args.count("heal_after") > 0) {
        heal_after = e.args.at("heal_after").duration();
    }
    auto kind = e.args.at("one_way").flag() ? sim::PartitionKind::one_way
                                            : sim::PartitionKind::symmetric;
    uint32_t id = sim_.network().partition(a, b, kind, heal_after);
    if (!e.name.empty()) {
        partitions_[e.name] = id;
    }
    if (heal_after) {
        self_heals_at_ = std::max(self_heals_at_, sim_.scheduler().now() + *heal_after);
    } else {
        open_partitions_.insert(id);
    }
}

sim::SimTime Timeline::faults_end() const {
    if (!open_partitions_.empty() || !paused_.empty() || !crashed_.empty() || !frozen_.empty()) {
        return sim::SimTime::never();
    }
    return std::max(self_heals_at_, sim_.scheduler().now());
}

void Timeline::set_frozen(sim::NodeId target, bool frozen) {
    sim::Network& net = sim_.network();
    for (uint32_t i = 0; i < net.node_count(); ++i) {
        sim::NodeId other(i);
        if (other == target) {
            continue;
        }
        if (frozen) {
            net.pause_link(target, other);
            net.pause_link(other, target);
        } else {
            net.resume_link(target, other);
            net.resume_link(other, target);
        }
    }
}

void Timeline::apply_generic(const TimelineEntry& e) {
    sim::Network& net = sim_.network();
    if (e.action == "partition") {
        partition(e);
    } else if (e.action == "heal") {
        auto ref = e.args.find("partition");
        if (ref == e.args.end()) {
            net.heal_all();
            open_partitions_.clear();
        } else if (partitions_.count(ref->second.text) > 0) {
            net.heal(partitions_[ref->second.text]);
            open_partitions_.erase(partitions_[ref->second.text]);
        }
    } else if (e.action == "pause_link") {
        net.pause_link(node(e, "from"), node(e, "to"));
        paused_.insert({node(e, "from"), node(e, "to")});
    } else if (e.action == "resume_link") {
        net.resume_link(node(e, "from"), node(e, "to"));
        paused_.erase({node(e, "from"), node(e, "to")});
    } else if (e.action == "crash" || e.action == "restart") {
        const bool up = e.action == "restart";
        net.set_node_up(node(e, "node"), up);
        if (up) {
            crashed_.erase(node(e, "node"));
        } else {
            crashed_.insert(node(e, "node"));
        }
    } else if (e.action == "freeze" || e.action == "thaw") {
        const bool frozen = e.action == "freeze";
        set_frozen(node(e, "node"), frozen);
        if (frozen) {
            frozen_.insert(node(e, "node"));
        } else {
            frozen_.erase(node(e, "node"));
        }
    } else if (e.action == "skew_clock") {
        sim::SimDuration offset = e.args.at("offset").duration();
        sim::ClockSkew skew{.offset = e.args.at("behind").flag() ? sim::SimDuration() - offset
                                                                 : offset,
                            .drift_ppm = e.args.at("drift_ppm").number};
        sim_.clocks().set_skew(node(e, "node"), skew);
        sim_.scheduler().trace("clock_skew").field("offset", skew.offset).field("ppm",
                                                                                 skew.drift_ppm);
    } else if (e.action == "stop") {
        sim_.scheduler().stop();
    }
}

}  // namespace scenario
