// The API actor code calls: time, sleeping, spawning, its random stream and the trace.
//
// Every function here acts on the actor currently running on the current scheduler. Calling a
// blocking one (sleep_for, sleep_until, yield) from outside an actor is a BlockingMisuse.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "sim/ids.h"
#include "sim/random.h"
#include "sim/scheduler.h"
#include "sim/time.h"
#include "sim/trace.h"

namespace sim::this_actor {

// The hot calls are inline: an actor's stack is cold whenever it resumes, and every extra frame
// between the actor's code and the switch costs cache misses on it.
inline SimTime now() { return Scheduler::current().now(); }
ActorId id();
const std::string& name();
NodeId node();

inline void sleep_until(SimTime t) {
    Scheduler& s = Scheduler::current();
    s.block(t < s.now() ? s.now() : t, "sleep", nullptr);
}
inline void sleep_for(SimDuration d) {
    Scheduler& s = Scheduler::current();
    s.block(s.now() + (d.is_negative() ? SimDuration::zero() : d), "sleep", nullptr);
}
// Lets every other event scheduled for this instant run first, then continues.
inline void yield() {
    Scheduler& s = Scheduler::current();
    s.block(s.now(), "yield", nullptr);
}

// Spawns a new actor on the same node as the caller.
ActorId spawn(std::string name, std::function<void()> body,
              ActorKind kind = ActorKind::foreground);

// This actor's own stream, derived from the run seed and the actor's name.
Random& random();

TraceEvent trace(TraceName kind, TraceLevel level = TraceLevel::info);

// Ends the run with Outcome::check_failed and this message (after the current event); with
// SchedulerConfig::keep_going records it once per distinct message (whichever actor sends it).
void fail(std::string message);

}  // namespace sim::this_actor
