// Fake digest and the canonical byte encoding used to feed it.
#include "actors/chain/hash.h"

#include "sim/random.h"

namespace actors::chain {

bool Hash256::is_zero() const {
    for (uint8_t b : bytes) {
        if (b != 0) {
            return false;
        }
    }
    return true;
}

std::string Hash256::to_hex() const {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (uint8_t b : bytes) {
        out.push_back(k_digits[b >> 4]);
        out.push_back(k_digits[b & 0xf]);
    }
    return out;
}

uint64_t Hash256::prefix64() const {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) {
        v |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    }
    return v;
}

Hash256 digest(std::string_view bytes) {
    static constexpr uint64_t k_lane_seeds[4] = {
        0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
        0x082efa98ec4e6c89ULL};
    Hash256 out;
    for (size_t lane = 0; lane < 4; ++lane) {
        uint64_t h = 0xcbf29ce484222325ULL ^ k_lane_seeds[lane];
        for (char c : bytes) {
            h ^= static_cast<uint8_t>(c);
            h *= 0x100000001b3ULL;
        }
        // Length and a final avalanche keep short inputs and prefixes apart.
        uint64_t state = h ^ (static_cast<uint64_t>(bytes.size()) * 0x9E3779B97F4A7C15ULL);
        uint64_t v = sim::splitmix64(&state);
        v = sim::splitmix64(&state) ^ v;
        for (size_t i = 0; i < 8; ++i) {
            out.bytes[lane * 8 + i] = static_cast<uint8_t>(v >> (8 * i));
        }
    }
    return out;
}

PaymentHash payment_hash_of(const Preimage& preimage) {
    std::string buf = "payment-hash:";
    append_hash(&buf, preimage);
    return digest(buf);
}

Preimage preimage_from_label(std::string_view label) {
    std::string buf = "preimage:";
    buf.append(label);
    return digest(buf);
}

void append_u64(std::string* out, uint64_t v) {
    char le[8];
    for (size_t i = 0; i < 8; ++i) {
        le[i] = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
    }
    out->append(le, sizeof le);
}

void append_i64(std::string* out, int64_t v) { append_u64(out, static_cast<uint64_t>(v)); }

void append_hash(std::string* out, const Hash256& h) {
    out->append(h.bytes.begin(), h.bytes.end());
}

void append_str(std::string* out, std::string_view s) {
    append_u64(out, s.size());
    out->append(s);
}

}  // namespace actors::chain
