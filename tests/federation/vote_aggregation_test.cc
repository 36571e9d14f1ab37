// Vote aggregation, proposal and acceptance rules with hand-computed vectors.
//
// Every expected value below was worked out by hand from the rule text in fedimint.md 1.3-1.6:
// the comment next to each check shows the padded, sorted vector and the index picked.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "actors/federation/vote_aggregation.h"

using namespace actors::federation;

namespace {
Quorum q(uint64_t n) { return Quorum::of(n); }
}  // namespace

TEST_CASE("wallet v1: padded upper median over n", "[federation][votes][wallet]") {
    CHECK(aggregate_wallet_v1({7}, q(1)) == 7);
    CHECK(aggregate_wallet_v1({}, q(1)) == 0);
    // n=4: [10,20,30,40][2] -> the second-highest vote.
    CHECK(aggregate_wallet_v1({40, 10, 30, 20}, q(4)) == 30);
    // One missing vote pads a 0: [0,10,20,30][2].
    CHECK(aggregate_wallet_v1({10, 30, 20}, q(4)) == 20);
    CHECK(aggregate_wallet_v1({10, 20}, q(4)) == 10);  // [0,0,10,20][2]
    CHECK(aggregate_wallet_v1({5, 1, 4, 2, 3}, q(5)) == 3);
    CHECK(aggregate_wallet_v1({5, 4, 3}, q(5)) == 3);  // [0,0,3,4,5][2]
    CHECK(aggregate_wallet_v1({9, 8}, q(5)) == 0);     // [0,0,0,8,9][2]
    CHECK(aggregate_wallet_v1({1, 2, 3, 4, 5, 6, 7}, q(7)) == 4);
    CHECK(aggregate_wallet_v1({10, 20, 30, 40, 50, 60}, q(6)) == 40);  // [..][3]
}

TEST_CASE("LNv1: padded length is 3*(t/2)+1, n only when n = 3f+1", "[federation][votes][lnv1]") {
    struct Row {
        uint64_t n, padded;
    };
    const Row rows[] = {{1, 1}, {2, 4}, {3, 4},  {4, 4},   {5, 7},   {6, 7},
                        {7, 7}, {8, 10}, {9, 10}, {10, 10}, {11, 13}, {13, 13}};
    for (const Row& row : rows) {
        INFO("n=" << row.n);
        CHECK(ln_v1_padded_count(q(row.n)) == row.padded);
    }
    for (uint64_t n = 1; n <= 100; ++n) {
        INFO("n=" << n);
        uint64_t padded = ln_v1_padded_count(q(n));
        CHECK(padded >= n);
        CHECK((padded == n) == (n % 3 == 1));
    }
}

TEST_CASE("LNv1: median of the padded vector, quirk included", "[federation][votes][lnv1]") {
    CHECK(aggregate_ln_v1({7}, q(1)) == 7);
    CHECK(aggregate_ln_v1({40, 10, 30, 20}, q(4)) == 30);  // same as wallet v1 at n=3f+1.
    CHECK(aggregate_ln_v1({1, 2, 3, 4, 5, 6, 7}, q(7)) == 4);
    // n=2: [0,0,10,20][2] -> min(a, b).
    CHECK(aggregate_ln_v1({20, 10}, q(2)) == 10);
    // n=3: [0,10,20,30][2].
    CHECK(aggregate_ln_v1({10, 20, 30}, q(3)) == 20);
    // n=5: [0,0,10,20,30,40,50][3] -> the second-lowest vote, where wallet v1 takes 30.
    CHECK(aggregate_ln_v1({50, 40, 30, 20, 10}, q(5)) == 20);
    CHECK(aggregate_wallet_v1({50, 40, 30, 20, 10}, q(5)) == 30);
    // n=5 with one guardian silent: [0,0,0,10,20,30,40][3].
    CHECK(aggregate_ln_v1({10, 20, 30, 40}, q(5)) == 10);
    // n=6: [0,10,20,30,40,50,60][3] -> third-lowest (wallet v1: 40).
    CHECK(aggregate_ln_v1({10, 20, 30, 40, 50, 60}, q(6)) == 30);
}

