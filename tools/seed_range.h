// SeedRange: "A..B" (inclusive) or a single seed "N", as typed on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tools {

struct SeedRange {
    uint64_t first = 0;
    uint64_t last = 0;
    uint64_t count() const { return last - first + 1; }
};

// Parses "A..B" with A <= B, or "N". On failure returns nullopt and says why in *error.
std::optional<SeedRange> parse_seed_range(const std::string& text, std::string* error);

// For a --seed option's CLI11 check, which sees the text before conversion (the conversion
// itself would quietly saturate an out-of-range number): empty if `text` is one seed no larger
// than `max`, otherwise why not.
std::string check_seed_text(const std::string& text, uint64_t max);

}  // namespace tools
