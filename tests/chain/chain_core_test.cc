// Chain core: heights and hashes, tx lookup and confirmations, mempool admission, amounts,
// coinbase maturity, MTP and block construction.
#include <catch2/catch.hpp>

#include "actors/chain/chain.h"
#include "tests/chain/chain_test_util.h"

using namespace actors::chain;
using namespace chain_test;

TEST_CASE("a fresh chain holds only genesis at height 0", "[chain]") {
    Chain chain;
    CHECK(chain.tip_height() == 0);
    REQUIRE(chain.block_hash(0).has_value());
    CHECK_FALSE(chain.block_hash(1).has_value());
    CHECK_FALSE(chain.block_hash(-1).has_value());
    CHECK(chain.tip().time == BlockTree::k_regtest_genesis_time);
    CHECK(chain.block_hash(0)->to_hex().size() == 64);
    // The genesis coinbase is not spendable and not indexed.
    CHECK(chain.utxos().empty());
    CHECK_FALSE(chain.find_tx(chain.tip().txids[0]).has_value());
}

TEST_CASE("mining extends the chain one height at a time", "[chain]") {
    Chain chain;
    for (int i = 1; i <= 20; ++i) {
        const Block& b = chain.mine();
        CHECK(b.height == i);
        CHECK(b.prev_hash == *chain.block_hash(i - 1));
        CHECK(chain.tip_height() == i);
    }
    CHECK(chain.block_hash(20).has_value());
    CHECK_FALSE(chain.block_hash(21).has_value());
}

TEST_CASE("the same operations give the same hashes", "[chain][determinism]") {
    auto run = [] {
        Chain chain;
        OutPoint coin = fund(chain, "alice");
        REQUIRE(chain.submit(spend(coin, SignedBy{"alice"}, {to_owner(10 * k_coin, "bob")})).ok());
        chain.mine();
        return chain.tip().hash;
    };
    CHECK(run() == run());
    Chain other(ChainParams{}, std::make_shared<BlockTree>(1700000000));
    CHECK(other.tip().hash != Chain().tip().hash);
}

TEST_CASE("submit hands back the txid it computed, the mempool and the block index use it",
          "[chain]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(10 * k_coin, "bob")});
    Txid id;
    REQUIRE(chain.submit(tx, &id).ok());
    CHECK(id == tx.txid());
    REQUIRE(chain.mempool().find(id) != nullptr);
    // A rejected resubmission still reports the txid.
    Txid again;
    CHECK(chain.submit(tx, &again).error == TxError::already_in_mempool);
    CHECK(again == id);
    const Block& b = chain.mine();
    REQUIRE(b.txids.size() == 2);
    CHECK(b.txids[1] == id);
    CHECK(chain.utxo(OutPoint{id, 0}) != nullptr);
    CHECK(chain.find_tx(id).has_value());
}

TEST_CASE("subsidy halves every 150 blocks on regtest", "[chain]") {
    CHECK(block_subsidy(1, 150) == 50 * k_coin);
    CHECK(block_subsidy(149, 150) == 50 * k_coin);
    CHECK(block_subsidy(150, 150) == 25 * k_coin);
    CHECK(block_subsidy(300, 150) == 1250000000);
    CHECK(block_subsidy(150 * 64, 150) == 0);
    Chain chain;
    CHECK(chain.mine().txs[0].outputs[0].value == 50 * k_coin);
}

