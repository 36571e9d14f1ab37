// A guardian process that dies closes its users' connections (long_poll.h, sim::Network
// watch_node): a long-poll pending on it errors when the close reaches the user, one link
// latency after the crash, not at the 60 s request timeout; a request sent while it is down is
// refused at once; either way the Fibonacci backoff re-sends it and, after the restart, it is
// parked and answered. A crash behind a cut closes nothing (no FIN crosses a cut): the request
// waits for the timeout as before.
#include "fed_world.h"

using namespace fed_test;
namespace this_actor = sim::this_actor;

namespace {

uint64_t parked(World& w, uint32_t peer) { return w.fed->guardian(PeerId(peer)).parked_queries(); }

const sim::SimDuration ms = sim::SimDuration::millis(1);

// Waits on `poll` in its own actor (a LongPoll acts on closes and re-sends only while waited
// on); `answered` is set when f + 1 agree.
void wait_in_background(World& w, LongPoll& poll, std::optional<sim::SimTime>& answered) {
    w.sim.scheduler().spawn("waiter", [&poll, &answered] {
        if (poll.wait_until(sim::SimTime::never()).has_value()) {
            answered = this_actor::now();
        }
    });
}

}  // namespace

TEST_CASE("a pending await on a guardian that crashes errors when the close arrives, not at 60 s",
          "[federation][long-poll][crash]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        const sim::NodeId g0 = w.fed->nodes()[0];
        // g0 -> user takes 100 ms, so the close is visibly one latency after the crash.
        w.sim.network().set_link(g0, w.user_node,
                                 sim::LinkConfig{.latency_min = ms * 100, .latency_max = ms * 100});
        LongPoll poll(*w.api);
        poll.add(FederationApi::ln_count_await(c));  // not yet passed: parked everywhere
        std::optional<sim::SimTime> answered;
        wait_in_background(w, poll, answered);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        REQUIRE(parked(w, 0) == 1);
        const sim::SimTime crash = this_actor::now();
        w.fed->crash(PeerId(0));
        this_actor::sleep_for(ms * 200);
        w.fed->restart(PeerId(0));
        CHECK(parked(w, 0) == 0);  // the restart lost the parked copy
        // The close arrives at crash + 100 ms; the re-send follows the first backoff step
        // (250 ms) and reaches the restarted guardian 1 ms later.
        this_actor::sleep_until(crash + ms * 349);
        CHECK(poll.requests_sent() == 4);
        this_actor::sleep_until(crash + ms * 352);
        CHECK(poll.requests_sent() == 5);
        CHECK(parked(w, 0) == 1);  // the old model: 0 until the re-send at 60.25 s
        // The answer: the block passes h, every guardian (g0 included) answers.
        const sim::SimTime mined = this_actor::now();
        w.mine(1, ms);
        while (!answered.has_value() || parked(w, 0) > 0) {
            this_actor::sleep_for(ms * 10);
        }
        CHECK(*answered - mined < sim::SimDuration::seconds(10));
        CHECK(poll.requests_sent() == 5);
    });
}

TEST_CASE("an await sent to a guardian whose process is down is refused at once and retried",
          "[federation][long-poll][crash]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        w.fed->crash(PeerId(0));
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const sim::SimTime t0 = this_actor::now();
        LongPoll poll(*w.api);
        poll.add(FederationApi::ln_count_await(c));
        std::optional<sim::SimTime> answered;
        wait_in_background(w, poll, answered);
        // Refused at 0, then re-sent on the backoff: 250 ms (refused), 500 ms (refused),
        // 1,000 ms (the guardian is back at 600 ms: it goes out and is parked).
        this_actor::sleep_until(t0 + ms * 600);
        CHECK(poll.requests_sent() == 4 + 2);
        w.fed->restart(PeerId(0));
        this_actor::sleep_until(t0 + ms * 999);
        CHECK(poll.requests_sent() == 4 + 2);
        CHECK(parked(w, 0) == 0);
        this_actor::sleep_until(t0 + ms * 1010);
        CHECK(poll.requests_sent() == 4 + 3);  // the old model: 4 until 60.25 s
        CHECK(parked(w, 0) == 1);
        w.mine(1, ms);
        while (!answered.has_value() || parked(w, 0) > 0) {
            this_actor::sleep_for(ms * 10);
        }
        CHECK(poll.requests_sent() == 4 + 3);
    });
}

