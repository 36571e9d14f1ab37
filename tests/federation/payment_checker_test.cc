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
    explicit CheckerWorld(SimDuration b = SimDuration::hours(1))
        : bound(b), sim(sim::SimulationConfig{.seed = 1}), hub(sim), checker(hub, bound) {
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

    const SimDuration bound;
    uint64_t count = 50;
    sim::Simulation sim;
    fed::CheckerHub hub;
    fed::PaymentChecker checker;
};

const fed::ContractId k_contract{7};
const fed::PaymentHash k_hash{1, 2, 3};
const sim::NodeId k_client_node{1};
// An invoice of 1 h made at t = 0 (the client's clock without skew): its client ends it unfunded
// at expiry + 60 s (Client::receive_step), what the client passes as `excused_until_unix`.
const int64_t k_excused_until_unix = sim::Clocks::k_default_epoch_unix_s + 3600 + 60;

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

// The watcher walks only the names started() and finished() keep as pending, so both ways a
// payment is pending again must reach it: a client that stops waiting at a harness limit
// finishes the payment as pending (Client::await_receive_state), and a name can be started
// again after a terminal state. Each world is judged by the watcher alone ("still pending", at
// the bound): it stops at its first report, and check_final, which walks every payment, would
// report either payment even if the watcher had lost it.
TEST_CASE("payment checker: the watcher sees a payment finished as pending and one started "
          "again after a terminal state",
          "[federation][checker][payments]") {
    auto watched = [](const std::function<void(fed::PaymentChecker&)>& setup) {
        CheckerWorld w;
        const std::vector<std::string> v = w.run([&] {
            setup(w.checker);
            this_actor::sleep_for(SimDuration::hours(2));  // past the bound (1 h from t = 0)
        });
        REQUIRE(v.size() == 1);
        INFO(v.front());
        CHECK(v.front().find("t=3600s ") != std::string::npos);  // the watcher, at the bound
        return v.front();
    };
    const std::string limit = watched([](fed::PaymentChecker& c) {
        c.started("r");
        c.finished("r", fed::PaymentState::pending);  // the harness limit
    });
    CHECK(limit.find("payment r still pending") != std::string::npos);
    const std::string again = watched([](fed::PaymentChecker& c) {
        c.started("p");
        c.finished("p", fed::PaymentState::failed);
        c.started("p");
    });
    CHECK(again.find("payment p still pending") != std::string::npos);
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

// A receive funded in the federation's consensus state is owed its end like any payment from
// then on, whether or not its client read the contract (set_incoming_funded): without the hook
// this one would be excused until its invoice's expiry + 60 s + slack (t = 1 h 05 min).
TEST_CASE("payment checker: a receive funded in consensus loses the unfunded excuse",
          "[federation][checker][payments][receive]") {
    CheckerWorld w(SimDuration::minutes(30));
    bool funded = false;
    w.checker.set_incoming_funded([&](const fed::PaymentHash& h) { return funded && h == k_hash; });
    const std::vector<std::string> v = w.run([&] {
        w.checker.started("r");
        w.checker.receive_unfunded("r", k_hash, k_client_node, k_excused_until_unix,
                                   SimDuration::seconds(5));
        this_actor::sleep_for(SimDuration::minutes(10));
        funded = true;  // the client never reads it: no receive_funded
        this_actor::sleep_for(SimDuration::hours(2));
    }, false);
    REQUIRE(v.size() == 1);
    CHECK(v.front().find("payment r still pending") != std::string::npos);
    // The bound (30 min) from the last heal (t = 0); the watcher looks every 5 s.
    CHECK(v.front().find("t=1800s ") != std::string::npos);
}

// check_final on an unfunded receive (1 h invoice made at t = 0, slack 5 s) at sim time `at`,
// its client's clock off by `offset`: the violations. The watcher's bound is pushed past the
// run (healed at 1 h, bound 1 h) so only check_final judges.
std::vector<std::string> final_check_at(sim::SimTime at, SimDuration offset) {
    CheckerWorld w;
    w.sim.clocks().set_skew(k_client_node, sim::ClockSkew{.offset = offset});
    return w.run([&] {
        w.checker.started("r");
        w.checker.receive_unfunded("r", k_hash, k_client_node, k_excused_until_unix,
                                   SimDuration::seconds(5));
        this_actor::sleep_for(SimDuration::hours(1));
        w.checker.faults_healed(this_actor::now());
        this_actor::sleep_until(at);
        w.checker.check_final();
    }, false);
}

// The unfunded excuse's end, at the nanosecond: excused while the client's clock reads less
// than expiry + 60 s + slack, reported from that instant; the client's clock, not the sim's.
TEST_CASE("payment checker: an unfunded receive is excused until expiry + 60 s + slack",
          "[federation][checker][payments][receive]") {
    const sim::SimTime mark = sim::SimTime::zero() + SimDuration::seconds(3600 + 60 + 5);
    const SimDuration ns = SimDuration::nanos(1);
    CHECK(final_check_at(mark - ns, SimDuration::zero()).empty());
    const std::vector<std::string> at_mark = final_check_at(mark, SimDuration::zero());
    REQUIRE(at_mark.size() == 1);
    CHECK(at_mark.front().find("payment r never reached a terminal state") != std::string::npos);
    // A client clock 10 min slow: the mark is 10 min later on the sim's clock.
    const SimDuration slow = SimDuration::minutes(-10);
    const sim::SimTime skewed = mark + SimDuration::minutes(10);
    CHECK(final_check_at(mark, slow).empty());
    CHECK(final_check_at(skewed - ns, slow).empty());
    CHECK(final_check_at(skewed, slow).size() == 1);
}

// The slack is sim time, not the client's clock: with a client clock 10 % fast the excuse ends
// once the clock read 5 s (sim) ago passed expiry + 60 s, i.e. at sim t = 3660 / 1.1 + 5 s =
// 3332.27 s. Adding the slack to the client's clock instead (expiry + 65 s on a fast clock)
// ended it at 3331.82 s, shortening the client's 5 s.
TEST_CASE("payment checker: the receive's slack is taken on the sim's time, not a drifting "
          "client clock",
          "[federation][checker][payments][receive]") {
    auto final_at = [](int64_t secs) {
        CheckerWorld w;
        w.sim.clocks().set_skew(k_client_node, sim::ClockSkew{.drift_ppm = 100000});
        return w.run([&] {
            w.checker.started("r");
            w.checker.receive_unfunded("r", k_hash, k_client_node, k_excused_until_unix,
                                       SimDuration::seconds(5));
            this_actor::sleep_for(SimDuration::minutes(50));
            w.checker.faults_healed(this_actor::now());
            this_actor::sleep_until(sim::SimTime::zero() + SimDuration::seconds(secs));
            w.checker.check_final();
        }, false);
    };
    CHECK(final_at(3332).empty());      // the clock read at 3327 s: 3659.7 s < 3660 s
    CHECK(final_at(3333).size() == 1);  // the clock read at 3328 s: 3660.8 s
}
