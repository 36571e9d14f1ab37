// Long-poll reads (messages.h AwaitKind, guardian_long_poll.cc, long_poll.h): a parked await is
// answered in the round that satisfies it and not before; wait_block_height is re-checked every
// 5 s; a crash drops a guardian's parked awaits and the user still gets f + 1 answers from the
// others or by re-sending at the request timeout; one guardian's answer alone is not enough.
#include "fed_world.h"

using namespace fed_test;
namespace this_actor = sim::this_actor;

namespace {

// How many guardians' states have an LN count above `h`.
uint64_t guardians_above(World& w, uint64_t h) {
    uint64_t n = 0;
    for (uint32_t p = 0; p < w.fed->size(); ++p) {
        n += w.fed->store(PeerId(p)).state.ln_count() > h ? 1 : 0;
    }
    return n;
}

uint64_t parked(World& w, uint32_t peer) { return w.fed->guardian(PeerId(peer)).parked_queries(); }

}  // namespace

TEST_CASE("fibonacci_delay follows fedimint's backoff without jitter", "[federation][long-poll]") {
    const sim::SimDuration ms = sim::SimDuration::millis(1);
    const sim::SimDuration min = sim::SimDuration::millis(250);
    const sim::SimDuration max = sim::SimDuration::seconds(10);
    CHECK(fibonacci_delay(min, max, 0) == ms * 250);
    CHECK(fibonacci_delay(min, max, 1) == ms * 250);
    CHECK(fibonacci_delay(min, max, 2) == ms * 500);
    CHECK(fibonacci_delay(min, max, 3) == ms * 750);
    CHECK(fibonacci_delay(min, max, 8) == ms * 8500);   // 34 x 250 ms
    CHECK(fibonacci_delay(min, max, 9) == max);         // 55 x 250 ms, capped
    CHECK(fibonacci_delay(min, max, 500) == max);
}

TEST_CASE("wait_block_height answers once the count passes h, at the guardians' 5 s re-checks",
          "[federation][long-poll]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        // Already passed (count c > c - 1): answered at once, nothing parked.
        const sim::SimTime t0 = this_actor::now();
        REQUIRE(w.api->await_ln_count_above(c - 1, t0 + sim::SimDuration::seconds(1)) == c);
        CHECK(this_actor::now() - t0 < sim::SimDuration::millis(10));
        // Count c == h: not passed. Parked at every guardian, no answer through two re-checks.
        std::optional<uint64_t> answer;
        sim::SimTime answered_at;
        const sim::SimTime asked_at = this_actor::now();
        w.sim.scheduler().spawn("waiter", [&] {
            answer = w.api->await_ln_count_above(c, sim::SimTime::never());
            answered_at = this_actor::now();
        });
        this_actor::sleep_for(sim::SimDuration::seconds(12));
        CHECK_FALSE(answer.has_value());
        for (uint32_t p = 0; p < 4; ++p) {
            CHECK(parked(w, p) == 1);
        }
        // One block: the count reaches c + 1 at f + 1 guardians at `passed`.
        w.mine(1, sim::SimDuration::millis(1));
        while (guardians_above(w, c) < 2) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        const sim::SimTime passed = this_actor::now();
        while (!answer.has_value()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        CHECK(*answer == c + 1);
        CHECK(answered_at >= passed);
        CHECK(answered_at - passed <= sim::SimDuration::seconds(5));
        // Quantised: the answering guardians checked 5 k s after the request reached them
        // (1 ms links; slack for a guardian busy when the request came).
        const int64_t since_ask = (answered_at - asked_at).ns();
        const int64_t phase = since_ask % sim::SimDuration::seconds(5).ns();
        CHECK(phase <= sim::SimDuration::millis(50).ns());
        CHECK(since_ask >= sim::SimDuration::seconds(15).ns());
    });
}

