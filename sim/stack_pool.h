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
    // Top (highest address) of the most recently allocated stack; the scheduler records it per
    // actor right after creating the fiber, for the overflow reporter.
    void* last_stack_top() const { return last_top_; }

private:
    std::size_t usable_;
    std::size_t page_;
    std::vector<void*> free_;  // base addresses (guard page first)
    void* last_top_ = nullptr;
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

// What the overflow handler reports. The scheduler updates it on every switch into an actor;
// all fields are plain data so the signal handler can read them safely.
struct RunningActorInfo {
    const char* name = nullptr;
    const void* stack_top = nullptr;  // highest address (sp at start)
    std::size_t stack_bytes = 0;
    long long sim_time_ns = 0;
};
RunningActorInfo& running_actor_info();

// Text printed after an overflow report, e.g. the seed and replay command. Copied into a
// fixed buffer (truncated at 1 KiB) so the handler never allocates.
void set_crash_context(const char* text);

// Idempotent. Installs the SIGSEGV/SIGBUS handler on an alternate signal stack.
void install_overflow_handler();

}  // namespace sim
