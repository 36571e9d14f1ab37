// The consensus state's fingerprint: the word fold and its memo give exactly the value of
// hashing item by item (sim::fingerprint_bytes for byte strings), and FederationState's kept
// words follow every kind of round (votes only, transactions, shares, peg-outs) and copies.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/federation/federation_state.h"
#include "actors/federation/state_fingerprint.h"
#include "sim/trace.h"

using namespace actors::federation;
namespace fp = actors::federation::state_fingerprint;
namespace chain = actors::chain;

TEST_CASE("bytes_word is the word sim::fingerprint_bytes mixes", "[federation][fingerprint]") {
    const std::string long_text(75, 'x');
    for (std::string_view bytes : {std::string_view(""), std::string_view("a"),
                                   std::string_view("0011:7"), std::string_view(long_text)}) {
        for (uint64_t h : {uint64_t{0}, uint64_t{1}, fp::k_seed, ~uint64_t{0}}) {
            CHECK(sim::fingerprint_mix(h, fp::bytes_word(bytes)) ==
                  sim::fingerprint_bytes(h, bytes));
        }
    }
}

TEST_CASE("outpoint_word hashes the outpoint's text", "[federation][fingerprint]") {
    chain::OutPoint op;
    for (size_t i = 0; i < op.txid.bytes.size(); ++i) {
        op.txid.bytes[i] = static_cast<uint8_t>(17 * i + 3);
    }
    for (uint32_t vout : {0u, 9u, 10u, 4294967295u}) {
        op.vout = vout;
        CHECK(fp::outpoint_word(op) == fp::bytes_word(op.to_string()));
    }
}

TEST_CASE("fold_memoised equals the fold, hit or miss", "[federation][fingerprint]") {
    auto plain = [](const std::vector<uint64_t>& w) { return fp::fold(fp::k_seed, w); };
    std::vector<uint64_t> a = {1, 2, 3, 4, 5};
    std::vector<uint64_t> b = {1, 2, 3, 4, 6};  // differs in the last word only
    std::vector<uint64_t> head = {1, 2};
    std::vector<uint64_t> tail = {3, 4, 5};
    std::vector<uint64_t> empty;
    CHECK(fp::fold_memoised({a}) == plain(a));
    CHECK(fp::fold_memoised({a}) == plain(a));  // a hit
    CHECK(fp::fold_memoised({b}) == plain(b));
    CHECK(plain(a) != plain(b));
    // The same words in other pieces are the same sequence.
    CHECK(fp::fold_memoised({head, tail}) == plain(a));
    CHECK(fp::fold_memoised({head, empty, tail}) == plain(a));
    CHECK(fp::fold_memoised({empty}) == fp::k_seed);
    // A prefix is another sequence.
    CHECK(fp::fold_memoised({head}) == plain(head));
    // More distinct sequences than the memo holds: evicted ones are folded again.
    for (uint64_t round = 0; round < 3; ++round) {
        for (uint64_t k = 0; k < 20; ++k) {
            std::vector<uint64_t> w = {k, k * 7, 42};
            CHECK(fp::fold_memoised({w}) == plain(w));
        }
    }
}

namespace {

Batch votes_batch(uint64_t round, uint64_t count) {
    Batch batch{.round = round, .proposals = {}};
    for (uint32_t p = 0; p < 4; ++p) {
        batch.proposals.push_back(Proposal{
            .peer = PeerId(p),
            .items = {VoteItem{VoteKind::ln_count, count + p},
                      VoteItem{VoteKind::lnv2_unix_time, 60 * (round + 1)}}});
    }
    return batch;
}

Batch tx_batch(uint64_t round, std::vector<FedTx> txs) {
    Batch batch = votes_batch(round, 10);
    for (Proposal& p : batch.proposals) {
        for (const FedTx& tx : txs) {
            p.items.emplace_back(tx);  // every guardian proposes it: applied once
        }
    }
    return batch;
}

// An incoming offer (accepted: an offer needs no funds) for the preimage labelled `label`.
OfferIncomingTx offer(uint64_t label, uint64_t amount_msat) {
    const Preimage preimage = preimage_from_label(label);
    return OfferIncomingTx{IncomingOfferV1{
        .amount_msat = amount_msat,
        .hash = payment_hash_of(preimage),
        .encrypted_preimage = {.ciphertext_id = label, .plaintext = preimage, .well_formed = true},
        .expiry_time_unix_secs = std::nullopt}};
}

}  // namespace

