// The client's waits on the federation end only where upstream's do (docs/gateway.md, "The
// client's waits"): no gateway registered fails the payment at once; the funding, the offer
// and the claim are answered whenever the federation answers, also after the deadlines the
// model used to have (10 min, 5 min, 5 min); an unfunded receive ends 60 s after its invoice
// expired, not at the caller's timeout; a caller that stops waiting leaves the receive
// pending. The federation is made slow the honest way — guardians 2 and 3 cut from 0 and 1,
// so no quorum orders anything — and healed either side of the old mark.
// With the old code each "after" case fails (funding timed out; no invoice; the receive
// re-claims with rejected transactions until the caller's timeout), as does the at-once case
// (5 min of polling) and the expiry case (the caller's 1 h).
#include "../gateway/e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

// Cuts guardians 2 and 3 from 0 and 1 (no quorum); returns the cut.
uint32_t stall_consensus(World& w) {
    const std::vector<sim::NodeId>& gs = w.fed->nodes();
    return w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                     sim::PartitionKind::symmetric);
}

// Waits (polling) until `done`.
void await_flag(const bool& done) {
    while (!done) {
        this_actor::sleep_for(sim::SimDuration::millis(100));
    }
}

federation::PaymentState checker_state(World& w, const std::string& name) {
    auto it = w.checkers->payments.payments().find(name);
    REQUIRE(it != w.checkers->payments.payments().end());
    return it->second;
}

std::string receive_name(const ln::PaymentHash& hash) {
    return "alice.recv." + std::to_string(federation::hash_key(hash));
}

}  // namespace

TEST_CASE("with no gateway registered the client fails a payment at once, as upstream's "
          "NoLnGatewayAvailable",
          "[client][client-waits]") {
    World w(83, "lnd");
    client::ClientPayment paid;
    sim::SimDuration took = sim::SimDuration::zero();
    w.fed->start();
    // No gateway is started: the federation's directory stays empty.
    w.sim.scheduler().spawn("scenario", [&] {
        w.alice->start();
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 500000});
        const sim::SimTime t0 = this_actor::now();
        paid = w.alice->pay(inv);
        took = this_actor::now() - t0;
    });
    const sim::SimulationResult r =
        w.sim.run(sim::RunLimits{.max_time = sim::SimTime::zero() + sim::SimDuration::hours(1)});
    INFO(r.run.message);
    REQUIRE(r.run.ok());
    CHECK(paid.state == federation::PaymentState::failed);
    CHECK(paid.note == "no gateway");
    CHECK_FALSE(paid.funded_at.has_value());
    CHECK(took < sim::SimDuration::seconds(5));  // one directory read (the old code: 5 min)
}

namespace {

struct SlowFunding {
    sim::SimTime started;  // pay() called with consensus stalled
    client::ClientPayment payment;
};

// Alice pays D through G with consensus stalled from before the funding until `heal` later.
SlowFunding pay_with_slow_funding(uint64_t seed, sim::SimDuration heal) {
    World w(seed, "lnd");
    SlowFunding out;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 750000});
        const uint32_t cut = stall_consensus(w);
        bool done = false;
        out.started = this_actor::now();
        w.sim.scheduler().spawn("pay", [&] {
            out.payment = w.alice->pay(inv);
            done = true;
        });
        this_actor::sleep_for(heal);
        w.sim.network().heal(cut);
        await_flag(done);
    });
    return out;
}

const sim::SimDuration k_funding_mark = sim::SimDuration::minutes(10);

}  // namespace

TEST_CASE("the client waits for its funding with no deadline of its own: accepted just before "
          "or just after the old 10 min mark, the payment goes on and succeeds",
          "[client][client-waits][partition]") {
    SECTION("accepted before the old mark") {
        const SlowFunding out =
            pay_with_slow_funding(87, k_funding_mark - sim::SimDuration::seconds(5));
        INFO(out.payment.note);
        CHECK(out.payment.state == federation::PaymentState::succeeded);
        REQUIRE(out.payment.funded_at.has_value());
        CHECK(*out.payment.funded_at < out.started + k_funding_mark);
    }
    SECTION("accepted after the old mark") {
        const SlowFunding out =
            pay_with_slow_funding(87, k_funding_mark + sim::SimDuration::seconds(1));
        INFO(out.payment.note);
        CHECK(out.payment.state == federation::PaymentState::succeeded);
        REQUIRE(out.payment.funded_at.has_value());
        CHECK(*out.payment.funded_at > out.started + k_funding_mark + sim::SimDuration::seconds(1));
    }
}

namespace {

const sim::SimDuration k_receive_mark = sim::SimDuration::minutes(5);

struct SlowOffer {
    sim::SimTime started;
    sim::SimTime returned;
    std::optional<ln::Invoice> invoice;
};

// create_invoice with consensus stalled from before the offer until `heal` later.
SlowOffer invoice_with_slow_offer(uint64_t seed, sim::SimDuration heal) {
    World w(seed, "lnd");
    SlowOffer out;
    w.run([&] {
        const uint32_t cut = stall_consensus(w);
        bool done = false;
        out.started = this_actor::now();
        w.sim.scheduler().spawn("invoice", [&] {
            out.invoice = w.alice->create_invoice(700000);
            out.returned = this_actor::now();
            done = true;
        });
        this_actor::sleep_for(heal);
        w.sim.network().heal(cut);
        await_flag(done);
    });
    return out;
}

}  // namespace

