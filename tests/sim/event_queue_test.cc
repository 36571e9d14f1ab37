// EventQueue: (time, key) order, FIFO at equal times, cancellation.
#include <catch2/catch.hpp>

#include <set>
#include <utility>
#include <vector>

#include "sim/event_queue.h"
#include "sim/random.h"

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
    q.push_callback(SimTime::from_ns(20), 1, [&] { order.push_back(20); }, SimTime::zero());
    q.push_callback(SimTime::from_ns(10), 2, [&] { order.push_back(10); }, SimTime::zero());
    q.push_callback(SimTime::from_ns(30), 3, [&] { order.push_back(30); }, SimTime::zero());
    drain(q);
    CHECK(order == std::vector<int>{10, 20, 30});
}

TEST_CASE("equal-time events run in key (FIFO) order", "[event_queue]") {
    EventQueue q;
    std::vector<int> order;
    for (int i = 0; i < 100; ++i) {
        q.push_callback(SimTime::from_ns(5), static_cast<uint64_t>(i + 1),
                        [&order, i] { order.push_back(i); }, SimTime::zero());
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
    q.push_callback(SimTime::from_ns(1), 1, [&] { order.push_back(1); }, SimTime::zero());
    sim::EventId id = q.push_callback(SimTime::from_ns(2), 2, [&] { order.push_back(2); }, SimTime::zero());
    q.push_callback(SimTime::from_ns(3), 3, [&] { order.push_back(3); }, SimTime::zero());
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
    sim::EventId old = q.push_callback(SimTime::from_ns(1), 1, [&] { ++ran; }, SimTime::zero());
    drain(q);
    sim::EventId fresh = q.push_callback(SimTime::from_ns(2), 2, [&] { ++ran; }, SimTime::zero());
    CHECK(fresh.slot == old.slot);
    CHECK_FALSE(q.cancel(old));
    drain(q);
    CHECK(ran == 2);
}

TEST_CASE("events for the current instant keep (time, key) order with earlier heap entries",
          "[event_queue]") {
    EventQueue q;
    std::vector<int> order;
    SimTime t = SimTime::from_ns(7);
    // Scheduled before time reached 7: these live in the heap.
    q.push_callback(t, 1, [&] { order.push_back(1); }, SimTime::zero());
    q.push_callback(t, 2, [&] { order.push_back(2); }, SimTime::zero());
    // Scheduled "now" at 7 with larger keys: the ready list.
    q.push_callback(t, 3, [&] { order.push_back(3); }, t);
    q.push_callback(t, 4, [&] { order.push_back(4); }, t);
    // Out of key order for the ready list (a perturbed key): falls back to the heap.
    q.push_callback(t, 0, [&] { order.push_back(0); }, t);
    q.push_callback(SimTime::from_ns(8), 5, [&] { order.push_back(5); }, t);
    drain(q);
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
}

// The ready list is a ring: a list that never drains (W3's ping-pong pairs keep ~100 actors
// ready at one instant for the whole run) wraps around and grows while wrapped. Order must stay
// FIFO through every wrap and growth, and the queue must not grow with the events it served.
TEST_CASE("a ready list that never drains stays FIFO through wrap-around and growth",
          "[event_queue]") {
    EventQueue q;
    const SimTime t = SimTime::from_ns(3);
    uint64_t next_key = 1;
    uint64_t expect = 1;
    alignas(2) static char actors[1];
    auto push = [&](int n) {
        for (int i = 0; i < n; ++i) {
            q.push_actor(t, next_key++, actors, nullptr, t);
        }
    };
    auto pop = [&](int n) {
        for (int i = 0; i < n; ++i) {
            REQUIRE_FALSE(q.empty());
            EventQueue::Entry e = q.pop();
            REQUIRE(e.is_actor());
            REQUIRE(e.key == expect);
            ++expect;
        }
    };
    push(50);
    for (int round = 0; round < 10000; ++round) {
        pop(3);
        push(round % 97 == 0 ? 70 : 3);  // now and then a burst forces growth mid-wrap
    }
    CHECK(q.size() == next_key - expect);
    pop(static_cast<int>(q.size()));
    CHECK(q.empty());
    // A heap entry for the same instant with a smaller key still goes before the ring's head.
    q.push_actor(t, next_key + 1, actors, nullptr, t);
    q.push_actor(t, next_key, actors, nullptr, SimTime::zero());
    CHECK(q.pop().key == next_key);
    CHECK(q.pop().key == next_key + 1);
}

// Against a reference model (a std::set of (time, key)), over random interleavings of pushes at
// now and later, pops and cancels, with time advancing to each popped entry as the scheduler
// does. Covers the lazy removal of the heap's root: a pop hands out heap_[0] and the next push
// takes its place, or the next pop removes it; size() and empty() must not count it meanwhile.
TEST_CASE("random pushes, pops and cancels come out in (time, key) order", "[event_queue]") {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        sim::Random rng(seed);
        EventQueue q;
        std::set<std::pair<int64_t, uint64_t>> model;
        std::vector<std::pair<sim::EventId, std::pair<int64_t, uint64_t>>> cancellable;
        alignas(2) static char actor[1];
        SimTime now = SimTime::zero();
        uint64_t key = 1;
        for (int step = 0; step < 3000; ++step) {
            uint64_t op = rng.below(10);
            if (op <= 4 || model.empty()) {
                // A quarter of the pushes are for the current instant (the ready list).
                SimTime at = now + sim::SimDuration::nanos(rng.below(4) == 0 ? 0 : rng.range(1, 50));
                uint64_t k = key++;
                if (rng.below(2) == 0) {
                    q.push_actor(at, k, actor, nullptr, now);
                } else {
                    cancellable.push_back({q.push_callback(at, k, [] {}, now), {at.ns(), k}});
                }
                model.insert({at.ns(), k});
            } else if (op <= 7) {
                REQUIRE_FALSE(q.empty());
                EventQueue::Entry e = q.pop();
                if (!e.is_actor()) {
                    sim::Callback fn = q.take_callback(e);
                    if (!fn) {
                        continue;  // cancelled: already gone from the model
                    }
                }
                REQUIRE(std::make_pair(e.at.ns(), e.key) == *model.begin());
                model.erase(model.begin());
                now = e.at;
            } else if (!cancellable.empty()) {
                auto i = static_cast<size_t>(rng.below(cancellable.size()));
                if (q.cancel(cancellable[i].first)) {
                    model.erase(cancellable[i].second);
                }
                cancellable.erase(cancellable.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        while (!model.empty()) {
            REQUIRE_FALSE(q.empty());
            EventQueue::Entry e = q.pop();
            if (!e.is_actor() && !q.take_callback(e)) {
                continue;
            }
            REQUIRE(std::make_pair(e.at.ns(), e.key) == *model.begin());
            model.erase(model.begin());
        }
    }
}
