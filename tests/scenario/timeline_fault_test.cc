// Timeline -> World::on_fault: which generic actions reach the world, and the end time it hears
// (never while a fault holds that only a later action ends; a heal_after partition: its heal).
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "scenario/parser.h"
#include "scenario/timeline.h"

namespace {

struct Heard {
    std::string entry;
    sim::SimTime at;
    sim::SimTime faults_end;
};

class RecordingWorld : public scenario::World {
public:
    explicit RecordingWorld(sim::Simulation& sim) : sim_(sim) {}
    void on_fault(const scenario::TimelineEntry& entry, sim::SimTime faults_end) override {
        heard.push_back({entry.name, sim_.scheduler().now(), faults_end});
    }
    std::vector<Heard> heard;

private:
    sim::Simulation& sim_;
};

std::vector<Heard> run(const std::string& entries) {
    const std::string text = R"({"name": "t", "world": "echo", "topology": {"nodes": [
        {"name": "server", "role": "server"}, {"name": "pinger", "role": "client", "count": 2}]},
        "timeline": [)" + entries + "]}";
    scenario::LoadResult loaded = scenario::parse_scenario(text, "t.json");
    INFO(loaded.describe("t.json"));
    REQUIRE(loaded.ok());
    sim::Simulation sim(sim::SimulationConfig{.seed = 1});
    for (const char* n : {"server", "pinger0", "pinger1"}) {
        sim.network().add_node(n);
    }
    scenario::Timeline timeline(*loaded.scenario, sim);
    RecordingWorld world(sim);
    timeline.start(&world);
    sim.run({.max_time = sim::SimTime::zero() + sim::SimDuration::seconds(100)});
    return world.heard;
}

sim::SimTime t(int64_t secs) { return sim::SimTime::zero() + sim::SimDuration::seconds(secs); }

}  // namespace

TEST_CASE("timeline: a fault only a later action ends holds the end at never until it does",
          "[scenario][timeline]") {
    const std::vector<Heard> heard = run(R"(
        {"name": "cut", "at": "1s", "action": "partition", "a": ["server"]},
        {"name": "clog", "at": "2s", "action": "pause_link", "from": "pinger0", "to": "server"},
        {"name": "mend", "at": "3s", "action": "heal", "partition": "cut"},
        {"name": "unclog", "at": "4s", "action": "resume_link", "from": "pinger0", "to": "server"},
        {"name": "down", "at": "5s", "action": "crash", "node": "pinger1"},
        {"name": "up", "at": "6s", "action": "restart", "node": "pinger1"},
        {"name": "ice", "at": "7s", "action": "freeze", "node": "server"},
        {"name": "melt", "at": "8s", "action": "thaw", "node": "server"},
        {"name": "skew", "at": "9s", "action": "skew_clock", "node": "server", "offset": "1s"},
        {"name": "end", "at": "10s", "action": "stop"})");
    const std::vector<std::pair<std::string, sim::SimTime>> want = {
        {"cut", sim::SimTime::never()}, {"clog", sim::SimTime::never()},
        {"mend", sim::SimTime::never()},  // the link is still paused
        {"unclog", t(4)}, {"down", sim::SimTime::never()}, {"up", t(6)},
        {"ice", sim::SimTime::never()}, {"melt", t(8)}, {"skew", t(9)}};
    REQUIRE(heard.size() == want.size());  // "stop" is no fault: not heard
    for (size_t i = 0; i < want.size(); ++i) {
        INFO(want[i].first);
        CHECK(heard[i].entry == want[i].first);
        CHECK(heard[i].faults_end == want[i].second);
    }
}

TEST_CASE("timeline: a heal_after partition ends at its heal, and the end never moves back",
          "[scenario][timeline]") {
    const std::vector<Heard> heard = run(R"(
        {"name": "cut", "at": "1s", "action": "partition", "a": ["server"], "heal_after": "30s"},
        {"name": "down", "at": "2s", "action": "crash", "node": "pinger1"},
        {"name": "up", "at": "3s", "action": "restart", "node": "pinger1"},
        {"name": "mend", "at": "4s", "action": "heal", "partition": "cut"},
        {"name": "skew", "at": "40s", "action": "skew_clock", "node": "server", "offset": "1s"})");
    REQUIRE(heard.size() == 5);
    CHECK(heard[0].faults_end == t(31));
    CHECK(heard[1].faults_end == sim::SimTime::never());
    CHECK(heard[2].faults_end == t(31));  // the scheduled heal is still ahead
    CHECK(heard[3].faults_end == t(31));  // healed early: the end stays, never moves back
    CHECK(heard[4].faults_end == t(40));
}
