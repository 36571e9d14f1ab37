// Reorgs: invalidating the top k blocks, competing branches, transactions returning to and being
// evicted from the mempool, and replicas following a chain across a fork.
#include <catch2/catch.hpp>

#include "actors/chain/chain.h"
#include "tests/chain/chain_test_util.h"

using namespace actors::chain;
using namespace chain_test;

namespace {

// Snapshot of the UTXO set as (outpoint, value, height) for equality checks.
std::vector<std::tuple<OutPoint, Amount, int64_t>> snapshot(const Chain& chain) {
    std::vector<std::tuple<OutPoint, Amount, int64_t>> out;
    for (const auto& [op, c] : chain.utxos()) {
        out.emplace_back(op, c.out.value, c.height);
    }
    return out;
}

}  // namespace

TEST_CASE("depth 1 reorg: the tx returns to the mempool and is re-mined", "[reorg]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    REQUIRE(chain.submit(tx).ok());
    const Block& b = chain.mine();
    const int64_t h = b.height;
    const BlockHash old_hash = b.hash;
    CHECK(chain.confirmations(tx.txid()) == 1);

    ReorgResult r = chain.invalidate_top(1);
    REQUIRE(r.ok());
    CHECK(r.disconnected == std::vector<BlockHash>{old_hash});
    CHECK(r.returned_to_mempool == std::vector<Txid>{tx.txid()});
    CHECK(chain.tip_height() == h - 1);
    CHECK_FALSE(chain.block_hash(h).has_value());
    CHECK(chain.tx_status(tx.txid())->in_mempool);
    CHECK(chain.confirmations(tx.txid()) == 0);
    CHECK(chain.utxo(coin) != nullptr);

    const Block& b2 = chain.mine();
    CHECK(b2.height == h);
    CHECK(b2.hash != old_hash);
    CHECK(chain.find_tx(tx.txid())->block_hash == b2.hash);
    CHECK(chain.tree()->find(old_hash) != nullptr);  // the stale block is still known
    CHECK_FALSE(chain.in_active_chain(old_hash));
}

TEST_CASE("depth 6 reorg: confirmations change with the competing branch", "[reorg]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    REQUIRE(chain.submit(tx).ok());
    const int64_t h = chain.mine().height;
    mine_to(chain, h + 5);
    CHECK(chain.confirmations(tx.txid()) == 6);
    ReorgResult r = chain.invalidate_top(6);
    REQUIRE(r.ok());
    CHECK(r.disconnected.size() == 6);
    CHECK(chain.tip_height() == h - 1);
    CHECK(chain.mempool().contains(tx.txid()));
    // The competing branch is one longer and confirms the tx in its first block again.
    for (int i = 0; i < 7; ++i) {
        chain.mine(MineOptions{.coinbase_owner = "other-miner"});
    }
    CHECK(chain.tip_height() == h + 6);
    CHECK(chain.find_tx(tx.txid())->height == h);
    CHECK(chain.confirmations(tx.txid()) == 7);
}

TEST_CASE("a conflicting branch evicts the returned tx and its descendants", "[reorg]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction pay_bob = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    REQUIRE(chain.submit(pay_bob).ok());
    chain.mine();
    Transaction bob_spends =
        spend(OutPoint{pay_bob.txid(), 0}, SignedBy{"bob"}, {to_owner(k_coin, "carol")});
    REQUIRE(chain.submit(bob_spends).ok());
    REQUIRE(chain.invalidate_top(1).ok());
    CHECK(chain.mempool().size() == 2);
    // The competing block double-spends alice's coin.
    Transaction pay_mallory = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "mallory")});
    REQUIRE(chain.mine_with({pay_mallory}).ok());
    CHECK(chain.mempool().empty());
    CHECK_FALSE(chain.tx_status(pay_bob.txid()).has_value());
    CHECK_FALSE(chain.tx_status(bob_spends.txid()).has_value());
    CHECK(chain.submit(pay_bob).error == TxError::missing_inputs);
}

