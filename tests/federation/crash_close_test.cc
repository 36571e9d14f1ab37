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

// The user's connection to g0 (GuardianConnection, upstream's ClientConnection): the await's
// request waits for it. The connect at t0 is refused 2 ms later (the 1 ms links' round trip); the
// connection task sleeps 250 ms and errors the request at 252 ms; LongPoll's own retry backoff
// (250 ms) re-sends at 502 ms: refused at 504, the task's second step (250 ms) errors it at 754,
// the retry's second step re-sends at 1,004 ms, and the guardian, back since 600 ms, takes the
// connect: the request goes out then and is parked 1 ms later. (The old model counted a refusal
// as the request's error at once: re-sends at 250, 500 and 1,000 ms.)
TEST_CASE("an await to a guardian whose process is down waits for its connection and goes out "
          "once a connect succeeds",
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
        this_actor::sleep_until(t0 + ms * 502 - sim::SimDuration::nanos(1));
        CHECK(poll.requests_sent() == 4);
        this_actor::sleep_until(t0 + ms * 600);
        CHECK(poll.requests_sent() == 4 + 1);
        w.fed->restart(PeerId(0));
        this_actor::sleep_until(t0 + ms * 1003);
        CHECK(poll.requests_sent() == 4 + 1);
        CHECK(parked(w, 0) == 0);
        this_actor::sleep_until(t0 + ms * 1010);
        CHECK(poll.requests_sent() == 4 + 2);
        CHECK(parked(w, 0) == 1);
        w.mine(1, ms);
        while (!answered.has_value() || parked(w, 0) > 0) {
            this_actor::sleep_for(ms * 10);
        }
        CHECK(poll.requests_sent() == 4 + 2);
    });
}

// The same schedule with g0 restarted at exactly 1,004 ms, the instant of the third connect.
// Same-instant events run in the order they were scheduled (sim::SchedulerConfig): a restart
// scheduled before the waiter's wake is seen by the connect, which succeeds (the request is
// parked at 1,005 ms); one scheduled after it is not: the connect is refused at 1,006 ms, the
// task's third step (500 ms) errors the request at 1,506 ms and the retry's third step (500 ms)
// sends it at 2,006 ms on a connect that succeeds.
TEST_CASE("a guardian restarted at the instant of a connect: the connect sees the restart only "
          "if it ran first",
          "[federation][long-poll][crash]") {
    for (const bool restart_first : {true, false}) {
        INFO("restart scheduled before the waiter's wake: " << restart_first);
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
            if (!restart_first) {
                this_actor::sleep_until(t0 + ms * 1003);  // after the waiter's wake (at 754 ms)
            }
            this_actor::sleep_until(t0 + ms * 1004);
            w.fed->restart(PeerId(0));
            this_actor::sleep_until(t0 + ms * 1005 + sim::SimDuration::nanos(1));
            CHECK(parked(w, 0) == (restart_first ? 1 : 0));
            CHECK(poll.requests_sent() == 4 + 2);
            if (!restart_first) {
                this_actor::sleep_until(t0 + ms * 2006 - sim::SimDuration::nanos(1));
                CHECK(poll.requests_sent() == 4 + 2);
                this_actor::sleep_until(t0 + ms * 2007 + sim::SimDuration::nanos(1));
                CHECK(poll.requests_sent() == 4 + 3);
                CHECK(parked(w, 0) == 1);
            }
            w.mine(1, ms);
            while (!answered.has_value() || parked(w, 0) > 0) {
                this_actor::sleep_for(ms * 10);
            }
        });
    }
}

