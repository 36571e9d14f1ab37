// this_actor: thin forwarding to the current scheduler and running actor.
#include "sim/this_actor.h"

#include "sim/assert.h"

namespace sim::this_actor {

namespace {

Actor& self() {
    Actor* a = Scheduler::current().current_actor();
    SIM_ASSERT_MSG(a != nullptr, "this_actor used outside any actor");
    return *a;
}
}  // namespace

ActorId id() { return self().id(); }
const std::string& name() { return self().name(); }
NodeId node() { return self().node(); }

ActorId spawn(std::string name, std::function<void()> body, ActorKind kind) {
    Scheduler& s = Scheduler::current();
    Actor* parent = s.current_actor();
    SpawnOptions opts{.kind = kind, .node = parent != nullptr ? parent->node() : NodeId()};
    return s.spawn(std::move(name), std::move(body), opts);
}

Random& random() { return Scheduler::current().current_random(); }

TraceEvent trace(TraceName kind, TraceLevel level) {
    return Scheduler::current().trace(kind, level);
}

void fail(std::string message) {
    Scheduler& s = Scheduler::current();
    // The subject is the text alone: another actor finding the same violation is a repeat.
    s.fail(Outcome::check_failed, "actor '" + self().name() + "': " + message, {}, message);
}

}  // namespace sim::this_actor
