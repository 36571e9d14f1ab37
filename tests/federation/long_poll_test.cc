// Long-poll reads (messages.h AwaitKind, guardian_long_poll.cc, long_poll.h): a parked await is
// answered in the round that satisfies it and not before; wait_block_height is re-checked every
// 5 s; a crash drops a guardian's parked awaits and the user still gets f + 1 answers from the
// others or by re-sending at the request timeout; one guardian's answer alone is not enough.
#include <iterator>

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

// How many guardians' states hold an outcome for `tx`.
uint64_t guardians_deciding(World& w, FedTxId tx) {
    uint64_t n = 0;
    for (uint32_t p = 0; p < w.fed->size(); ++p) {
        n += w.fed->store(PeerId(p)).state.outcome(tx) != nullptr ? 1 : 0;
    }
    return n;
}

uint64_t parked(World& w, uint32_t peer) { return w.fed->guardian(PeerId(peer)).parked_queries(); }

}  // namespace

// backon's FibonacciBackoff (backon/src/backoff/fibonacci.rs `next()`, fedimint pins 1.5.1)
// without jitter: it adds while the current delay is below max, so the step that crosses max is
// kept and repeated. Before session 18 the model clamped it to max (10 s and 600 s here).
TEST_CASE("fibonacci_delay is backon's Fibonacci: api_networking_backoff settles at 13.75 s",
          "[federation][long-poll]") {
    const sim::SimDuration ms = sim::SimDuration::millis(1);
    // fedimint-core backoff_util.rs `api_networking_backoff()`: custom_backoff(250 ms, 10 s).
    const sim::SimDuration min = sim::SimDuration::millis(250);
    const sim::SimDuration max = sim::SimDuration::seconds(10);
    const int64_t want_ms[] = {250, 250, 500, 750, 1250, 2000, 3250, 5250, 8500, 13750, 13750};
    for (uint64_t attempt = 0; attempt < std::size(want_ms); ++attempt) {
        INFO("retry " << attempt);
        CHECK(fibonacci_delay(min, max, attempt) == ms * want_ms[attempt]);
    }
    CHECK(fibonacci_delay(min, max, 500) == ms * 13750);
}

TEST_CASE("fibonacci_delay is backon's Fibonacci: the tx resubmit settles at 754 s",
          "[federation][long-poll]") {
    // fedimint-client transaction/sm.rs: custom_backoff(2 s, 10 min, None).
    const sim::SimDuration min = sim::SimDuration::seconds(2);
    const sim::SimDuration max = sim::SimDuration::minutes(10);
    const int64_t want_s[] = {2, 2, 4, 6, 10, 16, 26, 42, 68, 110, 178, 288, 466, 754, 754};
    for (uint64_t attempt = 0; attempt < std::size(want_s); ++attempt) {
        INFO("retry " << attempt);
        CHECK(fibonacci_delay(min, max, attempt) == sim::SimDuration::seconds(want_s[attempt]));
    }
    CHECK(fibonacci_delay(min, max, 1000) == sim::SimDuration::seconds(754));
    // A zero minimum never grows (backon yields zero forever).
    CHECK(fibonacci_delay(sim::SimDuration::zero(), max, 1000) == sim::SimDuration::zero());
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
        while (guardians_deciding(w, tx.id) < 2) {
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
          "[federation][long-poll]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        const sim::SimTime asked_at = this_actor::now();
        LongPoll poll(*w.api);
        // The requests to guardians 0, 1, 2 are lost on live links (a silent loss: no
        // connection error; a crash would close the connection and be retried at once): only 3
        // parks the await.
        for (uint32_t p = 0; p < 3; ++p) {
            w.sim.network().set_link(w.user_node, w.fed->nodes()[p],
                                     sim::LinkConfig{.drop = sim::Ratio::always()});
        }
        poll.add(FederationApi::ln_count_await(c));
        for (uint32_t p = 0; p < 3; ++p) {
            w.sim.network().set_link(w.user_node, w.fed->nodes()[p], sim::LinkConfig{});
        }
        CHECK(poll.requests_sent() == 4);
        this_actor::sleep_for(sim::SimDuration::seconds(7));
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
        // (0.25, 0.25, 0.5, ... 8.5 s, then backon's 13.75 s on): 26 sends before 30 minutes
        // (27 when the model clamped the backoff at 10 s), where reading once a second cost
        // 1,800.
        CHECK(w.api->reads_sent() - before == 4 * 26);
    });
}