// The close errors what was sent on the dead connection. The user learns of the crash only when
// the close arrives (crash + 100 ms): a request sent before that, even after the restart, is
// written on the old connection (upstream the new process answers it with RST; the model's
// network hands it to the new process, which parks it) and errors with the close. Both re-send
// after the first backoff step on a new connection. (The old model read "down" at the send and
// let `after`'s request stand.)
TEST_CASE("a close that arrives after a restart errors every request written on the old "
          "connection, one sent after the restart included",
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
        // Sent at crash + 60 ms, on the old connection; the restarted process parks it.
        this_actor::sleep_until(crash + ms * 60);
        LongPoll after(*w.api);
        after.add(FederationApi::ln_count_await(c));
        std::optional<sim::SimTime> after_answered;
        wait_in_background(w, after, after_answered);
        this_actor::sleep_until(crash + ms * 99);
        REQUIRE(parked(w, 0) == 1);
        CHECK(before.requests_sent() == 4);
        CHECK(after.requests_sent() == 4);
        // The close arrives at crash + 100 ms: both requests error and are re-sent after the
        // first backoff step (250 ms), on a new connection.
        this_actor::sleep_until(crash + ms * 349);
        CHECK(before.requests_sent() == 4);
        CHECK(after.requests_sent() == 4);
        this_actor::sleep_until(crash + ms * 352);
        CHECK(before.requests_sent() == 5);
        CHECK(after.requests_sent() == 5);
        this_actor::sleep_until(crash + sim::SimDuration::seconds(5));
        CHECK(after.requests_sent() == 5);
        // Both are answered when the block passes, without another re-send.
        w.mine(1, ms);
        while (!before_answered.has_value() || !after_answered.has_value()) {
            this_actor::sleep_for(ms * 10);
        }
        CHECK(before.requests_sent() == 5);
        CHECK(after.requests_sent() == 5);
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

// ---- the connection runs by itself; closes error every request on the connection (ccfix) ----

// Nobody waits on the poll while g0's connect crosses a 2 s cut: the connection task still runs
// at its own times (upstream it is a task of its own), so the SYN retransmit at 3 s connects
// (the link healed at 2 s). The crash at 4 s closes that connection (the close arrives at
// 4.001 s). The reader comes at 5 s: its ticket's connection is dead, so the request errors (at
// the close) and is re-sent at once. Restarted at 4.5 s, the re-send connects at 5 s; still down,
// it is refused at 5.002 s (the sleep ends at 5.252 s) and re-sent at 5.502 s and 6.254 s, where
// the restart at 6 s lets it connect. (Before: resolve() handed the dead connection to the
// ticket and the request waited out the 60 s timeout; with the task run only when a reader
// asked, the SYN of 1 s was replayed at 5 s against the restarted guardian and connected "at 1 s".)
TEST_CASE("a connect made while no reader waited, then closed, errors its waiting request at the "
          "close instead of sending on the dead connection",
          "[federation][long-poll][crash][partition]") {
    for (const bool restarted_before_reader : {true, false}) {
        INFO("restarted before the reader came: " << restarted_before_reader);
        World w;
        w.run([&] {
            w.mine(3);
            const uint64_t c = w.ln_count();
            const sim::NodeId g0 = w.fed->nodes()[0];
            w.sim.network().partition({w.user_node}, {g0}, sim::PartitionKind::symmetric,
                                      sim::SimDuration::seconds(2));
            const sim::SimTime t0 = this_actor::now();
            const sim::SimDuration s = sim::SimDuration::seconds(1);
            LongPoll poll(*w.api);
            poll.add(FederationApi::ln_count_await(c));  // g0's request waits for its connect
            this_actor::sleep_until(t0 + s * 4);
            w.fed->crash(PeerId(0));
            this_actor::sleep_until(t0 + ms * 4500);
            if (restarted_before_reader) {
                w.fed->restart(PeerId(0));
            }
            this_actor::sleep_until(t0 + s * 5);
            std::optional<sim::SimTime> answered;
            wait_in_background(w, poll, answered);
            this_actor::sleep_until(t0 + s * 5 + ms * 2);
            CHECK(poll.requests_sent() == 4 + 1);
            CHECK(parked(w, 0) == (restarted_before_reader ? 1 : 0));
            if (!restarted_before_reader) {
                this_actor::sleep_until(t0 + s * 6);
                w.fed->restart(PeerId(0));
                this_actor::sleep_until(t0 + ms * 6254 - sim::SimDuration::nanos(1));
                CHECK(poll.requests_sent() == 4 + 2);
                CHECK(parked(w, 0) == 0);
                this_actor::sleep_until(t0 + ms * 6255 + sim::SimDuration::nanos(1));
                CHECK(poll.requests_sent() == 4 + 3);
                CHECK(parked(w, 0) == 1);
            }
            w.mine(1, ms);
            while (!answered.has_value()) {
                this_actor::sleep_for(ms * 10);
            }
        });
    }
}

// Three awaits added at one instant (Client::follow does so) while g0 is down: upstream's task
// drains its queue as an attempt starts, so all three ride the connect at t0 (refused at 2 ms)
// and error together when its sleep ends (252 ms), re-sent at 502 ms. (Before: the second and
// third queued behind the first and rode the next attempt: errored at 504 ms, re-sent at 754.)
TEST_CASE("requests made at the instant a connect starts go with it",
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
        poll.add(FederationApi::ln_count_await(c + 1));
        poll.add(FederationApi::ln_count_await(c + 2));
        std::optional<sim::SimTime> answered;
        wait_in_background(w, poll, answered);
        this_actor::sleep_until(t0 + ms * 502 - sim::SimDuration::nanos(1));
        CHECK(poll.requests_sent() == 12);
        this_actor::sleep_until(t0 + ms * 502);
        this_actor::yield();
        CHECK(poll.requests_sent() == 12 + 3);
        this_actor::sleep_until(t0 + ms * 760);
        CHECK(poll.requests_sent() == 12 + 3);
        w.fed->restart(PeerId(0));
        w.mine(1, ms);
        while (!answered.has_value()) {
            this_actor::sleep_for(ms * 10);
        }
    });
}

