// The runner: parameter picking, the timeline's timing, verdicts and failure signatures.
#include <catch2/catch.hpp>

#include <map>

#include "scenario/parser.h"
#include "scenario/runner.h"

namespace {

scenario::Scenario load(const std::string& text) {
    scenario::LoadResult r = scenario::parse_scenario(text, "t.json");
    INFO(r.describe("t.json"));
    REQUIRE(r.ok());
    return *r.scenario;
}

const sim::TraceRecord* find_record(const scenario::RunReport& r, const std::string& kind) {
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind == kind) {
            return &rec;
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("range parameters favour the ends and their neighbours", "[scenario][runner]") {
    scenario::Scenario s = load(
        "{\"name\": \"x\", \"world\": \"escrow\", \"params\": {\"payments\": "
        "{\"min\": 10, \"max\": 1000}}}");
    std::map<int64_t, int> counts;
    for (uint64_t seed = 1; seed <= 2000; ++seed) {
        int64_t v = scenario::pick_params(s, seed).at("payments").number;
        REQUIRE(v >= 10);
        REQUIRE(v <= 1000);
        ++counts[v];
    }
    int edges = counts[10] + counts[11] + counts[999] + counts[1000];
    CHECK(edges > 700);   // about half of the picks
    CHECK(edges < 1300);
}

TEST_CASE("pinning one parameter leaves the other picks alone", "[scenario][runner]") {
    scenario::Scenario a = load(
        "{\"name\": \"x\", \"world\": \"escrow\", \"params\": {\"payments\": {\"min\": 1, "
        "\"max\": 50}, \"slow_one_in\": {\"min\": 1, \"max\": 50}}}");
    scenario::Scenario b = load(
        "{\"name\": \"x\", \"world\": \"escrow\", \"params\": {\"payments\": 7, "
        "\"slow_one_in\": {\"min\": 1, \"max\": 50}}}");
    for (uint64_t seed = 1; seed <= 100; ++seed) {
        CHECK(scenario::pick_params(a, seed).at("slow_one_in").number ==
              scenario::pick_params(b, seed).at("slow_one_in").number);
    }
}

TEST_CASE("timeline entries fire at their time and after their predecessor",
          "[scenario][runner]") {
    scenario::Scenario s = load(
        "{\"name\": \"x\", \"world\": \"selftest\", \"params\": {\"steps\": 100},"
        "\"timeline\": [{\"name\": \"cut\", \"at\": \"30ms\", \"action\": \"partition\", "
        "\"a\": [\"box\"]}, {\"name\": \"mend\", \"after\": \"cut\", \"delay\": \"10ms\", "
        "\"action\": \"heal\", \"partition\": \"cut\"}, {\"after\": \"mend\", \"action\": "
        "\"mark\"}]}");
    scenario::RunReport r = scenario::run_scenario(s, {.seed = 3, .keep_records = true});
    REQUIRE(r.passed);
    const sim::TraceRecord* heal = find_record(r, "heal");
    REQUIRE(heal != nullptr);
    CHECK(heal->at.ns() == 40'000'000);
    CHECK(r.metrics.at("timeline.fired") == 3);
    CHECK(r.metrics.at("selftest.marks") == 1);
}

TEST_CASE("the same seed gives the same fingerprint, with or without trace sinks",
          "[scenario][runner]") {
    scenario::Scenario s = load(
        "{\"name\": \"x\", \"world\": \"echo\", \"topology\": {\"nodes\": [{\"name\": \"s\", "
        "\"role\": \"server\"}, {\"name\": \"c\", \"role\": \"client\", \"count\": 3}]},"
        "\"faults\": {\"network\": {\"drop\": \"1/10\", \"reorder\": \"1/5\"}, \"swarm\": true,"
        "\"perturb_same_instant\": true}}");
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        scenario::RunReport a = scenario::run_scenario(s, {.seed = seed});
        scenario::RunReport b = scenario::run_scenario(s, {.seed = seed, .keep_records = true});
        CHECK(a.run.fingerprint == b.run.fingerprint);
    }
}

TEST_CASE("verdicts: unexpected outcome, failed checker, failed condition",
          "[scenario][runner]") {
    scenario::Scenario bug = load(
        "{\"name\": \"x\", \"world\": \"escrow\", \"params\": {\"mode\": \"check_then_act\", "
        "\"payments\": 1, \"slow_one_in\": 1}}");
    scenario::RunReport r = scenario::run_scenario(bug, {.seed = 1});
    CHECK_FALSE(r.passed);
    CHECK(r.reason.find("both paid and refunded") != std::string::npos);
    CHECK(r.signature.find("outcome:check_failed:") == 0);

    scenario::Scenario expected = load(
        "{\"name\": \"x\", \"world\": \"escrow\", \"params\": {\"mode\": \"check_then_act\", "
        "\"payments\": 1, \"slow_one_in\": 1}, \"expect\": {\"outcome\": \"check_failed\", "
        "\"checks\": []}}");
    CHECK(scenario::run_scenario(expected, {.seed = 1}).passed);

    scenario::Scenario cond = load(
        "{\"name\": \"x\", \"world\": \"selftest\", \"expect\": {\"conditions\": "
        "[\"selftest.steps == 4\"]}}");
    r = scenario::run_scenario(cond, {.seed = 1});
    CHECK_FALSE(r.passed);
    CHECK(r.reason == "condition: selftest.steps == 4 (was 3)");
}

TEST_CASE("failure signatures blank out numbers", "[scenario][runner]") {
    CHECK(scenario::failure_signature("check", "c", "payment 12 was paid 2 times") ==
          "check:c:payment # was paid # times");
}
