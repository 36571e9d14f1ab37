// Shared pieces of the engine benchmarks W1-W3 (workload spec: docs/performance.md, taken
// from the peer benchmarks so the numbers compare): the SplitMix64 streams the spec fixes,
// "--key=value" arguments, wall timing of the run loop only, and the result line format.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace bench {

// The spec's per-entity stream: stream i starts at 42 + i * 0xD1B54A32D192ED03.
class SpecStream {
public:
    explicit SpecStream(uint64_t stream) : s_(42 + stream * 0xD1B54A32D192ED03ULL) {}
    uint64_t next() {
        uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Microseconds, uniform in [1, 1000].
    uint64_t delay_us() { return 1 + next() % 1000; }

private:
    uint64_t s_;
};

inline uint64_t arg_u64(int argc, char** argv, const char* key, uint64_t fallback) {
    std::string prefix = std::string("--") + key + "=";
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) == 0) {
            return std::strtoull(argv[i] + prefix.size(), nullptr, 10);
        }
    }
    return fallback;
}

class Stopwatch {
public:
    Stopwatch() : t0_(std::chrono::steady_clock::now()) {}
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    }

private:
    std::chrono::steady_clock::time_point t0_;
};

// "<peer> <workload> <param> <metric>=<value> count=<n> wall_s=<s> final_sim_us=<us>"
inline void report(const char* workload, uint64_t param, const char* metric, uint64_t count,
                   double wall_s, int64_t final_ns, uint64_t fingerprint) {
    std::printf("fedsim %s %llu %s=%.0f count=%llu wall_s=%.4f final_sim_us=%lld fp=%016llx\n",
                workload, static_cast<unsigned long long>(param), metric,
                static_cast<double>(count) / wall_s, static_cast<unsigned long long>(count),
                wall_s, static_cast<long long>(final_ns / 1000),
                static_cast<unsigned long long>(fingerprint));
    std::fflush(stdout);
}

}  // namespace bench
