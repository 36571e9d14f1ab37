// The consensus state's fingerprint as a fold over 64-bit words, and what makes it cheap.
//
// FederationState::fingerprint() is sim::fingerprint_mix folded, from k_seed, over a sequence
// of 64-bit words: the round, the votes, the books (balances, UTXOs, contracts, gateways) and
// the outcome of every transaction (FederationState::fingerprint_reference() spells the
// sequence out by walking every map). A string-valued item (an outpoint, hashed as
// "<txid hex>:<vout>") is the one word sim::fingerprint_bytes mixes for those bytes, so the
// fold gives bit for bit the value of hashing item by item.
//
// The state keeps its words between rounds (most rounds order votes only, which change a few
// header words), so a fingerprint walks no map. Folding is a serial chain of multiplies, one
// per word; the guardians of a federation hold equal states after each round, so
// fold_memoised() remembers the last few word sequences it folded and, for an equal sequence
// (compared word for word), returns the remembered value instead of folding again.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

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

// fold(k_seed, the pieces concatenated); the same value, from a per-thread memo of the last
// few sequences when an equal one was folded recently.
uint64_t fold_memoised(std::initializer_list<std::span<const uint64_t>> pieces);

}  // namespace actors::federation::state_fingerprint
