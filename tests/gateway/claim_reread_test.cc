// A resumed claim the federation rejects because the contract is already spent, by the
// gateway's own key, ends `claimed` and is reported to the payment checker as claimed
// (Gateway::claim re-reads the contract on a rejection: spent_by == gateway -> claimed; 2715b63).
// Here the earlier spend is a second claim signed with the gateway's key and ordered while the
// gateway was down (a standby gateway on the same keys, or a claim submitted by a process whose
// store did not keep it). Without the re-read the payment ends `claim_rejected` and the payment
// checker reports "paid over Lightning but never claimed", though the gateway got the money.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

TEST_CASE("a resumed claim rejected because the gateway's key already spent the contract ends "
          "claimed, with no violation",
          "[gateway][actors][crash][never-loses]") {
    World w(63, "lnd");
    std::optional<gateway::OutgoingPayment> final_payment;
    std::string rejected_error;
    w.run([&] {
        w.alice_pays_d(750000);
        const auto& store = w.gateway->store().outgoing;
        w.await_outgoing_stage(gateway::OutgoingStage::paying);
        // G cut from every guardian while its node pays: its claim cannot reach them.
        const uint32_t cut = w.cut_gateway_from_federation();
        w.await_outgoing_stage(gateway::OutgoingStage::paid);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        REQUIRE(w.outgoing_stage() == gateway::OutgoingStage::paid);
        const auto cid = store.begin()->first;
        const std::optional<federation::Preimage> preimage = store.begin()->second.preimage;
        REQUIRE(preimage.has_value());
        w.gateway->crash();
        w.sim.network().heal(cut);
        // Another claim with the gateway's key (a different transaction) is ordered meanwhile.
        federation::FederationApi& api = w.alice->api();
        const gateway::GatewayConfig& config = w.gateway->config();
        std::optional<federation::TxOutcome> o = api.submit_and_wait(
            federation::FedTx{api.new_tx_id(),
                              federation::SpendOutgoingTx{.contract = cid,
                                                          .signer = config.gateway_key,
                                                          .preimage = preimage,
                                                          .payout = config.client}},
            this_actor::now() + sim::SimDuration::minutes(2));
        REQUIRE(o.has_value());
        REQUIRE(o->accepted);
        // The gateway's own claim, resumed, is a transaction the federation has not seen: it
        // is rejected (already spent).
        w.gateway->restart();
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while (w.outgoing_stage() == gateway::OutgoingStage::paid && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        final_payment = store.begin()->second;
        const auto& claim_tx = final_payment->claim_tx;
        REQUIRE(claim_tx.has_value());
        const federation::TxOutcome* seen = w.fed->store(PeerId(0)).state.outcome(claim_tx->id);
        REQUIRE(seen != nullptr);
        rejected_error = seen->error;
    }, /*expect_ok=*/false);
    w.checkers->payments.check_final();
    REQUIRE(final_payment.has_value());
    INFO(final_payment->note);
    INFO((w.hub.violations().empty() ? std::string() : w.hub.violations().front()));
    CHECK(w.gateway->store().restarts == 1);
    CHECK(rejected_error == "contract already spent");  // the re-read path, not an acceptance
    CHECK(final_payment->stage == gateway::OutgoingStage::claimed);
    CHECK(w.hub.violations().empty());
}
