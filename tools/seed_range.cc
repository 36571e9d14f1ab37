// Parsing of seed ranges for sweeps.
#include "tools/seed_range.h"

#include <charconv>

namespace tools {

namespace {

bool parse_u64(const std::string& s, uint64_t* out) {
    if (s.empty()) {
        return false;
    }
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, *out);
    return ec == std::errc() && ptr == end;
}

}  // namespace

std::optional<SeedRange> parse_seed_range(const std::string& text, std::string* error) {
    size_t dots = text.find("..");
    SeedRange r;
    if (dots == std::string::npos) {
        if (!parse_u64(text, &r.first)) {
            *error = "seed range \"" + text + "\" is not A..B or a single seed";
            return std::nullopt;
        }
        r.last = r.first;
        return r;
    }
    if (!parse_u64(text.substr(0, dots), &r.first) || !parse_u64(text.substr(dots + 2), &r.last)) {
        *error = "seed range \"" + text + "\" must be two non-negative integers A..B";
        return std::nullopt;
    }
    if (r.first > r.last) {
        *error = "seed range \"" + text + "\" is empty: A must not exceed B";
        return std::nullopt;
    }
    if (r.first == 0 && r.last == UINT64_MAX) {
        *error = "seed range \"" + text + "\" is too large";
        return std::nullopt;
    }
    return r;
}

std::string check_seed_text(const std::string& text, uint64_t max) {
    uint64_t seed = 0;
    if (!parse_u64(text, &seed)) {
        return "seed \"" + text + "\" is not a non-negative integer";
    }
    if (seed > max) {
        return "seed " + text + " is too large (at most " + std::to_string(max) + ")";
    }
    return "";
}

}  // namespace tools
