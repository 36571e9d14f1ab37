// The gateway's waits on the federation have no deadline of their own, as upstream's (docs/
// gateway.md, "Waits on the federation"): end to end, an answer that comes just before or just
// after a deadline the model used to have still ends the payment well. The federation is made
// slow the honest way — guardians 2 and 3 are cut from 0 and 1, so no quorum orders anything —
// and healed so that the answer lands either side of the old mark.
//  - decryption (gateway_payments.cc intercept, upstream DecryptingPreimageState::
//    await_preimage_decryption): the old mark was 10 min after the gateway learned the funding;
//  - claim (Gateway::claim, upstream GatewayPayClaimOutgoingContract + the submission machine):
//    the old mark was 10 min after the claim's submission.
// With either old deadline restored the "after" cases fail (decryption timed out / claim timed
// out: the HTLC failed and 700,000 msat lost, or the contract never claimed).
//  - registration (Gateway::run_registration, upstream register_clients_timer): the old mark
//    was 60 s after a round's submission, then a whole interval's sleep; now an unanswered
//    round gives way to the next one when it is due.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

const sim::SimDuration k_old_mark = sim::SimDuration::minutes(10);

// Cuts guardians 2 and 3 from 0 and 1 (no quorum); returns the cut.
uint32_t stall_consensus(World& w) {
    const std::vector<sim::NodeId>& gs = w.fed->nodes();
    return w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                     sim::PartitionKind::symmetric);
}

struct Receive {
    bool pending_at_stall = false;
    sim::SimTime funded_at;     // the gateway learned the funding
    sim::SimTime decrypted_at;  // guardian 0 decrypted the preimage
    std::optional<gateway::IncomingPayment> incoming;
    bool received = false;
    ln::PaymentResult external;
};

// A receive whose decryption is stalled from the funding until `heal` after the gateway
// learned the funding.
Receive receive_with_slow_decryption(uint64_t seed, sim::SimDuration heal) {
    World w(seed, "lnd");
    Receive out;
    w.run([&] {
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000);
        REQUIRE(inv.has_value());
        const auto hash = inv->payment_hash;
        w.sim.scheduler().spawn("payer", [&] { out.external = w.net.node(w.a).pay(*inv); });
        const auto& incoming = w.fed->store(PeerId(0)).state.incoming();
        while (incoming.count(hash) == 0) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        out.pending_at_stall =
            incoming.at(hash).contract.state() == federation::DecryptedPreimage::pending;
        const uint32_t cut = stall_consensus(w);
        const auto& store = w.gateway->store().incoming;
        while (store.empty() || store.begin()->second.stage != gateway::IncomingStage::funded) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        out.funded_at = this_actor::now();
        this_actor::sleep_for(heal);
        w.sim.network().heal(cut);
        while (incoming.at(hash).contract.state() == federation::DecryptedPreimage::pending) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        out.decrypted_at = this_actor::now();
        out.received = w.alice->await_receive(hash, sim::SimDuration::minutes(5));
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while (store.begin()->second.stage == gateway::IncomingStage::funded &&
               this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        out.incoming = store.begin()->second;
    });
    return out;
}

void check_settled(const Receive& out) {
    REQUIRE(out.pending_at_stall);
    REQUIRE(out.incoming.has_value());
    INFO(out.incoming->note);
    CHECK(out.incoming->stage == gateway::IncomingStage::settled);
    CHECK_FALSE(out.incoming->lost);
    CHECK(out.received);
    CHECK(out.external.succeeded);
}

}  // namespace

TEST_CASE("the gateway waits for the decryption with no deadline of its own: a decryption just "
          "before or just after the old 10 min mark settles the HTLC",
          "[gateway][actors][partition][federation-waits]") {
    SECTION("decrypted before the old mark") {
        const Receive out =
            receive_with_slow_decryption(95, k_old_mark - sim::SimDuration::seconds(5));
        check_settled(out);
        CHECK(out.decrypted_at < out.funded_at + k_old_mark);
    }
    SECTION("decrypted after the old mark") {
        const Receive out =
            receive_with_slow_decryption(95, k_old_mark + sim::SimDuration::seconds(1));
        check_settled(out);
        CHECK(out.decrypted_at > out.funded_at + k_old_mark);
    }
}

namespace {

struct Pay {
    sim::SimTime paid_at;     // the gateway has the preimage and starts its claim
    std::optional<sim::SimTime> claimed_at;
    client::ClientPayment payment;
    std::string note;
};

// Alice pays D through G; the claim's ordering is stalled from the moment G has the preimage
// until `heal` later.
Pay pay_with_slow_claim(uint64_t seed, sim::SimDuration heal) {
    World w(seed, "lnd");
    Pay out;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 750000});
        bool done = false;
        w.sim.scheduler().spawn("pay", [&] {
            out.payment = w.alice->pay(inv);
            done = true;
        });
        w.await_outgoing_stage(gateway::OutgoingStage::paid);
        out.paid_at = this_actor::now();
        const uint32_t cut = stall_consensus(w);
        this_actor::sleep_for(heal);
        w.sim.network().heal(cut);
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(5);
        while (w.outgoing_stage() != gateway::OutgoingStage::claimed && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        if (w.outgoing_stage() == gateway::OutgoingStage::claimed) {
            out.claimed_at = this_actor::now();
        }
        out.note = w.gateway->store().outgoing.begin()->second.note;
        while (!done) {
            this_actor::sleep_for(sim::SimDuration::seconds(1));
        }
    });
    return out;
}

