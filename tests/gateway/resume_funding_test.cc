// A gateway that crashes during a receive resumes on the funding it already submitted and
// never funds twice (gateway_payments.cc Gateway::fund; upstream the incoming state machine is
// persisted and resumes awaiting the same transaction, fedimint-ln-client incoming.rs
// FundingOfferState). Before the fix a resumed payment read the contract and, when that read
// did not show the funding (not yet ordered, or no f + 1 agreement), submitted a second
// FundIncomingTx: the federation rejected it (already_funded) while holding the first, the
// gateway failed the HTLC ("funding rejected"), alice claimed the contract and the gateway lost
// the amount (gw.never_loses). Each case settles the HTLC and reports nothing.
#include <set>

#include "e2e_world.h"

#include "scenario/worlds/gateway_incoming_loss.h"

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

enum class CrashAt {
    // right after the funding's submission; the federation orders it only after the restart
    submitted_unordered,
    // right after the funding's submission; ordered while the gateway is down, and the
    // restarted gateway's read of the contract gets no f + 1 agreement
    submitted_ordered_read_fails,
    // in `funded` (decryption pending); the restarted gateway's read gets no f + 1 agreement
    funded_read_fails,
};

struct Resumed {
    std::optional<gateway::IncomingPayment> incoming;
    std::optional<federation::FedTxId> funding_before_crash;
    std::set<uint64_t> funding_ids;  // every funding the gateway ever stored
    size_t fundings_accepted = 0;    // of those, how many the federation accepted
    size_t fundings_answered = 0;    // of those, how many the federation answered at all
    bool funded_by_gateway = false;  // the federation's contract names the gateway's client
    std::vector<std::string> violations;
    uint64_t restarts = 0;
    bool external_ok = false;
};

// Cuts guardians 2 and 3 from 0 and 1: nothing is ordered.
uint32_t stall_consensus(World& w) {
    const std::vector<sim::NodeId>& gs = w.fed->nodes();
    return w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                     sim::PartitionKind::symmetric);
}

