// GuardianConnection: the connect attempts, the backoff between them, and the tickets of the
// requests waiting on them (guardian_connection.h says what upstream does).
#include "actors/federation/guardian_connection.h"

#include <algorithm>
#include <iterator>

#include "actors/federation/fibonacci_backoff.h"
#include "actors/federation/long_poll.h"
#include "sim/assert.h"

namespace actors::federation {

GuardianConnection::GuardianConnection(sim::Simulation& sim, sim::NodeId self, sim::NodeId peer,
                                       const LongPollTiming& timing)
    : sim_(sim), self_(self), peer_(peer), timing_(timing) {}

GuardianConnection::Grant GuardianConnection::request() {
    const sim::SimTime at = now();
    advance(at);
    Grant grant;
    switch (phase_) {
        case Phase::connected:
            grant = Grant{.connected = true, .connection = connection_, .ticket = {}};
            break;
        case Phase::idle:
            start(at);
            grant = phase_ == Phase::connected
                        ? Grant{.connected = true, .connection = connection_, .ticket = {}}
                        : Grant{.connected = false,
                                .connection = 0,
                                .ticket = {.epoch = epoch_, .attempt = attempts_.size() - 1,
                                           .queued = false}};
            break;
        case Phase::connecting:
            if (attempts_.back().started == at) {
                // The attempt started at this instant: upstream's task drains the queue as the
                // attempt starts, so every request made by then goes with it.
                grant = Grant{.connected = false,
                              .connection = 0,
                              .ticket = {.epoch = epoch_, .attempt = attempts_.size() - 1,
                                         .queued = false}};
                break;
            }
            [[fallthrough]];
        case Phase::backing_off:
            // Queued behind the running attempt (or the sleep after it): served if it connects
            // (a SYN retransmit can), else it goes with the next attempt.
            ++queued_;
            grant = Grant{.connected = false,
                          .connection = 0,
                          .ticket = {.epoch = epoch_, .attempt = attempts_.size() - 1,
                                     .queued = true}};
            break;
    }
    arm();
    return grant;
}

GuardianConnection::Wait GuardianConnection::resolve(const Ticket& ticket) {
    advance(now());
    arm();
    return peek(ticket);
}

GuardianConnection::Wait GuardianConnection::peek(const Ticket& ticket) const {
    // A ticket of a process that stopped: its connection task died with it (reset()). Its own
    // actors died too, but an actor outside the process may still hold one (a scenario world's
    // driver pegging in through the gateway's client, gateway_world_run.cc): its request errors
    // at the stop, and the reader retries on the new process's connection.
    if (ticket.epoch != epoch_) {
        SIM_ASSERT(ticket.epoch < epoch_ && !reset_at_.is_never());
        return Wait{.kind = Wait::Kind::failed, .at = reset_at_, .connection = 0};
    }
    SIM_ASSERT(ticket.attempt < attempts_.size());
    uint64_t number = ticket.attempt;
    if (ticket.queued && !attempts_[number].succeeded) {
        ++number;  // queued behind a failed attempt: it rides the next one
    }
    if (number >= attempts_.size()) {
        return Wait{};
    }
    const Attempt& a = attempts_[number];
    if (a.succeeded) {
        if (alive(number)) {
            return Wait{.kind = Wait::Kind::connected, .at = a.connected_at, .connection = number};
        }
        // Connected, then closed before the reader looked: the request errors with the close.
        SIM_ASSERT(!a.closed_at.is_never());
        return Wait{.kind = Wait::Kind::failed, .at = a.closed_at, .connection = 0};
    }
    if (a.errors_at <= now()) {  // the sleep after its failure is over
        return Wait{.kind = Wait::Kind::failed, .at = a.errors_at, .connection = 0};
    }
    return Wait{};
}

void GuardianConnection::close(sim::SimTime at) {
    const sim::SimTime t = now();
    advance(t);
    if (phase_ == Phase::connected && attempts_[connection_].connected_at <= at) {
        // `backoff = api_networking_backoff()` after the disconnect; the next request connects.
        attempts_[connection_].closed_at = t;
        phase_ = Phase::idle;
        failures_ = 0;
    }
    arm();
}

sim::SimTime GuardianConnection::wake_for(const Ticket& ticket) const {
    if (peek(ticket).kind != Wait::Kind::waiting) {
        return now();
    }
    const sim::SimTime next = next_event();
    // A waiting ticket rides on an attempt that is failing or sleeping (a success is at once).
    SIM_ASSERT(!next.is_never());
    return next;
}

sim::SimTime GuardianConnection::next_event() const {
    switch (phase_) {
        case Phase::connecting:
            return std::min(attempts_.back().failed_at, next_syn(attempts_.back()));
        case Phase::backing_off:
            return attempts_.back().errors_at;
        case Phase::idle:
        case Phase::connected:
            return sim::SimTime::never();
    }
    return sim::SimTime::never();
}

void GuardianConnection::reset() {
    ++epoch_;
    reset_at_ = now();
    phase_ = Phase::idle;
    queued_ = 0;
    failures_ = 0;
    arm();
}

void GuardianConnection::arm() {
    const sim::SimTime next = next_event();
    if (next == armed_at_) {
        return;
    }
    if (timer_.valid()) {
        sim_.scheduler().cancel(timer_);
        timer_ = sim::EventId{};
    }
    armed_at_ = next;
    if (next.is_never()) {
        return;
    }
    timer_ = sim_.scheduler().schedule_at(next, [this] {
        timer_ = sim::EventId{};
        armed_at_ = sim::SimTime::never();
        advance(now());
        arm();
    });
}

// The connection task's loop: a SYN retransmit, a failed attempt's sleep, then the next attempt
// if requests queued meanwhile, else idle until the next request. Run at each event's own time
// (arm()), so `now` is never past an event not yet taken.
void GuardianConnection::advance(sim::SimTime now) {
    while (true) {
        SIM_ASSERT(next_event() >= now);
        if (phase_ == Phase::connecting && next_syn(attempts_.back()) == now) {
            Attempt& a = attempts_.back();
            ++a.syns_resent;
            try_syn(a, now);
            continue;
        }
        if (phase_ == Phase::connecting && attempts_.back().failed_at == now) {
            Attempt& a = attempts_.back();
            a.errors_at =
                a.failed_at + fibonacci_delay(timing_.backoff_min, timing_.backoff_max, failures_);
            ++failures_;
            phase_ = Phase::backing_off;
            continue;
        }
        if (phase_ == Phase::backing_off && attempts_.back().errors_at == now) {
            phase_ = Phase::idle;
            if (queued_ > 0) {
                queued_ = 0;
                start(now);
            }
            continue;
        }
        return;
    }
}

void GuardianConnection::start(sim::SimTime at) {
    attempts_.push_back(Attempt{.started = at});
    phase_ = Phase::connecting;
    Attempt& a = attempts_.back();
    if (!try_syn(a, at)) {
        a.failed_at = at + timing_.connect_timeout;
    }
}

bool GuardianConnection::try_syn(Attempt& a, sim::SimTime at) {
    // The SYN reads the network as it is at its own instant (arm() runs the task on time).
    SIM_ASSERT(at == now());
    if (!sim_.network().can_reach(self_, peer_) || !sim_.network().can_reach(peer_, self_)) {
        return false;
    }
    a.syn_answered = true;
    if (sim_.network().node_up(peer_)) {
        a.succeeded = true;
        a.connected_at = at;
        a.failed_at = sim::SimTime::never();
        phase_ = Phase::connected;
        connection_ = static_cast<uint64_t>(&a - attempts_.data());
        failures_ = 0;
        queued_ = 0;  // the task hands the connection to every request waiting
        return true;
    }
    a.failed_at = at + sim_.network().latency_floor(self_, peer_) +
                  sim_.network().latency_floor(peer_, self_);
    return true;
}

// The SYN retransmits of a connect across a cut, 1, 3 and 7 s after its start (the next would be
// at 15 s, past the 10 s timeout); never once answered (connected or refused).
sim::SimTime GuardianConnection::next_syn(const Attempt& a) const {
    static constexpr int64_t k_resend_seconds[] = {1, 3, 7};
    if (a.syn_answered || a.syns_resent >= std::size(k_resend_seconds)) {
        return sim::SimTime::never();
    }
    const sim::SimTime at = a.started + sim::SimDuration::seconds(k_resend_seconds[a.syns_resent]);
    return at < a.failed_at ? at : sim::SimTime::never();
}

}  // namespace actors::federation
