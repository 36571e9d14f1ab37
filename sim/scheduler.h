// Scheduler: the single-threaded discrete-event loop that drives every actor.
//
// Time advances only here: run() pops the earliest event by (time, key) and either resumes an
// actor or calls a callback. Idle time is skipped. The scheduler owns the actors, the event
// queue and the trace, detects stalls (nothing scheduled while actors still wait) and enforces
// the run's limits. Exactly one scheduler runs on a thread at a time; Scheduler::current() is
// that one, and is how this_actor.h and the synchronisation primitives find it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "sim/actor.h"
#include "sim/assert.h"
#include "sim/event_queue.h"
#include "sim/exception_state.h"
#include "sim/limits.h"
#include "sim/random.h"
#include "sim/stack_pool.h"
#include "sim/time.h"
#include "sim/trace.h"

namespace sim {

struct SchedulerConfig {
    uint64_t seed = 0;
    std::size_t stack_bytes = k_default_stack_bytes;
    // Shuffle events that fall on the same instant (seeded). Off: same-instant events run FIFO.
    bool perturb_same_instant = false;
    // Record a check failure (fail(Outcome::check_failed, ...)) and let the run go on to its
    // normal end, instead of ending it after the current event; every other failure (a crash,
    // a stall, misuse, a limit) still ends the run at once. The run's outcome and message are
    // still the first failure's (RunResult::ended_by says what ended it). Not traced: a run with
    // no check failure has the same fingerprint either way.
    bool keep_going = false;
};

struct RunLimits {
    uint64_t max_events = UINT64_MAX;
    SimTime max_time = SimTime::never();
    // Wall-clock budget, injected by the runner (sim/ itself never reads an OS clock). Polled
    // every few thousand events; returning true ends the run with Outcome::wall_limit.
    std::function<bool()> wall_clock_exceeded;
};

enum class Outcome : uint8_t {
    ok,                // the workload finished (or stop() was called)
    actor_crashed,     // an exception escaped an actor or a callback
    stalled,           // nothing scheduled while foreground actors still wait
    event_limit,
    time_limit,
    wall_limit,
    check_failed,      // an invariant checker or expectation failed
    blocking_misuse,   // a blocking call where blocking is impossible
    unclean_shutdown,  // tasks still running after a shutdown's grace period
};
const char* to_string(Outcome o);

// One failure a run recorded: when, what kind, who reported it (a checker's name, if known) and
// the message.
struct RunFailure {
    SimTime at;
    Outcome outcome = Outcome::ok;
    std::string source;
    std::string message;
};

struct RunResult {
    Outcome outcome = Outcome::ok;
    std::string message;
    uint64_t seed = 0;
    SimTime end_time;
    uint64_t events = 0;
    uint64_t fingerprint = 0;
    // For stalls: one line per blocked actor (name, what it waits on, since when).
    std::vector<std::string> wait_report;
    // Every failure recorded, in order: the first one (outcome and message above) alone, or
    // with keep_going every check failure and, last, a failure that ended the run early.
    std::vector<RunFailure> failures;
    // What ended the run: ok when it reached its normal end (or stop()), else the failure that
    // ended it early (then also failures.back()). The same as `outcome` without keep_going; with
    // it, a crash, stall, misuse or limit after a recorded check failure shows only here.
    Outcome ended_by = Outcome::ok;
    bool ok() const { return outcome == Outcome::ok; }
    // With keep_going: the run recorded a check failure and then ended early for another reason.
    bool ended_fatally_after_check() const {
        return ended_by != Outcome::ok && ended_by != outcome;
    }
};

// Thrown to the caller of a blocking operation that cannot block: outside any actor (from a
// scheduler callback or from the thread that owns the scheduler). Inside an actor, misuse is
// reported through the run's outcome instead.
class BlockingMisuse : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

struct SpawnOptions {
    ActorKind kind = ActorKind::foreground;
    NodeId node;
};

class Scheduler;

namespace detail {
// The scheduler running on this thread. Constant-initialised and defined inline here so every
// access is a plain thread-local load, with no TLS wrapper call on the hot path.
inline thread_local Scheduler* t_current_scheduler = nullptr;
}  // namespace detail

class Scheduler {
public:
    explicit Scheduler(SchedulerConfig config);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // The scheduler whose run() is active on this thread, or the most recently constructed one
    // while none runs (so set-up code can spawn). Asserts there is one.
    static Scheduler& current() {
        SIM_ASSERT_MSG(detail::t_current_scheduler != nullptr, "no scheduler on this thread");
        return *detail::t_current_scheduler;
    }
    static Scheduler* current_or_null() { return detail::t_current_scheduler; }

