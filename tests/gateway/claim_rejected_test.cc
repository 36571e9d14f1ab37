// A claim the federation rejects is terminal (OutgoingStage::claim_rejected): not in flight, so
// /stop completes, and not claimed again after a restart. Upstream the pay machine ends at
// Preimage once it handed the claim over and the submission machine ends at Rejected; nothing
// resubmits a rejected transaction. Before the fix the payment stayed `paid`, in_flight()
// counted it and /stop waited forever.
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

TEST_CASE("a rejected claim is terminal: /stop completes after it",
          "[gateway][actors][stop]") {
    World w(57, "lnd");
    // Without the payment checker: it would stop the run as soon as G, about to claim, sees
    // the timelock passed (gw.never_loses, rightly: G paid and cannot claim), before the claim
    // is even submitted. This test is about what the gateway does next.
    gateway::GatewayConfig config = w.gateway->config();
    config.name = "gw2";
    w.gateway.reset();
    w.gateway = std::make_unique<gateway::Gateway>(w.sim, w.net, *w.fed, config, nullptr);
    std::optional<gateway::OutgoingPayment> final_payment;
    bool stopped = false;
    w.run([&] {
        w.alice_pays_d(750000);
        const auto& store = w.gateway->store().outgoing;
        w.await_outgoing_stage(gateway::OutgoingStage::paying);
        // G pays over Lightning but cannot reach the federation to claim until the contract's
        // timelock has passed: the claim is then rejected (timelock_passed, or already_spent
        // once alice refunded).
        const uint32_t cut = w.cut_gateway_from_federation();
        w.await_outgoing_stage(gateway::OutgoingStage::paid);
        const auto& fed = w.fed->store(PeerId(0)).state;
        const uint64_t timelock = fed.outgoing().at(store.begin()->first).account.contract().timelock;
        for (int i = 0; i < 2000 && fed.ln_count() <= timelock + 1; ++i) {
            w.net.mine_blocks(1, sim::SimDuration::seconds(2));
        }
        REQUIRE(fed.ln_count() > timelock + 1);
        w.sim.network().heal(cut);
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while (store.begin()->second.note.empty() && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        w.sim.scheduler().spawn("stop", [&] {
            const gateway::StopOutcome outcome = w.gateway->stop();
            CHECK(outcome == gateway::StopOutcome::stopped);
            stopped = true;
        }, {.kind = sim::ActorKind::daemon, .node = {}});
        this_actor::sleep_for(sim::SimDuration::minutes(1));
        final_payment = store.begin()->second;
    }, /*expect_ok=*/false);
    REQUIRE(final_payment.has_value());
    INFO(final_payment->note);
    CHECK_THAT(final_payment->note, Catch::StartsWith("claim rejected"));
    CHECK(final_payment->stage == gateway::OutgoingStage::claim_rejected);
    CHECK(stopped);
    CHECK_FALSE(w.gateway->running());
}
