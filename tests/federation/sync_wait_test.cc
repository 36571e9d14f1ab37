// The wallet's sync wait inside processing (fedimint.md 1.3): a guardian whose own node lags
// waits (bounded retries) before applying a batch that moves the wallet's consensus count; a
// shutdown during the wait ends it at once; a wait that runs out of retries shuts the guardian
// down without applying the batch, and the others go on.
#include "fed_world.h"

using namespace fed_test;
namespace this_actor = sim::this_actor;

namespace {

// Wallet count 21 (tip count 31), then guardian 3's node freezes and five more blocks move the
// others' votes: consensus 26 needs 36 blocks on guardian 3's node, which has 31.
uint64_t freeze_guardian_3_behind(World& w) {
    w.mine(30);
    this_actor::sleep_for(sim::SimDuration::seconds(3));
    REQUIRE(w.fed->store(PeerId(3)).state.wallet_count() == 21);
    const uint64_t synced = w.fed->counters(PeerId(3)).blocks_synced;
    w.btc.node(3).freeze();
    w.mine(5, sim::SimDuration::millis(300));
    this_actor::sleep_for(sim::SimDuration::seconds(3));
    return synced;
}

}  // namespace

TEST_CASE("a lagging bitcoind delays its own guardian's processing", "[federation][actors][wallet]") {
    World w(WorldOptions{.seed = 7, .guardians = 4, .params = {}, .variants = {}, .timing = {}});
    w.run([&] {
        const uint64_t synced = freeze_guardian_3_behind(w);
        Guardian& g3 = w.fed->guardian(PeerId(3));
        CHECK(w.fed->store(PeerId(0)).state.wallet_count() == 26);
        CHECK(g3.in_sync_wait());
        CHECK(w.fed->counters(PeerId(3)).sync_waits >= 1);
        // The batch that moves the count is not applied until the node has caught up.
        CHECK(w.fed->store(PeerId(3)).state.wallet_count() == 21);
        CHECK(w.fed->store(PeerId(3)).state.rounds_applied() <
              w.fed->store(PeerId(0)).state.rounds_applied());
        w.btc.node(3).unfreeze();
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        CHECK_FALSE(g3.in_sync_wait());
        CHECK(g3.consensus_alive());
        CHECK(w.fed->store(PeerId(3)).state.wallet_count() == 26);
        CHECK(w.fed->store(PeerId(3)).state.rounds_applied() + 1 >=
              w.fed->store(PeerId(0)).state.rounds_applied());
        // The five new heights were fetched through guardian 3's own bitcoind.
        CHECK(w.fed->counters(PeerId(3)).blocks_synced == synced + 5);
    });
}

TEST_CASE("a shutdown during the sync wait ends it at once", "[federation][actors][wallet]") {
    World w(WorldOptions{.seed = 8, .guardians = 4, .params = {}, .variants = {}, .timing = {}});
    w.run([&] {
        freeze_guardian_3_behind(w);
        Guardian& g3 = w.fed->guardian(PeerId(3));
        REQUIRE(g3.in_sync_wait());
        const uint64_t retries = w.fed->counters(PeerId(3)).sync_wait_retries;
        w.fed->shutdown(PeerId(3));
        this_actor::sleep_for(sim::SimDuration::millis(1));
        CHECK_FALSE(g3.consensus_alive());
        CHECK_FALSE(g3.running());
        CHECK_FALSE(g3.in_sync_wait());
        CHECK(w.fed->counters(PeerId(3)).sync_wait_retries == retries);
        CHECK(w.fed->store(PeerId(3)).state.wallet_count() == 21);
        // Back with its node caught up, it applies what it missed.
        w.btc.node(3).unfreeze();
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        w.fed->restart(PeerId(3));
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        CHECK(g3.consensus_alive());
        CHECK(w.fed->store(PeerId(3)).state.wallet_count() == 26);
    });
}

TEST_CASE("a sync wait that runs out of retries shuts the guardian down, batch unapplied",
          "[federation][actors][wallet]") {
    World w(WorldOptions{.seed = 9, .guardians = 4, .params = {}, .variants = {}, .timing = {}});
    w.run([&] {
        freeze_guardian_3_behind(w);
        Guardian& g3 = w.fed->guardian(PeerId(3));
        REQUIRE(g3.in_sync_wait());
        const uint64_t retries_before = w.fed->counters(PeerId(3)).sync_wait_retries;
        const uint64_t waits_before = w.fed->counters(PeerId(3)).sync_waits;
        // Test env: 600 retries of 100 ms plus jitter in [0, 100 ms]: 60 to 120 s.
        this_actor::sleep_for(sim::SimDuration::seconds(125));
        CHECK_FALSE(g3.consensus_alive());
        CHECK_FALSE(g3.running());
        CHECK(w.fed->counters(PeerId(3)).sync_waits == waits_before);
        CHECK(w.fed->counters(PeerId(3)).sync_wait_retries > retries_before);
        // Exactly max_retries re-checks in the wait that gave up (601 checks in all).
        CHECK(w.fed->counters(PeerId(3)).last_sync_wait_retries == 600);
        CHECK(w.fed->store(PeerId(3)).state.wallet_count() == 21);
        // The other three (t = 3) keep deciding.
        const uint64_t r0 = w.fed->store(PeerId(0)).state.rounds_applied();
        w.mine(2, sim::SimDuration::millis(500));
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        CHECK(w.fed->store(PeerId(0)).state.rounds_applied() > r0);
    });
}
