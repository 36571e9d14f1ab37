// CheckerHub's reporting: with keep_going each violation once per (checker, subject), so a run
// that goes on after a violation lists an ongoing one once, not at every round or pass; stop-at-
// first keeps every report of its last event; the first violation is the run's outcome message
// in either mode.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/federation/checkers.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"

namespace {

namespace fed = actors::federation;
namespace this_actor = sim::this_actor;
using sim::SimDuration;

// An actor reports, once a second for 5 s: an ongoing books violation whose text moves with the
// round (subject empty: once per run), an overdue payment "p1" then "p2" (subject: the payment),
// and the same text twice every time without a subject (a word-for-word repeat).
struct HubRun {
    explicit HubRun(bool keep_going)
        : sim(sim::SimulationConfig{.seed = 5, .keep_going = keep_going}), hub(sim) {
        sim.scheduler().spawn("reporter", [this] {
            for (int round = 1; round <= 5; ++round) {
                this_actor::sleep_for(SimDuration::seconds(1));
                const std::string payment = round <= 2 ? "p1" : "p2";
                hub.report("federation_books", "round " + std::to_string(round) + ": off by 1",
                           "");
                hub.report("payment_terminal",
                           "payment " + payment + " still pending (round " +
                               std::to_string(round) + ")",
                           payment);
                hub.report("gw.stops", "the gateway did not stop");
                hub.report("gw.stops", "the gateway did not stop");  // again, same event
            }
        });
        result = sim.run().run;
    }
    sim::Simulation sim;
    fed::CheckerHub hub;
    sim::RunResult result;
};

}  // namespace

TEST_CASE("checker hub: with keep_going each violation is listed once per checker and subject",
          "[federation][checker][keep-going]") {
    HubRun going(true);
    const sim::RunResult& r = going.result;
    const std::vector<std::string>& v = going.hub.violations();
    CHECK(r.end_time == sim::SimTime::zero() + SimDuration::seconds(5));
    CHECK(r.outcome == sim::Outcome::check_failed);
    CHECK_THAT(r.message, Catch::StartsWith("federation_books violated at t=1s seed=5: round 1"));
    REQUIRE(v.size() == 4);
    CHECK_THAT(v[0], Catch::Contains("federation_books"));
    CHECK_THAT(v[1], Catch::Contains("payment p1 still pending (round 1)"));
    CHECK_THAT(v[2], Catch::Contains("gw.stops"));
    CHECK_THAT(v[3], Catch::Contains("payment p2 still pending (round 3)"));
    REQUIRE(r.failures.size() == 4);
    CHECK(r.failures[0].source == "federation_books");
    CHECK(r.failures[3].source == "payment_terminal");
    CHECK(r.failures[3].at == sim::SimTime::zero() + SimDuration::seconds(3));

    // Stop-at-first: the same first violation ends the run after its event.
    HubRun stop(false);
    CHECK(stop.result.message == r.message);
    CHECK(stop.result.end_time == sim::SimTime::zero() + SimDuration::seconds(1));
    CHECK(stop.result.failures.size() == 1);
    // That event's other reports, its repeat too: stop-at-first traces what it did before
    // keep_going existed (deduping is keep_going's), so its fingerprints stay put.
    CHECK(stop.hub.violations().size() == 4);
}
