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

SimTime now();
ActorId id();
const std::string& name();
NodeId node();

void sleep_for(SimDuration d);
void sleep_until(SimTime t);
// Lets every other event scheduled for this instant run first, then continues.
void yield();

// Spawns a new actor on the same node as the caller.
ActorId spawn(std::string name, std::function<void()> body,
              ActorKind kind = ActorKind::foreground);

// This actor's own stream, derived from the run seed and the actor's name.
Random& random();

TraceEvent trace(std::string_view kind, TraceLevel level = TraceLevel::info);

// Ends the run with Outcome::check_failed and this message (after the current event).
void fail(std::string message);

}  // namespace sim::this_actor
