// A restarted gateway's registration (Gateway::run_registration; docs/gateway.md
// "Registration"): a round submitted before a crash may still be queued at the guardians (a
// pool by transaction id, guardian.cc) and be ordered after the restart's first round, and
// registration is last one wins (federation_state.cc). So the restarted gateway must not take
// its first accepted round as final. Before the fix it started "not stale" and the queued
// round from before the crash stayed registered.
#include "e2e_world.h"

#include <set>
#include <variant>

using namespace e2e;
namespace this_actor = sim::this_actor;

namespace {

// The short channel ids of guardian 0's registration of the (only) gateway.
std::vector<uint64_t> registered_hints(World& w) {
    std::vector<uint64_t> out;
    const auto& gws = w.fed->store(PeerId(0)).state.gateways();
    if (!gws.empty()) {
        for (const federation::RouteHintRecord& h : gws.begin()->second.route_hints) {
            out.push_back(h.short_channel_id);
        }
    }
    return out;
}

// The registrations guardian 0 applied from round `from` on, in order (each transaction once,
// as apply_tx processes it once): the first hint's short channel id of each.
std::vector<uint64_t> applied_registrations(World& w, uint64_t from) {
    const federation::GuardianStore& store = w.fed->store(PeerId(0));
    REQUIRE(store.log_base <= from);  // the log still holds every round since `from`
    std::set<uint64_t> seen;
    std::vector<uint64_t> out;
    for (const federation::BatchPtr& batch : store.log) {
        if (batch->round < from) {
            continue;
        }
        for (const federation::Proposal& p : batch->proposals) {
            for (const federation::ConsensusItem& item : p.items) {
                const auto* tx = std::get_if<federation::FedTx>(&item);
                if (tx == nullptr || !seen.insert(tx->id.value).second) {
                    continue;
                }
                const auto* reg = std::get_if<federation::RegisterGatewayTx>(&tx->body);
                if (reg != nullptr) {
                    out.push_back(reg->route_hints.empty()
                                      ? 0
                                      : reg->route_hints.front().short_channel_id);
                }
            }
        }
    }
    return out;
}

}  // namespace

// G registers X-G (most inbound). Consensus stalls (guardians 2, 3 cut from 0, 1: no quorum);
// X-G is disabled, so G's rounds submit G-A, unanswered and queued at every guardian. G
// crashes; X-G comes back; G restarts and its first round submits X-G, queued too. The heal
// orders every queued round in one batch, in transaction-id order (a pool is a map by id), and
// with five rounds queued a G-A round from before the crash sorts after the restart's X-G round
// (checked below): the restart's round is accepted but the stale G-A is what the federation
// holds. Before the fix
// the restarted gateway took that accepted round as final and G-A stayed registered; now it
// registers once more and X-G ends registered.
TEST_CASE("a gateway restarted while a round from before its crash is queued ends registered "
          "as it is, though the stale round is ordered after the restart's first round",
          "[gateway][actors][partition][registration][restart]") {
    World w(101, "lnd");
    uint64_t xg = 0;
    uint64_t ga = 0;
    std::vector<uint64_t> applied_since_heal;
    std::vector<uint64_t> registered_at_end;
    w.run([&] {
        xg = w.net.channel(w.ch_xg).scid().value;
        ga = w.net.channel(w.ch_ga).scid().value;
        const sim::SimTime until = this_actor::now() + sim::SimDuration::minutes(2);
        while (registered_hints(w) != std::vector<uint64_t>{xg} && this_actor::now() < until) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        REQUIRE(registered_hints(w) == std::vector<uint64_t>{xg});
        const std::vector<sim::NodeId>& gs = w.fed->nodes();
        const uint32_t cut = w.sim.network().partition({gs[2], gs[3]}, {gs[0], gs[1]},
                                                       sim::PartitionKind::symmetric);
        ln::ChannelLedger& ch = w.net.channel(w.ch_xg);
        const int x_side = ch.side_of(w.x);
        ch.side(x_side).policy.disabled = true;  // the hint moves to G-A
        REQUIRE(w.gateway->registration().route_hints.front().short_channel_id == ga);
        // Five G-A rounds queued: with fewer, each sorts before the restart's round (the ids
        // follow the gateway's name and tx counter, not the seed).
        this_actor::sleep_for(sim::SimDuration::seconds(45));
        w.gateway->crash();
        ch.side(x_side).policy.disabled = false;  // back to X-G
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        w.gateway->restart();  // its first round submits X-G at once
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        REQUIRE(registered_hints(w) == std::vector<uint64_t>{xg});  // nothing ordered yet
        const uint64_t heal_round = w.fed->store(PeerId(0)).state.rounds_applied();
        w.sim.network().heal(cut);
        this_actor::sleep_for(sim::SimDuration::seconds(60));  // several registration intervals
        registered_at_end = registered_hints(w);
        applied_since_heal = applied_registrations(w, heal_round);
    });
    // The edge: a queued pre-crash G-A round was ordered right after the restart's first (X-G)
    // round: X-G then G-A in what the heal applied.
    INFO("applied since the heal: " << ::Catch::Detail::stringify(applied_since_heal));
    bool stale_after_restart_round = false;
    for (size_t i = 0; i + 1 < applied_since_heal.size(); ++i) {
        stale_after_restart_round |= applied_since_heal[i] == xg && applied_since_heal[i + 1] == ga;
    }
    REQUIRE(stale_after_restart_round);
    CHECK(registered_at_end == std::vector<uint64_t>{xg});
}
