// ClientHandle: a client shared by several user actors, with background tasks (sync, polling)
// that outlive any one user. Dropping the last handle shuts the client down.
//
// Drop code must not block (fedimint#9053, #9062, #9065): upstream's ClientHandle::drop called
// Handle::current() and devimint's Federation::drop called block_in_place(block_on(..)), which
// panic when the last handle goes away off the runtime. The destructor here runs inside a
// sim::NoBlockingScope, so the scheduler reports any blocking call as misuse. The correct mode
// cancels the background tasks and returns; the #9053 mode waits for them to finish (a
// block_on in Drop), which blocks whenever one is still running.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/scheduler.h"
#include "sim/sync.h"
#include "sim/task_group.h"
#include "sim/time.h"

namespace actors::variants {

enum class DropMode : uint8_t {
    cancel_only,    // correct: shutdown() the background tasks, never wait in the destructor.
    block_on_join,  // fedimint#9053: join the background tasks from the destructor.
};

// The client behind every handle; destroyed when the last handle is dropped.
class ClientCore {
public:
    ClientCore(sim::Scheduler& sched, std::string name, DropMode mode);
    ~ClientCore();
    ClientCore(const ClientCore&) = delete;
    ClientCore& operator=(const ClientCore&) = delete;

    // A background task that works for `work` (or until cancelled).
    void spawn_background(const std::string& name, sim::SimDuration work);
    int64_t running() const { return *running_; }

private:
    std::string name_;
    DropMode mode_;
    sim::TaskGroup tasks_;
    // Shared with the tasks: they may finish after the core is gone.
    std::shared_ptr<int64_t> running_ = std::make_shared<int64_t>(0);
    std::shared_ptr<sim::Flag> stopped_ = std::make_shared<sim::Flag>("client.stopped");
};

using ClientHandle = std::shared_ptr<ClientCore>;

}  // namespace actors::variants