TEST_CASE("a reorg re-checks locks and maturity at the new tip", "[reorg]") {
    Chain chain;
    const Block& cb = chain.mine(MineOptions{.coinbase_owner = "alice"});
    const int64_t h = cb.height;
    OutPoint coin{cb.txids[0], 0};
    mine_to(chain, h + 99);
    Transaction mature = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    REQUIRE(chain.submit(mature).ok());
    chain.mine();  // mined at h + 100, the first block where it is valid
    ReorgResult r = chain.invalidate_top(2);  // tip h + 98
    REQUIRE(r.ok());
    CHECK(r.evicted == std::vector<Txid>{mature.txid()});
    CHECK(r.returned_to_mempool.empty());
    CHECK(chain.mempool().empty());

    Chain c2;
    OutPoint coin2 = fund(c2, "alice");
    const auto H = static_cast<uint32_t>(c2.tip_height() + 2);
    Transaction locked =
        spend(coin2, SignedBy{"alice"}, {to_owner(k_coin, "bob")}, k_sequence_default, H);
    mine_to(c2, H);
    REQUIRE(c2.submit(locked).ok());
    c2.mine();  // H + 1
    CHECK(c2.invalidate_top(1).returned_to_mempool.size() == 1);  // tip H: still final next
    CHECK(c2.invalidate_top(1).evicted == std::vector<Txid>{locked.txid()});  // tip H - 1
}

TEST_CASE("disconnecting restores the UTXO set exactly", "[reorg]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    auto before = snapshot(chain);
    Transaction a = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    Transaction b = spend(OutPoint{a.txid(), 0}, SignedBy{"bob"}, {to_owner(k_coin, "carol")});
    REQUIRE(chain.mine_with({a, b}).ok());  // b spends a inside the same block
    CHECK(chain.utxo(OutPoint{a.txid(), 0}) == nullptr);
    REQUIRE(chain.invalidate_top(1).ok());
    CHECK(snapshot(chain) == before);
    CHECK(chain.mempool().size() == 2);
}

TEST_CASE("invalidate_top refuses to touch genesis", "[reorg]") {
    Chain chain;
    chain.mine();
    CHECK_FALSE(chain.invalidate_top(0).ok());
    CHECK_FALSE(chain.invalidate_top(2).ok());
    CHECK(chain.invalidate_top(1).ok());
    CHECK_FALSE(chain.invalidate_top(1).ok());
}

TEST_CASE("a replica follows another chain across a fork", "[reorg][sync]") {
    Chain canon;
    Chain node(canon.params(), canon.tree());
    OutPoint coin = fund(canon, "alice");
    REQUIRE(node.sync_to(canon.tip_ptr()).ok());
    CHECK(node.tip().hash == canon.tip().hash);
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    REQUIRE(canon.submit(tx).ok());
    canon.mine();
    canon.mine();
    REQUIRE(node.sync_to(canon.tip_ptr()).ok());
    CHECK(node.confirmations(tx.txid()) == 2);

    REQUIRE(canon.invalidate_top(2).ok());
    Transaction other = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "carol")});
    REQUIRE(canon.mine_with({other}).ok());
    canon.mine();
    canon.mine();
    ReorgResult r = node.sync_to(canon.tip_ptr());
    REQUIRE(r.ok());
    CHECK(r.disconnected.size() == 2);
    CHECK(r.connected.size() == 3);
    CHECK(r.evicted == std::vector<Txid>{tx.txid()});  // conflicts with the new branch
    CHECK(node.tip().hash == canon.tip().hash);
    CHECK(node.find_tx(other.txid())->height == canon.find_tx(other.txid())->height);
    CHECK_FALSE(node.tx_status(tx.txid()).has_value());
    CHECK(snapshot(node) == snapshot(canon));
}
