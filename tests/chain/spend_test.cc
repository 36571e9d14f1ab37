// Spending conditions: single owner, federation multisig (peg-in / peg-out), Lightning channel
// funding, force-close with HTLC-timeout (nLockTime = expiry) and HTLC-success, revocation.
#include <catch2/catch.hpp>

#include "actors/chain/chain.h"
#include "actors/chain/spend.h"
#include "tests/chain/chain_test_util.h"

using namespace actors::chain;
using namespace chain_test;

namespace {

const PayToMultisig k_federation{{"guardian0", "guardian1", "guardian2", "guardian3"}, 3};

}  // namespace

TEST_CASE("a single-owner output needs its owner's signature", "[spend]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    CHECK(chain.submit(spend(coin, SignedBy{"bob"}, {to_owner(1, "bob")})).error ==
          TxError::wrong_signer);
    CHECK(chain.submit(spend(coin, HtlcTimeout{"alice"}, {to_owner(1, "bob")})).error ==
          TxError::witness_mismatch);
    CHECK(chain.submit(spend(coin, SignedBy{"alice"}, {to_owner(1, "bob")})).ok());
}

TEST_CASE("peg-in to the federation multisig and peg-out need a threshold", "[spend]") {
    Chain chain;
    OutPoint coin = fund(chain, "alice");
    Transaction peg_in = spend(coin, SignedBy{"alice"}, {TxOut{10 * k_coin, k_federation},
                                                         to_owner(40 * k_coin, "alice")});
    REQUIRE(chain.submit(peg_in).ok());
    chain.mine();
    OutPoint fed{peg_in.txid(), 0};
    auto peg_out = [&](std::vector<std::string> signers) {
        return spend(fed, MultisigSigned{std::move(signers)}, {to_owner(10 * k_coin, "bob")});
    };
    CHECK(chain.submit(peg_out({"guardian0", "guardian1"})).error == TxError::wrong_signer);
    CHECK(chain.submit(peg_out({"guardian0", "guardian0", "guardian1"})).error ==
          TxError::wrong_signer);
    CHECK(chain.submit(peg_out({"guardian0", "guardian1", "mallory"})).error ==
          TxError::wrong_signer);
    CHECK(chain.submit(spend(fed, SignedBy{"guardian0"}, {to_owner(1, "b")})).error ==
          TxError::witness_mismatch);
    REQUIRE(chain.submit(peg_out({"guardian3", "guardian1", "guardian2"})).ok());
    chain.mine();
    CHECK(chain.owned_by("bob").size() == 1);
}

namespace {

struct Channel {
    OutPoint funding;
    Transaction commitment;  // alice's commitment: to_local, to_remote, one offered HTLC
    Preimage preimage = preimage_from_label("invoice-1");
    uint32_t expiry = 0;
    uint32_t to_self_delay = 6;
};

// Opens an alice-bob channel and confirms alice's commitment (her force close).
Channel force_close(Chain& chain, uint32_t expiry_offset) {
    Channel ch;
    OutPoint coin = fund(chain, "alice");
    Transaction funding = spend(
        coin, SignedBy{"alice"}, {TxOut{50 * k_coin, PayToMultisig{{"alice", "bob"}, 2}}});
    REQUIRE(chain.submit(funding).ok());
    chain.mine();
    ch.funding = OutPoint{funding.txid(), 0};
    ch.expiry = static_cast<uint32_t>(chain.tip_height()) + expiry_offset;
    ch.commitment = spend(
        ch.funding, MultisigSigned{{"alice", "bob"}},
        {TxOut{30 * k_coin, PayToCsvDelayed{"alice", ch.to_self_delay, "bob"}},
         to_owner(15 * k_coin, "bob"),
         TxOut{5 * k_coin, PayToHtlc{payment_hash_of(ch.preimage), "bob", "alice", ch.expiry,
                                     "bob", 0}}});
    REQUIRE(chain.submit(ch.commitment).ok());
    chain.mine();
    return ch;
}

Transaction htlc_timeout(const Channel& ch, uint32_t lock_time, uint32_t sequence) {
    OutPoint htlc{ch.commitment.txid(), 2};
    return spend(htlc, HtlcTimeout{"alice"},
                 {TxOut{5 * k_coin, PayToCsvDelayed{"alice", ch.to_self_delay, "bob"}}}, sequence,
                 lock_time);
}

}  // namespace

TEST_CASE("HTLC-timeout with nLockTime = expiry: mempool at tip E, mined at E+1", "[spend][ln]") {
    Chain chain;
    Channel ch = force_close(chain, 10);
    const int64_t E = ch.expiry;
    Transaction timeout = htlc_timeout(ch, ch.expiry, k_sequence_default);
    mine_to(chain, E - 1);
    CHECK(chain.submit(timeout).error == TxError::non_final);
    CHECK(chain.mine_with({timeout}).error == TxError::non_final);  // block E
    chain.mine();
    REQUIRE(chain.tip_height() == E);
    REQUIRE(chain.submit(timeout).ok());
    CHECK(chain.mine().height == E + 1);
    CHECK(chain.find_tx(timeout.txid())->height == E + 1);
}