TEST_CASE("LNv2: threshold-th highest, 0 below t votes", "[federation][votes][lnv2]") {
    // The #5723 example: 3/4 with 95 100 1000 1000 -> 100 (the median would be 1000).
    CHECK(aggregate_threshold_highest({95, 100, 1000, 1000}, q(4)) == 100);
    CHECK(aggregate_wallet_v1({95, 100, 1000, 1000}, q(4)) == 1000);
    CHECK(aggregate_threshold_highest({7}, q(1)) == 7);
    CHECK(aggregate_threshold_highest({}, q(1)) == 0);
    CHECK(aggregate_threshold_highest({5, 6, 7}, q(4)) == 5);
    CHECK(aggregate_threshold_highest({6, 7}, q(4)) == 0);
    CHECK(aggregate_threshold_highest({10, 20, 30, 40, 50}, q(5)) == 20);  // 4th highest
    CHECK(aggregate_threshold_highest({10, 20, 30, 40}, q(5)) == 10);
    CHECK(aggregate_threshold_highest({10, 20, 30}, q(5)) == 0);
    CHECK(aggregate_threshold_highest({1, 2, 3, 4, 5, 6, 7}, q(7)) == 3);  // 5th highest
    CHECK(aggregate_threshold_highest({1, 2, 3, 4}, q(7)) == 0);
}

TEST_CASE("Byzantine offsets stay inside the honest range", "[federation][votes][byzantine]") {
    CHECK(shift_vote(10, 5) == 15);
    CHECK(shift_vote(10, -20) == 0);
    CHECK(shift_vote(10, std::numeric_limits<int64_t>::min()) == 0);
    CHECK(shift_vote(UINT64_MAX - 1, 5) == UINT64_MAX);
    CHECK(shift_vote(UINT64_MAX, std::numeric_limits<int64_t>::max()) == UINT64_MAX);

    // n=4, f=1: honest 98, 99, 100 plus one liar.
    std::vector<uint64_t> honest = {98, 99, 100};
    auto with = [&](uint64_t lie) {
        std::vector<uint64_t> v = honest;
        v.push_back(lie);
        return v;
    };
    uint64_t high = shift_vote(100, 1000);
    uint64_t low = shift_vote(100, -1000);
    CHECK(aggregate_wallet_v1(with(high), q(4)) == 100);  // [98,99,100,1100][2]
    CHECK(aggregate_wallet_v1(with(low), q(4)) == 99);    // [0,98,99,100][2]
    CHECK(aggregate_ln_v1(with(high), q(4)) == 100);
    CHECK(aggregate_ln_v1(with(low), q(4)) == 99);
    CHECK(aggregate_threshold_highest(with(high), q(4)) == 99);  // [1100,100,99,98][2]
    CHECK(aggregate_threshold_highest(with(low), q(4)) == 98);   // [100,99,98,0][2]
}

TEST_CASE("wallet v1 proposal: finality delay, per-round cap, no status", "[federation][votes]") {
    WalletProposalInput in;
    in.finality_delay = 10;
    in.local_block_count = std::nullopt;
    CHECK_FALSE(wallet_v1_proposal(in).has_value());
    in.local_block_count = 5;
    CHECK(wallet_v1_proposal(in) == 0);  // saturating; proposed even though it is redundant.
    in.local_block_count = 10;
    CHECK(wallet_v1_proposal(in) == 0);
    in.local_block_count = 111;
    CHECK(wallet_v1_proposal(in) == 101);  // no consensus yet: no cap.
    in.consensus_block_count = 95;
    CHECK(wallet_v1_proposal(in) == 100);  // capped at 95 + 5.
    in.consensus_block_count = 96;
    CHECK(wallet_v1_proposal(in) == 101);
    in.consensus_block_count = 1;
    in.round_cap = k_wallet_round_cap_test;
    CHECK(wallet_v1_proposal(in) == 101);
    in.consensus_block_count = 0;
    in.local_block_count = 1000;
    CHECK(wallet_v1_proposal(in) == 990);
}

