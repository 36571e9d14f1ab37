// The shrinker: its output is a valid scenario that fails the same check, and it reports
// what it removed.
#include <catch2/catch.hpp>

#include "scenario/parser.h"
#include "scenario/shrink.h"
#include "scenario/writer.h"

namespace {

scenario::Scenario load(const std::string& text) {
    scenario::LoadResult r = scenario::parse_scenario(text, "t.json");
    INFO(r.describe("t.json"));
    REQUIRE(r.ok());
    return *r.scenario;
}

}  // namespace

TEST_CASE("shrink drops what the failure does not need and narrows numbers",
          "[scenario][shrink]") {
    scenario::Scenario s = load(
        "{\"name\": \"x\", \"world\": \"selftest\", \"params\": {\"fail_every\": 1, "
        "\"value\": {\"min\": 50, \"max\": 500}, \"steps\": 40},"
        "\"faults\": {\"network\": {\"drop\": \"1/3\"}, \"perturb_same_instant\": true},"
        "\"timeline\": [{\"name\": \"p\", \"at\": \"1ms\", \"action\": \"partition\", \"a\": "
        "[\"box\"]}, {\"after\": \"p\", \"action\": \"heal\", \"partition\": \"p\"}, "
        "{\"at\": \"2ms\", \"action\": \"mark\"}]}");
    scenario::ShrinkResult r = scenario::shrink_scenario(s, {.seed = 9});
    REQUIRE(r.reproduced);
    CHECK(r.minimal.timeline.empty());
    CHECK(r.minimal.faults.network.drop.is_zero());
    CHECK_FALSE(r.minimal.faults.perturb_same_instant);
    scenario::ParamValues v = scenario::pick_params(r.minimal, 9);
    CHECK(v.at("value").number == 10);  // the smallest value that still fails
    CHECK(v.at("steps").number == 0);
    CHECK(r.removed.size() >= 5);

    std::string text = scenario::write_scenario(r.minimal);
    scenario::LoadResult again = scenario::parse_scenario(text, "min.json");
    INFO(text);
    REQUIRE(again.ok());
    scenario::RunReport rerun = scenario::run_scenario(*again.scenario, {.seed = 9});
    CHECK_FALSE(rerun.passed);
    CHECK(rerun.signature == r.signature);
}

TEST_CASE("shrink of a passing seed reports that nothing failed", "[scenario][shrink]") {
    scenario::Scenario s = load("{\"name\": \"x\", \"world\": \"selftest\"}");
    scenario::ShrinkResult r = scenario::shrink_scenario(s, {.seed = 1});
    CHECK_FALSE(r.reproduced);
}
