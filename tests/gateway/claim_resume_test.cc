// A gateway that crashed right after submitting its claim resumes on the same claim
// transaction (OutgoingPayment::claim_tx; upstream the pay machine is persisted and the
// submission machine resumes the same transaction, fedimint-client-module transaction/sm.rs).
// Before the fix the resumed claim was a new transaction: with the first one ordered while the
// gateway was down, the federation rejected it (already_spent), the payment ended
// `claim_rejected` though the gateway was paid, gateway_claimed was never reported and the
// payment checker reported "paid over Lightning but never claimed".
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

TEST_CASE("a gateway restarted after submitting its claim, ordered while it was down, ends "
          "claimed with no violation",
          "[gateway][actors][crash][never-loses]") {
    World w(61, "lnd");
    std::optional<gateway::OutgoingPayment> final_payment;
    bool claim_stored = false;
    w.run([&] {
        w.alice_pays_d(750000);
        const auto& store = w.gateway->store().outgoing;
        w.await_outgoing_stage(gateway::OutgoingStage::paying);
        // Guardians 2 and 3 cut from 0 and 1: nothing is ordered, so the claim stays pending.
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        const uint32_t stall = w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                                         sim::PartitionKind::symmetric);
        w.await_outgoing_stage(gateway::OutgoingStage::paid);
        // The checker's reads and the submission take a few hops; the first resubmission
        // would be 2 s later.
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        REQUIRE(w.outgoing_stage() == gateway::OutgoingStage::paid);
        claim_stored = store.begin()->second.claim_tx.has_value();
        REQUIRE(claim_stored);
        w.gateway->crash();
        w.sim.network().heal(stall);
        // The first claim is ordered while the gateway is down.
        const auto& fed = w.fed->store(PeerId(0)).state;
        const auto cid = store.begin()->first;
        const sim::SimTime ordered_by = this_actor::now() + sim::SimDuration::minutes(2);
        while (!fed.outgoing().at(cid).account.spent() && this_actor::now() < ordered_by) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        REQUIRE(fed.outgoing().at(cid).account.spent());
        w.gateway->restart();
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while (w.outgoing_stage() == gateway::OutgoingStage::paid && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        final_payment = store.begin()->second;
    }, /*expect_ok=*/false);
    w.checkers->payments.check_final();
    REQUIRE(final_payment.has_value());
    INFO(final_payment->note);
    INFO((w.hub.violations().empty() ? std::string() : w.hub.violations().front()));
    CHECK(w.gateway->store().restarts == 1);
    CHECK(final_payment->stage == gateway::OutgoingStage::claimed);
    CHECK(w.hub.violations().empty());
}
