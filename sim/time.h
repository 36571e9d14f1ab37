// Simulated time: SimTime (a point) and SimDuration (a span), both integer nanoseconds.
//
// Time in a run comes only from the scheduler; nothing in sim/ or actors/ reads an OS clock.
// Arithmetic saturates at the representable range instead of wrapping, so "never" (max) plus a
// delay stays "never" and a huge scenario value cannot wrap into the past.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace sim {

namespace detail {
constexpr int64_t k_max = std::numeric_limits<int64_t>::max();
constexpr int64_t k_min = std::numeric_limits<int64_t>::min();

constexpr int64_t sat_add(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) {
        return b > 0 ? k_max : k_min;
    }
    return r;
}

constexpr int64_t sat_sub(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) {
        return b < 0 ? k_max : k_min;
    }
    return r;
}

constexpr int64_t sat_mul(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) {
        return ((a < 0) != (b < 0)) ? k_min : k_max;
    }
    return r;
}
}  // namespace detail

class SimDuration {
public:
    constexpr SimDuration() = default;
    static constexpr SimDuration nanos(int64_t n) { return SimDuration(n); }
    static constexpr SimDuration micros(int64_t n) { return SimDuration(detail::sat_mul(n, 1000)); }
    static constexpr SimDuration millis(int64_t n) {
        return SimDuration(detail::sat_mul(n, 1000000));
    }
    static constexpr SimDuration seconds(int64_t n) {
        return SimDuration(detail::sat_mul(n, 1000000000));
    }
    static constexpr SimDuration minutes(int64_t n) { return seconds(detail::sat_mul(n, 60)); }
    static constexpr SimDuration hours(int64_t n) { return seconds(detail::sat_mul(n, 3600)); }
    static constexpr SimDuration zero() { return SimDuration(0); }
    static constexpr SimDuration max() { return SimDuration(detail::k_max); }

    constexpr int64_t ns() const { return ns_; }
    constexpr bool is_negative() const { return ns_ < 0; }

    constexpr SimDuration operator+(SimDuration o) const {
        return SimDuration(detail::sat_add(ns_, o.ns_));
    }
    constexpr SimDuration operator-(SimDuration o) const {
        return SimDuration(detail::sat_sub(ns_, o.ns_));
    }
    constexpr SimDuration operator*(int64_t k) const {
        return SimDuration(detail::sat_mul(ns_, k));
    }
    // Integer division rounds toward zero; k must not be zero.
    constexpr SimDuration operator/(int64_t k) const { return SimDuration(ns_ / k); }
    constexpr SimDuration& operator+=(SimDuration o) { return *this = *this + o; }
    constexpr SimDuration& operator-=(SimDuration o) { return *this = *this - o; }
    constexpr auto operator<=>(const SimDuration&) const = default;

private:
    constexpr explicit SimDuration(int64_t ns) : ns_(ns) {}
    int64_t ns_ = 0;
};

class SimTime {
public:
    constexpr SimTime() = default;
    static constexpr SimTime from_ns(int64_t ns) { return SimTime(ns); }
    static constexpr SimTime zero() { return SimTime(0); }
    // A point after every reachable time; used for "no deadline".
    static constexpr SimTime never() { return SimTime(detail::k_max); }

    constexpr int64_t ns() const { return ns_; }
    constexpr bool is_never() const { return ns_ == detail::k_max; }

    constexpr SimTime operator+(SimDuration d) const {
        return SimTime(detail::sat_add(ns_, d.ns()));
    }
    constexpr SimTime operator-(SimDuration d) const {
        return SimTime(detail::sat_sub(ns_, d.ns()));
    }
    constexpr SimDuration operator-(SimTime o) const {
        return SimDuration::nanos(detail::sat_sub(ns_, o.ns_));
    }
    constexpr SimTime& operator+=(SimDuration d) { return *this = *this + d; }
    constexpr auto operator<=>(const SimTime&) const = default;

private:
    constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
    int64_t ns_ = 0;
};

// "1.5s", "250ms", "3us", "42ns", "never": compact, exact, for logs and reports.
std::string to_string(SimDuration d);
std::string to_string(SimTime t);

// Parses "90s", "10m", "2h", "250ms", "15us", "7ns", "1d" (a whole number and a unit).
// Returns false with a reason on anything else, including overflow and negative values.
bool parse_duration(const std::string& text, SimDuration* out, std::string* error);

}  // namespace sim
