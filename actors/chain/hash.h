// Hash256: the fake 32-byte digest behind txids, block hashes and HTLC payment hashes.
//
// The model has no cryptography. A digest only has to be deterministic, well mixed and stable
// across compilers so a seed always names the same blocks; it is not collision resistant
// against an adversary, and nothing in a simulation tries to find collisions.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace actors::chain {

struct Hash256 {
    std::array<uint8_t, 32> bytes{};

    static Hash256 zero() { return Hash256{}; }
    bool is_zero() const;
    // Lowercase hex of the bytes in order (64 characters).
    std::string to_hex() const;
    // The first 8 bytes as an integer, for trace fingerprints.
    uint64_t prefix64() const;
    auto operator<=>(const Hash256&) const = default;
};

// The key hash of unordered containers of digests: their first 8 bytes, which digest() spreads
// uniformly. Only for containers that are never iterated (their order is not deterministic
// across standard libraries); lookups by value are.
struct Hash256Hasher {
    size_t operator()(const Hash256& h) const noexcept {
        uint64_t v = 0;
        std::memcpy(&v, h.bytes.data(), sizeof v);
        return static_cast<size_t>(v);
    }
};

// Digest of arbitrary bytes. Four independently seeded 64-bit lanes, each an FNV-1a pass
// finished with splitmix64, so every input byte affects every output byte.
Hash256 digest(std::string_view bytes);

using Txid = Hash256;
using BlockHash = Hash256;
// HTLC hash lock: payment_hash == payment_hash_of(preimage).
using Preimage = Hash256;
using PaymentHash = Hash256;

PaymentHash payment_hash_of(const Preimage& preimage);
// A preimage named by a seed-independent label ("invoice-7"), convenient in tests and scenarios.
Preimage preimage_from_label(std::string_view label);

// Appends fixed-width little-endian encodings; the canonical serialisation behind digests.
void append_u64(std::string* out, uint64_t v);
void append_i64(std::string* out, int64_t v);
void append_hash(std::string* out, const Hash256& h);
void append_str(std::string* out, std::string_view s);

}  // namespace actors::chain
