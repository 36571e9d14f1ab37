// Cancellation propagation from a token to its children, depth first in creation order.
#include "sim/cancel_token.h"

namespace sim {

CancelToken::CancelToken(std::string name) : state_(std::make_shared<State>()) {
    state_->name = std::move(name);
}

CancelToken CancelToken::child(std::string name) const {
    auto child_state = std::make_shared<State>();
    child_state->name = std::move(name);
    child_state->cancelled = state_->cancelled;
    state_->children.push_back(child_state);
    return CancelToken(child_state);
}

void CancelToken::cancel() const { cancel_state(state_); }

void CancelToken::cancel_state(const std::shared_ptr<State>& state) {
    if (state->cancelled) {
        return;
    }
    state->cancelled = true;
    Scheduler* s = Scheduler::current_or_null();
    if (s != nullptr) {
        s->trace("cancel", TraceLevel::debug).field("token", state->name);
        state->waiters.notify_all(*s);
    }
    std::vector<std::function<void()>> callbacks;
    callbacks.swap(state->callbacks);
    for (auto& fn : callbacks) {
        fn();
    }
    for (const auto& weak : state->children) {
        if (auto child = weak.lock()) {
            cancel_state(child);
        }
    }
}

bool CancelToken::wait_until(SimTime deadline) const {
    Scheduler& s = Scheduler::current();
    while (!state_->cancelled) {
        if (s.now() >= deadline) {
            s.note_expired_wait("cancellation");
            return false;
        }
        state_->waiters.add_current(s);
        if (s.block(deadline, "cancellation", &state_->name) == WakeReason::killed) {
            break;
        }
    }
    return state_->cancelled;
}

void CancelToken::on_cancel(std::function<void()> fn) const {
    if (state_->cancelled) {
        fn();  // Registered after the fact: run now rather than lose the signal.
        return;
    }
    state_->callbacks.push_back(std::move(fn));
}

}  // namespace sim
