// The guardian's bitcoind monitor schedule and the per-client ecash ledger.
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/federation/bitcoin_monitor.h"
#include "actors/federation/mint_ledger.h"
#include "sim/random.h"

using namespace actors::federation;
using sim::SimDuration;
using sim::SimTime;

TEST_CASE("monitor polls at start + phase + k * interval", "[federation][monitor]") {
    MonitorSchedule s{.interval = SimDuration::millis(100), .phase = SimDuration::millis(30)};
    SimTime start = SimTime::from_ns(1000);
    CHECK(s.next_poll_after(start, start) == start + SimDuration::millis(30));
    CHECK(s.next_poll_after(start, start + SimDuration::millis(29)) ==
          start + SimDuration::millis(30));
    // Strictly after: at a poll instant the next one is an interval later.
    CHECK(s.next_poll_after(start, start + SimDuration::millis(30)) ==
          start + SimDuration::millis(130));
    CHECK(s.next_poll_after(start, start + SimDuration::millis(131)) ==
          start + SimDuration::millis(230));
    CHECK(k_monitor_interval_production == SimDuration::seconds(60));
}

TEST_CASE("monitor phase is seeded and inside one interval", "[federation][monitor]") {
    sim::Random a(7);
    sim::Random b(7);
    MonitorSchedule first = MonitorSchedule::seeded(k_monitor_interval_production, a);
    MonitorSchedule again = MonitorSchedule::seeded(k_monitor_interval_production, b);
    CHECK(first.phase == again.phase);
    for (int i = 0; i < 100; ++i) {
        MonitorSchedule s = MonitorSchedule::seeded(k_monitor_interval_test, a);
        CHECK(s.phase >= SimDuration::zero());
        CHECK(s.phase < k_monitor_interval_test);
    }
}

TEST_CASE("an RPC error caches no status", "[federation][monitor]") {
    CHECK_FALSE(monitor_poll_result(std::nullopt).has_value());
    REQUIRE(monitor_poll_result(101).has_value());
    CHECK(monitor_poll_result(101)->block_count == 101);
    CHECK(block_count_update_due(std::nullopt, 5));
    CHECK_FALSE(block_count_update_due(5, 5));
    CHECK(block_count_update_due(5, 6));
}

TEST_CASE("mint ledger keeps per-client balances", "[federation][mint]") {
    MintLedger mint;
    const ClientId alice(0);
    const ClientId bob(1);
    CHECK(mint.issue(alice, 0) == MintRejection::zero_amount);
    CHECK(mint.issue(alice, 5000) == MintRejection::none);
    CHECK(mint.redeem(bob, 1) == MintRejection::insufficient_balance);
    CHECK(mint.transfer(alice, bob, 5001) == MintRejection::insufficient_balance);
    CHECK(mint.transfer(alice, bob, 2000) == MintRejection::none);
    CHECK(mint.balance(alice) == 3000);
    CHECK(mint.balance(bob) == 2000);
    CHECK(mint.redeem(alice, 3000) == MintRejection::none);
    CHECK(mint.redeem(alice, 1) == MintRejection::insufficient_balance);
    CHECK(mint.total_issued_msat() == 5000);
    CHECK(mint.total_redeemed_msat() == 3000);
    CHECK(mint.outstanding_msat() == 2000);
    CHECK(mint.issue(bob, UINT64_MAX) == MintRejection::overflow);
    CHECK(mint.balance(bob) == 2000);
}