    SimTime now() const { return now_; }
    uint64_t seed() const { return config_.seed; }
    const SchedulerConfig& config() const { return config_; }
    uint64_t events_processed() const { return events_; }

    // --- Events -------------------------------------------------------------------------
    EventId schedule_at(SimTime at, Callback fn);
    EventId schedule_after(SimDuration delay, Callback fn) {
        return schedule_at(now_ + delay, std::move(fn));
    }
    bool cancel(EventId id) { return queue_.cancel(id); }

    // --- Actors -------------------------------------------------------------------------
    // `body` is any `void()` callable. It is kept on the actor's own stack, next to the frames
    // that use it, rather than in a separate heap block: a resumed actor's stack is cold, and
    // every other line its loop reads is one more miss per wake-up (W2 at 10,000 actors).
    template <typename F>
    ActorId spawn(std::string name, F&& body, SpawnOptions options = {});
    // Unwinds the actor's stack (ActorKilled at its blocking point); a never-started actor
    // simply never runs. Killing the current actor throws ActorKilled immediately.
    void kill(ActorId id);
    const Actor& actor(ActorId id) const;
    size_t actor_count() const { return actors_.size(); }
    Actor* current_actor() const { return current_; }
    // The running actor's own random stream. Asserts an actor is running.
    Random& current_random();
    // Blocks the current actor until `id` exits or the deadline passes. True if it exited.
    bool join(ActorId id, SimTime deadline);

    // --- Blocking (for synchronisation primitives) ----------------------------------------
    // Suspends the current actor until woken or until `deadline`. `what` and `object` describe
    // the wait for stall reports; `object` must outlive the wait.
    //
    // Inline, and the actor's side does no more than note the wait and switch: queueing the
    // wake-up happens on the scheduler's side, on its always-warm stack (see resume()). An
    // actor's stack is cold whenever it resumes, so every line a block touches on it (frames of
    // calls made while blocking included) is a cache miss per wake-up (W2 at 10,000 actors).
    WakeReason block(SimTime deadline, const char* what, const std::string* object) {
        if (!check_can_block(what)) [[unlikely]] {
            return WakeReason::killed;
        }
        Actor* a = current_;
        if (a->kill_requested_) [[unlikely]] {
            throw ActorKilled{};
        }
        a->state_ = ActorState::blocked;
        ++a->wait_epoch_;
        a->wake_scheduled_ = false;
        a->reason_ = WakeReason::timeout;
        a->deadline_ = deadline;
        a->wait_what_ = what;
        a->wait_object_ = object;
        a->context_ = std::move(a->context_).resume();
        a->wait_object_ = nullptr;
        if (a->kill_requested_) [[unlikely]] {
            block_killed();
        }
        return a->reason_;
    }
    // A wait whose deadline has already passed returns at once, without blocking. An actor
    // that loops on such waits never lets sim time advance, and the run hangs with no event
    // and no stall to report (a client loop waiting for a slot it had already missed did). Every
    // primitive calls this on that path; more than k_expired_wait_limit of them in one
    // activation of an actor is a programmer error, reported like a failed assertion (with the
    // run's seed) instead of a hang. No legitimate loop needs ten million waits that are over
    // before they start without ever blocking.
    static constexpr uint64_t k_expired_wait_limit = 10'000'000;
    void note_expired_wait(const char* what) {
        if (++expired_waits_ > k_expired_wait_limit) [[unlikely]] {
            expired_wait_spin(what);
        }
    }
    // Makes a blocked actor runnable now, if it still waits in `epoch`. Returns false if not.
    bool wake(ActorId id, uint32_t epoch);
    // The epoch the current actor's *next* block() will use.
    uint32_t current_wait_epoch() const {
        SIM_ASSERT(current_ != nullptr);
        return static_cast<uint32_t>(current_->wait_epoch_ + 1);
    }
    // True when the current context may block; otherwise reports the misuse (see block()).
    // Inline fast path: an actor, no no-blocking scope, no unwinding in progress.
    bool check_can_block(const char* what) {
        // current_ is only set inside run(), which sets eh_globals_ first.
        if (current_ != nullptr && no_block_scope_ == nullptr &&
            eh_globals_->uncaught_exceptions == host_uncaught_) [[likely]] {
            return true;
        }
        return check_can_block_slow(what);
    }