TEST_CASE("the CLTV branch cannot be bypassed", "[spend][ln]") {
    Chain chain;
    Channel ch = force_close(chain, 5);
    mine_to(chain, ch.expiry + 10);
    // A lower nLockTime is final already but fails OP_CHECKLOCKTIMEVERIFY.
    CHECK(chain.submit(htlc_timeout(ch, ch.expiry - 1, k_sequence_default)).error ==
          TxError::cltv_unsatisfied);
    // A final sequence would disable nLockTime, so CLTV refuses it.
    CHECK(chain.submit(htlc_timeout(ch, ch.expiry, k_sequence_final)).error ==
          TxError::cltv_unsatisfied);
    // A time-based nLockTime does not satisfy a height-based CLTV.
    CHECK(chain.submit(htlc_timeout(ch, k_locktime_threshold + 1, k_sequence_default)).error ==
          TxError::cltv_unsatisfied);
    Transaction wrong_signer = htlc_timeout(ch, ch.expiry, k_sequence_default);
    wrong_signer.inputs[0].witness = HtlcTimeout{"bob"};
    CHECK(chain.submit(wrong_signer).error == TxError::wrong_signer);
    CHECK(chain.submit(htlc_timeout(ch, ch.expiry, k_sequence_default)).ok());
}

TEST_CASE("HTLC-success needs the preimage, and races the timeout", "[spend][ln]") {
    Chain chain;
    Channel ch = force_close(chain, 3);
    OutPoint htlc{ch.commitment.txid(), 2};
    Transaction bad = spend(htlc, HtlcSuccess{"bob", preimage_from_label("wrong")},
                            {to_owner(5 * k_coin, "bob")});
    CHECK(chain.submit(bad).error == TxError::bad_preimage);
    Transaction thief =
        spend(htlc, HtlcSuccess{"carol", ch.preimage}, {to_owner(5 * k_coin, "carol")});
    CHECK(chain.submit(thief).error == TxError::wrong_signer);
    Transaction success =
        spend(htlc, HtlcSuccess{"bob", ch.preimage}, {to_owner(5 * k_coin, "bob")});
    CHECK(chain.test_mempool_accept(success).ok());  // before expiry: no lock on this branch
    mine_to(chain, ch.expiry);
    REQUIRE(chain.submit(success).ok());
    CHECK(chain.submit(htlc_timeout(ch, ch.expiry, k_sequence_default)).error ==
          TxError::mempool_conflict);
    chain.mine();
    CHECK(chain.submit(htlc_timeout(ch, ch.expiry, k_sequence_default)).error ==
          TxError::missing_inputs);
    // The offerer learns the preimage from the spending tx's witness.
    auto spender = chain.spender_of(htlc);
    REQUIRE(spender.has_value());
    CHECK(*spender == success.txid());
    const Transaction* on_chain = chain.get_transaction(*spender);
    REQUIRE(on_chain != nullptr);
    CHECK(std::get<HtlcSuccess>(on_chain->inputs[0].witness).preimage == ch.preimage);
    REQUIRE(chain.invalidate_top(1).ok());
    CHECK_FALSE(chain.spender_of(htlc).has_value());
    CHECK(chain.get_transaction(success.txid()) != nullptr);  // back in the mempool
}

TEST_CASE("to_local waits to_self_delay; the revocation key does not", "[spend][ln]") {
    Chain chain;
    Channel ch = force_close(chain, 20);
    const int64_t c = chain.find_tx(ch.commitment.txid())->height;
    OutPoint to_local{ch.commitment.txid(), 0};
    Transaction sweep = spend(to_local, SignedBy{"alice"}, {to_owner(30 * k_coin, "alice")},
                              sequence_blocks(ch.to_self_delay));
    mine_to(chain, c + ch.to_self_delay - 2);
    CHECK(chain.submit(sweep).error == TxError::sequence_locked);
    Transaction penalty = spend(to_local, Revocation{"bob"}, {to_owner(30 * k_coin, "bob")});
    Transaction fake_penalty = spend(to_local, Revocation{"carol"}, {to_owner(1, "carol")});
    CHECK(chain.submit(fake_penalty).error == TxError::wrong_signer);
    REQUIRE(chain.submit(penalty).ok());
    chain.mine();
    CHECK(chain.submit(sweep).error == TxError::missing_inputs);
}

TEST_CASE("anchor-style HTLC outputs also need a relative lock of csv blocks", "[spend][ln]") {
    Transaction tx;
    tx.inputs.push_back(TxIn{OutPoint{}, k_sequence_default, HtlcSuccess{"bob", Preimage{}}});
    tx.outputs.push_back(to_owner(1, "bob"));
    TxOut out{1, PayToHtlc{payment_hash_of(Preimage{}), "bob", "alice", 100, "", 1}};
    CHECK(check_spend(tx, 0, out).error == TxError::csv_unsatisfied);
    tx.inputs[0].sequence = sequence_blocks(1);
    CHECK(check_spend(tx, 0, out).ok());
    CHECK(check_lock_time_verify(tx, 0, 0));
    CHECK_FALSE(check_sequence_verify(tx, 0, 2));
}
