// xoshiro256** (Blackman and Vigna, 2018) and integer-only distributions.
#include "sim/random.h"

namespace sim {

namespace {

// 128-bit products keep the distributions exact; __extension__ marks the GNU type as intended.
__extension__ typedef unsigned __int128 u128;

constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// ln(2) in Q32.32, rounded: 0.6931471805599453 * 2^32.
constexpr uint64_t k_ln2_q32 = 2977044472ULL;

// log2(x) in Q32.32 for x >= 1, by the classic shift-and-square method: the integer part from
// the highest set bit, then 32 fraction bits, each from squaring the normalised mantissa.
uint64_t log2_q32(uint64_t x) {
    SIM_ASSERT(x >= 1);
    int msb = 63 - __builtin_clzll(x);
    uint64_t result = static_cast<uint64_t>(msb) << 32;
    // Mantissa in Q1.62: [1, 2).
    u128 m = static_cast<u128>(x) << (62 - msb);
    const u128 two = static_cast<u128>(1) << 63;
    for (int bit = 31; bit >= 0; --bit) {
        m = (m * m) >> 62;
        if (m >= two) {
            m >>= 1;
            result |= 1ULL << bit;
        }
    }
    return result;
}

}  // namespace

uint64_t neg_ln_q32(uint64_t u) {
    SIM_ASSERT(u >= 1 && u <= (1ULL << 32));
    // -ln(u / 2^32) = (32 - log2(u)) * ln 2.
    uint64_t log2_u = log2_q32(u);
    uint64_t neg_log2 = (32ULL << 32) - log2_u;
    u128 product = static_cast<u128>(neg_log2) * k_ln2_q32;
    return static_cast<uint64_t>(product >> 32);
}

Random::Random(uint64_t seed) : seed_(seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) {
        word = splitmix64(&state);
    }
}

Random Random::fork(std::string_view name) const {
    uint64_t state = seed_ ^ hash_name(name);
    return Random(splitmix64(&state));
}

Random Random::fork(std::string_view name, uint64_t index) const {
    uint64_t state = seed_ ^ hash_name(name) ^ (index * 0xD1B54A32D192ED03ULL);
    return Random(splitmix64(&state));
}

uint64_t Random::next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

uint64_t Random::below(uint64_t bound) {
    SIM_ASSERT(bound > 0);
    u128 m = static_cast<u128>(next_u64()) * bound;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < bound) {
        const uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = static_cast<u128>(next_u64()) * bound;
            low = static_cast<uint64_t>(m);
        }
    }
    return static_cast<uint64_t>(m >> 64);
}

int64_t Random::range(int64_t lo, int64_t hi) {
    SIM_ASSERT(lo <= hi);
    uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (span == UINT64_MAX) {
        return static_cast<int64_t>(next_u64());
    }
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + below(span + 1));
}

bool Random::chance(Ratio r) {
    SIM_ASSERT(r.valid());
    if (r.num == 0) {
        return false;
    }
    if (r.num == r.den) {
        return true;
    }
    return below(r.den) < r.num;
}

SimDuration Random::duration(SimDuration lo, SimDuration hi) {
    return SimDuration::nanos(range(lo.ns(), hi.ns()));
}

SimDuration Random::exponential(SimDuration mean) {
    SIM_ASSERT(!mean.is_negative());
    if (mean == SimDuration::zero()) {
        return mean;
    }
    uint64_t u = (next_u64() >> 32) + 1;  // [1, 2^32]
    uint64_t factor_q32 = neg_ln_q32(u);
    constexpr uint64_t cap_q32 = 64ULL << 32;
    if (factor_q32 > cap_q32) {
        factor_q32 = cap_q32;
    }
    u128 ns = static_cast<u128>(mean.ns()) * factor_q32;
    ns >>= 32;
    if (ns > static_cast<u128>(INT64_MAX)) {
        return SimDuration::max();
    }
    return SimDuration::nanos(static_cast<int64_t>(ns));
}

int64_t Random::boundary_biased(int64_t lo, int64_t hi) {
    SIM_ASSERT(lo <= hi);
    if (below(2) == 0) {
        return range(lo, hi);
    }
    // One of the four edge values, clamped into the range for tiny ranges.
    switch (below(4)) {
        case 0:
            return lo;
        case 1:
            return lo < hi ? lo + 1 : lo;
        case 2:
            return lo < hi ? hi - 1 : hi;
        default:
            return hi;
    }
}

}  // namespace sim
