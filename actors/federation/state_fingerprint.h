// The consensus state's fingerprint as a fold over 64-bit words, and what makes it cheap.
//
// FederationState::fingerprint() is sim::fingerprint_mix folded, from k_seed, over a sequence
// of 64-bit words: the round, the votes, the books (balances, UTXOs, contracts) and
// the outcome of every transaction (FederationState::fingerprint_reference() spells the
// sequence out by walking every map). A string-valued item (an outpoint, hashed as
// "<txid hex>:<vout>") is the one word sim::fingerprint_bytes mixes for those bytes, so the
// fold gives bit for bit the value of hashing item by item.
//
// The state keeps its words between rounds (most rounds order votes only, which change a few
// header words), so a fingerprint walks no map: the contract books, which grow with every
// payment, keep theirs entry by entry as they change (BookWords). Folding is a serial chain of
// multiplies, one per word; the guardians of a federation hold equal states after each round, so
// fold_memoised() remembers the last few word sequences it folded and, for an equal sequence
// (compared word for word), returns the remembered value instead of folding again.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "actors/chain/transaction.h"

namespace actors::federation::state_fingerprint {

constexpr uint64_t k_seed = 0x4645444552415445ULL;

// The word sim::fingerprint_bytes(h, bytes) mixes into h:
// sim::fingerprint_bytes(h, bytes) == sim::fingerprint_mix(h, bytes_word(bytes)) for every h.
uint64_t bytes_word(std::string_view bytes);
// bytes_word(op.to_string()), without building the string.
uint64_t outpoint_word(const chain::OutPoint& op);

// sim::fingerprint_mix folded over `words`, starting from h.
uint64_t fold(uint64_t h, std::span<const uint64_t> words);

// The words of one ordered book (a std::map or std::set keyed by Key, W words per entry), kept
// in the book's key order as entries are added or changed, so a fingerprint reads the book as
// one span instead of walking the tree. The owner calls put() after every change to an entry;
// FederationState::fingerprint_reference() walks the book itself, and the federation tests
// compare the two after every round.
template <class Key, size_t W>
class BookWords {
public:
    // Sets the words of `key`'s entry, adding the entry in key order if it is new.
    void put(const Key& key, const std::array<uint64_t, W>& words) {
        auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
        const auto at = static_cast<std::ptrdiff_t>(W) * (it - keys_.begin());
        if (it == keys_.end() || key < *it) {
            keys_.insert(it, key);
            words_.insert(words_.begin() + at, words.begin(), words.end());
            return;
        }
        std::copy(words.begin(), words.end(), words_.begin() + at);
    }
    std::span<const uint64_t> words() const { return words_; }
    size_t size() const { return keys_.size(); }

private:
    std::vector<Key> keys_;       // sorted by Key's operator<, the order of std::map<Key, ...>
    std::vector<uint64_t> words_; // entry i's words at [W * i, W * i + W)
};

// fold(k_seed, the pieces concatenated); the same value, from a per-thread memo of the last
// few sequences when an equal one was folded recently.
uint64_t fold_memoised(std::initializer_list<std::span<const uint64_t>> pieces);

}  // namespace actors::federation::state_fingerprint
