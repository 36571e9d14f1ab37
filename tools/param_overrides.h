// --set NAME=VALUE: one parameter of a scenario replaced from the command line, so a user can run
// a file with another value (a bug variant, a profile, a range) without editing or copying it.
//
// The parser writes the overrides into the file's "params" before it validates the scenario
// (scenario::parse_scenario with ParamOverrides), so a value is checked exactly as if it were
// written in the file (same rules, same messages), a parameter the world does not have is
// refused by name, and the file's own errors keep their line and column. Every replay command
// a run prints repeats the overrides, so it reproduces the same run.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/parser.h"

namespace tools {

struct ParamOverride {
    std::string name;      // the parameter, a key of the file's "params"
    nlohmann::json value;  // what replaces it: VALUE as JSON, or as a string if it is not JSON
    std::string arg;       // NAME=VALUE as given, for messages and replay commands
};

// Parses one --set argument. VALUE is read as JSON when it is JSON (3, true,
// {"min": 1, "max": 4}, ["a", "b"], "quoted"), otherwise as a plain string (stop_deadlock, 10s),
// so the common cases need no shell quoting. False with a reason for a missing '=' or name, a
// NAME that looks like an option, text that is not UTF-8 or JSON nested too deep to walk.
bool parse_param_override(const std::string& arg, ParamOverride* out, std::string* error);

// What the parser takes: each name with its value as JSON text, in command-line order.
scenario::ParamOverrides parser_overrides(const std::vector<ParamOverride>& overrides);

// The overrides as they act: one "NAME=JSON" per name (the last one given wins), sorted by name,
// values in one canonical spelling. Two command lines that set the same values give the same
// list, whatever their order or spacing; a sweep's digest folds this in.
std::vector<std::string> canonical_overrides(const std::vector<ParamOverride>& overrides);

// " --set ARG" for each override, shell-quoted: the suffix of a replay command.
std::string override_arguments(const std::vector<ParamOverride>& overrides);

}  // namespace tools
