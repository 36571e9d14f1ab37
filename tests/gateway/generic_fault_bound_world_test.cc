// The gateway world (through the scenario runner): gw.payments_terminal's payment_bound counts
// from the end of the timeline's generic faults too (World::on_fault), not only from the world's
// own fault actions. A generic partition that cuts the gateway from every guardian for longer
// than the bound holds the payment back without a violation, and the payment ends after the
// heal; a payment really stuck after the heal is still reported, payment_bound after the heal.
// Before the hook (review of 00d5c4c, M2) the first case failed at t=60s, 17 s into the cut
// ("still pending 60s after the last fault healed"): blamed on the system while the cut held.
// (A client cut from the guardians instead ends its payment at once, "no gateway", before any
// bound matters: its gateway directory read fails.)
#include <optional>
#include <string>

#include "tests/gateway/gateway_world_json.h"

using gateway_world_json::fired_at;

namespace {

// The gateway is cut from the four guardians 1 s after ready; the client pays at 2 s (it funds,
// the gateway cannot read the contract while cut); the cut ends at 5 m, by `heal`
// (`explicit_heal`) or by heal_after; the bound is 1 m. `payee_hold_blocks`: the merchant holds
// the HTLC that many blocks (at 30 s) after it arrives, so a large value keeps the paid payment
// pending long after the heal.
scenario::Scenario cut_longer_than_bound(bool explicit_heal, int payee_hold_blocks) {
    const std::string cut_end =
        explicit_heal
            ? R"(,
    {"name": "heal", "after": "ready", "delay": "5m", "action": "heal", "partition": "cut"})"
            : std::string();
    return gateway_world_json::load({
        .name = "generic-cut-longer-than-bound",
        .channels = {{"gw", "merchant"}},
        .params = R"("payment_bound": "1m", "duration": "15m", "payee_hold_blocks": )" +
                  std::to_string(payee_hold_blocks),
        .timeline = std::string(R"(
    {"name": "cut", "after": "ready", "delay": "1s", "action": "partition", "a": ["gateway"],
     "b": ["fed.g0", "fed.g1", "fed.g2", "fed.g3"])") +
                    (explicit_heal ? "" : R"(, "heal_after": "299s")") + R"(},
    {"name": "pay", "after": "ready", "delay": "2s", "action": "pay", "to": "merchant"})" +
                    cut_end,
        .conditions = R"("gw.paid == 1", "gw.pending == 0")"});
}

// When client0's payment ended, and in which state.
std::optional<std::pair<sim::SimTime, std::string>> payment_end(const scenario::RunReport& r) {
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind != "client_payment") {
            continue;
        }
        for (const sim::TraceField& f : rec.fields) {
            if (f.key == "state") {
                return std::pair{rec.at, std::get<std::string>(f.value)};
            }
        }
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("gateway world: a generic partition of the client from the guardians longer than "
          "payment_bound is no violation; the payment ends after the heal",
          "[gateway][world][fault]") {
    for (const bool explicit_heal : {true, false}) {
        const scenario::Scenario s = cut_longer_than_bound(explicit_heal, 0);
        for (const uint64_t seed : {1, 2}) {
            scenario::RunReport r = scenario::run_scenario(s, {.seed = seed, .keep_records = true});
            INFO("explicit heal " << explicit_heal << ", seed " << seed << ": " << r.reason
                                  << " / " << r.run.message);
            CHECK(r.passed);  // outcome ok, every checker, gw.paid == 1, gw.pending == 0
            CHECK(r.run.ok());
            const auto cut = fired_at(r, "cut");
            const auto end = payment_end(r);
            REQUIRE(cut.has_value());
            REQUIRE(end.has_value());
            CHECK(end->second == "succeeded");
            // The payment waited out the cut (5 m minus 1 s, far past the 1 m bound).
            CHECK(end->first >= *cut + sim::SimDuration::seconds(299));
            CHECK(end->first < *cut + sim::SimDuration::seconds(299) + sim::SimDuration::minutes(1));
        }
    }
}

TEST_CASE("gateway world: a payment stuck after a generic partition healed is still reported "
          "payment_bound after the heal",
          "[gateway][world][fault]") {
    for (const bool explicit_heal : {true, false}) {
        // The merchant holds the HTLC 200 blocks (100 min): pending long after the heal.
        const scenario::Scenario s = cut_longer_than_bound(explicit_heal, 200);
        scenario::RunReport r = scenario::run_scenario(s, {.seed = 1, .keep_records = true});
        INFO("explicit heal " << explicit_heal << ": " << r.reason << " / " << r.run.message);
        CHECK_FALSE(r.passed);
        CHECK_THAT(r.run.message, Catch::Contains("payment_terminal"));
        CHECK_THAT(r.run.message, Catch::Contains("still pending 60s after the last fault healed"));
        const auto cut = fired_at(r, "cut");
        REQUIRE(cut.has_value());
        const sim::SimTime healed = *cut + sim::SimDuration::seconds(299);
        // Reported at the watcher's first 5 s tick at or after heal + 1 m, not earlier.
        CHECK(r.run.end_time >= healed + sim::SimDuration::minutes(1));
        CHECK(r.run.end_time < healed + sim::SimDuration::minutes(1) + sim::SimDuration::seconds(5));
    }
}
