// Fedimint's Fibonacci backoff, as backon yields it: the one rule behind every Fibonacci retry
// in the model (the users' request re-sends and tx resubmit, the client's gateway read, the
// guardian's wait for its own bitcoind).
#pragma once

#include <cstdint>
#include <optional>

#include "sim/time.h"

namespace actors::federation {

// The delay before retry `attempt` (0-based) of fedimint's backoffs (fedimint-core
// util/backoff_util.rs `custom_backoff`: a backon FibonacciBuilder; fedimint pins backon 1.5.1)
// exactly as backon's FibonacciBackoff yields it without jitter (backon/src/backoff/
// fibonacci.rs, `next()`): min x 1, 1, 2, 3, 5, ..., growing only while the current delay is
// below `max`, and the step that crosses `max` is not clamped, so the sequence settles above
// `max`: (250 ms, 10 s) ... 5.25, 8.5, then 13.75 s on; (200 ms, 10 s) ... 4.2, 6.8, then 11 s
// on; (2 s, 10 min) ... 288, 466, then 754 s on; (1 s, 60 s) ... 34, 55, then 89 s on.
// fedimint's `util::retry` sleeps `next()` after each failed try, so retry k waits this for k.
constexpr sim::SimDuration fibonacci_delay(sim::SimDuration min, sim::SimDuration max,
                                           uint64_t attempt) {
    // backon's `next()`: the first call yields min; later ones add the previous delay to the
    // current one while the current one is below max (the second call has no previous yet).
    // A zero min never grows (backon yields 0 forever); stop there rather than loop `attempt`.
    sim::SimDuration current = min;
    std::optional<sim::SimDuration> previous;
    const sim::SimDuration zero = sim::SimDuration::zero();
    for (uint64_t i = 0; i < attempt && current < max && current > zero; ++i) {
        const sim::SimDuration old = current;
        if (previous.has_value()) {
            current = current + *previous;
        }
        previous = old;
    }
    return current;
}

}  // namespace actors::federation