TEST_CASE("FederationState fingerprint follows votes, transactions, rejections and copies",
          "[federation][fingerprint]") {
    FederationState state(FederationParams{}, nullptr);
    std::vector<StateEvent> events;
    std::vector<uint64_t> seen;
    auto check = [&](const FederationState& s) {
        CHECK(s.fingerprint() == s.fingerprint_reference());
        seen.push_back(s.fingerprint());
    };
    check(state);
    uint64_t round = 0;
    state.apply_batch(votes_batch(round++, 5), &events);
    check(state);
    state.apply_batch(votes_batch(round++, 6), &events);
    check(state);
    // Transactions out of id order (the outcome words stay in id order), an accepted one,
    // rejected ones (no funds, no such contract), and a resubmission (processed once).
    state.apply_batch(tx_batch(round++, {FedTx{FedTxId{50}, offer(9, 2000)},
                                         FedTx{FedTxId{20}, PegOutTx{.client = ClientId(3),
                                                                     .amount_sat = 1000,
                                                                     .address = "bob"}}}),
                      &events);
    check(state);
    const FederationState copy = state;
    state.apply_batch(tx_batch(round++, {FedTx{FedTxId{35}, SpendIncomingTx{}},
                                         FedTx{FedTxId{50}, offer(9, 3000)},
                                         FedTx{FedTxId{5}, offer(4, 1000)}}),
                      &events);
    check(state);
    // A share for a contract the state does not hold changes nothing but the round.
    Batch shares = votes_batch(round++, 6);
    shares.proposals[0].items.emplace_back(ShareItem{.hash = {}, .valid = true});
    state.apply_batch(shares, &events);
    check(state);
    state.apply_batch(votes_batch(round++, 6), &events);
    check(state);
    // The copy kept its own words: equal to its reference, and to the state it was copied
    // from at that round.
    CHECK(copy.fingerprint() == copy.fingerprint_reference());
    CHECK(copy.fingerprint() == seen[3]);
    for (size_t i = 0; i < seen.size(); ++i) {
        for (size_t j = i + 1; j < seen.size(); ++j) {
            CHECK(seen[i] != seen[j]);
        }
    }
}

TEST_CASE("BookWords keeps an ordered book's words in key order, an entry per key",
          "[federation][fingerprint]") {
    fp::BookWords<PaymentHash, 2> book;
    auto hash = [](uint8_t first, uint8_t last) {
        PaymentHash h{};
        h[0] = first;
        h[31] = last;
        return h;
    };
    // Added out of order: the words follow the keys' order (std::map's), not the calls'.
    book.put(hash(5, 0), {50, 51});
    book.put(hash(1, 9), {10, 11});
    book.put(hash(5, 1), {52, 53});
    book.put(hash(3, 0), {30, 31});
    CHECK(book.size() == 4);
    std::vector<uint64_t> words(book.words().begin(), book.words().end());
    CHECK(words == std::vector<uint64_t>{10, 11, 30, 31, 50, 51, 52, 53});
    // A changed entry is overwritten in place.
    book.put(hash(3, 0), {32, 33});
    CHECK(book.size() == 4);
    words.assign(book.words().begin(), book.words().end());
    CHECK(words == std::vector<uint64_t>{10, 11, 32, 33, 50, 51, 52, 53});
}