void check_claimed(const Pay& out) {
    INFO(out.note);
    REQUIRE(out.claimed_at.has_value());
    CHECK(out.payment.state == federation::PaymentState::succeeded);
}

}  // namespace

TEST_CASE("the gateway waits for its claim's outcome with no deadline of its own: a claim "
          "ordered just before or just after the old 10 min mark is claimed",
          "[gateway][actors][partition][federation-waits]") {
    SECTION("claimed before the old mark") {
        const Pay out = pay_with_slow_claim(96, k_old_mark - sim::SimDuration::seconds(5));
        check_claimed(out);
        CHECK(*out.claimed_at < out.paid_at + k_old_mark);
    }
    SECTION("claimed after the old mark") {
        const Pay out = pay_with_slow_claim(96, k_old_mark + sim::SimDuration::seconds(1));
        check_claimed(out);
        CHECK(*out.claimed_at > out.paid_at + k_old_mark);
    }
}

namespace {

struct Registration {
    sim::SimTime started_at;  // the gateway started (its first registration round)
    sim::SimTime healed_at;
    std::optional<sim::SimTime> registered_at;  // guardian 0 holds the registration
};

// The gateway starts cut from every guardian; the cut heals `heal` after the start.
Registration register_through_cut(uint64_t seed, sim::SimDuration heal) {
    World w(seed, "lnd");
    Registration out;
    w.sim.scheduler().spawn("cut", [&] {
        std::vector<sim::NodeId> gs(w.fed->nodes().begin(), w.fed->nodes().end());
        const uint32_t cut = w.sim.network().partition({w.gateway->node()}, gs,
                                                       sim::PartitionKind::symmetric);
        while (!w.gateway->running()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        out.started_at = this_actor::now();
        this_actor::sleep_for(heal);
        out.healed_at = this_actor::now();
        w.sim.network().heal(cut);
        const federation::PublicKey key = w.gateway->config().gateway_key;
        while (!w.fed->store(PeerId(0)).gateways.valid_until(key).has_value()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        out.registered_at = this_actor::now();
    }, {.kind = sim::ActorKind::daemon, .node = {}});
    w.run([&] { this_actor::sleep_for(sim::SimDuration::minutes(3)); });
    return out;
}

}  // namespace

// The registration's old mark: until session 13 the model gave up on a round 60 s after its
// submission and then slept a whole interval (10 s in tests); upstream's timer starts the next
// round on time, not waiting for the last one. Since registration is an API write to each
// guardian (gateway_directory.h) the rounds go on every 10 s whatever happened to the last: a
// cut from the start healed at + 55 s registers at the + 60 s round, healed at + 65 s at the
// + 70 s round, each within an interval of the heal.
TEST_CASE("the gateway's registration rounds do not wait on an unanswered round: after a cut "
          "from the start it registers within one interval of the heal",
          "[gateway][actors][partition][federation-waits][registration]") {
    for (const int64_t heal_s : {55, 65}) {
        INFO("healed at + " << heal_s << " s");
        const Registration out = register_through_cut(97, sim::SimDuration::seconds(heal_s));
        REQUIRE(out.registered_at.has_value());
        CHECK(*out.registered_at > out.healed_at);
        CHECK(*out.registered_at <= out.healed_at + gateway::GatewayConfig{}.registration_interval);
    }
}

// The outgoing contract is read with no deadline of the gateway's own (Gateway::pay; upstream
// await_contract retries without limit). G is cut from every guardian before alice's pay
// request reaches it and healed 65 s after: past the old 60 s deadline ("contract not found in
// the federation", then a cancel), the payment completes.
TEST_CASE("the gateway reads the outgoing contract with no deadline of its own: cut from the "
          "guardians across the pay request, healed at + 65 s, the payment completes",
          "[gateway][actors][partition][federation-waits]") {
    World w(100, "lnd");
    client::ClientPayment payment;
    std::optional<gateway::OutgoingPayment> gw_payment;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 750000});
        std::vector<sim::NodeId> gs(w.fed->nodes().begin(), w.fed->nodes().end());
        const uint32_t cut =
            w.sim.network().partition({w.gateway->node()}, gs, sim::PartitionKind::symmetric);
        bool done = false;
        w.sim.scheduler().spawn("pay", [&] {
            payment = w.alice->pay(inv);
            done = true;
        });
        const auto& store = w.gateway->store().outgoing;
        while (store.empty()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        this_actor::sleep_for(sim::SimDuration::seconds(65));
        REQUIRE(store.begin()->second.stage == gateway::OutgoingStage::received);
        w.sim.network().heal(cut);
        while (!done) {
            this_actor::sleep_for(sim::SimDuration::seconds(1));
        }
        gw_payment = store.begin()->second;
    });
    REQUIRE(gw_payment.has_value());
    INFO(gw_payment->note);
    CHECK(gw_payment->stage == gateway::OutgoingStage::claimed);
    CHECK(payment.state == federation::PaymentState::succeeded);
}
