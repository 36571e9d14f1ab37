// Formatting and parsing of simulated durations.
#include "sim/time.h"

#include <array>
#include <numeric>
#include <string_view>

namespace sim {

namespace {

struct Unit {
    std::string_view suffix;
    int64_t ns;
};

// Longest suffixes first so "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 7> k_units{{
    {"ms", 1000000},
    {"us", 1000},
    {"ns", 1},
    {"s", 1000000000},
    {"m", 60LL * 1000000000},
    {"h", 3600LL * 1000000000},
    {"d", 86400LL * 1000000000},
}};

std::string format_ns(int64_t ns) {
    // Pick the largest unit that divides exactly so the text round-trips through parse.
    std::string sign = ns < 0 ? "-" : "";
    uint64_t mag = ns < 0 ? 0ULL - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
    if (mag == 0) {
        return "0s";
    }
    if (mag % 1000000000ULL == 0) {
        return sign + std::to_string(mag / 1000000000ULL) + "s";
    }
    if (mag % 1000000ULL == 0) {
        return sign + std::to_string(mag / 1000000ULL) + "ms";
    }
    if (mag % 1000ULL == 0) {
        return sign + std::to_string(mag / 1000ULL) + "us";
    }
    return sign + std::to_string(mag) + "ns";
}

}  // namespace

std::string to_string(SimDuration d) {
    if (d == SimDuration::max()) {
        return "never";
    }
    return format_ns(d.ns());
}

std::string to_string(SimTime t) {
    if (t.is_never()) {
        return "never";
    }
    // Decimal seconds with trailing zeros trimmed ("0.02808034s"): exact and easy to scan in a
    // timeline, where units that change from line to line would not be.
    int64_t ns = t.ns();
    std::string sign = ns < 0 ? "-" : "";
    uint64_t mag = ns < 0 ? 0ULL - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
    std::string out = sign + std::to_string(mag / 1000000000ULL);
    uint64_t frac = mag % 1000000000ULL;
    if (frac != 0) {
        std::string digits = std::to_string(frac);
        digits.insert(0, 9 - digits.size(), '0');
        while (digits.back() == '0') {
            digits.pop_back();
        }
        out += "." + digits;
    }
    return out + "s";
}

namespace {

const Unit* find_unit(std::string_view suffix) {
    for (const Unit& unit : k_units) {
        if (suffix == unit.suffix) {
            return &unit;
        }
    }
    return nullptr;
}

// "1.5s": a fraction where a whole number belongs, with a valid unit after it. Said as such
// (it was "unknown unit", though the unit is fine), with the whole-number spelling to write
// instead when there is one: "1500ms". Integer arithmetic only; false if `text` is not that.
bool fraction_error(const std::string& text, size_t digits, std::string* error) {
    if (digits >= text.size() || text[digits] != '.') {
        return false;
    }
    size_t end = digits + 1;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
        ++end;
    }
    const Unit* unit = find_unit(std::string_view(text).substr(end));
    if (end == digits + 1 || unit == nullptr) {
        return false;
    }
    *error = "duration \"" + text +
             "\" is not a whole number (a duration is an integer and a unit)";
    // value = digits.fraction * unit.ns = (all digits as one number) * unit.ns / 10^places,
    // exact in 64 bits: divide unit.ns and 10^places by their gcd first.
    const std::string all = text.substr(0, digits) + text.substr(digits + 1, end - digits - 1);
    const size_t places = end - digits - 1;
    if (all.size() > 18 || places > 18) {
        return true;  // beyond what 64 bits hold exactly; no spelling to offer
    }
    int64_t number = 0;
    int64_t scale = 1;
    for (char c : all) {
        number = number * 10 + (c - '0');
    }
    for (size_t i = 0; i < places; ++i) {
        scale *= 10;
    }
    const int64_t g = std::gcd(unit->ns, scale);
    int64_t ns = 0;
    if (number % (scale / g) != 0) {
        *error += " (finer than the simulator's 1ns resolution)";
    } else if (__builtin_mul_overflow(number / (scale / g), unit->ns / g, &ns)) {
        *error += " (and too large)";
    } else {
        *error += ": write \"" + format_ns(ns) + "\"";
    }
    return true;
}

}  // namespace

bool parse_duration(const std::string& text, SimDuration* out, std::string* error) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    if (digits == 0) {
        *error = "expected a whole number followed by a unit (ns, us, ms, s, m, h, d), got \"" +
                 text + "\"";
        return false;
    }
    std::string_view suffix = std::string_view(text).substr(digits);
    for (const Unit& unit : k_units) {
        if (suffix != unit.suffix) {
            continue;
        }
        int64_t value = 0;
        for (size_t i = 0; i < digits; ++i) {
            int64_t digit = text[i] - '0';
            if (__builtin_mul_overflow(value, 10, &value) ||
                __builtin_add_overflow(value, digit, &value)) {
                *error = "duration \"" + text + "\" is too large";
                return false;
            }
        }
        int64_t ns = 0;
        if (__builtin_mul_overflow(value, unit.ns, &ns)) {
            *error = "duration \"" + text + "\" is too large";
            return false;
        }
        *out = SimDuration::nanos(ns);
        return true;
    }
    if (fraction_error(text, digits, error)) {
        return false;
    }
    *error = "unknown unit in duration \"" + text + "\" (use ns, us, ms, s, m, h or d)";
    return false;
}

}  // namespace sim
