// How many exceptions are unwinding on this thread, read without a library call.
//
// Blocking while an actor's stack unwinds (a wait in a destructor) must be caught on every
// block(), and std::uncaught_exceptions() costs a call into libstdc++ plus a TLS lookup each time
// (about 26 instructions, 3-4% of an actor wake-up). The count it returns lives in the thread's
// C++ exception-handling globals, whose layout is fixed by the Itanium C++ ABI (section 2.2.2,
// shared by libstdc++ and libc++abi):
//     struct __cxa_eh_globals { __cxa_exception* caughtExceptions; unsigned uncaughtExceptions; };
// The scheduler looks the structure up once per run() on its (only) thread and then reads the
// field directly. tests/sim/exception_state_test.cc checks it against std::uncaught_exceptions().
#pragma once

#include <cxxabi.h>

namespace sim::detail {

struct EhGlobals {
    void* caught_exceptions;
    unsigned int uncaught_exceptions;
};

// The calling thread's globals; valid for the thread's lifetime.
inline const EhGlobals* this_thread_eh_globals() {
    return reinterpret_cast<const EhGlobals*>(abi::__cxa_get_globals());
}

}  // namespace sim::detail