// ---- connection errors, expiry, one copy per await, await digests (review of 2bad2a4) ----

// The connects at t0 cross a cut healed `heal` later (GuardianConnection): the client's TCP
// resends the SYN at 1, 3 and 7 s; the first to find the link healed connects, the requests go
// out then and are answered one round trip later (1 ms links), each sent once. A heal at 3 s
// exactly is seen by the 3 s SYN (the heal was scheduled first). A heal after the 7 s SYN does
// not save the connect: it fails at the 10 s timeout, the requests error when the task's sleep
// ends (10.25 s) and are re-sent after LongPoll's backoff (10.5 s) on a connect that succeeds.
// (The model before session 19: each send failed, re-sent at 0.25, 0.5, 1.0, 1.75 and 3.0 s.)
TEST_CASE("a cut when an await is sent: the request waits for the connect, which the first SYN "
          "retransmit after the heal completes",
          "[federation][long-poll][partition]") {
    const sim::SimDuration s = sim::SimDuration::seconds(1);
    const sim::SimDuration ns = sim::SimDuration::nanos(1);
    const sim::SimDuration ms = sim::SimDuration::millis(1);
    struct Case {
        sim::SimDuration heal;
        sim::SimDuration answered;
        uint64_t sent;
    };
    for (const Case& k : {Case{s * 3 - ns, s * 3 + ms * 2, 4}, Case{s * 3, s * 3 + ms * 2, 4},
                          Case{s * 3 + ns, s * 7 + ms * 2, 4}, Case{s * 8, ms * 10502, 8}}) {
        INFO("heal after " << k.heal.ns() << " ns");
        World w;
        w.run([&] {
            w.mine(3);
            const uint64_t c = w.ln_count();
            std::vector<sim::NodeId> gs(w.fed->nodes().begin(), w.fed->nodes().end());
            w.sim.network().partition({w.user_node}, gs, sim::PartitionKind::symmetric, k.heal);
            const sim::SimTime t0 = this_actor::now();
            LongPoll poll(*w.api);
            poll.add(FederationApi::ln_count_await(c - 1));  // already satisfied everywhere
            std::optional<LongPoll::Answer> a = poll.wait_until(t0 + sim::SimDuration::seconds(60));
            REQUIRE(a.has_value());
            CHECK(this_actor::now() == t0 + k.answered);
            CHECK(poll.requests_sent() == k.sent);
        });
    }
}

// g0 is down. Poll A's request starts the connect at t0 (refused at 2 ms, the task sleeps to
// 252 ms); poll B's, made at 100 ms, queues and rides the next attempt, at 252 ms: refused at
// 254 ms, the second step (250 ms) errors it at 504 ms, LongPoll's first step re-sends it at
// 754 ms.
TEST_CASE("a request made during a failing connect rides the next attempt and errors after its "
          "sleep",
          "[federation][long-poll][crash]") {
    World w;
    w.run([&] {
        const sim::SimDuration ms = sim::SimDuration::millis(1);
        w.mine(3);
        const uint64_t c = w.ln_count();
        w.fed->crash(PeerId(0));
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        const sim::SimTime t0 = this_actor::now();
        LongPoll a(*w.api);
        a.add(FederationApi::ln_count_await(c));
        this_actor::sleep_until(t0 + ms * 100);
        LongPoll b(*w.api);
        b.add(FederationApi::ln_count_await(c));
        w.sim.scheduler().spawn("waiter a", [&a] { a.wait_until(sim::SimTime::never()); });
        w.sim.scheduler().spawn("waiter b", [&] {
            b.wait_until(t0 + ms * 754 - sim::SimDuration::nanos(1));
            CHECK(b.requests_sent() == 4);
            b.wait_until(t0 + ms * 754 + sim::SimDuration::nanos(1));
            CHECK(b.requests_sent() == 5);
        });
        this_actor::sleep_until(t0 + ms * 800);
        w.fed->restart(PeerId(0));
        w.mine(1, ms);
        this_actor::sleep_for(sim::SimDuration::seconds(30));
    });
}

