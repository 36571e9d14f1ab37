// The Lightning checker's periodic pass re-checks only touched channels
// (LightningNetwork::take_channel_changes). These tests plant a conservation break and a late
// HTLC between two passes and require the incremental pass to report exactly what the full
// walk reports, at the same pass and with the same message, and the runs to end with the same
// fingerprint; and they run real payments and an on-chain timeout with every pass
// cross-checked against the full walk.
#include <catch2/catch.hpp>

#include "actors/federation/checkers.h"
#include "actors/lightning/channel_changes.h"
#include "actors/lightning/forwarding.h"
#include "actors/lightning/lightning_network.h"
#include "sim/this_actor.h"

namespace {

using namespace actors::lightning;
namespace fed = actors::federation;
using sim::SimDuration;

struct CheckedWorld {
    CheckedWorld(uint64_t seed, fed::LightningCheckerConfig config, bool keep_going = false)
        : sim(sim::SimulationConfig{.seed = seed, .keep_going = keep_going}),
          ln(sim),
          hub(sim),
          checker(hub, ln, config) {}
    sim::Simulation sim;
    LightningNetwork ln;
    fed::CheckerHub hub;
    fed::LightningChecker checker;

    NodeIndex add(const std::string& alias, const std::string& profile) {
        Result<NodeIndex> n = ln.add_node(NodeOptions{alias, profile, {}, {}});
        REQUIRE(n.ok());
        return n.value();
    }
    ChannelIndex connect(NodeIndex a, NodeIndex b) {
        Result<ChannelIndex> c = ln.open_channel(ChannelOptions{
            .funder = a, .peer = b, .capacity_sat = 1000000, .push_msat = 500000000});
        REQUIRE(c.ok());
        return c.value();
    }
};

struct Outcome {
    sim::SimulationResult result;
    std::vector<std::string> violations;
};

// a - b - c - d; two payments a -> d, then each of `plants` runs 2.5 s after a pass, 20 s
// apart, then 30 s more.
Outcome run_planted(fed::LightningCheckerConfig config,
                    const std::vector<std::function<void(LightningNetwork&)>>& plants,
                    bool keep_going = false) {
    CheckedWorld w(7, config, keep_going);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", "cln");
    NodeIndex c = w.add("c", "ldk");
    NodeIndex d = w.add("d", "lnd");
    w.connect(a, b);
    w.connect(b, c);
    w.connect(c, d);
    w.checker.start();
    w.sim.scheduler().spawn("scenario", [&] {
        REQUIRE(w.ln.mine_until_open());
        for (int i = 0; i < 2; ++i) {
            Invoice inv = w.ln.node(d).create_invoice(InvoiceOptions{.amount_msat = 5000000});
            REQUIRE(w.ln.node(a).pay(inv).succeeded);
        }
        // Passes run at multiples of the period (the checker started at 0).
        const int64_t period = config.period.ns();
        const int64_t now = sim::this_actor::now().ns();
        sim::this_actor::sleep_for(SimDuration::nanos(period - now % period + period / 2));
        for (const auto& plant : plants) {
            plant(w.ln);
            sim::this_actor::sleep_for(SimDuration::seconds(20));
        }
        sim::this_actor::sleep_for(SimDuration::seconds(10));
    });
    Outcome o{w.sim.run(), w.hub.violations()};
    return o;
}

}  // namespace

TEST_CASE("touched channels: each once per drain, in first-touch order, for every reader",
          "[lightning][checker]") {
    ChannelChanges changes;
    const size_t first = changes.add_reader(2);  // channels 0 and 1 exist
    changes.touch(5);
    changes.touch(0);
    changes.touch(5);
    const size_t second = changes.add_reader(0);
    changes.touch(3);
    std::vector<uint32_t> out{99};
    changes.drain(first, &out);
    CHECK(out == std::vector<uint32_t>{0, 1, 5, 3});
    changes.drain(first, &out);
    CHECK(out.empty());
    changes.drain(second, &out);
    CHECK(out == std::vector<uint32_t>{3});
    changes.touch(0);
    changes.drain(first, &out);
    CHECK(out == std::vector<uint32_t>{0});
}

TEST_CASE("a conservation break planted between passes is reported at the next pass with the "
          "full walk's message", "[lightning][checker]") {
    auto plant = [](LightningNetwork& ln) { ln.channel(1).side(0).balance_msat += 1; };
    Outcome full = run_planted({.full_walk_every = 1}, {plant});
    Outcome incremental = run_planted({.full_walk_every = 0}, {plant});
    Outcome hourly = run_planted({}, {plant});
    REQUIRE(full.result.run.outcome == sim::Outcome::check_failed);
    REQUIRE_FALSE(full.violations.empty());
    const std::string& v = full.violations.front();
    INFO(v);
    CHECK(v.find("channel_conservation violated at t=") == 0);
    CHECK(v.find("channel 1: balances + HTLCs ") != std::string::npos);
    CHECK(v.find(" msat != capacity 1000000000") != std::string::npos);
    CHECK(incremental.violations == full.violations);
    CHECK(incremental.result.run.fingerprint == full.result.run.fingerprint);
    CHECK(hourly.violations == full.violations);
    CHECK(hourly.result.run.fingerprint == full.result.run.fingerprint);
}

