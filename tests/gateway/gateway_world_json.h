// Gateway-world scenarios written by tests (run through the scenario runner): the file's
// JSON from its parts, its parse, and what the run's records say (when a timeline entry
// fired). Shared by the world-level tests in tests/gateway and tests/scenario.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace gateway_world_json {

// A gateway-world scenario: every node an LND node, each channel 2,000,000 sat from its first
// node to its second (the nodes in order of first appearance), a 2 h time limit and 60 s of
// wall time. `params` and `timeline` are the members and entries between the braces and
// brackets; the run must end `outcome` with every check and `conditions` (quoted, comma
// separated) holding.
struct Spec {
    std::string name;
    std::vector<std::pair<std::string, std::string>> channels;
    std::string params;
    std::string timeline;
    std::string conditions;
    std::string outcome = "ok";
};

inline std::string to_json(const Spec& s) {
    std::vector<std::string> nodes;
    std::string links;
    for (const auto& [from, to] : s.channels) {
        for (const std::string& n : {from, to}) {
            if (std::find(nodes.begin(), nodes.end(), n) == nodes.end()) {
                nodes.push_back(n);
            }
        }
        links += std::string(links.empty() ? "" : ",\n") + R"(      {"kind": "channel", "from": ")" +
                 from + R"(", "to": ")" + to + R"(", "props": {"capacity_sat": 2000000}})";
    }
    std::string node_list;
    for (const std::string& n : nodes) {
        node_list += std::string(node_list.empty() ? "" : ",\n") + R"(      {"name": ")" + n +
                     R"(", "role": "node", "props": {"profile": "lnd"}})";
    }
    return R"({
  "name": ")" + s.name + R"(", "world": "gateway",
  "topology": {
    "nodes": [
)" + node_list + R"(
    ],
    "links": [
)" + links + R"(
    ]
  },
  "params": {)" + s.params + R"(},
  "timeline": [)" + s.timeline + R"(
  ],
  "expect": {"outcome": ")" + s.outcome + R"(", "checks": "all",
             "conditions": [)" + s.conditions + R"(]},
  "limits": {"max_time": "2h", "wall_time": "60s"}
})";
}

inline scenario::Scenario load(const Spec& spec) {
    const std::string text = to_json(spec);
    scenario::LoadResult loaded = scenario::parse_scenario(text, "t.json");
    INFO(text << "\n" << loaded.describe("t.json"));
    REQUIRE(loaded.ok());
    return *loaded.scenario;
}

// When the timeline fired `entry` (its "timeline" trace; needs RunOptions::keep_records).
inline std::optional<sim::SimTime> fired_at(const scenario::RunReport& r,
                                            const std::string& entry) {
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind != "timeline") {
            continue;
        }
        for (const sim::TraceField& f : rec.fields) {
            if (f.key == "entry" && std::get<std::string>(f.value) == entry) {
                return rec.at;
            }
        }
    }
    return std::nullopt;
}

// The first record of `kind`'s field `key`, a string, if there is one.
inline std::optional<std::string> first_field(const scenario::RunReport& r,
                                              const std::string& kind, const std::string& key) {
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind != kind) {
            continue;
        }
        for (const sim::TraceField& f : rec.fields) {
            if (f.key == key) {
                return std::get<std::string>(f.value);
            }
        }
    }
    return std::nullopt;
}

}  // namespace gateway_world_json
