// Timelock boundaries from Bitcoin Core's rules: nLockTime heights (IsFinalTx), time locks
// against median-time-past (BIP 113), and relative locks (BIP 68 / BIP 112).
#include <catch2/catch.hpp>

#include "actors/chain/chain.h"
#include "actors/chain/locks.h"
#include "tests/chain/chain_test_util.h"

using namespace actors::chain;
using namespace chain_test;

TEST_CASE("nLockTime H: rejected in block H, accepted in block H+1", "[locks]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    const auto lock = static_cast<uint32_t>(chain.tip_height() + 5);
    const int64_t H = lock;
    Transaction tx =
        spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")}, k_sequence_default, lock);
    mine_to(chain, H - 1);
    // The next block would be H: not final there.
    TxCheck r = chain.mine_with({tx});
    CHECK(r.error == TxError::non_final);
    CHECK(chain.tip_height() == H - 1);
    chain.mine();  // tip H
    REQUIRE(chain.mine_with({tx}).ok());
    CHECK(chain.find_tx(tx.txid())->height == H + 1);
}

TEST_CASE("nLockTime H: mempool rejects at tip H-1, accepts at tip H", "[locks][mempool]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    const int64_t H = chain.tip_height() + 3;
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")},
                           k_sequence_default, static_cast<uint32_t>(H));
    mine_to(chain, H - 1);
    CHECK(chain.submit(tx).error == TxError::non_final);
    chain.mine();
    CHECK(chain.tip_height() == H);
    REQUIRE(chain.submit(tx).ok());
    CHECK(chain.mine().height == H + 1);
    CHECK(chain.confirmations(tx.txid()) == 1);
}

TEST_CASE("nLockTime is void when every input has a final sequence", "[locks]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")}, k_sequence_final,
                           static_cast<uint32_t>(chain.tip_height() + 50));
    CHECK(chain.submit(tx).ok());
    CHECK(is_final_tx(tx, 0, 0));
    tx.inputs[0].sequence = k_sequence_default;
    CHECK_FALSE(is_final_tx(tx, 1, 0));
}

TEST_CASE("time locks compare with median-time-past, not the header time", "[locks][mtp]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    // One second per block from here on: MTP(tip) = tip.time - 5 once 11 blocks are in.
    const int64_t base = chain.tip().time;
    for (int i = 1; i <= 11; ++i) {
        chain.mine(MineOptions{.time = base + i});
    }
    const int64_t T = chain.tip_median_time_past() + 3;
    REQUIRE(T >= k_locktime_threshold);
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")},
                           k_sequence_default, static_cast<uint32_t>(T));
    int64_t t = base + 11;
    while (chain.tip_median_time_past() < T) {
        chain.mine(MineOptions{.time = ++t});
    }
    REQUIRE(chain.tip_median_time_past() == T);
    CHECK(chain.tip().time > T);  // the header is past the lock; MTP is not
    CHECK(chain.submit(tx).error == TxError::non_final);
    CHECK(chain.mine_with({tx}, MineOptions{.time = t + 1}).error == TxError::non_final);
    chain.mine(MineOptions{.time = ++t});
    REQUIRE(chain.tip_median_time_past() == T + 1);
    CHECK(chain.submit(tx).ok());
}

namespace {

// Confirms a PayToCsvDelayed{"alice", n} output; returns it and the height it was mined at.
std::pair<OutPoint, int64_t> csv_output(Chain& chain, uint32_t n) {
    OutPoint coin = fund(chain, "alice");
    Transaction t =
        spend(coin, SignedBy{"alice"}, {TxOut{k_coin, PayToCsvDelayed{"alice", n, ""}}});
    REQUIRE(chain.submit(t).ok());
    const Block& b = chain.mine();
    return {OutPoint{t.txid(), 0}, b.height};
}

}  // namespace

TEST_CASE("CSV n on an output mined at h: block h+n-1 rejected, h+n accepted", "[locks][csv]") {
    for (uint32_t n : {2U, 3U, 6U, 144U}) {
        Chain chain;
        auto [op, h] = csv_output(chain, n);
        Transaction tx = spend(op, SignedBy{"alice"}, {to_owner(k_coin, "alice")},
                               sequence_blocks(n));
        mine_to(chain, h + n - 2);
        INFO("n=" << n << " h=" << h);
        CHECK(chain.mine_with({tx}).error == TxError::sequence_locked);  // would be h+n-1
        chain.mine();
        REQUIRE(chain.tip_height() == h + n - 1);
        REQUIRE(chain.mine_with({tx}).ok());
        CHECK(chain.find_tx(tx.txid())->height == h + n);
    }
}

