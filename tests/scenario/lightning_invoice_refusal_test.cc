// A scenario that asks an LDK payee for an invoice whose `c` LDK refuses (user value + 3 below
// 42, MinFinalCltvExpiryDeltaTooShort) is bad input: the run stops with World::input_error
// naming the argument (so `fedsim run` exits 2), not a failed payment or a checker finding.
// The lightning world's timeline argument and the gateway world's parameter, at 38 and 39.
#include <catch2/catch.hpp>

#include <string>

#include "scenario/parser.h"
#include "scenario/runner.h"
#include "tests/scenario/built_worlds.h"

namespace {

scenario::Scenario load(const std::string& text) {
    scenario::LoadResult r = scenario::parse_scenario(text, "f.json");
    INFO(r.describe("f.json"));
    REQUIRE(r.ok());
    return *r.scenario;
}

scenario::Scenario lightning_pay(int c) {
    return load(R"({"name": "t", "world": "lightning",
        "topology": {"nodes": [{"name": "alice", "role": "node", "props": {"profile": "lnd"}},
                               {"name": "carol", "role": "node", "props": {"profile": "ldk"}}],
                     "links": [{"kind": "channel", "from": "alice", "to": "carol"}]},
        "params": {"amount_msat": 1000000, "duration": "5m"},
        "timeline": [{"name": "p", "after": "channels_open", "delay": "5s", "action": "pay",
                      "from": "alice", "to": "carol", "min_final_cltv_expiry_delta": )" +
                std::to_string(c) + "}]}");
}

}  // namespace

TEST_CASE("lightning world: an LDK payee refusing the invoice's c is bad input naming the "
          "argument (38), and 39 pays",
          "[scenario][lightning][invoice]") {
    scenario::RunReport refused = scenario::run_scenario(lightning_pay(38), {.seed = 1});
    CHECK_FALSE(refused.passed);
    INFO(refused.setup_error);
    CHECK(refused.setup_error.find("f.json:") == 0);
    CHECK(refused.setup_error.find("/timeline/0/min_final_cltv_expiry_delta") !=
          std::string::npos);
    CHECK(refused.setup_error.find("carol: min_final_cltv_expiry_delta 38 too short") !=
          std::string::npos);

    scenario::RunReport made = scenario::run_scenario(lightning_pay(39), {.seed = 1});
    INFO(made.reason);
    CHECK(made.passed);
    CHECK(made.setup_error.empty());
    CHECK(made.metrics.at("ln.payments_succeeded") == 1);
}

namespace {

scenario::Scenario gateway_pay(int c) {
    return load(R"({"name": "t", "world": "gateway",
        "topology": {"nodes": [{"name": "gw", "role": "node", "props": {"profile": "lnd"}},
                               {"name": "merchant", "role": "node", "props": {"profile": "ldk"}}],
                     "links": [{"kind": "channel", "from": "gw", "to": "merchant",
                                "props": {"capacity_sat": 2000000}}]},
        "params": {"gateway_profile": "lnd", "min_final_cltv_expiry_delta": )" +
                std::to_string(c) + R"(, "amount_msat": 1000000, "payments": 1,
                   "payee": "merchant", "expect_payments": "succeed", "duration": "3m"}})");
}

}  // namespace

TEST_CASE("gateway world: an LDK merchant refusing the parameter's c is bad input naming the "
          "parameter (38), and 39 pays",
          "[scenario][gateway][invoice]") {
    NEEDS_WORLDS("gateway");
    scenario::RunReport refused = scenario::run_scenario(gateway_pay(38), {.seed = 1});
    CHECK_FALSE(refused.passed);
    INFO(refused.setup_error);
    CHECK(refused.setup_error.find("f.json:") == 0);
    CHECK(refused.setup_error.find("/params/min_final_cltv_expiry_delta") != std::string::npos);
    CHECK(refused.setup_error.find("merchant: min_final_cltv_expiry_delta 38 too short") !=
          std::string::npos);

    scenario::RunReport made = scenario::run_scenario(gateway_pay(39), {.seed = 1});
    INFO(made.reason);
    CHECK(made.passed);
    CHECK(made.setup_error.empty());
    CHECK(made.metrics.at("gw.paid") == 1);
}
