// Section readers of the scenario parser (params, faults, timeline, expect, limits), internal.
#pragma once

#include <string>

#include "scenario/json_reader.h"

namespace scenario {

inline std::string child(const std::string& pointer, const std::string& key) {
    return pointer + "/" + pointer_token(key);
}
inline std::string child(const std::string& pointer, size_t index) {
    return pointer + "/" + std::to_string(index);
}

void read_params(JsonReader& r, const WorldKind& kind, const Json& j, const std::string& p,
                 Scenario* s);
void read_faults(JsonReader& r, const Json& j, const std::string& p, Faults* f);
void read_entry(JsonReader& r, const WorldKind& kind, const Json& j, const std::string& p,
                Scenario* s);
void read_expect(JsonReader& r, const WorldKind& kind, const Json& j, const std::string& p,
                 Expectations* e);
void read_limits(JsonReader& r, const Json& j, const std::string& p, Limits* l);

}  // namespace scenario
