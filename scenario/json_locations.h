// JSON source locations: which line and column each JSON pointer of a document starts at.
//
// nlohmann_json reports lines only for syntax errors, so this small scanner walks the text of
// an already well-formed document once and records, for every value and every object key, the
// position where it starts. It also notices duplicate keys, which the JSON parser silently
// collapses to the last one.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace scenario {

struct TextPosition {
    int line = 0;
    int column = 0;
};

struct LocationMap {
    std::map<std::string, TextPosition> values;  // pointer -> where its value starts
    std::map<std::string, TextPosition> keys;    // pointer -> where its key starts (objects)
    std::vector<std::string> duplicate_keys;     // pointers of keys written twice

    // The key's position when there is one (a more useful place for "unknown key"), else the
    // value's, else the nearest enclosing element's.
    TextPosition find(const std::string& pointer) const;
};

// Scans a document that nlohmann_json has already parsed successfully.
LocationMap map_locations(std::string_view text);

// Offset of the first '[' or '{' (outside strings) nested deeper than `max_depth`, or npos.
// Readers refuse such text before anything recursive walks it: a few kilobytes of "[[[[" must
// be an error message, not a stack overflow.
size_t find_excess_nesting(std::string_view text, int max_depth);

// 1-based line and column of a byte offset.
TextPosition position_of(std::string_view text, size_t offset);

}  // namespace scenario