    // --- Run ----------------------------------------------------------------------------
    RunResult run(const RunLimits& limits = {});
    // Ends the run after the current event with the given outcome (first failure wins). With
    // SchedulerConfig::keep_going a check_failed is only recorded (RunResult::failures) and the
    // run goes on. `source` names who failed it (a checker), for the list of failures; with
    // keep_going a check failure whose (source, subject) was recorded before is dropped, the
    // subject being the message unless given (this_actor::fail gives the text without its
    // actor, so actors re-checking one ongoing violation record it once).
    void fail(Outcome outcome, std::string message, std::string_view source = {},
              std::string_view subject = {});
    // Ends the run after the current event, successfully (unless it already failed).
    void stop();
    // A failure will end (or ended) the run early. With keep_going a recorded check failure
    // does not count: that run goes on, so this stays false until a fatal outcome.
    bool failed() const { return failure_ != Outcome::ok; }

    // --- Trace --------------------------------------------------------------------------
    Trace& trace() { return trace_; }
    TraceEvent trace(TraceName kind, TraceLevel level = TraceLevel::info);
    std::string context_line() const;

    // Scheduler-wide random stream for engine decisions (never given to actors).
    Random& engine_random() { return engine_rng_; }

private:
    friend class NoBlockingScope;

    bool check_can_block_slow(const char* what);
    // The scheduler's half of block(), run after the actor has switched away.
    void queue_wake_up(Actor* a);
    // Queues `a` to resume at `at` under a fresh key, which makes any entry it had stale.
    void schedule_resume(Actor* a, SimTime at);
    // After the switch, when a kill was requested: throws ActorKilled unless already unwinding.
    void block_killed();
    Actor* create_actor(std::string name, SpawnOptions options);
    void start_actor(Actor* a);
    // Called from the catch-all around an actor's body: records the escaped exception as the
    // actor's exit state (rethrowing Boost's forced unwind, which must pass through).
    void body_threw(Actor* a);
    uint64_t next_key() {
        uint64_t seq = seq_++;
        return config_.perturb_same_instant ? perturbed_key(seq) : seq;
    }
    uint64_t perturbed_key(uint64_t seq);
    void resume(Actor* a);
    void on_exit(Actor* a);
    void dispatch_actor(const EventQueue::Entry& e);
    void dispatch_callback(Callback& fn);
    bool is_stale(const EventQueue::Entry& e) const;
    void finish_run(RunResult* result);
    void collect_wait_report(RunResult* result) const;
    void teardown();
    Actor& actor_mut(ActorId id);