TEST_CASE("CSV 1: not in the output's own block, fine in the next", "[locks][csv]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction t =
        spend(coin, SignedBy{"alice"}, {TxOut{k_coin, PayToCsvDelayed{"alice", 1, ""}}});
    Transaction tx = spend(OutPoint{t.txid(), 0}, SignedBy{"alice"}, {to_owner(k_coin, "a")},
                           sequence_blocks(1));
    const int64_t h = chain.tip_height() + 1;
    CHECK(chain.mine_with({t, tx}).error == TxError::sequence_locked);
    REQUIRE(chain.mine_with({t}).ok());
    REQUIRE(chain.mine_with({tx}).ok());
    CHECK(chain.find_tx(tx.txid())->height == h + 1);
}

TEST_CASE("CSV n in the mempool: tip h+n-2 rejected, tip h+n-1 accepted", "[locks][csv]") {
    Chain chain;
    const uint32_t n = 10;
    auto [op, h] = csv_output(chain, n);
    Transaction tx =
        spend(op, SignedBy{"alice"}, {to_owner(k_coin, "alice")}, sequence_blocks(n));
    mine_to(chain, h + n - 2);
    CHECK(chain.submit(tx).error == TxError::sequence_locked);
    chain.mine();
    CHECK(chain.submit(tx).ok());
}

TEST_CASE("the CSV condition needs nSequence to commit to the delay", "[locks][csv]") {
    Chain chain;
    const uint32_t n = 5;
    auto [op, h] = csv_output(chain, n);
    mine_to(chain, h + 20);
    Transaction short_seq =
        spend(op, SignedBy{"alice"}, {to_owner(k_coin, "alice")}, sequence_blocks(n - 1));
    CHECK(chain.submit(short_seq).error == TxError::csv_unsatisfied);
    Transaction disabled = spend(op, SignedBy{"alice"}, {to_owner(k_coin, "alice")},
                                 k_sequence_disable_flag | n);
    CHECK(chain.submit(disabled).error == TxError::csv_unsatisfied);
    Transaction time_type =
        spend(op, SignedBy{"alice"}, {to_owner(k_coin, "alice")}, sequence_time_units(n));
    CHECK(chain.submit(time_type).error == TxError::csv_unsatisfied);
    Transaction v1 = spend(op, SignedBy{"alice"}, {to_owner(k_coin, "alice")}, sequence_blocks(n));
    v1.version = 1;
    CHECK(chain.submit(v1).error == TxError::csv_unsatisfied);
    Transaction ok = spend(op, SignedBy{"alice"}, {to_owner(k_coin, "alice")}, sequence_blocks(n));
    CHECK(chain.submit(ok).ok());
}

TEST_CASE("BIP 68 applies to any input of a version 2 tx, not to version 1", "[locks]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction pay = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    REQUIRE(chain.submit(pay).ok());
    const int64_t h = chain.mine().height;
    Transaction locked = spend(OutPoint{pay.txid(), 0}, SignedBy{"bob"}, {to_owner(k_coin, "c")},
                               sequence_blocks(3));
    CHECK(chain.submit(locked).error == TxError::sequence_locked);  // next block h+1 < h+3
    Transaction v1 = locked;
    v1.version = 1;
    CHECK(chain.test_mempool_accept(v1).ok());
    mine_to(chain, h + 2);
    CHECK(chain.submit(locked).ok());
}

TEST_CASE("time-based relative locks count from MTP of the block before the coin", "[locks]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction pay = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    REQUIRE(chain.submit(pay).ok());
    int64_t t = chain.tip().time;
    const int64_t h = chain.mine(MineOptions{.time = t + 100}).height;
    t += 100;
    const int64_t start = chain.median_time_past(h - 1);
    // One unit = 512 s: min_time = start + 511; valid once MTP(prev) > start + 511.
    Transaction tx = spend(OutPoint{pay.txid(), 0}, SignedBy{"bob"}, {to_owner(k_coin, "c")},
                           sequence_time_units(1));
    while (chain.tip_median_time_past() < start + 511) {
        t += 7;
        chain.mine(MineOptions{.time = t});
    }
    if (chain.tip_median_time_past() == start + 511) {
        CHECK(chain.submit(tx).error == TxError::sequence_locked);
        t += 7;
        chain.mine(MineOptions{.time = t});
    }
    REQUIRE(chain.tip_median_time_past() > start + 511);
    CHECK(chain.submit(tx).ok());
    SequenceLocks locks;
    locks.min_time = 1000;
    CHECK_FALSE(evaluate_sequence_locks(locks, LockContext{5, 1000}));
    CHECK(evaluate_sequence_locks(locks, LockContext{5, 1001}));
}
