// The run loop, actor lifecycle and blocking protocol.
#include "sim/scheduler.h"

#include <cstring>
#include <exception>

#include "sim/assert.h"

namespace sim {

namespace {

// Polling the wall clock is the runner's business and not free; ask every this many events.
constexpr uint64_t k_wall_check_interval = 4096;

// Boost's fcontext fiber handle is the suspended fiber's saved stack pointer, the first address
// a resume reads. It is only ever a prefetch address, never dereferenced, so with another
// backend (ucontext, in sanitizer builds) it is merely a useless hint.
const void* resume_hint(const boost::context::fiber& f) {
    static_assert(sizeof(boost::context::fiber) == sizeof(void*));
    const void* p = nullptr;
    std::memcpy(&p, &f, sizeof p);
    return p;
}

std::string assert_context() {
    Scheduler* s = Scheduler::current_or_null();
    return s != nullptr ? s->context_line() : std::string("no simulation running");
}

}  // namespace

const char* to_string(ActorState s) {
    switch (s) {
        case ActorState::created:
            return "created";
        case ActorState::running:
            return "running";
        case ActorState::blocked:
            return "blocked";
        case ActorState::finished:
            return "finished";
        case ActorState::crashed:
            return "crashed";
        case ActorState::killed:
            return "killed";
    }
    return "?";
}

const char* to_string(Outcome o) {
    switch (o) {
        case Outcome::ok:
            return "ok";
        case Outcome::actor_crashed:
            return "actor_crashed";
        case Outcome::stalled:
            return "stalled";
        case Outcome::event_limit:
            return "event_limit";
        case Outcome::time_limit:
            return "time_limit";
        case Outcome::wall_limit:
            return "wall_limit";
        case Outcome::check_failed:
            return "check_failed";
        case Outcome::blocking_misuse:
            return "blocking_misuse";
        case Outcome::unclean_shutdown:
            return "unclean_shutdown";
    }
    return "?";
}

Scheduler::Scheduler(SchedulerConfig config)
    : config_(config),
      stacks_(config.stack_bytes),
      engine_rng_(Random(config.seed).fork("engine")),
      perturb_rng_(Random(config.seed).fork("schedule-perturbation")),
      eh_globals_(detail::this_thread_eh_globals()) {
    previous_current_ = detail::t_current_scheduler;
    detail::t_current_scheduler = this;
    set_assert_context(&assert_context);
    install_overflow_handler();
    trace_.mix(config.seed);
}

Scheduler::~Scheduler() {
    teardown();
    detail::t_current_scheduler = previous_current_;
}


std::string Scheduler::context_line() const {
    std::string line = "seed=" + std::to_string(config_.seed) + " t=" + to_string(now_);
    if (current_ != nullptr) {
        line += " actor=" + current_->name_;
    }
    return line;
}

uint64_t Scheduler::perturbed_key(uint64_t seq) {
    // Random high half decides same-instant order; the counter keeps keys unique.
    return (perturb_rng_.next_u64() & 0xFFFFFFFF00000000ULL) | (seq & 0xFFFFFFFFULL);
}

EventId Scheduler::schedule_at(SimTime at, Callback fn) {
    SIM_ASSERT_MSG(at >= now_, "cannot schedule an event in the past");
    return queue_.push_callback(at, next_key(), std::move(fn), now_);
}

TraceEvent Scheduler::trace(TraceName kind, TraceLevel level) {
    if (current_ != nullptr) {
        return TraceEvent(&trace_, now_, current_->id_.value, current_->name_, kind, level);
    }
    return TraceEvent(&trace_, now_, UINT32_MAX, "-", kind, level);
}

Actor* Scheduler::create_actor(std::string name, SpawnOptions options) {
    auto actor = std::make_unique<Actor>();
    Actor* a = actor.get();
    a->id_ = ActorId(static_cast<uint32_t>(actors_.size()));
    a->kind_ = options.kind;
    a->node_ = options.node;
    // Streams are named, not numbered, so adding an actor never shifts another's draws.
    uint32_t occurrence = name_counts_[name]++;
    a->rng_ = Random(config_.seed).fork("actor:" + name, occurrence);
    a->name_ = std::move(name);
    a->stack_owner_.name = a->name_.c_str();
    actors_.push_back(std::move(actor));
    return a;
}

void Scheduler::start_actor(Actor* a) {
    a->stack_owner_.stack_low = stacks_.last_stack_low();
    if (a->kind_ == ActorKind::foreground) {
        ++foreground_alive_;
        had_foreground_ = true;
    }
    schedule_resume(a, now_);
    trace("spawn", TraceLevel::debug).field("actor", a->name_).field("id", a->id_.value);
}

void Scheduler::body_threw(Actor* a) {
    try {
        throw;
    } catch (const ActorKilled&) {
        a->state_ = ActorState::killed;
    } catch (const boost::context::detail::forced_unwind&) {
        throw;  // Boost is destroying this fiber; let it finish unwinding.
    } catch (const std::exception& e) {
        a->state_ = ActorState::crashed;
        a->exit_message_ = e.what();
    } catch (...) {
        a->state_ = ActorState::crashed;
        a->exit_message_ = "non-standard exception";
    }
}

void Scheduler::resume(Actor* a) {
    expired_waits_ = 0;
    Actor* previous = current_;
    current_ = a;
    a->state_ = ActorState::running;
    RunningActorInfo& info = running_actor_info();
    info.owner = &a->stack_owner_;
    a->context_ = std::move(a->context_).resume();
    info.owner = previous != nullptr ? &previous->stack_owner_ : nullptr;
    current_ = previous;
    if (a->state_ == ActorState::blocked) {
        queue_wake_up(a);
    } else if (!a->context_) {
        on_exit(a);
    }
}

void Scheduler::on_exit(Actor* a) {
    SIM_ASSERT(!a->alive());
    if (a->kind_ == ActorKind::foreground) {
        SIM_ASSERT(foreground_alive_ > 0);
        --foreground_alive_;
    }
    trace("exit", TraceLevel::debug).field("actor", a->name_).field("state", to_string(a->state_));
    if (a->state_ == ActorState::crashed) {
        fail(Outcome::actor_crashed, "actor '" + a->name_ + "' crashed at t=" + to_string(now_) +
                                         ": " + a->exit_message_);
    }
    a->joiners_.notify_all(*this);
}

void Scheduler::kill(ActorId id) {
    Actor& a = actor_mut(id);
    if (!a.alive()) {
        return;
    }
    trace("kill", TraceLevel::debug).field("actor", a.name_);
    if (&a == current_) {
        a.kill_requested_ = true;
        throw ActorKilled{};
    }
    if (a.state_ == ActorState::created) {
        // Never ran: no stack to unwind. Destroying the unstarted fiber releases its stack.
        a.state_ = ActorState::killed;
        a.wake_key_ = 0;
        a.context_ = boost::context::fiber();  // also destroys the body it holds
        on_exit(&a);
        return;
    }
    a.kill_requested_ = true;
    if (a.state_ == ActorState::blocked && !a.wake_scheduled_) {
        a.wake_scheduled_ = true;
        a.reason_ = WakeReason::killed;
        schedule_resume(&a, now_);
    }
}

Random& Scheduler::current_random() {
    SIM_ASSERT_MSG(current_ != nullptr, "no actor is running");
    return current_->rng_;
}

const Actor& Scheduler::actor(ActorId id) const {
    SIM_ASSERT(id.valid() && id.value < actors_.size());
    return *actors_[id.value];
}

Actor& Scheduler::actor_mut(ActorId id) {
    SIM_ASSERT(id.valid() && id.value < actors_.size());
    return *actors_[id.value];
}

void Scheduler::expired_wait_spin(const char* what) const {
    SIM_ASSERT(current_ != nullptr);
    assert_fail("expired_waits_ <= k_expired_wait_limit", __FILE__, __LINE__,
                "actor '" + current_->name_ + "' returned from " +
                    std::to_string(expired_waits_) + " waits (the last one '" + what +
                    "') whose deadline had already passed, without ever blocking: a loop that "
                    "never lets sim time advance (is it waiting for a deadline it already missed?)");
}

bool Scheduler::join(ActorId id, SimTime deadline) {
    Actor& target = actor_mut(id);
    while (target.alive()) {
        if (now_ >= deadline) {
            note_expired_wait("join");
            return false;
        }
        target.joiners_.add_current(*this);
        // Refused (this actor unwinds, or is in a no-blocking scope): not a wait at all.
        if (block(deadline, "join", &target.name_) == WakeReason::killed) {
            return false;
        }
    }
    return true;
}

bool Scheduler::check_can_block_slow(const char* what) {
    if (current_ == nullptr) {
        throw BlockingMisuse("blocking call '" + std::string(what) +
                             "' outside any actor (from a scheduler callback or the host "
                             "thread); " + context_line());
    }
    std::string reason;
    if (no_block_scope_ != nullptr) {
        reason = std::string("inside no-blocking scope '") + no_block_scope_ + "'";
    } else if (!current_->kill_requested_) {
        reason = "while its stack unwinds (a blocking call in a destructor)";
    } else {
        return false;  // Being killed: destructors may try to wait; they just don't.
    }
    fail(Outcome::blocking_misuse, "actor '" + current_->name_ + "' made blocking call '" +
                                       std::string(what) + "' " + reason);
    return false;
}

void Scheduler::queue_wake_up(Actor* a) {
    a->blocked_since_ = now_;
    if (a->deadline_.is_never()) {
        a->wake_key_ = 0;
        return;
    }
    schedule_resume(a, a->deadline_ < now_ ? now_ : a->deadline_);
}

void Scheduler::schedule_resume(Actor* a, SimTime at) {
    a->wake_key_ = next_key();
    queue_.push_actor(at, a->wake_key_, a, resume_hint(a->context_), now_);
}

void Scheduler::block_killed() {
    if (eh_globals_->uncaught_exceptions == host_uncaught_) {
        throw ActorKilled{};
    }
}

bool Scheduler::wake(ActorId id, uint32_t epoch) {
    Actor& a = actor_mut(id);
    if (a.state_ != ActorState::blocked || a.wait_epoch_ != epoch || a.wake_scheduled_) {
        return false;
    }
    a.wake_scheduled_ = true;
    a.reason_ = WakeReason::notified;
    // A new key makes any pending timeout entry for this actor stale.
    schedule_resume(&a, now_);
    return true;
}

void Scheduler::fail(Outcome outcome, std::string message, std::string_view source,
                     std::string_view subject) {
    SIM_ASSERT(outcome != Outcome::ok);
    if (failure_ != Outcome::ok) {
        return;  // The first failure is the one worth reporting.
    }
    if (config_.keep_going && outcome == Outcome::check_failed) {
        // Recorded, and the run goes on. A repeat of a subject already recorded (a check that
        // re-reads an ongoing violation after every change: the escrow ledger's) is the same
        // violation and is dropped; checkers whose text moves (a round, a tip) dedupe by
        // subject themselves (CheckerHub). Traced under its own name: the stop-at-first trace
        // (run_failed, below) stays as it was, so that mode's fingerprints do not move.
        const std::string_view key = subject.empty() ? std::string_view(message) : subject;
        if (!recorded_checks_.emplace(std::string(source), std::string(key)).second) {
            return;
        }
        trace("check_failed", TraceLevel::error)
            .field("source", source)
            .field("message", message);
        failures_.push_back({now_, outcome, std::string(source), std::move(message)});
        return;
    }
    failure_ = outcome;
    failure_message_ = message;
    failures_.push_back({now_, outcome, std::string(source), std::move(message)});
    trace("run_failed", TraceLevel::error)
        .field("outcome", to_string(outcome))
        .field("message", failure_message_);
}

void Scheduler::stop() { stop_requested_ = true; }

bool Scheduler::is_stale(const EventQueue::Entry& e) const {
    const Actor& a = *static_cast<const Actor*>(e.actor());
    return a.wake_key_ != e.key || !a.alive();
}

void Scheduler::dispatch_actor(const EventQueue::Entry& e) {
    Actor* a = static_cast<Actor*>(e.actor());
    a->wake_key_ = 0;
    trace_.mix(static_cast<uint64_t>(now_.ns()) ^ (static_cast<uint64_t>(a->id_.value) << 1));
    resume(a);
}

void Scheduler::dispatch_callback(Callback& fn) {
    trace_.mix(static_cast<uint64_t>(now_.ns()) ^ 0xCA11BACCULL);
    try {
        fn();
    } catch (const BlockingMisuse& e) {
        fail(Outcome::blocking_misuse, e.what());
    } catch (const std::exception& e) {
        fail(Outcome::actor_crashed,
             "scheduler callback threw at t=" + to_string(now_) + ": " + e.what());
    }
}

RunResult Scheduler::run(const RunLimits& limits) {
    SIM_ASSERT_MSG(!running_, "Scheduler::run is not reentrant");
    running_ = true;
    eh_globals_ = detail::this_thread_eh_globals();
    host_uncaught_ = eh_globals_->uncaught_exceptions;
    install_overflow_handler();
    running_actor_info().stack_bytes = stacks_.usable_bytes();
    running_actor_info().sim_time = &now_;
    Scheduler* saved = detail::t_current_scheduler;
    detail::t_current_scheduler = this;
    RunResult result;
    while (failure_ == Outcome::ok && !stop_requested_) {
        if (had_foreground_ && foreground_alive_ == 0) {
            break;  // The workload is done; daemons do not keep the run alive.
        }
        if (queue_.empty()) {
            if (foreground_alive_ > 0) {
                fail(Outcome::stalled, "stall: nothing is scheduled but " +
                                           std::to_string(foreground_alive_) +
                                           " foreground actor(s) still wait");
                collect_wait_report(&result);
            }
            break;
        }
        EventQueue::Entry e = queue_.pop();
        // Stale entries (superseded wake-ups, cancelled callbacks) never advance time.
        Callback fn;
        if (e.is_actor()) {
            __builtin_prefetch(e.resume_hint);
            if (is_stale(e)) {
                continue;
            }
        } else {
            fn = queue_.take_callback(e);
            if (!fn) {
                continue;
            }
        }
        if (e.at > limits.max_time) {
            now_ = limits.max_time;
            fail(Outcome::time_limit, "sim time limit " + to_string(limits.max_time) + " reached");
            break;
        }
        SIM_ASSERT(e.at >= now_);
        now_ = e.at;
        ++events_;
        if (e.is_actor()) {
            dispatch_actor(e);
        } else {
            dispatch_callback(fn);
        }
        if (events_ >= limits.max_events && failure_ == Outcome::ok) {
            fail(Outcome::event_limit, "event limit " + std::to_string(limits.max_events) +
                                           " reached at t=" + to_string(now_));
        }
        if (events_ % k_wall_check_interval == 0 && limits.wall_clock_exceeded &&
            limits.wall_clock_exceeded()) {
            fail(Outcome::wall_limit, "wall-clock limit reached at t=" + to_string(now_));
        }
    }
    finish_run(&result);
    detail::t_current_scheduler = saved;
    running_ = false;
    return result;
}

void Scheduler::collect_wait_report(RunResult* result) const {
    for (const auto& a : actors_) {
        if (a->state_ != ActorState::blocked) {
            continue;
        }
        std::string line = "actor '" + a->name_ + "' waits on " + std::string(a->wait_what_);
        if (a->wait_object_ != nullptr) {
            line += " '" + *a->wait_object_ + "'";
        }
        line += " since t=" + to_string(a->blocked_since_);
        if (a->kind_ == ActorKind::daemon) {
            line += " (daemon)";
        }
        result->wait_report.push_back(std::move(line));
    }
}

void Scheduler::finish_run(RunResult* result) {
    // The first failure recorded wins: with keep_going a check failure may precede the one that
    // ended the run (or none ended it).
    const Outcome outcome = failures_.empty() ? failure_ : failures_.front().outcome;
    result->outcome = outcome;
    result->message = failures_.empty() ? failure_message_ : failures_.front().message;
    result->failures = failures_;
    result->ended_by = failure_;
    result->seed = config_.seed;
    result->end_time = now_;
    result->events = events_;
    trace("run_end")
        .field("outcome", to_string(outcome))
        .field("events", events_)
        .field("end", now_);
    result->fingerprint = trace_.fingerprint();
    trace_.flush();
}

void Scheduler::teardown() {
    // Unwind every actor that still has a stack, in id order, so destructors inside actors run
    // deterministically and no fiber is destroyed mid-stack.
    Scheduler* saved = detail::t_current_scheduler;
    detail::t_current_scheduler = this;
    eh_globals_ = detail::this_thread_eh_globals();
    host_uncaught_ = eh_globals_->uncaught_exceptions;
    for (auto& a : actors_) {
        if (!a->alive()) {
            continue;
        }
        if (a->state_ == ActorState::created) {
            a->state_ = ActorState::killed;
            a->context_ = boost::context::fiber();
            continue;
        }
        a->kill_requested_ = true;
        a->reason_ = WakeReason::killed;
        resume(a.get());
    }
    detail::t_current_scheduler = saved;
}

NoBlockingScope::NoBlockingScope(const char* scope) {
    Scheduler& s = Scheduler::current();
    previous_ = s.no_block_scope_;
    s.no_block_scope_ = scope;
}

NoBlockingScope::~NoBlockingScope() { Scheduler::current().no_block_scope_ = previous_; }

}  // namespace sim
