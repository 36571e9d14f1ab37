// Parsing --set arguments, and the forms the parser, the digest and replay commands take.
#include "tools/param_overrides.h"

#include <map>

#include "scenario/json_locations.h"
#include "scenario/runner.h"

namespace tools {

namespace {

// As deep as the parser lets a scenario file nest (parser.cc parse_json): deeper text would
// make the recursive JSON parser overflow the stack instead of giving an error.
constexpr int k_max_value_depth = 64;

}  // namespace

bool parse_param_override(const std::string& arg, ParamOverride* out, std::string* error) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
        *error = "\"" + arg + "\" is not NAME=VALUE (e.g. --set variant=stop_deadlock)";
        return false;
    }
    if (arg[0] == '-') {
        // "--set= --seed=3" hands CLI11's next token to --set: say so, not "unknown param".
        *error = "\"" + arg + "\" is an option, not NAME=VALUE: write --set NAME=VALUE";
        return false;
    }
    out->name = arg.substr(0, eq);
    out->arg = arg;
    const std::string text = arg.substr(eq + 1);
    if (scenario::find_excess_nesting(text, k_max_value_depth) != std::string::npos) {
        *error = "\"" + arg + "\": VALUE is nested more than " +
                 std::to_string(k_max_value_depth) + " levels deep";
        return false;
    }
    nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    // An empty VALUE is the empty string, not a JSON error: "--set payee=" says "no payee".
    out->value = parsed.is_discarded() ? nlohmann::json(text) : parsed;
    try {
        (void)out->value.dump();  // a string that is not UTF-8 cannot be written back out
    } catch (const nlohmann::json::exception&) {
        *error = "\"" + arg + "\" is not valid UTF-8";
        return false;
    }
    return true;
}

scenario::ParamOverrides parser_overrides(const std::vector<ParamOverride>& overrides) {
    scenario::ParamOverrides out;
    for (const ParamOverride& o : overrides) {
        out.emplace_back(o.name, o.value.dump());
    }
    return out;
}

std::vector<std::string> canonical_overrides(const std::vector<ParamOverride>& overrides) {
    std::map<std::string, std::string> last;  // by name, so sorted and the last one wins
    for (const ParamOverride& o : overrides) {
        last[o.name] = o.value.dump();  // nlohmann's object keys are sorted: one spelling
    }
    std::vector<std::string> out;
    for (const auto& [name, value] : last) {
        out.push_back(name + "=" + value);
    }
    return out;
}

std::string override_arguments(const std::vector<ParamOverride>& overrides) {
    std::string out;
    for (const ParamOverride& o : overrides) {
        out += " --set " + scenario::shell_quote(o.arg);
    }
    return out;
}

}  // namespace tools