// A LongPoll and a threshold read share the user's connection to g0. g0 -> user is cut at
// 100 ms, so g0's answer to the threshold read (sent at 100 ms) is lost; g1 is down (its
// connects are refused: the read's request rides the attempt after the LongPoll's, errored at
// 504 ms). The LongPoll's connection check at 250 ms finds the cut and closes the connection,
// which errors the read's request too (jsonrpsee errors every pending call when its connection
// closes): f + 1 errors, the read fails at 504 ms. (Before: the read's request to g0 waited for
// the 60 s request timeout.)
TEST_CASE("a connection closed by one reader's connection check errors the other readers' "
          "requests on it at once",
          "[federation][long-poll][partition]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        const sim::NodeId g0 = w.fed->nodes()[0];
        w.fed->crash(PeerId(1));
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const sim::SimTime t0 = this_actor::now();
        LongPoll poll(*w.api);
        poll.add(FederationApi::ln_count_await(c));
        std::optional<sim::SimTime> answered;
        wait_in_background(w, poll, answered);
        this_actor::sleep_until(t0 + ms * 100);
        w.sim.network().partition({g0}, {w.user_node}, sim::PartitionKind::one_way);
        const auto read = w.api->request_threshold(
            QueryMsg{.query_id = 0, .kind = QueryKind::gateways, .tx = {}, .contract = {},
                     .hash = {}},
            sim::SimTime::never());
        CHECK_FALSE(read.has_value());
        CHECK(this_actor::now() == t0 + ms * 504);
        w.mine(1, ms);  // g2 and g3 answer the await: f + 1
        while (!answered.has_value()) {
            this_actor::sleep_for(ms * 10);
        }
    });
}

// The user's process stops and starts again (Gateway::crash/restart: FederationApi::stop()
// resets every connection) while a reader outside it waits on a connect (a scenario world's
// driver pegging in through the gateway's client): the reader's request errors at the stop and
// is re-sent on the new process's connection, instead of tripping the stale-ticket check.
TEST_CASE("a request waiting on a connect when the user's process stops errors at the stop and "
          "is re-sent on the restarted process's connection",
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
        const sim::ActorId waiter = w.sim.scheduler().spawn("waiter", [&poll, &answered] {
            if (poll.wait_until(sim::SimTime::never()).has_value()) {
                answered = this_actor::now();
            }
        });
        // As in the case above: at 600 ms the request to g0 waits on the second connect.
        this_actor::sleep_until(t0 + ms * 600);
        CHECK(poll.requests_sent() == 4 + 1);
        w.api->stop();
        w.api->start();
        w.fed->restart(PeerId(0));
        // The error at the stop (600 ms) is retried on the backoff's next step and connects.
        this_actor::sleep_until(t0 + sim::SimDuration::seconds(30));
        CHECK(poll.requests_sent() >= 4 + 2);
        CHECK(parked(w, 0) == 1);
        // Not waited for: stop() also drops the reader's reply routes (pending_), so a LongPoll
        // that spans a stop is never answered (a limit of the world's driver, not upstream's).
        CHECK_FALSE(answered.has_value());
        w.sim.scheduler().kill(waiter);  // it waits on `poll`, which this scope owns
    });
}