TEST_CASE("LNv1 and LNv2 proposals vote the raw count", "[federation][votes]") {
    CHECK(ln_v1_proposal(111, 50) == 111);
    CHECK_FALSE(ln_v1_proposal(std::nullopt, 50).has_value());
    CHECK(ln_v1_proposal(50, 50) == 50);
    LnV1ProposalOptions legacy{.propose_only_on_change = true};  // #3744
    CHECK_FALSE(ln_v1_proposal(50, 50, legacy).has_value());
    CHECK(ln_v1_proposal(51, 50, legacy) == 51);
    CHECK(ln_v2_block_count_proposal(111) == 111);
    CHECK_FALSE(ln_v2_block_count_proposal(std::nullopt).has_value());
}

// Why the #3744 knob cannot stall a count (vote_aggregation.h, LnV1ProposalOptions): the vote
// it withholds equals the consensus, and under every rule storing that vote leaves the
// consensus where it is, whatever the other peers stored. Exhaustive over every table of
// votes in {none, 1, 2, 3} for n = 4, 5, 7.
TEST_CASE("#3744: a vote equal to the consensus never moves it (every rule, n = 4, 5, 7)",
          "[federation][votes]") {
    for (VoteRule rule : {VoteRule::wallet_v1, VoteRule::ln_v1, VoteRule::ln_v2}) {
        for (uint64_t n : {4u, 5u, 7u}) {
            uint64_t tables = 1;
            for (uint64_t i = 0; i < n; ++i) {
                tables *= 4;
            }
            uint64_t moved = 0;
            for (uint64_t t = 0; t < tables; ++t) {
                VoteBook book(q(n), rule);
                for (uint64_t p = 0, digits = t; p < n; ++p, digits /= 4) {
                    if (digits % 4 != 0) {
                        REQUIRE(book.submit(PeerId(static_cast<uint32_t>(p)), digits % 4)
                                    .accepted());
                    }
                }
                for (uint32_t p = 0; p < n; ++p) {
                    VoteBook copy = book;
                    moved += copy.submit(PeerId(p), book.consensus()).consensus_changed() ? 1 : 0;
                }
            }
            INFO(to_string(rule) << " n = " << n);
            CHECK(moved == 0);
        }
    }
    // The edge: one above the consensus does move it. LNv1, n = 4: [0,0,0,1][2] = 0; a second
    // vote of 1 gives [0,0,1,1][2] = 1.
    VoteBook book(q(4), VoteRule::ln_v1);
    REQUIRE(book.submit(PeerId(3), 1).accepted());
    REQUIRE(book.consensus() == 0);
    CHECK(book.submit(PeerId(0), 1).consensus_after == 1);
}

TEST_CASE("LNv2 unix-time votes floor to the minute", "[federation][votes][lnv2]") {
    CHECK(ln_v2_unix_time_vote(1767225600) == 1767225600);
    CHECK(ln_v2_unix_time_vote(1767225659) == 1767225600);
    CHECK(ln_v2_unix_time_vote(1767225660) == 1767225660);
    CHECK(ln_v2_unix_time_vote(59) == 0);
    VoteBook book(q(4), VoteRule::ln_v2);
    const uint64_t votes[] = {120, 180, 180, 240};
    for (uint32_t p = 0; p < 4; ++p) {
        REQUIRE(book.submit(PeerId(p), votes[p]).accepted());
    }
    CHECK(book.consensus() == 180);  // [240,180,180,120][2]
}

