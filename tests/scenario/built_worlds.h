// Which scenario worlds this build registers. FEDSIM_SKIP_MODULES may leave model modules out,
// and with them their worlds (scenario/CMakeLists.txt lists the built ones in the FEDSIM_WORLDS
// property; tests/CMakeLists.txt passes it as FEDSIM_BUILT_WORLDS, ",a,b,"). A test that runs
// a world asks here first, so such a build runs every test whose worlds it has and leaves out
// only the cases of the missing ones; with no module left out every case runs.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace test_worlds {

inline bool built(const std::string& world) {
    return std::string(FEDSIM_BUILT_WORLDS).find("," + world + ",") != std::string::npos;
}

// The worlds FEDSIM_SKIP_MODULES can leave out: the model and gateway worlds
// (scenario/CMakeLists.txt).
inline constexpr const char* k_optional_worlds[] = {"chain",      "lightning", "peg-in",
                                                    "service",    "federation", "gateway"};

// Whether `world` is one of those and this build left it out; any other name (echo, a typo
// under test) is never left out.
inline bool left_out(const std::string& world) {
    for (const char* w : k_optional_worlds) {
        if (world == w) {
            return !built(world);
        }
    }
    return false;
}

// The worlds of `worlds` this build has, in the given order: every name but a left-out
// optional world, so a world the build list forgot (see schema_test's registry check) is still
// run rather than silently dropped.
inline std::vector<std::string> built_of(std::initializer_list<const char*> worlds) {
    std::vector<std::string> out;
    for (const char* w : worlds) {
        if (!left_out(w)) {
            out.emplace_back(w);
        }
    }
    return out;
}

// Whether this build left out any world (FEDSIM_SKIP_MODULES named a module).
inline bool some_left_out() {
    for (const char* w : k_optional_worlds) {
        if (!built(w)) {
            return true;
        }
    }
    return false;
}

// Whether any of `worlds` was left out: a test case that needs them all returns at once then.
inline bool any_left_out(std::initializer_list<const char*> worlds) {
    for (const char* w : worlds) {
        if (left_out(w)) {
            return true;
        }
    }
    return false;
}

// Whether a scenario text, as the test tables write it, names a world this build left out (its
// first `"world": "x"`; a text without one, e.g. broken JSON, names none).
inline bool text_world_left_out(const std::string& text) {
    const std::string key = "\"world\": \"";
    const size_t at = text.find(key);
    if (at == std::string::npos) {
        return false;
    }
    const size_t from = at + key.size();
    const size_t to = text.find('"', from);
    return to != std::string::npos && left_out(text.substr(from, to - from));
}

}  // namespace test_worlds

// First in a test case that runs these worlds: a build that left any of them out returns here
// (the case then has nothing to check; every other case still runs).
#define NEEDS_WORLDS(...)                                   \
    do {                                                    \
        if (test_worlds::any_left_out({__VA_ARGS__})) {     \
            return;                                         \
        }                                                   \
    } while (0)
