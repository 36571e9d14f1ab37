// An incoming contract whose preimage decrypts `invalid`: the gateway fails the HTLC as soon as
// it submits its refund, not once the refund is ordered (gateway_payments.cc intercept; upstream
// the Complete machine's await_preimage returns on RefundSubmitted, gateway/ln-gateway/src/
// state_machine/complete.rs at 0635005). The refund still lands once the federation orders it.
// Before the fix the HTLC stayed held for as long as the federation was stalled. The refund
// stays in the gateway's store until answered, and /stop waits for it (Gateway::in_flight).
#include <set>

#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

// Alice offers a ciphertext that does not decrypt to the hash's preimage, and A pays the
// invoice through G (a spawned payer: `*paid` once A's payment ended, its result in
// `*external`). Returns once the guardians decrypted the offer, `invalid`.
federation::PaymentHash start_invalid_receive(World& w, ln::PaymentResult* external,
                                              bool* paid) {
    const auto& fed = w.fed->store(PeerId(0)).state;
    std::optional<std::vector<federation::GatewayAnnouncement>> gws;
    while (!(gws = w.alice->api().gateways()).has_value() || gws->empty()) {
        this_actor::sleep_for(sim::SimDuration::millis(100));
    }
    const federation::GatewayAnnouncement gw = gws->front();
    const federation::Preimage preimage = federation::preimage_from_label(0xBAD);
    const federation::PaymentHash hash = federation::payment_hash_of(preimage);
    const federation::IncomingOfferV1 offer{
        .amount_msat = 700000,
        .hash = hash,
        .encrypted_preimage = {.ciphertext_id = 77,
                               .plaintext = federation::preimage_from_label(0xB0B),
                               .well_formed = true},
        .expiry_time_unix_secs = std::nullopt};
    federation::FederationApi& api = w.alice->api();
    std::optional<federation::TxOutcome> o = api.submit_and_wait(
        federation::FedTx{api.new_tx_id(), federation::OfferIncomingTx{offer}},
        this_actor::now() + sim::SimDuration::minutes(5));
    REQUIRE(o.has_value());
    REQUIRE(o->accepted);
    ln::Invoice inv;
    inv.payee = w.fed_node;
    inv.payment_hash = hash;
    inv.amount_msat = 700000;
    inv.min_final_cltv_expiry_delta = 18;
    inv.created_at_unix = w.sim.clocks().unix_seconds(api.self(), this_actor::now());
    inv.expiry_seconds = 3600;
    inv.route_hints.push_back({ln::RouteHintHop{
        gw.node_index, ln::ShortChannelId{gw.intercept_scid},
        ln::ChannelPolicy{0, 0, 144, 0, ln::k_no_htlc_maximum, false}}});
    w.sim.scheduler().spawn("payer", [&w, inv, external, paid] {
        *external = w.net.node(w.a).pay(inv);
        *paid = true;
    });
    while (fed.incoming().count(hash) == 0 ||
           fed.incoming().at(hash).contract.state() == federation::DecryptedPreimage::pending) {
        this_actor::sleep_for(sim::SimDuration::millis(1));
    }
    REQUIRE(fed.incoming().at(hash).contract.state() == federation::DecryptedPreimage::invalid);
    return hash;
}

// Cuts guardians 2 and 3 from 0 and 1: nothing is ordered.
uint32_t stall_consensus(World& w) {
    const std::vector<sim::NodeId>& gs = w.fed->nodes();
    return w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                      sim::PartitionKind::symmetric);
}

}  // namespace

