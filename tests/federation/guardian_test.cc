// Guardian actors: rounds and agreement, the per-guardian bitcoind monitor feeding votes, the
// wallet peg-in at finality_delay + 1 confirmations and peg-out, partitions (consensus stops
// below t reachable guardians and resumes on heal), crash and restart with the store kept,
// Byzantine votes, and the per-round state fingerprint checker.
#include "fed_world.h"

using namespace fed_test;
namespace this_actor = sim::this_actor;

namespace {

FedTx peg_in_tx(World& w, ClientId client, const chain::OutPoint& op, uint64_t height) {
    return FedTx{w.api->new_tx_id(), w.proof(client, op, height)};
}

}  // namespace

TEST_CASE("four guardians agree round after round and follow the chain", "[federation][actors]") {
    World w;
    w.run([&] {
        w.mine(30);
        REQUIRE(w.await_round(20));
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        const GuardianStore& s0 = w.fed->store(PeerId(0));
        const uint64_t tip_count = static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1;
        CHECK(s0.state.ln_count() == tip_count);
        CHECK(s0.state.wallet_count() == tip_count - s0.state.params().finality_delay);
        CHECK(s0.state.lnv2_count() == tip_count);
        CHECK(s0.state.lnv2_unix_time() % 60 == 0);
        CHECK(s0.state.lnv2_unix_time() > 0);
    });
    CHECK(w.fingerprints->rounds_compared() > 60);
    for (uint32_t p = 1; p < 4; ++p) {
        CHECK(w.fed->store(PeerId(p)).state.rounds_applied() + 2 >= w.fed->store(PeerId(0)).state.rounds_applied());
    }
}

TEST_CASE("n = 1, 2, 5 and 7 guardians make progress", "[federation][actors]") {
    for (uint64_t n : {1, 2, 5, 7}) {
        World w(WorldOptions{.seed = 3, .guardians = n, .params = {}});
        w.run([&] {
            w.mine(3);
            REQUIRE(w.await_round(5));
            CHECK(w.fed->store(PeerId(0)).state.ln_count() > 1);
        });
    }
}

TEST_CASE("a peg-in is accepted only at finality_delay + 1 confirmations",
          "[federation][actors][wallet]") {
    World w;
    const ClientId alice(7);
    w.run([&] {
        w.mine(20);
        auto [op, height] = w.deposit(1000000);
        // One confirmation: the block is not inside the wallet's consensus count yet.
        std::optional<TxOutcome> early =
            w.api->submit_and_wait(peg_in_tx(w, alice, op, height), this_actor::now() +
                                                                        sim::SimDuration::seconds(30));
        REQUIRE(early.has_value());
        CHECK_FALSE(early->accepted);
        CHECK(early->error == "Unknown block hash in peg-in proof");
        w.mine(12, sim::SimDuration::seconds(1));
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        std::optional<TxOutcome> ok =
            w.api->submit_and_wait(peg_in_tx(w, alice, op, height), this_actor::now() +
                                                                        sim::SimDuration::seconds(30));
        REQUIRE(ok.has_value());
        CHECK(ok->accepted);
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        for (uint32_t p = 0; p < 4; ++p) {
            CHECK(w.fed->store(PeerId(p)).state.mint().balance(alice) == 1000000000);
        }
        // The same output again is rejected.
        std::optional<TxOutcome> again =
            w.api->submit_and_wait(peg_in_tx(w, alice, op, height), this_actor::now() +
                                                                        sim::SimDuration::seconds(30));
        REQUIRE(again.has_value());
        CHECK_FALSE(again->accepted);
        // Peg-out: 300000 sat to bob, the fee charged in ecash.
        FedTx out{w.api->new_tx_id(),
                  PegOutTx{.client = alice, .amount_sat = 300000, .address = "bob"}};
        std::optional<TxOutcome> po =
            w.api->submit_and_wait(out, this_actor::now() + sim::SimDuration::seconds(30));
        REQUIRE(po.has_value());
        CHECK(po->accepted);
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        w.mine(1);
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        chain::Amount bob = 0;
        for (const auto& [o, coin] : w.btc.canonical().owned_by("bob")) {
            bob += coin.out.value;
        }
        CHECK(bob == 300000);
        CHECK(w.fed->store(PeerId(0)).state.mint().balance(alice) ==
              (1000000 - 300000 - 500) * 1000);
    });
}

