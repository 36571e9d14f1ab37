// EventQueue: (time, key) order, FIFO at equal times, cancellation.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/event_queue.h"

using sim::EventQueue;
using sim::SimTime;

namespace {

std::vector<int> drain(EventQueue& q) {
    std::vector<int> order;
    while (!q.empty()) {
        EventQueue::Entry e = q.pop();
        sim::Callback fn = q.take_callback(e);
        if (fn) {
            fn();
        }
    }
    return order;
}

}  // namespace

TEST_CASE("events pop by time, then by key", "[event_queue]") {
    EventQueue q;
    std::vector<int> order;
    q.push_callback(SimTime::from_ns(20), 1, [&] { order.push_back(20); });
    q.push_callback(SimTime::from_ns(10), 2, [&] { order.push_back(10); });
    q.push_callback(SimTime::from_ns(30), 3, [&] { order.push_back(30); });
    drain(q);
    CHECK(order == std::vector<int>{10, 20, 30});
}

TEST_CASE("equal-time events run in key (FIFO) order", "[event_queue]") {
    EventQueue q;
    std::vector<int> order;
    for (int i = 0; i < 100; ++i) {
        q.push_callback(SimTime::from_ns(5), static_cast<uint64_t>(i + 1),
                        [&order, i] { order.push_back(i); });
    }
    drain(q);
    REQUIRE(order.size() == 100);
    for (int i = 0; i < 100; ++i) {
        CHECK(order[static_cast<size_t>(i)] == i);
    }
}

TEST_CASE("a cancelled event never runs; cancel is idempotent", "[event_queue]") {
    EventQueue q;
    std::vector<int> order;
    q.push_callback(SimTime::from_ns(1), 1, [&] { order.push_back(1); });
    sim::EventId id = q.push_callback(SimTime::from_ns(2), 2, [&] { order.push_back(2); });
    q.push_callback(SimTime::from_ns(3), 3, [&] { order.push_back(3); });
    CHECK(q.cancel(id));
    CHECK_FALSE(q.cancel(id));
    drain(q);
    CHECK(order == std::vector<int>{1, 3});
    CHECK_FALSE(q.cancel(id));  // after the slot was recycled
    CHECK_FALSE(q.cancel(sim::EventId{}));
}

TEST_CASE("slots are recycled without confusing old ids", "[event_queue]") {
    EventQueue q;
    int ran = 0;
    sim::EventId old = q.push_callback(SimTime::from_ns(1), 1, [&] { ++ran; });
    drain(q);
    sim::EventId fresh = q.push_callback(SimTime::from_ns(2), 2, [&] { ++ran; });
    CHECK(fresh.slot == old.slot);
    CHECK_FALSE(q.cancel(old));
    drain(q);
    CHECK(ran == 2);
}
