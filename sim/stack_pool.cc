// Guard-page stacks and the stack-overflow reporter.
#include "sim/stack_pool.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "sim/assert.h"

namespace sim {

StackPool::StackPool(std::size_t usable_bytes) {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    usable_ = (usable_bytes + page_ - 1) / page_ * page_;
    SIM_ASSERT(usable_ >= 4 * page_);
}

StackPool::~StackPool() {
    for (void* base : free_) {
        munmap(base, usable_ + page_);
    }
}

boost::context::stack_context StackPool::allocate() {
    void* base = nullptr;
    if (!free_.empty()) {
        base = free_.back();
        free_.pop_back();
    } else {
        base = mmap(nullptr, usable_ + page_, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        SIM_ASSERT_MSG(base != MAP_FAILED, "mmap of an actor stack failed");
        SIM_ASSERT(mprotect(base, page_, PROT_NONE) == 0);
    }
    // Stack colouring: every stack top sits at the same page offset, so the hot top-of-stack
    // lines of thousands of actors would all compete for the same few L1 sets. Shifting each
    // top by a rotating multiple of 128 bytes spreads them over the cache.
    std::size_t colour = (next_colour_++ % k_colours) * k_colour_bytes;
    boost::context::stack_context sc;
    sc.size = usable_ - colour;
    sc.sp = static_cast<char*>(base) + page_ + usable_ - colour;
    last_low_ = static_cast<char*>(base) + page_;
    return sc;
}

void StackPool::deallocate(boost::context::stack_context& sc) {
    std::size_t colour = usable_ - sc.size;
    SIM_ASSERT(colour % k_colour_bytes == 0 && colour < k_colours * k_colour_bytes);
    void* base = static_cast<char*>(sc.sp) + colour - usable_ - page_;
    free_.push_back(base);
}

RunningActorInfo g_running_actor;

namespace {

char g_crash_context[1024];
bool g_handler_installed = false;

void write_str(const char* s) {
    ssize_t ignored = write(STDERR_FILENO, s, std::strlen(s));
    (void)ignored;
}

void write_int(long long v) {
    char buf[32];
    int i = 31;
    buf[i] = '\0';
    bool neg = v < 0;
    unsigned long long mag = neg ? 0ULL - static_cast<unsigned long long>(v)
                                 : static_cast<unsigned long long>(v);
    do {
        buf[--i] = static_cast<char>('0' + mag % 10);
        mag /= 10;
    } while (mag != 0 && i > 1);
    if (neg) {
        buf[--i] = '-';
    }
    write_str(buf + i);
}

void on_fault(int sig, siginfo_t* info, void*) {
    const RunningActorInfo& a = running_actor_info();
    const char* name = a.owner != nullptr ? a.owner->name : nullptr;
    auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
    auto low = reinterpret_cast<uintptr_t>(a.owner != nullptr ? a.owner->stack_low : nullptr);
    auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    // The guard page sits just below the usable stack; allow a little slack below it for
    // frames that jump over the page.
    bool in_guard = name != nullptr && addr < low && addr + 16 * page >= low;
    if (in_guard) {
        write_str("fedsim: stack overflow in actor '");
        write_str(name);
        write_str("' (stack ");
        write_int(static_cast<long long>(a.stack_bytes / 1024));
        write_str(" KiB) at sim time ");
        write_int(a.sim_time != nullptr ? a.sim_time->ns() : -1);
        write_str("ns; raise the stack size (--stack-kib / limits.stack_kib)\n");
    } else {
        write_str(sig == SIGSEGV ? "fedsim: segmentation fault" : "fedsim: bus error");
        if (name != nullptr) {
            write_str(" in actor '");
            write_str(name);
            write_str("'");
        }
        write_str("\n");
    }
    if (g_crash_context[0] != '\0') {
        write_str("fedsim: ");
        write_str(g_crash_context);
        write_str("\n");
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

}  // namespace

void set_crash_context(const char* text) {
    std::strncpy(g_crash_context, text, sizeof(g_crash_context) - 1);
    g_crash_context[sizeof(g_crash_context) - 1] = '\0';
}

void install_overflow_handler() {
    // The alternate stack is set once; the handler is (re)installed on every call because
    // other code (test frameworks, crash reporters) may have replaced it since.
    if (!g_handler_installed) {
        g_handler_installed = true;
        static char alt_stack[64 * 1024];
        stack_t ss{};
        ss.ss_sp = alt_stack;
        ss.ss_size = sizeof(alt_stack);
        ss.ss_flags = 0;
        sigaltstack(&ss, nullptr);
    }
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
}

}  // namespace sim
