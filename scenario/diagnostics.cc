// Diagnostic formatting and did-you-mean suggestions.
#include "scenario/diagnostics.h"

#include <algorithm>

namespace scenario {

std::string format_diagnostic(const std::string& file, const Diagnostic& d) {
    std::string out = file;
    if (d.where.line > 0) {
        out += ":" + std::to_string(d.where.line) + ":" + std::to_string(d.where.column);
    }
    out += ": error: ";
    if (!d.where.pointer.empty()) {
        out += d.where.pointer + ": ";
    }
    return out + d.message;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    // A typo changes a few characters; anything further is a different word, not a suggestion.
    size_t limit = std::max<size_t>(1, word.size() / 3);
    std::string best;
    size_t best_distance = limit + 1;
    for (const std::string& c : candidates) {
        size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best = closest_match(word, candidates);
    return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
}

std::string did_you_mean_or_list(std::string_view word,
                                 const std::vector<std::string>& candidates) {
    std::string close = did_you_mean(word, candidates);
    if (!close.empty() || candidates.empty()) {
        return close;
    }
    std::string all;
    for (const std::string& c : candidates) {
        all += (all.empty() ? "" : ", ") + c;
    }
    return " (one of: " + all + ")";
}

std::string pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace scenario
