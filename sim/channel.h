// Channel<T>: a bounded FIFO between actors, with blocking, timed and non-blocking operations.
//
// send() blocks while the channel is full; recv() blocks while it is empty. close() wakes every
// waiter: receivers drain what is left and then get nullopt, senders get false. A receiver that
// times out re-checks the buffer first, so when a send and a timeout fall on the same instant,
// the order of the two events in (time, seq) decides, reproducibly (see docs/determinism.md).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "sim/assert.h"
#include "sim/waitable.h"
#include "sim/wait_queue.h"

namespace sim {

template <typename T>
class Channel : public Waitable {
public:
    static constexpr std::size_t k_unbounded = static_cast<std::size_t>(-1);

    explicit Channel(std::string name, std::size_t capacity = k_unbounded)
        : name_(std::move(name)), capacity_(capacity) {
        SIM_ASSERT(capacity_ > 0);
    }

    // Blocks while full. False if the channel is (or becomes) closed.
    bool send(T value) { return send_until(std::move(value), SimTime::never()); }
    bool send_until(T value, SimTime deadline) {
        Scheduler& s = Scheduler::current();
        while (!closed_ && items_.size() >= capacity_) {
            if (s.now() >= deadline) {
                s.note_expired_wait("send");
                return false;
            }
            senders_.add_current(s);
            if (s.block(deadline, "send", &name_) == WakeReason::killed) {
                return false;
            }
        }
        return try_send(std::move(value));
    }
    // Never blocks. False if full or closed.
    bool try_send(T value) {
        if (closed_ || items_.size() >= capacity_) {
            return false;
        }
        items_.push_back(std::move(value));
        if (!receivers_.empty()) {
            receivers_.notify_one(Scheduler::current());
        }
        return true;
    }

    // Blocks while empty. nullopt only when closed and drained.
    std::optional<T> recv() { return recv_until(SimTime::never()); }
    std::optional<T> recv_until(SimTime deadline) {
        Scheduler& s = Scheduler::current();
        while (items_.empty() && !closed_) {
            if (s.now() >= deadline) {
                s.note_expired_wait("recv");
                return std::nullopt;
            }
            receivers_.add_current(s);
            if (s.block(deadline, "recv", &name_) == WakeReason::killed) {
                return std::nullopt;
            }
        }
        return try_recv();
    }
    std::optional<T> recv_for(SimDuration timeout) {
        return recv_until(Scheduler::current().now() + timeout);
    }
    std::optional<T> try_recv() {
        if (items_.empty()) {
            return std::nullopt;
        }
        std::optional<T> out(std::move(items_.front()));
        items_.pop_front();
        if (!senders_.empty()) {
            senders_.notify_one(Scheduler::current());
        }
        return out;
    }

    void close() {
        if (closed_) {
            return;
        }
        closed_ = true;
        Scheduler* s = Scheduler::current_or_null();
        if (s != nullptr) {
            receivers_.notify_all(*s);
            senders_.notify_all(*s);
        }
    }

    bool closed() const { return closed_; }
    std::size_t size() const { return items_.size(); }
    bool empty() const { return items_.empty(); }
    std::size_t capacity() const { return capacity_; }
    const std::string& name() const { return name_; }

    bool ready() const override { return !items_.empty() || closed_; }
    void add_waiter(Scheduler& sched) override { receivers_.add_current(sched); }
    const std::string& wait_name() const override { return name_; }

private:
    std::string name_;
    std::size_t capacity_;
    bool closed_ = false;
    std::deque<T> items_;
    WaitQueue receivers_;
    WaitQueue senders_;
};

}  // namespace sim
