// ClientCore: background tasks and the drop path (cancel, or the #9053 blocking join).
#include "actors/variants/client_handle.h"

#include <utility>

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::variants {

ClientCore::ClientCore(sim::Scheduler& sched, std::string name, DropMode mode)
    : name_(std::move(name)), mode_(mode), tasks_(sched, name_) {}

ClientCore::~ClientCore() {
    // Drop runs wherever the last handle happens to go: it may not block.
    sim::NoBlockingScope scope("ClientHandle::drop");
    tasks_.shutdown();
    if (mode_ == DropMode::block_on_join && *running_ > 0) {
        // block_on(shutdown_join_all()): one blocking wait for the tasks to report done. The
        // scheduler reports it (blocking_misuse) and returns at once; off any actor it throws,
        // which must not leave a destructor.
        try {
            stopped_->wait_until(sim::Scheduler::current().now() + sim::SimDuration::seconds(30));
        } catch (const sim::BlockingMisuse&) {
            return;
        }
    }
}

void ClientCore::spawn_background(const std::string& name, sim::SimDuration work) {
    std::shared_ptr<int64_t> running = running_;
    SIM_ASSERT(*running >= 0);
    ++*running;
    tasks_.spawn(
        name,
        [running, stopped = stopped_, work](const sim::CancelToken& token) {
            token.wait_until(sim::this_actor::now() + work);
            if (--*running == 0) {
                stopped->set();
            }
        },
        sim::ActorKind::daemon);
}

}  // namespace actors::variants
