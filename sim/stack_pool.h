// StackPool: fiber stacks with a guard page below each, recycled between actors.
//
// A stack is mmap'd with one PROT_NONE page at its low end, so running off the end faults
// instead of corrupting a neighbour. Freed stacks are kept for reuse (mmap and mprotect per
// spawn would dominate spawn-heavy runs). install_overflow_handler() adds a SIGSEGV handler on
// an alternate stack that recognises a fault in the running actor's guard page and reports it
// by name, with the run context, before the process dies with the signal.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <vector>

#include "sim/time.h"

namespace sim {

class StackPool {
public:
    explicit StackPool(std::size_t usable_bytes);
    ~StackPool();
    StackPool(const StackPool&) = delete;
    StackPool& operator=(const StackPool&) = delete;

    boost::context::stack_context allocate();
    void deallocate(boost::context::stack_context& sc);
    std::size_t usable_bytes() const { return usable_; }
    // Lowest usable address (just above the guard page) of the most recently allocated stack;
    // the scheduler records it per actor right after creating the fiber, for the reporter.
    void* last_stack_low() const { return last_low_; }

private:
    static constexpr std::size_t k_colours = 32;
    static constexpr std::size_t k_colour_bytes = 128;

    std::size_t usable_;
    std::size_t page_;
    std::size_t next_colour_ = 0;
    std::vector<void*> free_;  // base addresses (guard page first)
    void* last_low_ = nullptr;
};

// The allocator handed to boost::context::fiber; a thin copyable handle on a pool.
class PooledStack {
public:
    explicit PooledStack(StackPool* pool) : pool_(pool) {}
    boost::context::stack_context allocate() { return pool_->allocate(); }
    void deallocate(boost::context::stack_context& sc) { pool_->deallocate(sc); }

private:
    StackPool* pool_;
};

// What the overflow handler needs about one actor; each actor owns one, filled at spawn.
struct StackOwner {
    const char* name = nullptr;
    const void* stack_low = nullptr;  // lowest usable address; the guard page is below it
};

// What the overflow handler reports. The scheduler points `owner` at the running actor on every
// switch (one store, so the hot path touches no cold actor memory); all plain data so the
// signal handler can read it safely.
struct RunningActorInfo {
    const StackOwner* owner = nullptr;
    std::size_t stack_bytes = 0;
    const SimTime* sim_time = nullptr;
};
extern RunningActorInfo g_running_actor;
inline RunningActorInfo& running_actor_info() { return g_running_actor; }

// Text printed after an overflow report, e.g. the seed and replay command. Copied into a
// fixed buffer (truncated at 1 KiB) so the handler never allocates.
void set_crash_context(const char* text);

// Installs the SIGSEGV/SIGBUS handler on an alternate signal stack. Called by every
// Scheduler::run(), so the reporter is in place whatever replaced it in between.
void install_overflow_handler();

}  // namespace sim
