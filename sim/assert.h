// Assertions for programmer errors, on in every build type.
//
// A failed SIM_ASSERT prints the condition, the source location and the run context (seed,
// sim time, current actor) through a hook the running simulation installs, then aborts. Bad
// *input* never reaches an assertion: parsers return errors that name the field instead.
#pragma once

#include <cstdint>
#include <string>

namespace sim {

// Called with a one-line description of the run context ("seed=7 t=1.5s actor=alice").
// The scheduler installs one while it runs; the default prints nothing extra.
using AssertContextFn = std::string (*)();
void set_assert_context(AssertContextFn fn);

[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace sim

#define SIM_ASSERT(cond)                                                  \
    do {                                                                  \
        if (!(cond)) [[unlikely]] {                                       \
            ::sim::assert_fail(#cond, __FILE__, __LINE__, std::string()); \
        }                                                                 \
    } while (0)

#define SIM_ASSERT_MSG(cond, msg)                                 \
    do {                                                          \
        if (!(cond)) [[unlikely]] {                               \
            ::sim::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
        }                                                         \
    } while (0)

#define SIM_UNREACHABLE(msg) ::sim::assert_fail("unreachable", __FILE__, __LINE__, (msg))
