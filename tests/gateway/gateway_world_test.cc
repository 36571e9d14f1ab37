// The gateway world through scenario text: bad fields are reported with their JSON pointer and
// line, a generated topology runs and passes its checks, the same seed gives the same
// fingerprint, and the variant parameter switches a bug on that the general checkers catch.
#include <catch2/catch.hpp>

#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

const char* k_nodes = R"(
  "topology": {
    "nodes": [
      {"name": "gw", "role": "node", "props": {"profile": "lnd"}},
      {"name": "a", "role": "node", "props": {"profile": "cln"}},
      {"name": "merchant", "role": "node", "props": {"profile": "lnd"}},
      {"name": "payer", "role": "node", "props": {"profile": "lnd"}}
    ],
    "generate": {"kind": "line", "capacity_sat_min": 2000000, "capacity_sat_max": 3000000}
  },)";

// Appended piece by piece: g++ 12 with the tests' precompiled header (tests/CMakeLists.txt)
// reports a false -Warray-bounds inside a chain of operator+ on a temporary std::string.
std::string scenario_text(const std::string& params, const std::string& timeline = "[]") {
    std::string text = "{\n  \"name\": \"t\", \"world\": \"gateway\",";
    text += k_nodes;
    text += "\n  \"params\": ";
    text += params;
    text += ",\n  \"timeline\": ";
    text += timeline;
    text += "\n}\n";
    return text;
}

std::string diagnostics_of(const std::string& text) {
    scenario::LoadResult r = scenario::parse_scenario(text, "t.json");
    return r.ok() ? std::string() : r.describe("t.json");
}

}  // namespace

TEST_CASE("gateway world: bad fields name their pointer and line", "[gateway][world]") {
    CHECK_THAT(diagnostics_of(scenario_text(R"({"gateway_node": "nope"})")),
               Catch::Contains("t.json:12:") && Catch::Contains("/params/gateway_node") &&
                   Catch::Contains("not a topology node"));
    CHECK_THAT(diagnostics_of(scenario_text(R"({"payments": 2})")),
               Catch::Contains("payee \"\" is not a topology node"));
    CHECK_THAT(diagnostics_of(scenario_text(R"({"variant": "made_up"})")),
               Catch::Contains("/params/variant"));
    CHECK_THAT(diagnostics_of(scenario_text(
                   R"({"guardians": {"min": 3, "max": 5}})",
                   R"([{"at": "1m", "action": "crash_guardian", "guardian": 3}])")),
               Catch::Contains("/timeline/0/guardian") &&
                   Catch::Contains("guardian 3 does not exist when a seed picks 3 guardians"));
    CHECK_THAT(diagnostics_of(scenario_text(
                   R"({})", R"([{"at": "1m", "action": "skew_clock", "node": "client1",
                                 "offset": "1m"}])")),
               Catch::Contains("node client1 does not exist when a seed picks 1 clients"));
    CHECK(diagnostics_of(scenario_text(R"({"gateway_profile": {"one_of": ["lnd", "cln"]}})"))
              .empty());
    // A declared topology where the payee has no channel path to the gateway's node.
    const std::string islands = R"({"name": "t", "world": "gateway",
      "topology": {"nodes": [{"name": "gw", "role": "node"}, {"name": "a", "role": "node"},
                             {"name": "b", "role": "node"}, {"name": "m", "role": "node"}],
                   "links": [{"kind": "channel", "from": "gw", "to": "a"},
                             {"kind": "channel", "from": "b", "to": "m"}]},
      "params": {"payments": 1, "payee": "m"}})";
    CHECK_THAT(diagnostics_of(islands),
               Catch::Contains("/params/payee") &&
                   Catch::Contains("payee m has no channel path to the gateway's node gw"));
}

TEST_CASE("gateway world: a generated line runs, passes, and replays", "[gateway][world]") {
    scenario::LoadResult loaded = scenario::parse_scenario(
        scenario_text(R"({"payments": 1, "payee": "merchant", "receives": 1, "payer": "payer",
                          "gateway_node": "a", "gateway_profile": "lnd",
                          "expect_payments": "succeed", "duration": "3m"})"),
        "t.json");
    INFO(loaded.describe("t.json"));
    REQUIRE(loaded.ok());
    scenario::RunReport a = scenario::run_scenario(*loaded.scenario, {.seed = 3});
    INFO(a.reason);
    CHECK(a.passed);
    CHECK(a.metrics.at("gw.paid") == 1);
    CHECK(a.metrics.at("gw.received") == 1);
    CHECK(a.metrics.at("gw.claim_rejected") == 0);  // reported, if only as 0, in every run
    scenario::RunReport b = scenario::run_scenario(*loaded.scenario, {.seed = 3});
    CHECK(a.run.fingerprint == b.run.fingerprint);
}

TEST_CASE("gateway world: the stop_deadlock variant is caught by gw.stops", "[gateway][world]") {
    const std::string params = R"({"payments": 2, "payee": "merchant", "payee_hold_blocks": 6,
        "block_interval": "10s", "payment_interval": "2s", "duration": "15m", "variant": "%"})";
    const std::string timeline =
        R"([{"name": "stop", "after": "ready", "delay": "20s", "action": "stop_gateway"}])";
    for (const char* variant : {"none", "stop_deadlock"}) {
        std::string p = params;
        p.replace(p.find('%'), 1, variant);
        scenario::LoadResult loaded = scenario::parse_scenario(scenario_text(p, timeline), "t.json");
        REQUIRE(loaded.ok());
        scenario::RunReport r = scenario::run_scenario(*loaded.scenario, {.seed = 1});
        INFO(variant << ": " << r.reason);
        if (std::string(variant) == "none") {
            CHECK(r.passed);
            CHECK(r.metrics.at("gw.stopped") == 1);
        } else {
            CHECK_FALSE(r.passed);
            CHECK_THAT(r.reason, Catch::Contains("gw.stops"));
        }
    }
}

// Client 1 is cut from guardians 2 and 3 from the start for 2 min: its cache reads (n - f = 3
// answers) go unanswered, while client 0's one-shot read lists the gateway as soon as it
// registers. "ready" waits until every client's own cache holds the gateway, so client 1's
// payment (the workload's second) succeeds. Before, "ready" came once client 0's read listed
// the gateway and client 1's payment failed at once, "no gateway" (checked by running this
// case with the cache gate off).
TEST_CASE("gateway world: 'ready' waits for every client's gateway cache, not the first "
          "client's read of the guardians' lists",
          "[gateway][world][gateway-cache]") {
    const std::string params = R"({"payments": 2, "payee": "merchant", "clients": 2,
        "expect_payments": "succeed", "duration": "2m"})";
    const std::string timeline =
        R"([{"at": "0s", "action": "partition", "a": ["client1"], "b": ["fed.g2", "fed.g3"],
             "heal_after": "2m"}])";
    scenario::LoadResult loaded = scenario::parse_scenario(scenario_text(params, timeline), "t.json");
    INFO(loaded.describe("t.json"));
    REQUIRE(loaded.ok());
    scenario::RunReport r = scenario::run_scenario(*loaded.scenario, {.seed = 1});
    INFO(r.reason);
    CHECK(r.passed);
    CHECK(r.metrics.at("gw.paid") == 2);
}
