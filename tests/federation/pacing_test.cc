// Round pacing and the counters worlds assert on: an idle federation decides a bounded number
// of rounds per minute; the #3063 zero-vote livelock variant generates rounds without end while
// the chain is short (count <= finality_delay) and stops at count = finality_delay + 1; the
// wallet's block sync skips the first consensus count (old == 0) and the #2773
// sync-from-genesis variant fetches every block from height 0; a peg-in whose block predates
// the first consensus count is rejected.
#include "fed_world.h"

using namespace fed_test;
namespace this_actor = sim::this_actor;

namespace {

uint64_t rounds_of(World& w, PeerId p) { return w.fed->counters(p).rounds_decided; }

// Mines until the tip count (height + 1) is `count`, all at once.
void mine_to_count(World& w, uint64_t count) {
    const uint64_t now = static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1;
    REQUIRE(count >= now);
    if (count > now) {
        w.btc.mine(static_cast<int64_t>(count - now));
    }
}

// Every guardian's bitcoind down, blocks mined, propagated, bitcoind up again: the first poll
// of every guardian sees the same tip, so the first consensus count is exact.
void mine_while_blind(World& w, uint64_t count) {
    for (uint32_t p = 0; p < w.fed->size(); ++p) {
        w.fed->bitcoind(PeerId(p)).set_rpc_down(true);
    }
    this_actor::sleep_for(sim::SimDuration::millis(500));
    mine_to_count(w, count);
    this_actor::sleep_for(sim::SimDuration::seconds(2));
    for (uint32_t p = 0; p < w.fed->size(); ++p) {
        w.fed->bitcoind(PeerId(p)).set_rpc_down(false);
    }
}

}  // namespace

TEST_CASE("vote_wants_round: strict increase over the stored vote, none counting as 0",
          "[federation][votes][pacing]") {
    CHECK_FALSE(vote_wants_round(std::nullopt, 0));
    CHECK(vote_wants_round(std::nullopt, 1));
    CHECK_FALSE(vote_wants_round(5, 5));
    CHECK_FALSE(vote_wants_round(5, 4));
    CHECK(vote_wants_round(5, 6));
    // #3063: None != Some(0) on the proposal side.
    CHECK(vote_wants_round(std::nullopt, 0, /*vote_zero_livelock=*/true));
    CHECK_FALSE(vote_wants_round(0, 0, true));
    CHECK_FALSE(vote_wants_round(5, 5, true));
}

TEST_CASE("an idle federation decides a bounded number of rounds per minute",
          "[federation][actors][pacing]") {
    World w(WorldOptions{.seed = 2, .guardians = 4, .params = {}, .variants = {}});
    w.run([&] {
        w.mine(20);
        this_actor::sleep_for(sim::SimDuration::seconds(30));
        const uint64_t before = rounds_of(w, PeerId(0));
        const uint64_t items_before = w.fed->counters(PeerId(0)).items_processed;
        this_actor::sleep_for(sim::SimDuration::seconds(300));
        const uint64_t rounds = rounds_of(w, PeerId(0)) - before;
        // Heartbeat every 10 s (6 a minute) plus the unix-time vote turning each minute (at most
        // one round per guardian): at most 10 a minute; at least the heartbeats.
        CHECK(rounds <= 5 * 10);
        CHECK(rounds >= 5 * 5);
        CHECK(w.fed->counters(PeerId(0)).items_processed > items_before);
        // Work is ordered promptly: a new block reaches the LN consensus within a second.
        w.mine(1, sim::SimDuration::zero());
        const uint64_t tip = static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1;
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        CHECK(w.fed->store(PeerId(0)).state.ln_count() == tip);
    });
}

TEST_CASE("vote_zero_livelock (#3063): endless rounds at count <= finality_delay, none above",
          "[federation][actors][pacing][variants]") {
    for (bool livelock : {false, true}) {
        INFO("vote_zero_livelock = " << livelock);
        World w(WorldOptions{.seed = 3, .guardians = 4, .params = {},
                             .variants = {.vote_zero_livelock = livelock}});
        const uint64_t fd = w.fed->params().finality_delay;
        w.run([&] {
            // count == finality_delay: every wallet vote is count.saturating_sub(fd) = 0.
            mine_to_count(w, fd);
            this_actor::sleep_for(sim::SimDuration::seconds(5));
            const uint64_t before = rounds_of(w, PeerId(0));
            const uint64_t rejected_before = w.fed->counters(PeerId(0)).votes_rejected;
            this_actor::sleep_for(sim::SimDuration::seconds(60));
            const uint64_t short_chain = rounds_of(w, PeerId(0)) - before;
            CHECK(w.fed->store(PeerId(0)).state.wallet_votes().vote_of(PeerId(0)) ==
                  std::nullopt);
            if (livelock) {
                // One round per round_interval (200 ms) plus the agreement's latency.
                CHECK(short_chain > 150);
                CHECK(w.fed->counters(PeerId(0)).votes_rejected - rejected_before > 150);
            } else {
                CHECK(short_chain <= 10);
            }
            // count == finality_delay + 1: the vote is 1, stored once, and the rounds stop.
            mine_to_count(w, fd + 1);
            this_actor::sleep_for(sim::SimDuration::seconds(5));
            CHECK(w.fed->store(PeerId(0)).state.wallet_count() == 1);
            const uint64_t after = rounds_of(w, PeerId(0));
            this_actor::sleep_for(sim::SimDuration::seconds(60));
            CHECK(rounds_of(w, PeerId(0)) - after <= 10);
        });
    }
}

