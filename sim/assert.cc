// Failure path of SIM_ASSERT: print everything needed to replay, then abort.
#include "sim/assert.h"

#include <cstdio>
#include <cstdlib>

namespace sim {

namespace {
AssertContextFn g_context_fn = nullptr;
}

void set_assert_context(AssertContextFn fn) { g_context_fn = fn; }

void assert_fail(const char* expr, const char* file, int line, const std::string& msg) {
    std::fprintf(stderr, "fedsim: assertion failed: %s at %s:%d", expr, file, line);
    if (!msg.empty()) {
        std::fprintf(stderr, ": %s", msg.c_str());
    }
    std::fputc('\n', stderr);
    if (g_context_fn != nullptr) {
        std::fprintf(stderr, "fedsim: %s\n", g_context_fn().c_str());
    }
    std::fflush(stderr);
    std::abort();
}

}  // namespace sim