// A cut of 2 s: poll A's request starts a connect across it at t0; poll B's, made at 500 ms,
// queues behind that attempt. The SYN retransmit at 3 s finds the link healed and connects:
// the task hands the connection to every waiting request, so B's goes out at 3 s too (answered
// at 3.002 s), not on a next attempt.
TEST_CASE("a SYN retransmit that connects serves the requests queued behind its attempt",
          "[federation][long-poll][partition]") {
    World w;
    w.run([&] {
        const sim::SimDuration ms = sim::SimDuration::millis(1);
        w.mine(3);
        const uint64_t c = w.ln_count();
        std::vector<sim::NodeId> gs(w.fed->nodes().begin(), w.fed->nodes().end());
        w.sim.network().partition({w.user_node}, gs, sim::PartitionKind::symmetric,
                                  sim::SimDuration::seconds(2));
        const sim::SimTime t0 = this_actor::now();
        LongPoll a(*w.api);
        a.add(FederationApi::ln_count_await(c - 1));
        this_actor::sleep_until(t0 + ms * 500);
        LongPoll b(*w.api);
        b.add(FederationApi::ln_count_await(c - 1));
        std::optional<LongPoll::Answer> answer = b.wait_until(t0 + sim::SimDuration::seconds(60));
        REQUIRE(answer.has_value());
        CHECK(this_actor::now() == t0 + ms * 3002);
        CHECK(b.requests_sent() == 4);
        a.withdraw_open();
    });
}

TEST_CASE("submit_and_wait(60 s) re-sends the outcome await with each resubmit",
          "[federation][long-poll][partition]") {
    World w;
    w.run([&] {
        w.mine(3);
        std::vector<sim::NodeId> gs(w.fed->nodes().begin(), w.fed->nodes().end());
        // Only the first submission and the first await request are lost: a 1 ms cut.
        w.sim.network().partition({w.user_node}, gs, sim::PartitionKind::symmetric,
                                  sim::SimDuration::millis(1));
        const FedTx tx{w.api->new_tx_id(),
                       SpendOutgoingTx{.contract = ContractId{12345}, .signer = PublicKey{1},
                                       .preimage = std::nullopt, .payout = ClientId(1)}};
        const sim::SimTime t0 = this_actor::now();
        std::optional<TxOutcome> o = w.api->submit_and_wait(tx, t0 + sim::SimDuration::seconds(60));
        REQUIRE(o.has_value());
        CHECK_FALSE(o->accepted);
        // Decided after the resubmit at 2 s (a few rounds), not at the 60 s request timeout.
        CHECK(this_actor::now() - t0 >= sim::SimDuration::seconds(2));
        CHECK(this_actor::now() - t0 < sim::SimDuration::seconds(10));
    });
}