TEST_CASE("the client waits for its offer with no deadline of its own: accepted just before or "
          "just after the old 5 min mark, the invoice is handed out",
          "[client][client-waits][partition]") {
    SECTION("accepted before the old mark") {
        const SlowOffer out =
            invoice_with_slow_offer(89, k_receive_mark - sim::SimDuration::seconds(5));
        CHECK(out.invoice.has_value());
        CHECK(out.returned < out.started + k_receive_mark);
    }
    SECTION("accepted after the old mark") {
        const SlowOffer out =
            invoice_with_slow_offer(89, k_receive_mark + sim::SimDuration::seconds(1));
        CHECK(out.invoice.has_value());
        CHECK(out.returned > out.started + k_receive_mark + sim::SimDuration::seconds(1));
    }
}

namespace {

struct SlowClaim {
    sim::SimTime started;  // await_receive called (the claim goes out) with consensus stalled
    sim::SimTime returned;
    bool received = false;
    federation::PaymentState state = federation::PaymentState::pending;
    uint64_t alice_gain = 0;
    uint64_t contract_msat = 0;
};

// A paid receive whose claim is stalled from its submission until `heal` later.
SlowClaim receive_with_slow_claim(uint64_t seed, sim::SimDuration heal) {
    World w(seed, "lnd");
    SlowClaim out;
    std::optional<ln::PaymentHash> hash;
    w.run([&] {
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000);
        REQUIRE(inv.has_value());
        hash = inv->payment_hash;
        w.sim.scheduler().spawn("payer", [&w, inv] { (void)w.net.node(w.a).pay(*inv); });
        const auto& incoming = w.fed->store(PeerId(0)).state.incoming();
        while (incoming.count(*hash) == 0 ||
               incoming.at(*hash).contract.state() != federation::DecryptedPreimage::some) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        // Every guardian has decrypted by the time the claim would be ordered; let the
        // guardians' views settle before stalling.
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        const uint64_t before = w.ecash(ClientId(1));
        const uint32_t cut = stall_consensus(w);
        bool done = false;
        out.started = this_actor::now();
        w.sim.scheduler().spawn("receive", [&] {
            out.received = w.alice->await_receive(*hash, sim::SimDuration::minutes(30));
            out.returned = this_actor::now();
            done = true;
        });
        this_actor::sleep_for(heal);
        w.sim.network().heal(cut);
        await_flag(done);
        out.alice_gain = w.ecash(ClientId(1)) - before;
        out.contract_msat = incoming.at(*hash).contract.amount_msat();
    });
    out.state = checker_state(w, receive_name(*hash));
    return out;
}

}  // namespace

TEST_CASE("the client waits for its claim with no deadline of its own: accepted just before or "
          "just after the old 5 min mark, the receive is claimed once",
          "[client][client-waits][partition]") {
    SECTION("accepted before the old mark") {
        const SlowClaim out =
            receive_with_slow_claim(91, k_receive_mark - sim::SimDuration::seconds(5));
        CHECK(out.received);
        CHECK(out.state == federation::PaymentState::succeeded);
        CHECK(out.contract_msat > 0);
        CHECK(out.alice_gain == out.contract_msat);
        CHECK(out.returned < out.started + k_receive_mark);
    }
    SECTION("accepted after the old mark") {
        const SlowClaim out =
            receive_with_slow_claim(91, k_receive_mark + sim::SimDuration::seconds(1));
        CHECK(out.received);
        CHECK(out.state == federation::PaymentState::succeeded);
        CHECK(out.alice_gain == out.contract_msat);
        CHECK(out.returned > out.started + k_receive_mark + sim::SimDuration::seconds(1));
    }
}

TEST_CASE("an unpaid receive ends 60 s after its invoice expired (upstream's Timeout), not at "
          "the caller's wait",
          "[client][client-waits]") {
    World w(93, "lnd");
    sim::SimTime created;
    sim::SimTime ended;
    bool received = true;
    std::optional<ln::PaymentHash> hash;
    w.run([&] {
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000, /*expiry_seconds=*/120);
        REQUIRE(inv.has_value());
        created = this_actor::now();
        hash = inv->payment_hash;
        received = w.alice->await_receive(*hash, sim::SimDuration::hours(1));
        ended = this_actor::now();
    });
    CHECK_FALSE(received);
    CHECK(checker_state(w, receive_name(*hash)) == federation::PaymentState::failed);
    // Expired-and-60 s is judged on the client's whole unix seconds, read once a second: the
    // end falls within a second either side of created + 180 s, never at the caller's 1 h.
    CHECK(ended > created + sim::SimDuration::seconds(178));
    CHECK(ended < created + sim::SimDuration::seconds(182));
}