TEST_CASE("tx lookup reports the containing block's height and tip - h + 1 confs", "[chain]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(50 * k_coin, "bob")});
    REQUIRE(chain.submit(tx).ok());
    auto status = chain.tx_status(tx.txid());
    REQUIRE(status.has_value());
    CHECK(status->in_mempool);
    CHECK(status->confirmations == 0);
    CHECK(status->height == -1);

    const Block& b = chain.mine();
    const int64_t h = b.height;
    REQUIRE(b.txs.size() == 2);
    status = chain.tx_status(tx.txid());
    REQUIRE(status.has_value());
    CHECK_FALSE(status->in_mempool);
    CHECK(status->height == h);
    CHECK(status->block_hash == b.hash);
    CHECK(status->confirmations == 1);
    mine_to(chain, h + 5);
    CHECK(chain.confirmations(tx.txid()) == 6);
    CHECK(chain.find_tx(tx.txid())->index == 1);
    CHECK_FALSE(chain.tx_status(Txid::zero()).has_value());
}

TEST_CASE("double spends are rejected in the mempool and in blocks", "[chain]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction a = spend(coin, SignedBy{"alice"}, {to_owner(50 * k_coin, "bob")});
    Transaction b = spend(coin, SignedBy{"alice"}, {to_owner(50 * k_coin, "carol")});
    REQUIRE(chain.submit(a).ok());
    CHECK(chain.submit(a).error == TxError::already_in_mempool);
    TxCheck r = chain.submit(b);
    CHECK(r.error == TxError::mempool_conflict);
    CHECK(r.index == 0);
    // A block may not hold both, and a block may not hold b after a is mined.
    Chain fresh;
    OutPoint c2 = fund(fresh, "alice");
    Transaction a2 = spend(c2, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    Transaction b2 = spend(c2, SignedBy{"alice"}, {to_owner(k_coin, "carol")});
    TxCheck both = fresh.mine_with({a2, b2});
    CHECK(both.error == TxError::missing_inputs);
    CHECK(both.index == 2);
    chain.mine();
    CHECK(chain.submit(b).error == TxError::missing_inputs);
    CHECK(chain.submit(a).error == TxError::already_confirmed);
    CHECK(chain.mine_with({b}).error == TxError::missing_inputs);
}

TEST_CASE("amounts are conserved; fees go to the coinbase", "[chain]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction too_much = spend(coin, SignedBy{"alice"}, {to_owner(50 * k_coin + 1, "bob")});
    CHECK(chain.submit(too_much).error == TxError::inputs_below_outputs);
    Transaction with_fee = spend(coin, SignedBy{"alice"},
                                 {to_owner(20 * k_coin, "bob"), to_owner(29 * k_coin, "alice")});
    REQUIRE(chain.submit(with_fee).ok());
    CHECK(chain.mempool().find(with_fee.txid())->fee == k_coin);
    const Block& b = chain.mine(MineOptions{.coinbase_owner = "pool"});
    CHECK(b.txs[0].outputs[0].value == block_subsidy(b.height, 150) + k_coin);
    // Every satoshi in the UTXO set came from a subsidy.
    Amount total = 0;
    for (const auto& [op, c] : chain.utxos()) {
        total += c.out.value;
    }
    Amount subsidies = 0;
    for (int64_t h = 1; h <= chain.tip_height(); ++h) {
        subsidies += block_subsidy(h, 150);
    }
    CHECK(total == subsidies);
}

TEST_CASE("context-free checks name the rule", "[chain]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction t = spend(coin, SignedBy{"alice"}, {to_owner(1, "bob")});
    Transaction no_in = t;
    no_in.inputs.clear();
    CHECK(chain.submit(no_in).error == TxError::no_inputs);
    Transaction no_out = t;
    no_out.outputs.clear();
    CHECK(chain.submit(no_out).error == TxError::no_outputs);
    Transaction negative = spend(coin, SignedBy{"alice"}, {to_owner(-1, "bob")});
    CHECK(chain.submit(negative).error == TxError::negative_output);
    Transaction huge = spend(coin, SignedBy{"alice"},
                             {to_owner(k_max_money, "bob"), to_owner(1, "bob")});
    CHECK(chain.submit(huge).error == TxError::output_too_large);
    Transaction dup = t;
    dup.inputs.push_back(dup.inputs[0]);
    CHECK(chain.submit(dup).error == TxError::duplicate_input);
    CHECK(chain.submit(make_coinbase(5, 1, "x")).error == TxError::coinbase_not_allowed);
    CHECK(std::string(reject_reason(TxError::non_final)) == "non-final");
    CHECK(chain.mempool().empty());
}

TEST_CASE("coinbase maturity: mempool at tip h+98 vs h+99, block h+99 vs h+100", "[chain]") {
    Chain chain;
    const Block& cb = chain.mine(MineOptions{.coinbase_owner = "alice"});
    const int64_t h = cb.height;
    OutPoint coin{cb.txids[0], 0};
    Transaction tx = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    mine_to(chain, h + 98);
    CHECK(chain.submit(tx).error == TxError::premature_coinbase_spend);
    CHECK(chain.mine_with({tx}).error == TxError::premature_coinbase_spend);  // block h+99
    CHECK(chain.tip_height() == h + 98);
    chain.mine();  // tip h+99: the next block is h+100
    CHECK(chain.test_mempool_accept(tx).ok());
    REQUIRE(chain.mine_with({tx}).ok());
    CHECK(chain.find_tx(tx.txid())->height == h + 100);
}

TEST_CASE("unconfirmed chains are accepted and mined parent first", "[chain][mempool]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction parent = spend(coin, SignedBy{"alice"}, {to_owner(50 * k_coin, "bob")});
    Transaction child = spend(OutPoint{parent.txid(), 0}, SignedBy{"bob"},
                              {to_owner(50 * k_coin, "carol")});
    CHECK(chain.submit(child).error == TxError::missing_inputs);
    REQUIRE(chain.submit(parent).ok());
    REQUIRE(chain.submit(child).ok());
    const Block& b = chain.mine(MineOptions{.max_txs = 1});
    CHECK(b.txs.size() == 2);
    CHECK(chain.mempool().size() == 1);
    chain.mine();
    CHECK(chain.find_tx(child.txid())->height == chain.tip_height());
    CHECK(coin_value(chain, OutPoint{child.txid(), 0}) == 50 * k_coin);
    CHECK(chain.owned_by("carol").size() == 1);
}

TEST_CASE("an invalid explicit block changes nothing", "[chain]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    const BlockHash tip = chain.tip().hash;
    Transaction good = spend(coin, SignedBy{"alice"}, {to_owner(k_coin, "bob")});
    Transaction bad = spend(OutPoint{good.txid(), 0}, SignedBy{"mallory"}, {to_owner(1, "m")});
    TxCheck r = chain.mine_with({good, bad});
    CHECK(r.error == TxError::wrong_signer);
    CHECK(r.index == 2);
    CHECK(chain.tip().hash == tip);
    CHECK(chain.utxo(coin) != nullptr);
}

TEST_CASE("median-time-past is Core's median of the last 11 header times", "[chain][mtp]") {
    Chain chain;
    const int64_t g = chain.tip().time;
    CHECK(chain.median_time_past(0) == g);
    // Times g+10, g+20, ... : with n blocks the median is the middle (upper middle if even).
    for (int i = 1; i <= 15; ++i) {
        chain.mine(MineOptions{.time = g + 10 * i});
    }
    CHECK(chain.median_time_past(1) == g + 10);  // {g, g+10}: upper middle
    CHECK(chain.median_time_past(2) == g + 10);  // {g, g+10, g+20}
    CHECK(chain.median_time_past(10) == g + 50);
    CHECK(chain.median_time_past(15) == g + 100);  // blocks 5..15
    // A header time at or below MTP(tip) is bumped to MTP + 1, as generatetoaddress does.
    const int64_t mtp = chain.tip_median_time_past();
    CHECK(chain.mine(MineOptions{.time = g}).time == mtp + 1);
    // Out-of-order times are allowed above MTP, and the median sorts them.
    CHECK(chain.mine(MineOptions{.time = g + 105}).time == g + 105);
}
