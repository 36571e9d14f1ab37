// Seeded randomness: the only source of chance in a run.
//
// Random is xoshiro256** seeded through splitmix64. Components never share a stream: each takes
// fork("name"), a stream derived from the root seed and the name alone, so adding an actor or
// drawing one more number in one place never shifts another component's draws.
// All distributions are integer-only and written here (no std:: distributions, no floating
// point), so a seed gives the same numbers under every compiler and standard library.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/assert.h"
#include "sim/time.h"

namespace sim {

// A probability as an exact fraction num/den (0 <= num <= den, den > 0).
struct Ratio {
    uint64_t num = 0;
    uint64_t den = 1;
    static constexpr Ratio never() { return {0, 1}; }
    static constexpr Ratio always() { return {1, 1}; }
    static constexpr Ratio percent(uint64_t p) { return {p, 100}; }
    static constexpr Ratio per_million(uint64_t p) { return {p, 1000000}; }
    constexpr bool is_zero() const { return num == 0; }
    constexpr bool valid() const { return den > 0 && num <= den; }
};

// 64-bit FNV-1a; used to derive stream seeds from names (stable across builds).
constexpr uint64_t hash_name(std::string_view name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : name) {
        h ^= static_cast<uint8_t>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

// One splitmix64 step: advances *state and returns a well-mixed value.
constexpr uint64_t splitmix64(uint64_t* state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

class Random {
public:
    explicit Random(uint64_t seed);

    // The seed this stream was created from (for forked streams: the derived seed).
    uint64_t seed() const { return seed_; }

    // An independent stream named `name`, a pure function of (this stream's seed, name).
    // Forking does not advance this stream.
    Random fork(std::string_view name) const;
    Random fork(std::string_view name, uint64_t index) const;

    uint64_t next_u64();

    // Uniform in [0, bound); bound > 0. Unbiased (Lemire's multiply-and-reject).
    uint64_t below(uint64_t bound);
    // Uniform in [lo, hi] inclusive; lo <= hi.
    int64_t range(int64_t lo, int64_t hi);
    // True with probability r.
    bool chance(Ratio r);
    // Uniform duration in [lo, hi].
    SimDuration duration(SimDuration lo, SimDuration hi);
    // Exponentially distributed duration with the given mean (integer fixed-point inverse
    // transform), capped at 64x the mean so one draw cannot stall a run.
    SimDuration exponential(SimDuration mean);
    // Picks a value in [lo, hi] biased toward the ends and their neighbours: with probability
    // 1/2 one of lo, lo+1, hi-1, hi; otherwise uniform. Off-by-one hunting for parameters.
    int64_t boundary_biased(int64_t lo, int64_t hi);

    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (size_t i = items.size(); i > 1; --i) {
            size_t j = static_cast<size_t>(below(i));
            std::swap(items[i - 1], items[j]);
        }
    }

    template <typename T>
    const T& pick(const std::vector<T>& items) {
        SIM_ASSERT(!items.empty());
        return items[static_cast<size_t>(below(items.size()))];
    }

private:
    uint64_t seed_;
    uint64_t s_[4];
};

// -ln(u / 2^32) in Q32.32 fixed point for u in [1, 2^32]; exposed for tests.
uint64_t neg_ln_q32(uint64_t u);

}  // namespace sim
