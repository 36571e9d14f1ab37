// Engine-wide default bounds, in one place.
#pragma once

#include <cstddef>

namespace sim {

// Default usable stack per actor. Sanitizer builds get four times as much: their frames carry
// redzones and their runtime needs headroom, and an overflow there would only hide the finding.
#if defined(FEDSIM_SANITIZE)
inline constexpr std::size_t k_default_stack_bytes = 256 * 1024;
#else
inline constexpr std::size_t k_default_stack_bytes = 64 * 1024;
#endif

}  // namespace sim