TEST_CASE("a 2/2 partition of four guardians stops consensus; healing resumes it",
          "[federation][actors][partition]") {
    World w(WorldOptions{.seed = 11, .guardians = 4, .params = {}});
    auto tip_count = [&] { return static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1; };
    auto await_ln_count = [&](PeerId p, uint64_t count) {
        for (int i = 0; i < 300 && w.fed->store(p).state.ln_count() != count; ++i) {
            this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        return w.fed->store(p).state.ln_count() == count;
    };
    w.run([&] {
        w.mine(3);
        REQUIRE(w.await_round(5));
        uint32_t cut = w.fed->partition({PeerId(0), PeerId(1)});
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        const uint64_t stuck = w.fed->max_round();
        // Both sides have new block counts to order, and neither has t = 3 guardians.
        w.mine(5, sim::SimDuration::seconds(1));
        this_actor::sleep_for(sim::SimDuration::seconds(25));
        CHECK(w.fed->max_round() == stuck);
        CHECK(w.fed->store(PeerId(0)).state.ln_count() < tip_count());
        w.fed->heal(cut);
        REQUIRE(w.await_round(stuck + 1, sim::SimDuration::seconds(60)));
        CHECK(await_ln_count(PeerId(0), tip_count()));
        CHECK(await_ln_count(PeerId(2), tip_count()));
        // A 3/1 split keeps the majority side going.
        cut = w.fed->partition({PeerId(3)});
        const uint64_t before0 = w.fed->store(PeerId(0)).state.rounds_applied();
        const uint64_t before3 = w.fed->store(PeerId(3)).state.rounds_applied();
        w.mine(5, sim::SimDuration::seconds(1));
        CHECK(await_ln_count(PeerId(0), tip_count()));
        CHECK(w.fed->store(PeerId(0)).state.rounds_applied() >= before0 + 3);
        CHECK(w.fed->store(PeerId(3)).state.rounds_applied() <= before3 + 1);
        w.fed->heal(cut);
        CHECK(await_ln_count(PeerId(3), tip_count()));
        CHECK(w.fed->store(PeerId(3)).state.rounds_applied() + 2 >=
              w.fed->store(PeerId(0)).state.rounds_applied());
    });
}

TEST_CASE("a crashed guardian restarts with its store and catches up",
          "[federation][actors][crash]") {
    for (uint32_t victim : {0U, 2U}) {
        World w(WorldOptions{.seed = 5 + victim, .guardians = 4, .params = {}});
        const ClientId alice(1);
        w.run([&] {
            w.mine(20);
            auto [op, height] = w.deposit(500000);
            w.mine(12);
            REQUIRE(w.await_round(30));
            w.fed->crash(PeerId(victim));
            const uint64_t at_crash = w.fed->store(PeerId(victim)).state.rounds_applied();
            // The other three (t = 3) keep deciding, and accept a peg-in meanwhile.
            std::optional<TxOutcome> ok = w.api->submit_and_wait(
                peg_in_tx(w, alice, op, height), this_actor::now() + sim::SimDuration::seconds(60));
            REQUIRE(ok.has_value());
            CHECK(ok->accepted);
            this_actor::sleep_for(sim::SimDuration::seconds(10));
            CHECK(w.fed->store(PeerId(victim)).state.rounds_applied() == at_crash);
            w.fed->restart(PeerId(victim));
            this_actor::sleep_for(sim::SimDuration::seconds(15));
            const GuardianStore& s = w.fed->store(PeerId(victim));
            CHECK(s.restarts == 1);
            CHECK(s.state.rounds_applied() + 2 >= w.fed->store(PeerId((victim + 1) % 4)).state.rounds_applied());
            CHECK(s.state.mint().balance(alice) == 500000000);
        });
        CHECK(w.fingerprints->rounds_compared() > 100);
    }
}

TEST_CASE("a Byzantine guardian's shifted votes do not move the consensus counts",
          "[federation][actors][byzantine]") {
    World w(WorldOptions{.seed = 9, .guardians = 4, .params = {}});
    w.fed->set_byzantine(PeerId(2), ByzantineConfig{.block_count_offset = 1000,
                                                    .unix_time_offset = 86400,
                                                    .invalid_shares = true});
    w.run([&] {
        w.mine(25);
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        const FederationState& s = w.fed->store(PeerId(0)).state;
        const uint64_t tip_count = static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1;
        CHECK(s.ln_votes().vote_of(PeerId(2)) == tip_count + 1000);
        CHECK(s.ln_count() == tip_count);
        CHECK(s.wallet_count() == tip_count - 10);
        CHECK(s.lnv2_count() == tip_count);
        CHECK(s.lnv2_unix_time() < 1767225600 + 3600);
    });
}

TEST_CASE("RPC outages give no status: the guardian stops voting, consensus continues",
          "[federation][actors][monitor]") {
    World w(WorldOptions{.seed = 4, .guardians = 4, .params = {}});
    w.run([&] {
        w.mine(5);
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        w.fed->bitcoind(PeerId(1)).set_rpc_down(true);
        this_actor::sleep_for(sim::SimDuration::seconds(1));
        CHECK_FALSE(w.fed->guardian(PeerId(1)).bitcoin_status().has_value());
        const std::optional<uint64_t> stored = w.fed->store(PeerId(0)).state.ln_votes().vote_of(
            PeerId(1));
        w.mine(5);
        this_actor::sleep_for(sim::SimDuration::seconds(3));
        const FederationState& s = w.fed->store(PeerId(0)).state;
        CHECK(s.ln_votes().vote_of(PeerId(1)) == stored);
        CHECK(s.ln_count() == static_cast<uint64_t>(w.btc.canonical().tip_height()) + 1);
        w.fed->bitcoind(PeerId(1)).set_rpc_down(false);
        this_actor::sleep_for(sim::SimDuration::seconds(2));
        CHECK(w.fed->guardian(PeerId(1)).bitcoin_status().has_value());
    });
}

TEST_CASE("the fingerprint checker reports a guardian whose state diverges",
          "[federation][checkers]") {
    World w;
    // A rogue observer corrupts nothing; instead feed the checker two different states for one
    // round, as a divergent guardian would produce.
    FederationState a(w.fed->params(), nullptr);
    FederationState b(w.fed->params(), nullptr);
    std::vector<StateEvent> events;
    Batch batch{.round = 0, .proposals = {}};
    for (uint32_t p = 0; p < 3; ++p) {
        batch.proposals.push_back(Proposal{.peer = PeerId(p), .items = {}});
    }
    Batch other = batch;
    other.proposals[0].items.emplace_back(VoteItem{VoteKind::ln_count, 5});
    a.apply_batch(batch, &events);
    b.apply_batch(other, &events);
    w.sim.scheduler().spawn("feed", [&] {
        w.fingerprints->on_round(PeerId(0), batch, a, events);
        w.fingerprints->on_round(PeerId(1), batch, b, events);
    });
    sim::SimulationResult r = w.sim.run();
    CHECK(r.run.outcome == sim::Outcome::check_failed);
    REQUIRE(w.hub.violations().size() == 1);
    CHECK(w.hub.violations()[0].find("round_fingerprint") != std::string::npos);
    CHECK(w.hub.violations()[0].find("seed=1") != std::string::npos);
}

// The checker remembers the last UTXO set the chain alone backed and the tip it did so at; a
// reorg that takes the deposit off the chain must be seen at the next round although the set
// is unchanged.
TEST_CASE("the chain-backing checker reports a UTXO a reorg took off the chain",
          "[federation][checkers]") {
    World w;
    const ClientId alice(7);
    uint64_t rounds_backed = 0;
    w.fed->start();
    w.api->start();
    w.sim.scheduler().spawn("workload", [&] {
        w.mine(20);
        w.peg_in(alice, 1000000);  // the deposit's block and 12 more
        const uint64_t round = w.fed->min_round();
        REQUIRE(w.await_round(round + 3));
        rounds_backed = w.fed->min_round() - round;
        REQUIRE(w.hub.ok());
        REQUIRE(w.btc.invalidate(13).ok());  // the deposit goes back to the mempool
        this_actor::sleep_for(sim::SimDuration::minutes(2));
    });
    sim::SimulationResult r = w.sim.run(
        sim::RunLimits{.max_time = sim::SimTime::zero() + sim::SimDuration::hours(1)});
    CHECK(rounds_backed >= 3);
    CHECK(r.run.outcome == sim::Outcome::check_failed);
    REQUIRE_FALSE(w.hub.violations().empty());
    CHECK(w.hub.violations()[0].find("chain_backing") != std::string::npos);
    CHECK(w.hub.violations()[0].find("is not on chain") != std::string::npos);
}

TEST_CASE("same seed, same run", "[federation][actors][determinism]") {
    auto once = [](uint64_t seed) {
        World w(WorldOptions{.seed = seed, .guardians = 4, .params = {}});
        uint64_t fp = 0;
        w.fed->start();
        w.api->start();
        w.sim.scheduler().spawn("workload", [&] {
            w.mine(10);
            w.fed->crash(PeerId(1));
            this_actor::sleep_for(sim::SimDuration::seconds(5));
            w.fed->restart(PeerId(1));
            this_actor::sleep_for(sim::SimDuration::seconds(5));
        });
        sim::SimulationResult r = w.sim.run();
        REQUIRE(r.run.ok());
        fp = r.run.fingerprint;
        return fp;
    };
    CHECK(once(21) == once(21));
    CHECK(once(21) != once(22));
}
