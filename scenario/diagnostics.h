// Diagnostics: the error messages a scenario file earns, each pointing at the file.
//
// Every problem found while reading or validating a scenario becomes one Diagnostic naming the
// JSON pointer of the offending element and its line and column, so an editor or a person can
// jump to it. Messages are collected (not thrown), so one pass reports every problem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace scenario {

struct Diagnostic {
    SourceLocation where;
    std::string message;
};

// "FILE:LINE:COL: error: POINTER: MESSAGE" (the line and column left out when unknown).
std::string format_diagnostic(const std::string& file, const Diagnostic& d);

// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo;
// otherwise an empty string.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)" or "" — appended to "unknown ..." messages.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// For a closed set of values: did_you_mean() if one is close, else " (one of: a, b, c)", so an
// error about a value says what would have been accepted.
std::string did_you_mean_or_list(std::string_view word,
                                 const std::vector<std::string>& candidates);

// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_token(std::string_view key);

}  // namespace scenario