TEST_CASE("wallet sync: the first consensus count syncs nothing; sync_from_genesis (#2773) "
          "fetches from height 0",
          "[federation][actors][wallet][variants]") {
    for (bool genesis : {false, true}) {
        INFO("sync_from_genesis = " << genesis);
        World w(WorldOptions{.seed = 4, .guardians = 4, .params = {},
                             .variants = {.sync_from_genesis = genesis}});
        const uint64_t fd = w.fed->params().finality_delay;
        w.run([&] {
            mine_while_blind(w, 301);
            this_actor::sleep_for(sim::SimDuration::seconds(3));
            for (uint32_t p = 0; p < 4; ++p) {
                CHECK(w.fed->store(PeerId(p)).state.wallet_count() == 301 - fd);
                CHECK(w.fed->counters(PeerId(p)).blocks_synced == (genesis ? 301 - fd : 0));
            }
            // Five more blocks: every guardian fetches exactly those five heights.
            w.mine(5, sim::SimDuration::millis(300));
            this_actor::sleep_for(sim::SimDuration::seconds(3));
            for (uint32_t p = 0; p < 4; ++p) {
                CHECK(w.fed->store(PeerId(p)).state.wallet_count() == 306 - fd);
                const uint64_t synced = w.fed->counters(PeerId(p)).blocks_synced;
                CHECK(synced == (genesis ? 306 - fd : 5));
                CHECK(w.fed->block_fetches(PeerId(p)) >= synced);
                CHECK(w.fed->block_fetches(PeerId(p)) < synced + 5);
            }
        });
    }
}

TEST_CASE("a peg-in whose block predates the first consensus count is rejected",
          "[federation][actors][wallet][variants]") {
    for (bool genesis : {false, true}) {
        INFO("sync_from_genesis = " << genesis);
        World w(WorldOptions{.seed = 5, .guardians = 4, .params = {},
                             .variants = {.sync_from_genesis = genesis}});
        const ClientId alice(3);
        w.run([&] {
            // The deposit lands while every wallet vote is still 0 (count <= finality_delay).
            auto [op, height] = w.deposit(200000);
            REQUIRE(height + 1 <= w.fed->params().finality_delay);
            CHECK(w.fed->store(PeerId(0)).state.wallet_count() == 0);
            mine_while_blind(w, 60);
            this_actor::sleep_for(sim::SimDuration::seconds(3));
            CHECK(w.fed->store(PeerId(0)).state.wallet_count() == 50);
            const TxOutcome o =
                w.submit(w.proof(alice, op, height));
            if (genesis) {
                CHECK(o.accepted);
            } else {
                CHECK_FALSE(o.accepted);
                CHECK(o.error == "Unknown block hash in peg-in proof");
            }
        });
    }
}

TEST_CASE("the decided log is a bounded window; a guardian further behind gets the state",
          "[federation][actors][crash][memory]") {
    GuardianTiming timing;
    timing.log_window = 8;
    World w(WorldOptions{.seed = 6, .guardians = 4, .params = {}, .variants = {},
                         .timing = timing});
    const ClientId alice(4);
    w.run([&] {
        w.mine(20);
        auto [op, height] = w.deposit(300000);
        w.mine(12);
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        w.fed->crash(PeerId(3));
        const uint64_t at_crash = w.fed->store(PeerId(3)).state.rounds_applied();
        // Work the other three order while guardian 3 is down: a peg-in and new blocks.
        const TxOutcome o =
            w.submit(w.proof(alice, op, height));
        CHECK(o.accepted);
        w.mine(15, sim::SimDuration::seconds(1));
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        REQUIRE(w.fed->store(PeerId(0)).state.rounds_applied() > at_crash + 8);
        for (uint32_t p = 0; p < 4; ++p) {
            CHECK(w.fed->store(PeerId(p)).log.size() <= 8);
        }
        // Guardian 3 is behind the window: restarted, it adopts a peer's state.
        w.fed->restart(PeerId(3));
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        const GuardianStore& s3 = w.fed->store(PeerId(3));
        const GuardianStore& s0 = w.fed->store(PeerId(0));
        CHECK(s3.state.rounds_applied() + 1 >= s0.state.rounds_applied());
        CHECK(s3.state.mint().balance(alice) == 300000000);
        CHECK(s3.counters.state_syncs == 1);
        CHECK(s0.counters.state_syncs == 0);
        CHECK(s3.log_base >= s3.state.rounds_applied() - s3.log.size());
        // It takes part in the next rounds and agrees with the others (fingerprint checker).
        w.mine(3, sim::SimDuration::seconds(1));
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        CHECK(s3.state.rounds_applied() == s0.state.rounds_applied());
        CHECK(s3.state.fingerprint() == s0.state.fingerprint());
        CHECK(s3.state.ln_count() == static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1);
        // The adopted state's synced heights were fetched from guardian 3's own node, not
        // copied: its table covers the same heights with the chain's hashes.
        const uint64_t top = s3.state.known_blocks().consensus_count() - 1;
        CHECK(s3.wallet_blocks.heights() == s0.wallet_blocks.heights());
        CHECK(s3.wallet_blocks.hash_at(top) ==
              w.btc.canonical().block_hash(static_cast<int64_t>(top)));
    });
}