Resumed receive_across_crash(uint64_t seed, CrashAt at) {
    World w(seed, "lnd");
    scenario::IncomingLossChecker checker(w.hub, *w.fed, *w.gateway, w.net);
    w.sim.scheduler().spawn("incoming_loss", [&] {
        while (true) {
            this_actor::sleep_for(sim::SimDuration::seconds(5));
            checker.check();
        }
    }, {.kind = sim::ActorKind::daemon, .node = {}});
    Resumed out;
    ln::PaymentResult external;
    w.sim.scheduler().spawn("watch_funding", [&] {
        const auto& store = w.gateway->store().incoming;
        while (true) {
            if (!store.empty() && store.begin()->second.funding.has_value()) {
                out.funding_ids.insert(store.begin()->second.funding->id.value);
            }
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
    }, {.kind = sim::ActorKind::daemon, .node = {}});
    w.run([&] {
        std::optional<ln::Invoice> inv = w.alice->create_invoice(700000);
        REQUIRE(inv.has_value());
        const auto hash = inv->payment_hash;
        const auto& fed_incoming = w.fed->store(PeerId(0)).state.incoming();
        const auto& store = w.gateway->store().incoming;
        bool stalled = false;
        uint32_t stall = 0;
        if (at != CrashAt::funded_read_fails) {
            stall = stall_consensus(w);
            stalled = true;
        }
        w.sim.scheduler().spawn("payer", [&] { external = w.net.node(w.a).pay(*inv); });
        if (at == CrashAt::funded_read_fails) {
            while (fed_incoming.count(hash) == 0) {
                this_actor::sleep_for(sim::SimDuration::millis(1));
            }
            stall = stall_consensus(w);  // funded, decryption pending
            stalled = true;
            while (store.empty() || store.begin()->second.stage != gateway::IncomingStage::funded) {
                this_actor::sleep_for(sim::SimDuration::millis(1));
            }
        } else {
            while (store.empty()) {
                this_actor::sleep_for(sim::SimDuration::millis(1));
            }
            // The read and the submission take a few network hops; the first resubmission
            // would be 2 s later.
            this_actor::sleep_for(sim::SimDuration::seconds(1));
            REQUIRE(store.begin()->second.stage == gateway::IncomingStage::intercepted);
            REQUIRE(store.begin()->second.funding.has_value());  // submitted before the crash
        }
        if (store.begin()->second.funding.has_value()) {
            out.funding_before_crash = store.begin()->second.funding->id;
        }
        w.gateway->crash();
        if (at == CrashAt::submitted_ordered_read_fails) {
            w.sim.network().heal(stall);
            stalled = false;
            while (fed_incoming.count(hash) == 0) {
                this_actor::sleep_for(sim::SimDuration::millis(1));
            }
        }
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        const bool cut_reads = at != CrashAt::submitted_unordered;
        uint32_t read_cut = 0;
        if (cut_reads) {
            // Only guardian 0 answers the gateway: no read gets f + 1 = 2 agreeing answers.
            const std::vector<sim::NodeId>& gs = w.fed->nodes();
            read_cut = w.sim.network().partition({w.gateway->node()}, {gs[1], gs[2], gs[3]},
                                                 sim::PartitionKind::symmetric);
        }
        w.gateway->restart();
        this_actor::sleep_for(sim::SimDuration::seconds(10));
        if (cut_reads) {
            w.sim.network().heal(read_cut);
        }
        this_actor::sleep_for(sim::SimDuration::seconds(10));
        if (stalled) {
            w.sim.network().heal(stall);
        }
        (void)w.alice->await_receive(hash, sim::SimDuration::minutes(10));
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while ((store.begin()->second.stage == gateway::IncomingStage::intercepted ||
                store.begin()->second.stage == gateway::IncomingStage::funded) &&
               this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        out.incoming = store.begin()->second;
        const auto& fed = w.fed->store(PeerId(0)).state;
        for (uint64_t id : out.funding_ids) {
            const federation::TxOutcome* o = fed.outcome(federation::FedTxId{id});
            out.fundings_answered += o != nullptr ? 1 : 0;
            out.fundings_accepted += o != nullptr && o->accepted ? 1 : 0;
        }
        out.funded_by_gateway = fed_incoming.count(hash) == 1 &&
                                fed_incoming.at(hash).funder == w.gateway->config().client;
    }, /*expect_ok=*/false);
    checker.check();
    out.violations = w.hub.violations();
    out.restarts = w.gateway->store().restarts;
    out.external_ok = external.succeeded;
    return out;
}

void check_settled(const Resumed& out) {
    REQUIRE(out.incoming.has_value());
    INFO(out.incoming->note);
    INFO((out.violations.empty() ? std::string() : out.violations.front()));
    CHECK(out.restarts == 1);
    CHECK(out.incoming->stage == gateway::IncomingStage::settled);
    // Never funds twice: the funding it ends with is the one submitted before the crash.
    // (Each case's settle checks also fail on the pre-12add13 gateway: checked in session 14
    // with its gateway .cc files, the funding rejected and the amount lost.)
    REQUIRE(out.funding_before_crash.has_value());
    REQUIRE(out.incoming->funding.has_value());
    CHECK(out.incoming->funding->id == *out.funding_before_crash);
    // ... and the federation saw that one funding only: the gateway never stored another, the
    // one it stored was accepted (no already_funded rejection), and the contract's funder is
    // the gateway's client.
    CHECK(out.funding_ids == std::set<uint64_t>{out.funding_before_crash->value});
    CHECK(out.fundings_answered == 1);
    CHECK(out.fundings_accepted == 1);
    CHECK(out.funded_by_gateway);
    CHECK_FALSE(out.incoming->lost);
    CHECK(out.violations.empty());
    CHECK(out.external_ok);
}

}  // namespace

TEST_CASE("a gateway restarted during a receive waits on the funding it submitted and never "
          "funds twice: the HTLC settles, nothing lost",
          "[gateway][actors][crash][never-loses]") {
    SECTION("crashed right after submitting the funding, ordered after the restart") {
        check_settled(receive_across_crash(98, CrashAt::submitted_unordered));
    }
    SECTION("crashed right after submitting the funding, ordered while down, read fails") {
        check_settled(receive_across_crash(98, CrashAt::submitted_ordered_read_fails));
    }
    SECTION("crashed in `funded`, the restarted gateway's read fails") {
        check_settled(receive_across_crash(98, CrashAt::funded_read_fails));
    }
}