// The close errors only what was sent on the dead connection (long_poll.cc connection_closed's
// `sent_at <= at`): a restart before the close arrives lets a request go out on a new
// connection, and the late close must leave that one alone.
TEST_CASE("a close that arrives after a restart errors only the requests sent before the crash",
          "[federation][long-poll][crash]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        const sim::NodeId g0 = w.fed->nodes()[0];
        w.sim.network().set_link(g0, w.user_node,
                                 sim::LinkConfig{.latency_min = ms * 100, .latency_max = ms * 100});
        LongPoll before(*w.api);
        before.add(FederationApi::ln_count_await(c));
        std::optional<sim::SimTime> before_answered;
        wait_in_background(w, before, before_answered);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const sim::SimTime crash = this_actor::now();
        w.fed->crash(PeerId(0));
        this_actor::sleep_until(crash + ms * 50);
        w.fed->restart(PeerId(0));
        // Sent at crash + 60 ms on a new connection to the restarted process; parked there.
        this_actor::sleep_until(crash + ms * 60);
        LongPoll after(*w.api);
        after.add(FederationApi::ln_count_await(c));
        std::optional<sim::SimTime> after_answered;
        wait_in_background(w, after, after_answered);
        this_actor::sleep_until(crash + ms * 99);
        REQUIRE(parked(w, 0) == 1);
        CHECK(before.requests_sent() == 4);
        CHECK(after.requests_sent() == 4);
        // The close arrives at crash + 100 ms: `before`'s request errors and is re-sent after
        // the first backoff step (250 ms); `after`'s stands (without the filter it would be
        // re-sent at the same instant).
        this_actor::sleep_until(crash + ms * 349);
        CHECK(before.requests_sent() == 4);
        CHECK(after.requests_sent() == 4);
        this_actor::sleep_until(crash + ms * 352);
        CHECK(before.requests_sent() == 5);
        CHECK(after.requests_sent() == 4);
        this_actor::sleep_until(crash + sim::SimDuration::seconds(5));
        CHECK(after.requests_sent() == 4);
        // Both are answered when the block passes, `after` without a re-send.
        w.mine(1, ms);
        while (!before_answered.has_value() || !after_answered.has_value()) {
            this_actor::sleep_for(ms * 10);
        }
        CHECK(before.requests_sent() == 5);
        CHECK(after.requests_sent() == 4);
    });
}

// Guards the other side: the close must not cross a cut, and a cut alone is no close.
TEST_CASE("a crash behind a cut closes nothing: the lost await waits for the 60 s timeout",
          "[federation][long-poll][crash][partition]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        const sim::NodeId g0 = w.fed->nodes()[0];
        const sim::SimTime t0 = this_actor::now();
        LongPoll poll(*w.api);
        poll.add(FederationApi::ln_count_await(c));
        std::optional<sim::SimTime> answered;
        wait_in_background(w, poll, answered);
        // Connection checks at 0.25, 0.5, 1.0, 1.75 s ...: the cut fits between two of them.
        this_actor::sleep_until(t0 + ms * 1100);
        REQUIRE(parked(w, 0) == 1);
        const uint32_t cut = w.sim.network().partition({g0}, {w.user_node},
                                                       sim::PartitionKind::one_way);
        this_actor::sleep_until(t0 + ms * 1200);
        w.fed->crash(PeerId(0));
        this_actor::sleep_until(t0 + ms * 1300);
        w.fed->restart(PeerId(0));
        this_actor::sleep_until(t0 + ms * 1400);
        w.sim.network().heal(cut);
        // No close reached the user and no check saw the cut: g0's copy is gone and nothing is
        // re-sent until the requests time out (60 s) and the first backoff step passes (all
        // four: the await is not satisfied anywhere yet).
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(60) + ms * 249);
        CHECK(poll.requests_sent() == 4);
        CHECK(parked(w, 0) == 0);
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(60) + ms * 252);
        CHECK(poll.requests_sent() == 8);
        CHECK(parked(w, 0) == 1);
        CHECK_FALSE(answered.has_value());
        w.mine(1, ms);
        while (!answered.has_value()) {
            this_actor::sleep_for(ms * 10);
        }
    });
}