TEST_CASE("a reply lost to a guardian -> user cut is noticed at the next connection check",
          "[federation][long-poll][partition]") {
    World w;
    w.run([&] {
        w.mine(3);
        std::vector<sim::NodeId> gs(w.fed->nodes().begin(), w.fed->nodes().end());
        const FedTx tx{w.api->new_tx_id(),
                       SpendOutgoingTx{.contract = ContractId{777}, .signer = PublicKey{1},
                                       .preimage = std::nullopt, .payout = ClientId(1)}};
        std::optional<TxOutcome> outcome;
        sim::SimTime answered_at;
        w.sim.scheduler().spawn("waiter", [&] {
            outcome = w.api->await_outcome(tx.id, sim::SimTime::never());
            answered_at = this_actor::now();
        });
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        for (uint32_t p = 0; p < 4; ++p) {
            REQUIRE(parked(w, p) == 1);
        }
        // Replies cannot come back; the submission still goes out.
        const uint32_t cut = w.sim.network().partition(gs, {w.user_node},
                                                       sim::PartitionKind::one_way);
        w.api->submit(tx);
        while (guardians_deciding(w, tx.id) < 4) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        // Cut for 12 s: longer than the checks' 10 s cap, so a check must see it.
        this_actor::sleep_for(sim::SimDuration::seconds(12));
        CHECK(parked(w, 0) + parked(w, 1) + parked(w, 2) + parked(w, 3) == 0);  // answered, lost
        w.sim.network().heal(cut);
        const sim::SimTime healed = this_actor::now();
        CHECK_FALSE(outcome.has_value());
        while (!outcome.has_value()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        CHECK_FALSE(outcome->accepted);
        // A check saw the cut; the re-sends back off (steps under 10 s in a 12 s cut) and the
        // first after the heal is answered at once: within 10 s of the heal, not at the 60.25 s
        // timeout.
        INFO("answered " << (answered_at - healed).ns() / 1000000 << " ms after the heal");
        CHECK(answered_at - healed <= sim::SimDuration::millis(10050));
        CHECK(answered_at - healed >= sim::SimDuration::zero());
    });
}

TEST_CASE("a parked await whose withdrawal was lost expires 60 s after it arrived",
          "[federation][long-poll][partition]") {
    World w;
    w.run([&] {
        LongPoll poll(*w.api);
        poll.add(FederationApi::outgoing_await(ContractId{424242}, AwaitKind::outgoing_cancelled));
        const sim::SimTime sent = this_actor::now();
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        for (uint32_t p = 0; p < 4; ++p) {
            REQUIRE(parked(w, p) == 1);
        }
        const sim::NodeId g0 = w.fed->nodes()[0];
        const uint32_t cut = w.sim.network().partition({w.user_node}, {g0},
                                                       sim::PartitionKind::one_way);
        poll.withdraw_open();  // lost on the way to g0
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        w.sim.network().heal(cut);
        CHECK(parked(w, 0) == 1);
        CHECK(parked(w, 1) + parked(w, 2) + parked(w, 3) == 0);
        this_actor::sleep_until(sent + sim::SimDuration::seconds(59));
        CHECK(parked(w, 0) == 1);
        // Dropped at the first round after arrival + 60 s.
        this_actor::sleep_until(sent + sim::SimDuration::seconds(62));
        CHECK(parked(w, 0) == 0);
    });
}

TEST_CASE("re-sends of a long await keep one parked copy per guardian", "[federation][long-poll]") {
    World w;
    w.run([&] {
        const PaymentHash never_funded = payment_hash_of(Preimage{});
        const sim::SimTime t0 = this_actor::now();
        w.sim.scheduler().spawn("waiter", [&] {
            (void)w.api->await_decrypted(never_funded, t0 + sim::SimDuration::minutes(30));
        });
        size_t most = 0;
        for (int i = 0; i < 29 * 6; ++i) {
            this_actor::sleep_for(sim::SimDuration::seconds(10));
            most = std::max(most, parked(w, 0));
        }
        CHECK(most == 1);  // 2bad2a4 held 26 copies at 29 min
        this_actor::sleep_until(t0 + sim::SimDuration::minutes(32));
        CHECK(parked(w, 0) == 0);  // withdrawn at the deadline
    });
}

TEST_CASE("a re-sent height await keeps the first copy's 5 s phase", "[federation][long-poll]") {
    World w;
    w.run([&] {
        w.mine(3);
        const uint64_t c = w.ln_count();
        const sim::SimTime asked_at = this_actor::now();
        LongPoll poll(*w.api);
        poll.add(FederationApi::ln_count_await(c));
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        poll.resend_unanswered(0);  // a second copy 3 s later: merged into the first
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        for (uint32_t p = 0; p < 4; ++p) {
            CHECK(parked(w, p) == 1);
        }
        w.mine(1, sim::SimDuration::millis(1));
        std::optional<LongPoll::Answer> a = poll.wait_until(sim::SimTime::never());
        REQUIRE(a.has_value());
        const int64_t phase =
            (this_actor::now() - asked_at).ns() % sim::SimDuration::seconds(5).ns();
        CHECK(phase <= sim::SimDuration::millis(50).ns());
        CHECK(poll.requests_sent() == 8);
    });
}

TEST_CASE("an await's digest covers its condition, not fields that change later",
          "[federation][long-poll]") {
    World w;
    w.run([&] {
        w.mine(20);
        const ClientId alice(1);
        w.peg_in(alice, 1000000);
        const OutgoingContractV1 c{.hash = payment_hash_of(preimage_from_label(5)),
                                   .gateway_key = PublicKey{1001},
                                   .user_key = PublicKey{2002},
                                   .timelock = w.ln_count() + 100,
                                   .cancelled = false};
        const ContractId id = contract_id_of(c);
        REQUIRE(w.submit(FundOutgoingTx{.client = alice, .contract = c, .amount_msat = 5000})
                    .accepted);
        const QueryMsg exists = FederationApi::outgoing_await(id, AwaitKind::outgoing_exists);
        const QueryMsg cancelled = FederationApi::outgoing_await(id, AwaitKind::outgoing_cancelled);
        QueryMsg one_shot = exists;
        one_shot.await = AwaitKind::none;
        const FederationState& s0 = w.fed->store(PeerId(0)).state;
        const uint64_t exists_fresh = answer_query(exists, PeerId(0), s0).digest;
        const uint64_t read_fresh = answer_query(one_shot, PeerId(0), s0).digest;
        REQUIRE(w.submit(CancelOutgoingTx{.contract = id,
                                          .signature = {.signer = PublicKey{1001},
                                                        .signed_contract = id}})
                    .accepted);
        const uint64_t cancelled_fresh = answer_query(cancelled, PeerId(0), s0).digest;
        REQUIRE(w.submit(SpendOutgoingTx{.contract = id, .signer = PublicKey{2002},
                                         .preimage = std::nullopt, .payout = alice})
                    .accepted);
        // A guardian answering after the cancel and the refund agrees with one that answered
        // before; a one-shot read reports the change.
        CHECK(answer_query(exists, PeerId(0), s0).digest == exists_fresh);
        CHECK(answer_query(cancelled, PeerId(0), s0).digest == cancelled_fresh);
        CHECK(answer_query(one_shot, PeerId(0), s0).digest != read_fresh);
    });
}

TEST_CASE("a guardian that adopts a peer's state answers the awaits the state satisfies",
          "[federation][long-poll][partition]") {
    GuardianTiming timing;
    timing.log_window = 8;
    World w(WorldOptions{.seed = 6, .guardians = 4, .params = {}, .variants = {},
                         .timing = timing});
    w.run([&] {
        w.mine(20);
        std::vector<sim::NodeId> others(w.fed->nodes().begin(), w.fed->nodes().begin() + 3);
        const sim::NodeId g3 = w.fed->nodes()[3];
        const uint32_t cut = w.sim.network().partition({g3}, others,
                                                       sim::PartitionKind::symmetric);
        const FedTx tx{w.api->new_tx_id(),
                       SpendOutgoingTx{.contract = ContractId{4321}, .signer = PublicKey{1},
                                       .preimage = std::nullopt, .payout = ClientId(1)}};
        LongPoll poll(*w.api);  // never waited on: nothing withdraws or re-sends it
        poll.add(FederationApi::outcome_await(tx.id));
        w.api->submit(tx);
        w.mine(15, sim::SimDuration::seconds(1));
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        const GuardianStore& s3 = w.fed->store(PeerId(3));
        REQUIRE(w.fed->store(PeerId(0)).state.outcome(tx.id) != nullptr);
        REQUIRE(s3.state.outcome(tx.id) == nullptr);
        REQUIRE(w.fed->store(PeerId(0)).state.rounds_applied() > s3.state.rounds_applied() + 8);
        CHECK(parked(w, 3) == 1);
        w.sim.network().heal(cut);
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        CHECK(s3.counters.state_syncs == 1);
        CHECK(s3.state.outcome(tx.id) != nullptr);
        CHECK(parked(w, 3) == 0);  // answered when the adopted state was installed
    });
}