TEST_CASE("an HTLC planted late between passes is reported at the next pass with the full "
          "walk's message", "[lightning][checker]") {
    // A committed HTLC that expired long ago, on channel 2 (c -> d), value conserved.
    auto plant = [](LightningNetwork& ln) {
        ChannelLedger& ch = ln.channel(2);
        HtlcEntry& h = ch.add_htlc(0, 1000, PaymentHash{}, 1);
        h.state = HtlcState::committed;
    };
    Outcome full = run_planted({.full_walk_every = 1}, {plant});
    Outcome incremental = run_planted({.full_walk_every = 0}, {plant});
    REQUIRE(full.result.run.outcome == sim::Outcome::check_failed);
    REQUIRE_FALSE(full.violations.empty());
    const std::string& v = full.violations.front();
    INFO(v);
    CHECK(v.find("htlc_expiry violated at t=") == 0);
    CHECK(v.find("channel 2 htlc 2 expiry 1 still off-chain at tip ") != std::string::npos);
    CHECK(incremental.violations == full.violations);
    CHECK(incremental.result.run.fingerprint == full.result.run.fingerprint);
}

TEST_CASE("keep going: a conservation break is listed once per imbalance, a late HTLC once per "
          "HTLC, across passes that see them again",
          "[lightning][checker][keep-going]") {
    // Channel 1 off by 1 msat, 20 s (four passes) later by 2; then a late HTLC on channel 2,
    // and 20 s later one on channel 0 (the first channel in the walk's order from then on).
    auto late_htlc_on = [](ChannelIndex c) {
        return [c](LightningNetwork& ln) {
            HtlcEntry& h = ln.channel(c).add_htlc(0, 1000, PaymentHash{}, 1);  // conserved
            h.state = HtlcState::committed;
        };
    };
    auto off_by_one = [](LightningNetwork& ln) { ln.channel(1).side(0).balance_msat += 1; };
    for (uint32_t every : {0U, 1U}) {
        INFO("full_walk_every " << every);
        Outcome o = run_planted({.full_walk_every = every},
                                {off_by_one, off_by_one, late_htlc_on(2), late_htlc_on(0)},
                                /*keep_going=*/true);
        REQUIRE(o.result.run.outcome == sim::Outcome::check_failed);
        std::vector<std::string> conservation;
        std::vector<std::string> expiry;
        for (const std::string& v : o.violations) {
            if (v.rfind("channel_conservation", 0) == 0) {
                conservation.push_back(v);
            } else if (v.rfind("htlc_expiry", 0) == 0) {
                expiry.push_back(v);
            }
        }
        REQUIRE(conservation.size() == 2);
        CHECK(conservation[0].find("channel 1: balances + HTLCs 1000000001 msat") !=
              std::string::npos);
        CHECK(conservation[1].find("channel 1: balances + HTLCs 1000000002 msat") !=
              std::string::npos);
        REQUIRE(expiry.size() == 2);
        CHECK(expiry[0].find(": channel 2 htlc ") != std::string::npos);
        CHECK(expiry[1].find(": channel 0 htlc ") != std::string::npos);
        CHECK(o.result.run.failures.size() == o.violations.size());
    }
}

TEST_CASE("every incremental pass agrees with the full walk through payments, a hold and an "
          "on-chain HTLC timeout", "[lightning][checker]") {
    for (uint64_t seed : {1, 2, 3}) {
        INFO("seed " << seed);
        CheckedWorld w(seed, {.period = SimDuration::seconds(1), .full_walk_every = 0,
                              .verify_incremental = true});
        NodeIndex a = w.add("a", "lnd");
        NodeIndex b = w.add("b", "ldk");
        NodeIndex c = w.add("c", "cln");
        w.connect(a, b);
        ChannelIndex bc = w.connect(b, c);
        w.checker.start();
        bool paid = false;
        w.sim.scheduler().spawn("scenario", [&] {
            REQUIRE(w.ln.mine_until_open());
            for (int i = 0; i < 3; ++i) {
                Invoice inv = w.ln.node(c).create_invoice(InvoiceOptions{.amount_msat = 7000000});
                REQUIRE(w.ln.node(a).pay(inv).succeeded);
            }
            // A hold invoice never settled: b goes on chain for its HTLC and fails a's back.
            Preimage secret = random_preimage(sim::this_actor::random());
            Invoice held = w.ln.node(c).create_hold_invoice(
                InvoiceOptions{.amount_msat = 9000000}, payment_hash_of(secret));
            w.sim.scheduler().spawn(
                "payer", [&w, a, held, &paid] {
                    paid = w.ln.node(a)
                               .pay(held, PayLimits{.timeout = SimDuration::hours(48)})
                               .succeeded;
                },
                {.node = w.ln.node(a).net_id()});
            sim::this_actor::sleep_for(SimDuration::seconds(10));
            const uint32_t expiry = w.ln.channel(bc).htlcs().back().cltv_expiry;
            while (w.ln.chain().tip() < expiry + 12) {
                w.ln.mine_blocks(1);
            }
            sim::this_actor::sleep_for(SimDuration::seconds(30));
        });
        sim::SimulationResult r = w.sim.run();
        INFO(r.run.message);
        REQUIRE(r.run.ok());
        CHECK_FALSE(paid);
        CHECK(w.ln.channel(bc).status() == ChannelStatus::closed);
        CHECK(w.hub.ok());
        w.checker.check();
        CHECK(w.hub.ok());
    }
}
