// The payment checker's deadline (PaymentChecker): a payment must be terminal within the bound
// after the last fault healed, except a funded payment the gateway was never asked about, which
// upstream (fedimint-ln-client pay.rs LightningPayFunded: no pay request after 180 s) ends only
// by the cancellation or the timelock: that one is owed a terminal state only within the bound
// after the agreed count reaches timelock + 1. Both sides, at the edges.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "actors/federation/checkers.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"

namespace {

namespace fed = actors::federation;
namespace this_actor = sim::this_actor;
using sim::SimDuration;

struct CheckerWorld {
    CheckerWorld() : sim(sim::SimulationConfig{.seed = 1}), hub(sim), checker(hub, bound) {
        checker.set_ln_count([this] { return count; });
        checker.start();
    }

    // Runs `body` in an actor; returns the violations reported (the watcher's, then, with
    // `final_check`, check_final's).
    std::vector<std::string> run(std::function<void()> body, bool final_check = true) {
        sim.scheduler().spawn("test", std::move(body));
        (void)sim.run();
        if (final_check && hub.ok()) {
            checker.check_final();
        }
        return hub.violations();
    }

    const SimDuration bound = SimDuration::hours(1);
    uint64_t count = 50;
    sim::Simulation sim;
    fed::CheckerHub hub;
    fed::PaymentChecker checker;
};

const fed::ContractId k_contract{7};

}  // namespace

TEST_CASE("payment checker: a funded payment its gateway was never asked about may stay "
          "pending until the timelock",
          "[federation][checker][payments]") {
    CheckerWorld w;
    const std::vector<std::string> v = w.run([&] {
        w.checker.started("p");
        w.checker.funded("p", k_contract, 100);
        this_actor::sleep_for(SimDuration::hours(3));  // three bounds: count 50 < 101
        w.count = 100;                                 // timelock reached, not passed
        this_actor::sleep_for(SimDuration::hours(2));
    });
    CHECK(v.empty());  // neither the watcher nor the end of the run
}

TEST_CASE("payment checker: once the agreed count reaches timelock + 1 the bound starts",
          "[federation][checker][payments]") {
    CheckerWorld w;
    sim::SimTime passed;
    const std::vector<std::string> v = w.run([&] {
        w.checker.started("p");
        w.checker.funded("p", k_contract, 100);
        this_actor::sleep_for(SimDuration::hours(3));
        w.count = 101;
        passed = this_actor::now();
        this_actor::sleep_for(SimDuration::hours(2));
    });
    REQUIRE(v.size() == 1);
    CHECK(v.front().find("after the agreed count passed timelock 100") != std::string::npos);
    // The watcher polls every 5 s: it sees the count within 5 s and reports one bound later.
    CHECK(w.sim.scheduler().now() >= passed + w.bound);
    CHECK(w.sim.scheduler().now() <= passed + w.bound + SimDuration::seconds(10));
}

TEST_CASE("payment checker: a passed timelock at the end of a run is reported",
          "[federation][checker][payments]") {
    CheckerWorld w;
    const std::vector<std::string> v = w.run([&] {
        w.checker.started("p");
        w.checker.funded("p", k_contract, 100);
        this_actor::sleep_for(SimDuration::minutes(10));
        w.count = 101;
        this_actor::sleep_for(SimDuration::minutes(10));  // well inside the bound
    });
    REQUIRE(v.size() == 1);
    CHECK(v.front().find("never reached a terminal state") != std::string::npos);
}

TEST_CASE("payment checker: a payment the gateway was asked about keeps the bound after the "
          "heal",
          "[federation][checker][payments]") {
    CheckerWorld w;
    const std::vector<std::string> v = w.run([&] {
        w.checker.started("p");
        w.checker.funded("p", k_contract, 100);
        w.checker.gateway_asked(k_contract);
        this_actor::sleep_for(SimDuration::hours(2));
    });
    REQUIRE(v.size() == 1);
    CHECK(v.front().find("after the last fault healed") != std::string::npos);
    CHECK(v.front().find("t=3600s ") != std::string::npos);
}

TEST_CASE("payment checker: an unfunded pending payment keeps the bound; a terminal one is "
          "never reported",
          "[federation][checker][payments]") {
    CheckerWorld w;
    const std::vector<std::string> v = w.run([&] {
        w.checker.started("done");
        w.checker.funded("done", k_contract, 100);
        w.checker.finished("done", fed::PaymentState::refunded);
        w.checker.started("p");  // never funded
        this_actor::sleep_for(SimDuration::hours(2));
    });
    REQUIRE(v.size() == 1);
    CHECK(v.front().find("payment p still pending") != std::string::npos);
}

TEST_CASE("payment checker: without a count source no payment is excused",
          "[federation][checker][payments]") {
    sim::Simulation sim(sim::SimulationConfig{.seed = 1});
    fed::CheckerHub hub(sim);
    fed::PaymentChecker checker(hub, SimDuration::hours(1));
    checker.start();
    sim.scheduler().spawn("test", [&] {
        checker.started("p");
        checker.funded("p", k_contract, 100);
        this_actor::sleep_for(SimDuration::hours(2));
    });
    (void)sim.run();
    REQUIRE(hub.violations().size() == 1);
    CHECK(hub.violations().front().find("after the last fault healed") != std::string::npos);
}
