// An incoming contract whose preimage decrypts `invalid`: the gateway fails the HTLC as soon as
// it submits its refund, not once the refund is ordered (gateway_payments.cc intercept; upstream
// the Complete machine's await_preimage returns on RefundSubmitted, gateway/ln-gateway/src/
// state_machine/complete.rs at 0635005). The refund still lands once the federation orders it.
// Before the fix the HTLC stayed held for as long as the federation was stalled.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

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
    w.run([&] {
        const auto& fed = w.fed->store(PeerId(0)).state;
        while (fed.gateways().empty()) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        const federation::RegisterGatewayTx gw = fed.gateways().begin()->second;
        // Alice offers a ciphertext that does not decrypt to the hash's preimage.
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
        bool paid = false;
        w.sim.scheduler().spawn("payer", [&] {
            external = w.net.node(w.a).pay(inv);
            paid = true;
        });
        while (fed.incoming().count(hash) == 0 ||
               fed.incoming().at(hash).contract.state() == federation::DecryptedPreimage::pending) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        REQUIRE(fed.incoming().at(hash).contract.state() == federation::DecryptedPreimage::invalid);
        // Decrypted `invalid`: stall consensus, so the gateway's refund cannot be ordered.
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        const uint32_t cut = w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                                       sim::PartitionKind::symmetric);
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
