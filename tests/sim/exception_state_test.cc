// The scheduler reads the in-flight exception count straight from the C++ ABI's EH globals
// (sim/exception_state.h). This pins that the layout we assume is the one this toolchain uses:
// the field must agree with std::uncaught_exceptions() at 0, 1 and 2 nested unwinds.
#include <catch2/catch.hpp>

#include <exception>
#include <stdexcept>

#include "sim/exception_state.h"

namespace {

unsigned fast_count() { return sim::detail::this_thread_eh_globals()->uncaught_exceptions; }

struct Probe {
    unsigned* fast;
    int* standard;
    ~Probe() {
        *fast = fast_count();
        *standard = std::uncaught_exceptions();
    }
};

struct Nested {
    unsigned* fast;
    int* standard;
    ~Nested() {
        // Unwinding already; throw and catch a second exception inside this destructor.
        try {
            Probe p{fast, standard};
            throw std::runtime_error("inner");
        } catch (const std::runtime_error&) {
        }
    }
};

}  // namespace

TEST_CASE("the EH-globals read agrees with std::uncaught_exceptions", "[scheduler][misuse]") {
    CHECK(fast_count() == 0);
    CHECK(std::uncaught_exceptions() == 0);

    unsigned fast = 99;
    int standard = -1;
    try {
        Probe p{&fast, &standard};
        throw std::runtime_error("outer");
    } catch (const std::runtime_error&) {
    }
    CHECK(standard == 1);
    CHECK(fast == 1u);

    try {
        Nested n{&fast, &standard};
        throw std::runtime_error("outer");
    } catch (const std::runtime_error&) {
    }
    CHECK(standard == 2);
    CHECK(fast == 2u);
    CHECK(fast_count() == 0);
}