TEST_CASE("a transaction outcome await is answered in the round that decides it, not on a timer",
          "[federation][long-poll]") {
    World w;
    w.run([&] {
        // Spending a contract that does not exist: rejected, which is an outcome too.
        const FedTx tx{w.api->new_tx_id(),
                       SpendOutgoingTx{.contract = ContractId{12345}, .signer = PublicKey{1},
                                       .preimage = std::nullopt, .payout = ClientId(1)}};
        std::optional<TxOutcome> outcome;
        sim::SimTime answered_at;
        w.sim.scheduler().spawn("waiter", [&] {
            outcome = w.api->await_outcome(tx.id, sim::SimTime::never());
            answered_at = this_actor::now();
        });
        this_actor::sleep_for(sim::SimDuration::seconds(30));
        CHECK_FALSE(outcome.has_value());  // not submitted: parked, never answered "none yet"
        for (uint32_t p = 0; p < 4; ++p) {
            CHECK(parked(w, p) == 1);
        }
        w.api->submit(tx);
        // The round deciding it is applied by f + 1 guardians at `decided`.
        auto deciders = [&] {
            uint64_t n = 0;
            for (uint32_t p = 0; p < 4; ++p) {
                n += w.fed->store(PeerId(p)).state.outcome(tx.id) != nullptr ? 1 : 0;
            }
            return n;
        };
        while (deciders() < 2) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        const sim::SimTime decided = this_actor::now();
        while (!outcome.has_value()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        CHECK_FALSE(outcome->accepted);
        CHECK(answered_at <= decided + sim::SimDuration::millis(2));  // the reply's latency
        for (uint32_t p = 0; p < 4; ++p) {
            CHECK(parked(w, p) == 0);
        }
    });
}

TEST_CASE("a crash drops a guardian's parked awaits; the others' f + 1 answers still count",
          "[federation][long-poll][crash]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        std::optional<uint64_t> answer;
        w.sim.scheduler().spawn("waiter", [&] {
            answer = w.api->await_ln_count_above(c, sim::SimTime::never());
        });
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        REQUIRE(parked(w, 0) == 1);
        w.fed->crash(PeerId(0));
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        w.fed->restart(PeerId(0));
        CHECK(parked(w, 0) == 0);
        const sim::SimTime t0 = this_actor::now();
        w.mine(1, sim::SimDuration::millis(1));
        while (!answer.has_value()) {
            this_actor::sleep_for(sim::SimDuration::millis(10));
        }
        CHECK(*answer > c);
        CHECK(this_actor::now() - t0 < sim::SimDuration::seconds(30));  // before any re-send
    });
}

TEST_CASE("one guardian's answer is not enough; the user re-sends at the request timeout",
          "[federation][long-poll][crash]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        const sim::SimTime asked_at = this_actor::now();
        LongPoll poll(*w.api);
        poll.add(FederationApi::ln_count_await(c));
        CHECK(poll.requests_sent() == 4);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        // Guardians 0, 1, 2 crash and come back one after the other: only 3 keeps the await.
        for (uint32_t p = 0; p < 3; ++p) {
            w.fed->crash(PeerId(p));
            this_actor::sleep_for(sim::SimDuration::millis(200));
            w.fed->restart(PeerId(p));
            this_actor::sleep_for(sim::SimDuration::seconds(2));
        }
        CHECK(parked(w, 0) + parked(w, 1) + parked(w, 2) == 0);
        CHECK(parked(w, 3) == 1);
        w.mine(1, sim::SimDuration::millis(1));
        while (parked(w, 3) == 1) {  // guardian 3 answers at its next re-check
            this_actor::sleep_for(sim::SimDuration::millis(10));
        }
        // One answer, no agreement: nothing until the others' requests time out.
        const sim::SimDuration timeout = w.api->long_poll_timing().request_timeout;
        CHECK_FALSE(poll.wait_until(asked_at + timeout).has_value());
        CHECK(poll.requests_sent() == 4);
        std::optional<LongPoll::Answer> a = poll.wait_until(sim::SimTime::never());
        REQUIRE(a.has_value());
        // Re-sent to the three silent guardians after the timeout and the first backoff step
        // (250 ms); they answer at once (the count passed), so 2 agree.
        CHECK(poll.requests_sent() == 7);
        CHECK(this_actor::now() - asked_at >= timeout + sim::SimDuration::millis(250));
        CHECK(this_actor::now() - asked_at < timeout + sim::SimDuration::millis(260));
        CHECK(a->reply.ln_count > c);
    });
}

TEST_CASE("an await never satisfied costs one request per guardian per re-send, not per second",
          "[federation][long-poll]") {
    World w;
    w.run([&] {
        const uint64_t before = w.api->reads_sent();
        const PaymentHash never_funded = payment_hash_of(Preimage{});
        const sim::SimTime t0 = this_actor::now();
        CHECK_FALSE(w.api->await_decrypted(never_funded, t0 + sim::SimDuration::minutes(30))
                        .has_value());
        CHECK(this_actor::now() == t0 + sim::SimDuration::minutes(30));
        // Per guardian: the first request, then one each 60 s timeout + Fibonacci backoff
        // (0.25, 0.25, 0.5, ... s, capped at 10 s): 27 sends before 30 minutes, where reading
        // once a second cost 1,800.
        CHECK(w.api->reads_sent() - before == 4 * 27);
    });
}
