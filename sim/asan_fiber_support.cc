// Sanitizer builds only: the per-thread "current fiber" record of Boost.Context's ucontext
// backend.
//
// Sanitizer builds switch Boost.Context to its ucontext fibers (BOOST_USE_UCONTEXT), because
// only that backend tells AddressSanitizer about stack switches (BOOST_USE_ASAN). Debian's
// libboost_context is built for the default fcontext backend and so lacks the one out-of-line
// function the ucontext header declares. This file defines it: a thread-local pointer that
// starts at a record for the thread's own (main) context.
#if defined(BOOST_USE_UCONTEXT)

#include <boost/context/fiber.hpp>

namespace boost::context::detail {

fiber_activation_record*& fiber_activation_record::current() noexcept {
    // The default constructor captures the calling thread's context as the main context.
    thread_local fiber_activation_record main_context;
    thread_local fiber_activation_record* current_record = &main_context;
    return current_record;
}

}  // namespace boost::context::detail

#endif