TEST_CASE("an invalid preimage fails the HTLC at the refund's submission, even while the "
          "federation is stalled; the refund lands after the heal",
          "[gateway][actors][partition][federation-waits]") {
    World w(101, "lnd");
    std::optional<sim::SimTime> stalled_at;
    std::optional<sim::SimTime> failed_at;
    sim::SimTime healed_at;
    std::string note;
    bool refunded = false;
    ln::PaymentResult external;
    bool paid = false;
    w.run([&] {
        const federation::PaymentHash hash = start_invalid_receive(w, &external, &paid);
        const auto& fed = w.fed->store(PeerId(0)).state;
        // Decrypted `invalid`: stall consensus, so the gateway's refund cannot be ordered.
        const uint32_t cut = stall_consensus(w);
        stalled_at = this_actor::now();
        const auto& store = w.gateway->store().incoming;
        const sim::SimTime heal_at = this_actor::now() + sim::SimDuration::seconds(60);
        while (this_actor::now() < heal_at) {
            if (!failed_at.has_value() && !store.empty() &&
                store.begin()->second.stage == gateway::IncomingStage::failed) {
                failed_at = this_actor::now();
                note = store.begin()->second.note;
            }
            this_actor::sleep_for(sim::SimDuration::millis(10));
        }
        REQUIRE_FALSE(fed.incoming().at(hash).refunded);  // nothing ordered during the stall
        healed_at = this_actor::now();
        w.sim.network().heal(cut);
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while ((!paid || !fed.incoming().at(hash).refunded) && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        refunded = fed.incoming().at(hash).refunded;
    });
    REQUIRE(stalled_at.has_value());
    REQUIRE(failed_at.has_value());
    INFO(note);
    CHECK(note == "invalid preimage: refund submitted");
    CHECK(*failed_at < healed_at);
    CHECK(*failed_at <= *stalled_at + sim::SimDuration::seconds(10));
    CHECK_FALSE(external.succeeded);
    CHECK(refunded);
}

TEST_CASE("/stop waits for an invalid preimage's refund that is stored and unanswered, and "
          "returns once it is ordered", "[gateway][actors][stop][federation-waits]") {
    World w(101, "lnd");
    std::optional<sim::SimTime> stopped_at;
    std::optional<sim::SimTime> refunded_at;
    sim::SimTime healed_at;
    bool refund_stored = false;
    ln::PaymentResult external;
    bool paid = false;
    w.run([&] {
        const federation::PaymentHash hash = start_invalid_receive(w, &external, &paid);
        const auto& fed = w.fed->store(PeerId(0)).state;
        const uint32_t cut = stall_consensus(w);
        const auto& store = w.gateway->store().incoming;
        while (store.empty() || store.begin()->second.stage != gateway::IncomingStage::failed) {
            this_actor::sleep_for(sim::SimDuration::millis(10));
        }
        // The HTLC is failed; the refund is submitted and cannot be ordered.
        refund_stored = store.begin()->second.refund.has_value();
        w.sim.scheduler().spawn("stop", [&] {
            const gateway::StopOutcome outcome = w.gateway->stop();
            CHECK(outcome == gateway::StopOutcome::stopped);
            stopped_at = this_actor::now();
        }, {.kind = sim::ActorKind::daemon, .node = {}});
        this_actor::sleep_for(sim::SimDuration::seconds(60));
        healed_at = this_actor::now();
        w.sim.network().heal(cut);
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while ((!stopped_at.has_value() || !refunded_at.has_value()) &&
               this_actor::now() < until) {
            if (!refunded_at.has_value() && fed.incoming().at(hash).refunded) {
                refunded_at = this_actor::now();
            }
            this_actor::sleep_for(sim::SimDuration::millis(10));
        }
    });
    REQUIRE(refund_stored);
    REQUIRE(stopped_at.has_value());
    REQUIRE(refunded_at.has_value());
    // Not during the 60 s stall (before 00e9a1c /stop returned as soon as the HTLC was
    // failed, with the refund still unanswered) ...
    CHECK(*stopped_at > healed_at);
    // ... but once the refund is ordered (guardian 0 applying it is within a round of f + 1
    // answering the gateway; the drain looks every 500 ms).
    CHECK(*stopped_at <= *refunded_at + sim::SimDuration::seconds(5));
    CHECK(*refunded_at <= *stopped_at + sim::SimDuration::seconds(5));
    CHECK_FALSE(w.gateway->running());
    CHECK_FALSE(external.succeeded);
}

// The HTLC's fail waits for the Lightning connection; the refund's wait does not. A refund
// ordered in that gap stays stored until the HTLC is failed, so a crash there resumes on it:
// the restarted gateway only fails the HTLC. Before the fix the refund was dropped at its
// answer, the payment resumed in `funded` with none, and the restarted gateway built a second
// refund (a new id), which the federation rejected (the contract already refunded).
TEST_CASE("an invalid preimage's refund answered while the Lightning connection is down "
          "survives a crash: one refund, no second one after the restart",
          "[gateway][actors][crash][federation-waits]") {
    World w(101, "lnd");
    std::set<uint64_t> refund_ids;  // every refund the gateway ever stored
    std::optional<federation::FedTxId> first;
    gateway::IncomingStage stage_at_crash = gateway::IncomingStage::intercepted;
    std::optional<gateway::IncomingPayment> final_payment;
    ln::PaymentResult external;
    bool paid = false;
    bool ordered = false;
    bool stored_at_crash = false;
    w.sim.scheduler().spawn("watch", [&] {
        const auto& store = w.gateway->store().incoming;
        bool cut = false;
        while (true) {
            if (!store.empty()) {
                const gateway::IncomingPayment& p = store.begin()->second;
                if (!cut && p.stage == gateway::IncomingStage::funded) {
                    w.gateway->disconnect_lightning();  // before the decryption
                    cut = true;
                }
                if (p.refund.has_value()) {
                    refund_ids.insert(p.refund->id.value);
                }
            }
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
    }, {.kind = sim::ActorKind::daemon, .node = {}});
    w.run([&] {
        const federation::PaymentHash hash = start_invalid_receive(w, &external, &paid);
        const auto& fed = w.fed->store(PeerId(0)).state;
        const auto& store = w.gateway->store().incoming;
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(1);
        while (!fed.incoming().at(hash).refunded && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(10));
        }
        REQUIRE(fed.incoming().at(hash).refunded);
        this_actor::sleep_for(sim::SimDuration::seconds(5));  // the gateway has the answer
        REQUIRE_FALSE(w.gateway->lightning_connected());
        stage_at_crash = store.begin()->second.stage;
        REQUIRE(refund_ids.size() == 1);
        first = federation::FedTxId{*refund_ids.begin()};
        // Still stored (before the fix it was dropped at its answer).
        stored_at_crash = store.begin()->second.refund.has_value();
        w.gateway->crash();
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        w.gateway->restart();
        this_actor::sleep_for(sim::SimDuration::seconds(30));  // still disconnected
        w.gateway->reconnect_lightning();
        const sim::SimTime end = this_actor::now() + sim::SimDuration::minutes(2);
        while ((!paid || store.begin()->second.stage != gateway::IncomingStage::failed) &&
               this_actor::now() < end) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        final_payment = store.begin()->second;
        const federation::TxOutcome* o = fed.outcome(*first);
        ordered = o != nullptr && o->accepted;
    }, /*expect_ok=*/false);
    CHECK(stage_at_crash == gateway::IncomingStage::funded);  // the HTLC not failed yet
    REQUIRE(first.has_value());
    CHECK(ordered);
    CHECK(stored_at_crash);
    // Exactly one refund: the restarted gateway never built another.
    CHECK(refund_ids == std::set<uint64_t>{first->value});
    REQUIRE(final_payment.has_value());
    CHECK(final_payment->stage == gateway::IncomingStage::failed);
    CHECK(final_payment->note == "invalid preimage: refund submitted");
    CHECK_FALSE(final_payment->refund.has_value());
    CHECK(paid);
    CHECK_FALSE(external.succeeded);
}