TEST_CASE("votes must strictly increase per peer", "[federation][votes]") {
    CHECK(check_vote(0, 0) == VoteRejection::redundant);  // #3063: a first vote of 0.
    CHECK(check_vote(5, 5) == VoteRejection::redundant);
    CHECK(check_vote(5, 4) == VoteRejection::decreased);
    CHECK(check_vote(5, 6) == VoteRejection::none);

    VoteBook book(q(4), VoteRule::wallet_v1);
    CHECK(book.submit(PeerId(0), 0).rejection == VoteRejection::redundant);
    CHECK_FALSE(book.vote_of(PeerId(0)).has_value());
    CHECK(book.submit(PeerId(0), 50).accepted());
    CHECK(book.submit(PeerId(0), 49).rejection == VoteRejection::decreased);
    CHECK(book.vote_of(PeerId(0)) == 50);
    CHECK(describe(VoteRule::wallet_v1, VoteRejection::decreased) ==
          "Block count vote is outdated");
    CHECK(describe(VoteRule::ln_v1, VoteRejection::decreased) == "Block count vote decreased");
    CHECK(describe(VoteRule::ln_v2, VoteRejection::decreased) ==
          "Block count vote is redundant");
}

TEST_CASE("vote book reports consensus before and after", "[federation][votes]") {
    VoteBook book(q(4), VoteRule::wallet_v1);
    VoteOutcome a = book.submit(PeerId(0), 100);  // [0,0,0,100][2] = 0
    CHECK(a.accepted());
    CHECK_FALSE(a.consensus_changed());
    VoteOutcome b = book.submit(PeerId(1), 100);  // [0,0,100,100][2] = 100
    CHECK(b.consensus_before == 0);
    CHECK(b.consensus_after == 100);
    VoteOutcome c = book.submit(PeerId(2), 105);  // [0,100,100,105][2] = 100
    CHECK_FALSE(c.consensus_changed());
    VoteOutcome d = book.submit(PeerId(3), 103);  // [100,100,103,105][2] = 103
    CHECK(d.consensus_after == 103);

    VoteBook ln(q(5), VoteRule::ln_v1);
    for (uint32_t p = 0; p < 5; ++p) {
        REQUIRE(ln.submit(PeerId(p), 10 * (p + 1)).accepted());
    }
    CHECK(ln.consensus() == 20);
}

// VoteBook keeps its consensus as a cached value, recomputed in a buffer every book on the
// thread shares (VoteBook::submit): after any submit, on any book, it must equal the rule's
// aggregate of that book's stored votes. Two books of different sizes and rules, their submits
// interleaved, so a buffer left holding the other book's votes would show.
TEST_CASE("vote book: the cached consensus equals the aggregate of the stored votes",
          "[federation][votes]") {
    VoteBook wallet(q(7), VoteRule::wallet_v1);
    VoteBook ln(q(4), VoteRule::ln_v2);
    auto stored = [](const VoteBook& book) {
        std::vector<uint64_t> votes;
        for (uint32_t p = 0; p < book.quorum().n; ++p) {
            if (book.vote_of(PeerId(p)).has_value()) {
                votes.push_back(*book.vote_of(PeerId(p)));
            }
        }
        return votes;
    };
    // (book, peer, vote): wallet peers 0-6, LNv2 peers 0-3, alternating where both have peers
    // left; some raise a stored vote and one is rejected (LNv2 peer 1: 800 -> 500).
    struct Step {
        bool on_wallet;
        uint32_t peer;
        uint64_t vote;
    };
    const Step steps[] = {
        {true, 0, 100}, {false, 0, 900}, {true, 1, 90},  {false, 1, 800}, {true, 2, 110},
        {false, 2, 700}, {true, 3, 95},  {false, 3, 600}, {true, 4, 120}, {false, 0, 950},
        {true, 5, 80},  {true, 6, 130}, {false, 1, 500}, {true, 1, 140}, {false, 3, 990},
        {true, 0, 150}, {false, 2, 960},
    };
    for (const Step& s : steps) {
        VoteBook& book = s.on_wallet ? wallet : ln;
        (void)book.submit(PeerId(s.peer), s.vote);
        INFO(to_string(book.rule()) << " peer " << s.peer << " vote " << s.vote);
        CHECK(wallet.consensus() == aggregate(VoteRule::wallet_v1, stored(wallet), q(7)));
        CHECK(ln.consensus() == aggregate(VoteRule::ln_v2, stored(ln), q(4)));
    }
    CHECK(wallet.consensus() == 120);  // [80,95,110,120,130,140,150][3]
    CHECK(ln.consensus() == 950);      // [990,960,950,800][t - 1 = 2]
}
