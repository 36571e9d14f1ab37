// Typed getters over nlohmann_json values that report located diagnostics.
#include "scenario/json_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace scenario {

std::string json_type_name(const Json& j) {
    switch (j.type()) {
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        case Json::value_t::number_float:
            return "a fractional number";
        case Json::value_t::null:
            return "null";
        default:
            return "an unsupported value";
    }
}

bool parse_ratio(const std::string& text, sim::Ratio* out, std::string* error) {
    auto number = [](std::string_view s, uint64_t* v) {
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
        return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
    };
    uint64_t num = 0;
    uint64_t den = 0;
    size_t slash = text.find('/');
    bool parsed = false;
    if (!text.empty() && text.back() == '%') {
        parsed = number(std::string_view(text).substr(0, text.size() - 1), &num);
        den = 100;
    } else if (slash != std::string::npos) {
        parsed = number(std::string_view(text).substr(0, slash), &num) &&
                 number(std::string_view(text).substr(slash + 1), &den);
    }
    if (!parsed) {
        *error = "\"" + text + "\" is not a ratio like \"1/50\" or \"2%\"";
        return false;
    }
    if (den == 0 || num > den) {
        *error = "ratio \"" + text + "\" must be between 0 and 1 with a non-zero denominator";
        return false;
    }
    *out = {num, den};
    return true;
}

SourceLocation JsonReader::where(const std::string& pointer) const {
    TextPosition p = locations_.find(pointer);
    return {pointer, p.line, p.column};
}

void JsonReader::error(const std::string& pointer, std::string message) {
    diagnostics_->push_back({where(pointer), std::move(message)});
}

bool JsonReader::object(const Json& j, const std::string& pointer,
                        const std::vector<std::string>& allowed, const std::string& what) {
    if (!j.is_object()) {
        error(pointer, what + " must be an object, not " + json_type_name(j));
        return false;
    }
    for (const auto& [key, value] : j.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            error(pointer + "/" + pointer_token(key),
                  "unknown key \"" + key + "\" in " + what + did_you_mean(key, allowed));
        }
    }
    return true;
}

bool JsonReader::array(const Json& j, const std::string& pointer) {
    if (!j.is_array()) {
        error(pointer, "expected an array, not " + json_type_name(j));
        return false;
    }
    return true;
}

std::optional<std::string> JsonReader::text(const Json& j, const std::string& pointer) {
    if (!j.is_string()) {
        error(pointer, "expected a string, not " + json_type_name(j));
        return std::nullopt;
    }
    return j.get<std::string>();
}

std::optional<bool> JsonReader::boolean(const Json& j, const std::string& pointer) {
    if (!j.is_boolean()) {
        error(pointer, "expected true or false, not " + json_type_name(j));
        return std::nullopt;
    }
    return j.get<bool>();
}

std::optional<int64_t> JsonReader::integer(const Json& j, const std::string& pointer, int64_t min,
                                           int64_t max) {
    // Integers past 64 bits reach here as an unsigned or, beyond that, as a double.
    bool too_large = (j.is_number_unsigned() &&
                      j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) ||
                     (j.is_number_float() && std::fabs(j.get<double>()) >= 9.2e18 &&
                      std::trunc(j.get<double>()) == j.get<double>());
    if (too_large) {
        error(pointer, "integer is too large (the limit is " + std::to_string(INT64_MAX) + ")");
        return std::nullopt;
    }
    if (!j.is_number_integer()) {
        error(pointer, "expected an integer, not " + json_type_name(j));
        return std::nullopt;
    }
    int64_t v = j.get<int64_t>();
    if (v < min || v > max) {
        std::string range = min == INT64_MIN ? "at most " + std::to_string(max)
                            : max == INT64_MAX
                                ? "at least " + std::to_string(min)
                                : "between " + std::to_string(min) + " and " + std::to_string(max);
        error(pointer, "value " + std::to_string(v) + " is out of range: must be " + range);
        return std::nullopt;
    }
    return v;
}

