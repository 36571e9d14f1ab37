// The gateway world (through the scenario runner) counts a stop_gateway as a stop only when the
// /stop stopped the gateway (Gateway::stop's StopOutcome::stopped). A crash during the drain, or
// a gateway that is down when the /stop is sent, ends the request without a stop: upstream the
// HTTP request dies with the process, and the restarted gateway runs on. The world then emits
// gateway_stop_abandoned, not gateway_stopped, reports gw.stopped = 0 and does not wait for
// the request in gw.stops. Before the review of b84aa26 both cases reported gw.stopped = 1 and
// emitted gateway_stopped while the restarted gateway ran to the end.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

// The merchant holds each HTLC 6 blocks at 10 s: the payment sent 1 s after ready is in flight
// from a few seconds after ready to about 1 m after. `faults` are the timeline entries that
// stop, crash and restart the gateway; two markers fire on the world's stop events.
std::string scenario_text(const std::string& faults) {
    return R"({
  "name": "stop-crash-restart", "world": "gateway",
  "topology": {
    "nodes": [
      {"name": "gw", "role": "node", "props": {"profile": "lnd"}},
      {"name": "a", "role": "node", "props": {"profile": "lnd"}},
      {"name": "merchant", "role": "node", "props": {"profile": "lnd"}}
    ],
    "links": [
      {"kind": "channel", "from": "gw", "to": "a", "props": {"capacity_sat": 2000000}},
      {"kind": "channel", "from": "a", "to": "merchant", "props": {"capacity_sat": 2000000}}
    ]
  },
  "params": {"payee_hold_blocks": 6, "block_interval": "10s", "duration": "4m"},
  "timeline": [
    {"name": "pay", "after": "ready", "delay": "1s", "action": "pay", "to": "merchant"},
)" + faults + R"(,
    {"name": "saw_stopped", "after": "gateway_stopped", "delay": "0s", "action": "mine",
     "blocks": 1, "spacing": "1s"},
    {"name": "saw_abandoned", "after": "gateway_stop_abandoned", "delay": "0s",
     "action": "mine", "blocks": 1, "spacing": "1s"}
  ],
  "expect": {"outcome": "ok", "checks": "all",
             "conditions": ["gw.stopped == 0", "gw.restarts == 1", "gw.paid == 1",
                            "gw.pending == 0"]},
  "limits": {"max_time": "2h", "wall_time": "60s"}
})";
}

scenario::Scenario load(const std::string& text) {
    scenario::LoadResult loaded = scenario::parse_scenario(text, "t.json");
    INFO(loaded.describe("t.json"));
    REQUIRE(loaded.ok());
    return *loaded.scenario;
}

// When the timeline fired `entry` (its "timeline" trace).
std::optional<sim::SimTime> fired_at(const scenario::RunReport& r, const std::string& entry) {
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

// The kind of the last gateway_crash / gateway_restart record: what the gateway was at the end.
std::string last_crash_or_restart(const scenario::RunReport& r) {
    std::string last;
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind == "gateway_crash" || rec.kind == "gateway_restart") {
            last = rec.kind;
        }
    }
    return last;
}

// The `reason` of the gateway's gateway_stop_abandoned trace, if there is one.
std::optional<std::string> abandon_reason(const scenario::RunReport& r) {
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind != "gateway_stop_abandoned") {
            continue;
        }
        for (const sim::TraceField& f : rec.fields) {
            if (f.key == "reason") {
                return std::get<std::string>(f.value);
            }
        }
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("gateway world: a stop_gateway whose process crashes during the drain and restarts "
          "is abandoned, not a stop; the restarted gateway runs and pays",
          "[gateway][world][stop][restart]") {
    // The drain looks every 500 ms from 10 s: the crash at 20.3 s falls between two looks.
    const scenario::Scenario s = load(scenario_text(R"(
    {"name": "stop", "after": "ready", "delay": "10s", "action": "stop_gateway"},
    {"name": "crash", "after": "ready", "delay": "20300ms", "action": "crash_gateway"},
    {"name": "restart", "after": "ready", "delay": "30s", "action": "restart_gateway"})"));
    for (const uint64_t seed : {1, 2}) {
        scenario::RunReport r = scenario::run_scenario(s, {.seed = seed, .keep_records = true});
        INFO("seed " << seed << ": " << r.reason << " / " << r.run.message);
        CHECK(r.passed);  // every checker (gw.stops included), gw.stopped == 0, the payment paid
        CHECK(r.run.ok());
        CHECK(r.metrics["gw.stopped"] == 0);
        const auto crash = fired_at(r, "crash");
        const auto abandoned = fired_at(r, "saw_abandoned");
        REQUIRE(crash.has_value());
        REQUIRE(abandoned.has_value());
        CHECK_FALSE(fired_at(r, "saw_stopped").has_value());
        // The drain's first look after the crash, 200 ms later, ends the /stop.
        CHECK(*abandoned == *crash + sim::SimDuration::millis(200));
        CHECK(abandon_reason(r) == std::optional<std::string>("crashed"));
        CHECK(last_crash_or_restart(r) == "gateway_restart");
    }
}

TEST_CASE("gateway world: a stop_gateway sent while the gateway is down is abandoned at once; "
          "the gateway restarted later runs and pays",
          "[gateway][world][stop][restart]") {
    const scenario::Scenario s = load(scenario_text(R"(
    {"name": "crash", "after": "ready", "delay": "10s", "action": "crash_gateway"},
    {"name": "stop", "after": "ready", "delay": "15s", "action": "stop_gateway"},
    {"name": "restart", "after": "ready", "delay": "25s", "action": "restart_gateway"})"));
    scenario::RunReport r = scenario::run_scenario(s, {.seed = 1, .keep_records = true});
    INFO(r.reason << " / " << r.run.message);
    CHECK(r.passed);
    CHECK(r.metrics["gw.stopped"] == 0);
    const auto stop = fired_at(r, "stop");
    REQUIRE(stop.has_value());
    CHECK(fired_at(r, "saw_abandoned") == stop);
    CHECK_FALSE(fired_at(r, "saw_stopped").has_value());
    CHECK_FALSE(abandon_reason(r).has_value());  // the gateway traces no abandon: it was down
    CHECK(last_crash_or_restart(r) == "gateway_restart");
}