TEST_CASE("a caller that stops waiting leaves the receive pending, not failed, and no checker "
          "reports an unfunded receive before its invoice expired",
          "[client][client-waits][checker]") {
    World w(97, "lnd");
    federation::PaymentState end = federation::PaymentState::succeeded;
    std::optional<ln::PaymentHash> hash;
    w.run([&] {  // every checker must pass (World::run)
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000);  // expires in 1 h
        REQUIRE(inv.has_value());
        hash = inv->payment_hash;
        end = w.alice->await_receive_state(*hash, sim::SimDuration::minutes(2));
    });
    CHECK(end == federation::PaymentState::pending);  // the caller can tell it from failed
    CHECK(checker_state(w, receive_name(*hash)) == federation::PaymentState::pending);
}

// Review of 61b3b3b, item 1: upstream picks a gateway from its local cache, which needs no
// quorum (fedimint-ln-client lib.rs `select_available_gateway`). A client cut from the whole
// federation at pay time, after one answered directory read, pays through the cached gateway
// once healed. The old code took the unanswered read for an empty directory: "no gateway".
TEST_CASE("a client cut from the federation at pay time uses its cached gateway list and pays "
          "once healed",
          "[client][client-waits][partition]") {
    World w(89, "lnd");
    client::ClientPayment first;
    client::ClientPayment second;
    sim::SimTime healed_at;
    w.run([&] {
        // The first payment's read is answered: it fills the cache.
        first = w.alice->pay(
            w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 400000}));
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 600000});
        std::vector<sim::NodeId> fed(w.fed->nodes().begin(), w.fed->nodes().end());
        const uint32_t cut = w.sim.network().partition({w.alice->api().self()}, fed,
                                                       sim::PartitionKind::symmetric);
        bool done = false;
        w.sim.scheduler().spawn("pay", [&] {
            second = w.alice->pay(inv);
            done = true;
        });
        this_actor::sleep_for(sim::SimDuration::seconds(30));
        REQUIRE_FALSE(done);  // no early "no gateway"
        healed_at = this_actor::now();
        w.sim.network().heal(cut);
        await_flag(done);
    });
    REQUIRE(first.state == federation::PaymentState::succeeded);
    INFO(second.note);
    CHECK(second.state == federation::PaymentState::succeeded);
    REQUIRE(second.funded_at.has_value());
    CHECK(*second.funded_at >= healed_at);
}

// Review of 61b3b3b, item 3 (session 15, task recvwait, item 2): the unpaid receive's expiry is
// judged on the clock read before the contract read (upstream receive.rs
// `await_incoming_contract_account`: `now` taken before `get_incoming_contract`, "Consider time
// before the api call to account for network delays"). Every alice <-> guardian link takes
// 900 ms each way, so each read takes 1.8 s (under the 2 s read timeout) and, with the 1 s
// poll, reads start every 2.8 s. With this world the invoice's expiry + 60 s falls 0.584 s after
// a read starts (fixed latencies: every seed gives the same times): the clock-after-read code
// ended the receive on that read, which returned 1.216 s past the mark; the clock-before-read
// code ends it on the next read, which starts 2.216 s past the mark. So on the old code the
// first CHECK below fails (the ending read started before the mark), and the second (the
// read before the ending one returned past the mark: the old code would have ended there)
// shows this world is one where the two differ.
TEST_CASE("a slow contract read does not expire an unpaid receive earlier than upstream, "
          "the clock is read before the contract",
          "[client][client-waits]") {
    World w(101, "lnd");
    sim::SimTime ended;
    int64_t expires_at_unix = 0;
    bool received = true;
    w.run([&] {
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000, /*expiry_seconds=*/120);
        REQUIRE(inv.has_value());
        expires_at_unix = inv->expires_at_unix();
        const sim::LinkConfig slow{.latency_min = sim::SimDuration::millis(900),
                                   .latency_max = sim::SimDuration::millis(900)};
        for (sim::NodeId g : w.fed->nodes()) {
            w.sim.network().set_link(w.alice->api().self(), g, slow);
            w.sim.network().set_link(g, w.alice->api().self(), slow);
        }
        received = w.alice->await_receive(inv->payment_hash, sim::SimDuration::hours(1));
        ended = this_actor::now();
    });
    CHECK_FALSE(received);
    const sim::NodeId alice = w.alice->api().self();
    const sim::SimDuration read = sim::SimDuration::millis(1800);
    const sim::SimDuration poll = sim::SimDuration::seconds(1);
    // Whole seconds of alice's clock past the invoice's expiry + 60 s at `t`.
    auto past_mark = [&](sim::SimTime t) {
        return w.sim.clocks().unix_seconds(alice, t) - 60 - expires_at_unix;
    };
    // The read that ended the receive started at or after the mark ...
    CHECK(past_mark(ended - read) >= 0);
    // ... the read before it returned past the mark (the old code ended the receive there) ...
    CHECK(past_mark(ended - read - poll) >= 0);
    // ... and it is not late by more than one poll and two reads.
    CHECK(past_mark(ended) <= 5);
}