std::optional<sim::SimDuration> JsonReader::duration(const Json& j, const std::string& pointer,
                                                     int64_t min_ns, int64_t max_ns) {
    if (!j.is_string()) {
        error(pointer, "expected a duration like \"90s\", \"10m\" or \"2h\", not " +
                           json_type_name(j));
        return std::nullopt;
    }
    sim::SimDuration d;
    std::string why;
    if (!sim::parse_duration(j.get<std::string>(), &d, &why)) {
        error(pointer, why);
        return std::nullopt;
    }
    if (d.ns() < min_ns || d.ns() > max_ns) {
        std::string range = max_ns == INT64_MAX
                                ? "at least " + sim::to_string(sim::SimDuration::nanos(min_ns))
                                : "between " + sim::to_string(sim::SimDuration::nanos(min_ns)) +
                                      " and " + sim::to_string(sim::SimDuration::nanos(max_ns));
        error(pointer, "duration " + j.get<std::string>() + " is out of range: must be " + range);
        return std::nullopt;
    }
    return d;
}

std::optional<sim::Ratio> JsonReader::ratio(const Json& j, const std::string& pointer) {
    if (j.is_number_integer() && (j.get<int64_t>() == 0 || j.get<int64_t>() == 1)) {
        return j.get<int64_t>() == 0 ? sim::Ratio::never() : sim::Ratio::always();
    }
    if (!j.is_string()) {
        error(pointer, "expected a ratio like \"1/50\" or \"2%\", not " + json_type_name(j));
        return std::nullopt;
    }
    sim::Ratio r;
    std::string why;
    if (!parse_ratio(j.get<std::string>(), &r, &why)) {
        error(pointer, why);
        return std::nullopt;
    }
    return r;
}

std::optional<std::vector<std::string>> JsonReader::names(const Json& j,
                                                          const std::string& pointer) {
    if (!array(j, pointer)) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < j.size(); ++i) {
        std::optional<std::string> s = text(j[i], pointer + "/" + std::to_string(i));
        if (!s) {
            return std::nullopt;
        }
        out.push_back(*s);
    }
    return out;
}

std::optional<Value> JsonReader::value(const Json& j, const std::string& pointer,
                                       const FieldSpec& spec) {
    Value v;
    v.type = spec.type;
    v.where = where(pointer);
    switch (spec.type) {
        case ValueType::integer: {
            std::optional<int64_t> n = integer(j, pointer, spec.min, spec.max);
            if (!n) {
                return std::nullopt;
            }
            v.number = *n;
            return v;
        }
        case ValueType::duration: {
            std::optional<sim::SimDuration> d =
                duration(j, pointer, std::max<int64_t>(spec.min, 0), spec.max);
            if (!d) {
                return std::nullopt;
            }
            v.number = d->ns();
            return v;
        }
        case ValueType::boolean: {
            std::optional<bool> b = boolean(j, pointer);
            if (!b) {
                return std::nullopt;
            }
            v.number = *b ? 1 : 0;
            return v;
        }
        case ValueType::text: {
            std::optional<std::string> s = text(j, pointer);
            if (!s) {
                return std::nullopt;
            }
            if (!spec.choices.empty() &&
                std::find(spec.choices.begin(), spec.choices.end(), *s) == spec.choices.end()) {
                error(pointer, "\"" + *s + "\" is not one of the values " + spec.name +
                                   " accepts" + did_you_mean_or_list(*s, spec.choices));
                return std::nullopt;
            }
            v.text = *s;
            return v;
        }
        case ValueType::ratio: {
            std::optional<sim::Ratio> r = ratio(j, pointer);
            if (!r) {
                return std::nullopt;
            }
            v.ratio = *r;
            return v;
        }
        case ValueType::names: {
            std::optional<std::vector<std::string>> n = names(j, pointer);
            if (!n) {
                return std::nullopt;
            }
            v.names = *n;
            return v;
        }
    }
    return std::nullopt;
}

std::map<std::string, Value> JsonReader::fields(const Json& j, const std::string& pointer,
                                                const std::vector<FieldSpec>& specs,
                                                const std::vector<std::string>& extra_keys,
                                                const std::string& what) {
    std::vector<std::string> allowed = extra_keys;
    for (const FieldSpec& s : specs) {
        allowed.push_back(s.name);
    }
    std::map<std::string, Value> out;
    if (!object(j, pointer, allowed, what)) {
        return out;
    }
    for (const FieldSpec& s : specs) {
        std::string child = pointer + "/" + pointer_token(s.name);
        if (j.contains(s.name)) {
            if (std::optional<Value> v = value(j[s.name], child, s)) {
                out[s.name] = *v;
            }
        } else if (s.required) {
            error(pointer, what + " needs \"" + s.name + "\" (" + s.doc + ")");
        } else if (s.default_value) {
            out[s.name] = *s.default_value;
        }
    }
    return out;
}

}  // namespace scenario
