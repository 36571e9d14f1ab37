// CancelToken: a shared cancellation flag with child tokens, for structured shutdown.
//
// Cancelling a token cancels all its children (and theirs); a child made from an already
// cancelled token is born cancelled, so a late subscriber never misses the signal. Callbacks
// registered with on_cancel run synchronously at cancel() in registration order, or at once if
// the token is already cancelled. A token is a cheap handle; copies share the same state.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/waitable.h"
#include "sim/wait_queue.h"

namespace sim {

class CancelToken : public Waitable {
public:
    explicit CancelToken(std::string name);
    CancelToken child(std::string name) const;

    void cancel() const;
    bool is_cancelled() const { return state_->cancelled; }
    // Blocks the current actor until cancelled (or the deadline). True if cancelled.
    bool wait_until(SimTime deadline) const;
    void wait() const { wait_until(SimTime::never()); }
    void on_cancel(std::function<void()> fn) const;
    const std::string& name() const { return state_->name; }

    bool ready() const override { return state_->cancelled; }
    void add_waiter(Scheduler& sched) override { state_->waiters.add_current(sched); }
    const std::string& wait_name() const override { return state_->name; }

private:
    struct State {
        std::string name;
        bool cancelled = false;
        WaitQueue waiters;
        std::vector<std::weak_ptr<State>> children;
        std::vector<std::function<void()>> callbacks;
    };
    explicit CancelToken(std::shared_ptr<State> state) : state_(std::move(state)) {}
    static void cancel_state(const std::shared_ptr<State>& state);

    std::shared_ptr<State> state_;
};

}  // namespace sim
