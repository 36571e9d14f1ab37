// Wallet v1: sync ranges, peg-in acceptance at finality_delay + 1 confirmations, and the
// bounded wait for the guardian's own node.
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/federation/vote_aggregation.h"
#include "actors/federation/wallet_rules.h"

using namespace actors::federation;
using sim::SimDuration;

namespace {

// Four honest guardians whose nodes all see `tip_height`; runs proposal rounds until the wallet
// consensus stops moving and feeds every change to `known`. As upstream, every guardian builds
// its proposal from the consensus at the start of the round, then the round's items are
// processed in peer order. Returns the number of rounds that moved the consensus.
uint64_t run_rounds(VoteBook* book, KnownBlocks* known, uint64_t tip_height, uint64_t round_cap) {
    uint64_t changes = 0;
    for (int round = 0; round < 1000; ++round) {
        std::optional<uint64_t> vote = wallet_v1_proposal({.local_block_count = tip_height + 1,
                                                           .finality_delay = 10,
                                                           .consensus_block_count =
                                                               book->consensus(),
                                                           .round_cap = round_cap});
        REQUIRE(vote.has_value());
        bool changed = false;
        for (uint32_t p = 0; p < book->quorum().n; ++p) {
            VoteOutcome outcome = book->submit(PeerId(p), *vote);
            if (outcome.consensus_changed()) {
                known->on_consensus_change(outcome.consensus_before, outcome.consensus_after);
                changed = true;
            }
        }
        if (!changed) {
            return changes;
        }
        ++changes;
    }
    FAIL("wallet consensus did not settle");
    return changes;
}

}  // namespace

TEST_CASE("confirmation arithmetic", "[federation][wallet]") {
    CHECK(peg_in_confirmations_required(10) == 11);
    CHECK(peg_in_confirmations_required(0) == 1);
    CHECK(confirmations(110, 100) == 11);
    CHECK(confirmations(100, 100) == 1);
    CHECK(confirmations(99, 100) == 0);
}

TEST_CASE("sync range skips blocks predating the federation", "[federation][wallet]") {
    CHECK(wallet_v1_sync_range(0, 101).empty());
    SyncRange r = wallet_v1_sync_range(101, 106);
    CHECK(r.from == 101);
    CHECK(r.to == 106);
    CHECK(wallet_v1_sync_range(7, 7).empty());
    SyncRange legacy = wallet_v1_sync_range(0, 101, {.sync_from_genesis = true});  // #2773
    CHECK(legacy.from == 0);
    CHECK(legacy.to == 101);
}

TEST_CASE("peg-in needs exactly finality_delay + 1 confirmations", "[federation][wallet]") {
    VoteBook book(Quorum::of(4), VoteRule::wallet_v1);
    KnownBlocks known;
    // The federation starts with its tip at 59: first consensus count 50, nothing synced.
    run_rounds(&book, &known, 59, k_wallet_round_cap_test);
    REQUIRE(book.consensus() == 50);
    const uint64_t proof_height = 100;
    // Tip 109: the proof block has 10 confirmations; consensus count 100 excludes height 100.
    run_rounds(&book, &known, 109, k_wallet_round_cap_test);
    CHECK(book.consensus() == 100);
    CHECK(confirmations(109, proof_height) == 10);
    CHECK(check_peg_in(known, proof_height) == PegInRejection::block_not_in_consensus);
    CHECK(check_peg_in(known, 99) == PegInRejection::none);
    // Tip 110: 11 confirmations, count 101, the block is known.
    run_rounds(&book, &known, 110, k_wallet_round_cap_test);
    CHECK(book.consensus() == 101);
    CHECK(check_peg_in(known, proof_height) == PegInRejection::none);
    CHECK(check_peg_in(known, 49) == PegInRejection::block_predates_sync);
    CHECK(check_peg_in(known, 50) == PegInRejection::none);
}

TEST_CASE("the production cap slows the wallet but does not starve it", "[federation][wallet]") {
    VoteBook book(Quorum::of(4), VoteRule::wallet_v1);
    KnownBlocks known;
    run_rounds(&book, &known, 59, k_wallet_round_cap_production);
    REQUIRE(book.consensus() == 50);
    // From 50 to 101 in steps of at most 5: 11 changing rounds (55, 60, ..., 100, 101).
    CHECK(run_rounds(&book, &known, 110, k_wallet_round_cap_production) == 11);
    CHECK(book.consensus() == 101);
    CHECK(check_peg_in(known, 100) == PegInRejection::none);
}

TEST_CASE("a peg-in mined before the first consensus count is rejected", "[federation][wallet]") {
    KnownBlocks known;
    known.on_consensus_change(0, 101);
    CHECK(check_peg_in(known, 100) == PegInRejection::block_predates_sync);
    known.on_consensus_change(101, 102);
    CHECK(check_peg_in(known, 101) == PegInRejection::none);
    CHECK(check_peg_in(known, 102) == PegInRejection::block_not_in_consensus);

    KnownBlocks legacy({.sync_from_genesis = true});  // #2773
    legacy.on_consensus_change(0, 101);
    CHECK(check_peg_in(legacy, 100) == PegInRejection::none);
    CHECK(check_peg_in(legacy, 0) == PegInRejection::none);
}

TEST_CASE("finality wait: ready condition and bounded retries", "[federation][wallet]") {
    CHECK(finality_confs_reached(100, 10, 110));
    CHECK_FALSE(finality_confs_reached(100, 10, 109));
    CHECK_FALSE(finality_confs_reached(100, 10, std::nullopt));  // RPC error: no status.

    SyncWaitPolicy test = SyncWaitPolicy::test_env();
    CHECK(test.base_delay(0) == SimDuration::millis(100));
    CHECK(test.base_delay(599) == SimDuration::millis(100));
    CHECK(test.jitter_max() == SimDuration::millis(100));
    CHECK(sync_wait_step(test, 0, true) == SyncWaitStep::ready);
    CHECK(sync_wait_step(test, 599, false) == SyncWaitStep::retry);
    CHECK(sync_wait_step(test, 600, false) == SyncWaitStep::shut_down);
    CHECK(sync_wait_step(test, 600, true) == SyncWaitStep::ready);

    SyncWaitPolicy prod = SyncWaitPolicy::production();
    // backon's `next()`: the tenth retry (6.8 + 4.2 s) crosses the 10 s max unclamped, and the
    // delay stays there.
    const int64_t expected_ms[] = {200, 200, 400, 600, 1000, 1600, 2600, 4200, 6800, 11000, 11000};
    for (uint64_t i = 0; i < 11; ++i) {
        INFO("retry " << i);
        CHECK(prod.base_delay(i) == SimDuration::millis(expected_ms[i]));
    }
    CHECK(prod.base_delay(359) == SimDuration::seconds(11));
    CHECK(sync_wait_step(prod, 359, false) == SyncWaitStep::retry);
    CHECK(sync_wait_step(prod, 360, false) == SyncWaitStep::shut_down);

    // Without jitter the whole wait is 60 s (test) and 17.6 + 351 x 11 = 3878.6 s
    // (production; 3527.6 s if the crossing step were clamped to 10 s).
    SimDuration test_total;
    SimDuration prod_total;
    for (uint64_t i = 0; i < test.max_retries; ++i) {
        test_total += test.base_delay(i);
    }
    for (uint64_t i = 0; i < prod.max_retries; ++i) {
        prod_total += prod.base_delay(i);
    }
    CHECK(test_total == SimDuration::seconds(60));
    CHECK(prod_total == SimDuration::millis(3878600));
}
