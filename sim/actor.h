// Actor: one stackful coroutine and the bookkeeping the scheduler keeps about it.
//
// Actor code never touches this type directly; it calls the functions in this_actor.h. The
// scheduler owns every Actor for the whole run (finished ones too, so reports can name them)
// and is the only writer of its fields.
#pragma once

#include <boost/context/fiber.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/ids.h"
#include "sim/random.h"
#include "sim/stack_pool.h"
#include "sim/time.h"
#include "sim/wait_queue.h"

namespace sim {

enum class ActorState : uint8_t {
    created,   // spawned, first resume pending
    running,   // on the CPU
    blocked,   // waiting; a timer or a notify will resume it
    finished,  // body returned
    crashed,   // an exception escaped the body
    killed,    // killed (crash of its node, abort of its task group) or cancelled before start
};

// Foreground actors are the workload: the run ends when the last one exits. Daemons (servers,
// pollers) run as long as there is foreground work and never keep a run alive on their own.
enum class ActorKind : uint8_t { foreground, daemon };

enum class WakeReason : uint8_t { timeout, notified, killed };

const char* to_string(ActorState s);

// Thrown inside an actor to unwind its stack when it is killed. Deliberately not derived from
// std::exception, so `catch (const std::exception&)` in model code does not swallow it.
struct ActorKilled {};

class alignas(64) Actor {
public:
    ActorId id() const { return id_; }
    const std::string& name() const { return name_; }
    ActorState state() const { return state_; }
    ActorKind kind() const { return kind_; }
    NodeId node() const { return node_; }
    bool alive() const {
        return state_ == ActorState::created || state_ == ActorState::running ||
               state_ == ActorState::blocked;
    }
    // What a blocked actor waits on, e.g. "recv" on "guardian0.inbox"; for stall reports.
    std::string_view wait_what() const { return wait_what_; }
    std::string_view wait_object() const {
        return wait_object_ != nullptr ? std::string_view(*wait_object_) : std::string_view();
    }
    SimTime blocked_since() const { return blocked_since_; }
    const std::string& exit_message() const { return exit_message_; }

private:
    friend class Scheduler;

    // Hot: touched on every wake-up and block, packed into the first cache line (64 bytes).
    // One continuation, passed back and forth like a baton: while the actor is suspended it is
    // the actor's own; while the actor runs it is the scheduler's, which block() switches to.
    // (A fiber that switches away hands its own continuation to the side it resumes.)
    boost::context::fiber context_;
    uint64_t wake_key_ = 0;    // key of the one queue entry that may resume this actor
    SimTime deadline_;         // set by block() for the scheduler, which queues the wake-up
    ActorId id_;
    // Bumped on every block; stale wait-queue entries carry old ones. 32 bits keep the hot
    // fields in one cache line; an entry would need to outlive 2^32 waits of its actor to alias.
    uint32_t wait_epoch_ = 0;
    ActorState state_ = ActorState::created;
    ActorKind kind_ = ActorKind::foreground;
    WakeReason reason_ = WakeReason::timeout;
    bool kill_requested_ = false;
    bool wake_scheduled_ = false;
    SimTime blocked_since_;
    const char* wait_what_ = "";
    const std::string* wait_object_ = nullptr;
    // Cold.
    StackOwner stack_owner_;  // name and stack top, for the overflow reporter
    NodeId node_;
    std::string name_;
    std::string exit_message_;
    Random rng_{0};
    WaitQueue joiners_;  // actors blocked in Scheduler::join on this one
};

}  // namespace sim
