// JsonReader: typed, located access to a parsed JSON document (internal to the parser).
//
// Each getter checks one element's type and range and, on a mismatch, records a Diagnostic at
// that element's JSON pointer and line instead of throwing, then returns nothing; the parser
// carries on so one pass reports every problem. nlohmann_json appears only here and in the
// parser's .cc files.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "scenario/diagnostics.h"
#include "scenario/json_locations.h"
#include "scenario/world_registry.h"

namespace scenario {

using Json = nlohmann::json;

class JsonReader {
public:
    JsonReader(const LocationMap& locations, std::vector<Diagnostic>* diagnostics)
        : locations_(locations), diagnostics_(diagnostics) {}

    SourceLocation where(const std::string& pointer) const;
    void error(const std::string& pointer, std::string message);

    // True when `j` is an object; reports every key not in `allowed`, with a suggestion.
    bool object(const Json& j, const std::string& pointer, const std::vector<std::string>& allowed,
                const std::string& what);
    bool array(const Json& j, const std::string& pointer);
    std::optional<std::string> text(const Json& j, const std::string& pointer);
    std::optional<bool> boolean(const Json& j, const std::string& pointer);
    std::optional<int64_t> integer(const Json& j, const std::string& pointer,
                                   int64_t min = INT64_MIN, int64_t max = INT64_MAX);
    std::optional<sim::SimDuration> duration(const Json& j, const std::string& pointer,
                                             int64_t min_ns = 0, int64_t max_ns = INT64_MAX);
    std::optional<sim::Ratio> ratio(const Json& j, const std::string& pointer);
    std::optional<std::vector<std::string>> names(const Json& j, const std::string& pointer);
    // A value of the spec's type, within its bounds and choices.
    std::optional<Value> value(const Json& j, const std::string& pointer, const FieldSpec& spec);
    // Reads an object of properties against `specs` (unknown keys and missing required ones
    // are reported); defaults fill what is absent.
    std::map<std::string, Value> fields(const Json& j, const std::string& pointer,
                                        const std::vector<FieldSpec>& specs,
                                        const std::vector<std::string>& extra_keys,
                                        const std::string& what);

private:
    const LocationMap& locations_;
    std::vector<Diagnostic>* diagnostics_;
};

// Parses "1/50", "2%" into a ratio; false with a reason otherwise.
bool parse_ratio(const std::string& text, sim::Ratio* out, std::string* error);

// A JSON type name for messages: "a string", "an array", ...
std::string json_type_name(const Json& j);

}  // namespace scenario