    SchedulerConfig config_;
    SimTime now_;
    uint64_t seq_ = 1;
    [[noreturn]] void expired_wait_spin(const char* what) const;
    uint64_t events_ = 0;
    uint64_t expired_waits_ = 0;  // since the running actor was last resumed (note_expired_wait)
    EventQueue queue_;
    StackPool stacks_;
    std::vector<std::unique_ptr<Actor>> actors_;
    // Spawns so far per actor name (a name's n-th actor forks stream n). Only looked up, never
    // iterated: hashed, as a run that spawns an actor per payment has 100,000+ names and a tree
    // of them cost a walk of string comparisons per spawn.
    std::unordered_map<std::string, uint32_t> name_counts_;
    Actor* current_ = nullptr;
    size_t foreground_alive_ = 0;
    bool had_foreground_ = false;
    bool stop_requested_ = false;
    bool running_ = false;
    Outcome failure_ = Outcome::ok;  // the failure that ends the run
    std::string failure_message_;
    std::vector<RunFailure> failures_;  // every one recorded (see RunResult::failures)
    // keep_going: the (source, subject) of every check failure recorded.
    std::set<std::pair<std::string, std::string>> recorded_checks_;
    Random engine_rng_;
    Random perturb_rng_;
    Trace trace_;
    const char* no_block_scope_ = nullptr;
    Scheduler* previous_current_ = nullptr;
    // This thread's exception-handling globals, looked up by run() (see exception_state.h).
    const detail::EhGlobals* eh_globals_ = nullptr;
    // The thread's count of exceptions in flight when the host entered run() or teardown().
    // The count is per thread, not per fiber: when a scheduler is destroyed while the host
    // unwinds (a failed test assertion), every actor it unwinds sees the host's exception too,
    // and only exceptions beyond it mean the actor itself is unwinding.
    unsigned int host_uncaught_ = 0;
};

namespace detail {

// Bodies up to this size are kept inline in the fiber's record at the top of the actor's stack;
// larger ones on the heap, so a big capture cannot overflow a small stack.
inline constexpr std::size_t k_inline_body_bytes = 1024;

template <typename Body>
using BodyHolder = std::conditional_t<sizeof(Body) <= k_inline_body_bytes, std::optional<Body>,
                                      std::unique_ptr<Body>>;

template <typename Body, typename F>
BodyHolder<Body> hold_body(F&& body) {
    if constexpr (sizeof(Body) <= k_inline_body_bytes) {
        return BodyHolder<Body>(std::in_place, std::forward<F>(body));
    } else {
        return std::make_unique<Body>(std::forward<F>(body));
    }
}

// Destroys a body's captures when the body's scope ends, by return or by unwinding: they die as
// the actor's own locals do, inside the actor and before it is marked as exited.
template <typename Holder>
struct ResetOnExit {
    Holder& holder;
    ~ResetOnExit() { holder.reset(); }
};

}  // namespace detail

template <typename F>
ActorId Scheduler::spawn(std::string name, F&& body, SpawnOptions options) {
    using Body = std::decay_t<F>;
    if constexpr (std::is_constructible_v<bool, const Body&>) {
        SIM_ASSERT(static_cast<bool>(body));
    }
    Actor* a = create_actor(std::move(name), options);
    // The fiber's record (this lambda and its captures) sits at the top of the actor's stack.
    a->context_ = boost::context::fiber(
        std::allocator_arg, PooledStack(&stacks_),
        [this, a, fn = detail::hold_body<Body>(std::forward<F>(body))](
            boost::context::fiber&& back) mutable {
            // Killed before it ever ran: Boost's ucontext backend (sanitizer builds) starts a
            // never-run fiber in order to destroy it. Its body must not run.
            if (a->state_ == ActorState::killed) {
                return std::move(back);
            }
            a->context_ = std::move(back);
            // Written out here, not in a function the body is passed to, so the compiler can
            // inline the body: its loop then runs in a frame right below its captures.
            try {
                {
                    detail::ResetOnExit<decltype(fn)> captures{fn};
                    (*fn)();
                }
                a->state_ = ActorState::finished;
            } catch (...) {
                body_threw(a);
            }
            return std::move(a->context_);
        });
    start_actor(a);
    return a->id_;
}

// While alive, any blocking call is reported as misuse naming `scope` (for code that must not
// block: destructors, completion callbacks). The analogue of Rust's "block_on in Drop".
class NoBlockingScope {
public:
    explicit NoBlockingScope(const char* scope);
    ~NoBlockingScope();
    NoBlockingScope(const NoBlockingScope&) = delete;
    NoBlockingScope& operator=(const NoBlockingScope&) = delete;

private:
    const char* previous_;
};

}  // namespace sim
