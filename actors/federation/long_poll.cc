// LongPoll: f + 1 agreement over long-poll answers, and re-sending timed-out requests.
#include "actors/federation/long_poll.h"

#include <algorithm>
#include <optional>

#include "actors/federation/federation_api.h"
#include "actors/federation/fibonacci_backoff.h"
#include "sim/this_actor.h"

namespace actors::federation {

LongPoll::LongPoll(FederationApi& api)
    : api_(api), replies_(std::make_shared<sim::Channel<QueryReply>>("fed_long_poll")) {}

void LongPoll::withdraw_open() {
    for (Entry& e : entries_) {
        withdraw(e);
    }
}

size_t LongPoll::add(QueryMsg query) {
    query.query_id = api_.next_query_++;
    api_.pending_.insert_or_assign(query.query_id, replies_);
    const size_t index = entries_.size();
    by_id_.emplace(query.query_id, index);
    entries_.push_back(Entry{.query = query,
                             .guardians = std::vector<PerGuardian>(api_.guardians_.size()),
                             .open = true});
    for (size_t g = 0; g < api_.guardians_.size(); ++g) {
        send(entries_[index], g);
    }
    return index;
}

void LongPoll::drop(size_t index) { withdraw(entries_.at(index)); }

// [model] Upstream's client races the cancel and block-height awaits only after the gateway's
// pay_invoice failed, so a successful payment leaves nothing parked; the model's client races
// them from the start and withdraws the ones it no longer needs, at the guardians that have not
// answered, so that it leaves nothing parked either (JSON-RPC has no cancel message).
void LongPoll::withdraw(Entry& entry) {
    if (!entry.open) {
        return;
    }
    for (size_t g = 0; g < entry.guardians.size(); ++g) {
        if (!entry.guardians[g].digest.has_value()) {
            api_.sim_.network().send(api_.self_, api_.guardians_[g], "fed_await_cancel",
                                     AwaitCancelMsg{entry.query.query_id});
        }
    }
    close(entry);
}

void LongPoll::close(Entry& entry) {
    if (entry.open) {
        entry.open = false;
        api_.pending_.erase(entry.query.query_id);
    }
}

void LongPoll::resend_unanswered(size_t index) {
    Entry& e = entries_.at(index);
    for (size_t g = 0; e.open && g < e.guardians.size(); ++g) {
        if (!e.guardians[g].digest.has_value()) {
            send(e, g);
        }
    }
}

// A request asks its guardian's connection (guardian_connection.h): sent at once on a live one,
// else it waits for the connect (no request timeout runs meanwhile). A request that went out
// times out at request_timeout, then util::retry waits the backoff; a connection error (the
// connect failed, the send failed, the connection closed under it) waits only the backoff.
void LongPoll::send(Entry& entry, size_t guardian) {
    PerGuardian& g = entry.guardians[guardian];
    ++sent_;
    ++api_.reads_sent_;
    const GuardianConnection::Grant grant = api_.connection(guardian).request();
    if (grant.connected) {
        transmit(entry, guardian, grant.connection);
        return;
    }
    g.ticket = grant.ticket;
    g.connected = false;
    g.retry_at = sim::SimTime::never();
    g.check_at = sim::SimTime::never();
}

// The request goes out on `connection`. A send that fails is a connection error at once; if the
// link is cut the user has found the cut and the connection is closed (the next request
// connects, and across the cut that fails at the connect timeout).
void LongPoll::transmit(Entry& entry, size_t guardian, uint64_t connection) {
    PerGuardian& g = entry.guardians[guardian];
    const LongPollTiming& t = api_.long_poll_timing();
    const sim::SimTime now = sim::this_actor::now();
    sim::Network& net = api_.sim_.network();
    const sim::NodeId peer = api_.guardians_[guardian];
    g.connection = connection;
    g.connected = net.send(api_.self_, peer, "fed_await", entry.query);
    if (!g.connected) {
        if (!net.can_reach(api_.self_, peer) || !net.can_reach(peer, api_.self_)) {
            connection_error(g, now);
            api_.close_connection(guardian);  // errors the other requests on it
            return;
        }
        connection_error(g, now);
        return;
    }
    g.retry_at = now + t.request_timeout + fibonacci_delay(t.backoff_min, t.backoff_max, g.failures);
    g.checks = 0;
    g.check_at = now + fibonacci_delay(t.backoff_min, t.backoff_max, 0);
}

void LongPoll::connection_error(PerGuardian& g, sim::SimTime at) {
    const LongPollTiming& t = api_.long_poll_timing();
    g.connected = false;
    g.check_at = sim::SimTime::never();
    g.retry_at = at + fibonacci_delay(t.backoff_min, t.backoff_max, g.failures);
    ++g.failures;
}

// The connection to `guardian` closed (its process died; FederationApi::connection_closed
// closed it): every request in flight on it errors; requests on a later connection stand.
void LongPoll::connection_closed(size_t guardian) {
    GuardianConnection& c = api_.connection(guardian);
    for (Entry& e : entries_) {
        if (!e.open || guardian >= e.guardians.size()) {
            continue;
        }
        PerGuardian& g = e.guardians[guardian];
        if (!g.digest.has_value() && g.connected && !c.alive(g.connection)) {
            connection_error(g, sim::this_actor::now());
        }
    }
}

sim::SimTime LongPoll::next_wake() const {
    sim::SimTime next = sim::SimTime::never();
    for (const Entry& e : entries_) {
        if (!e.open) {
            continue;
        }
        for (size_t i = 0; i < e.guardians.size(); ++i) {
            const PerGuardian& g = e.guardians[i];
            if (g.digest.has_value()) {
                continue;
            }
            next = g.ticket.has_value() ? std::min(next, api_.connection(i).wake_for(*g.ticket))
                                        : std::min({next, g.retry_at, g.check_at});
        }
    }
    return next;
}

void LongPoll::resend_due() {
    const LongPollTiming& t = api_.long_poll_timing();
    const sim::SimTime now = sim::this_actor::now();
    const sim::Network& net = api_.sim_.network();
    for (Entry& e : entries_) {
        for (size_t i = 0; e.open && i < e.guardians.size(); ++i) {
            PerGuardian& g = e.guardians[i];
            if (g.digest.has_value()) {
                continue;
            }
            if (g.ticket.has_value()) {
                const GuardianConnection::Wait w = api_.connection(i).resolve(*g.ticket);
                if (w.kind == GuardianConnection::Wait::Kind::connected) {
                    g.ticket.reset();
                    transmit(e, i, w.connection);
                } else if (w.kind == GuardianConnection::Wait::Kind::failed) {
                    g.ticket.reset();
                    connection_error(g, w.at);
                }
                continue;
            }
            if (g.retry_at <= now) {
                if (g.connected) {
                    ++g.failures;  // timed out (a connection error counted itself)
                }
                send(e, i);
                continue;
            }
            if (g.check_at <= now) {
                const sim::NodeId peer = api_.guardians_[i];
                if (!net.can_reach(api_.self_, peer) || !net.can_reach(peer, api_.self_)) {
                    connection_error(g, now);
                    api_.close_connection(i);  // errors the other requests on it
                } else {
                    g.check_at = now + fibonacci_delay(t.backoff_min, t.backoff_max, ++g.checks);
                }
            }
        }
    }
}

std::optional<LongPoll::Answer> LongPoll::take(const QueryReply& reply) {
    auto it = by_id_.find(reply.query_id);
    if (it == by_id_.end()) {
        return std::nullopt;
    }
    Entry& e = entries_[it->second];
    if (!e.open || reply.peer.value >= e.guardians.size()) {
        return std::nullopt;
    }
    e.guardians[reply.peer.value].digest = reply.digest;
    uint64_t agreeing = 0;
    for (const PerGuardian& g : e.guardians) {
        agreeing += g.digest == reply.digest ? 1 : 0;
    }
    if (agreeing < api_.quorum_.f + 1) {
        return std::nullopt;
    }
    close(e);
    return Answer{.index = it->second, .reply = reply};
}

std::optional<LongPoll::Answer> LongPoll::wait_until(sim::SimTime until) {
    const bool any_open =
        std::any_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.open; });
    if (!any_open) {
        if (!until.is_never()) {
            sim::this_actor::sleep_until(until);
        }
        return std::nullopt;
    }
    while (true) {
        std::optional<QueryReply> r = replies_->recv_until(std::min(until, next_wake()));
        if (r.has_value()) {
            if (r->closed_at.has_value()) {
                connection_closed(r->peer.value);
                continue;
            }
            if (std::optional<Answer> a = take(*r)) {
                return a;
            }
            continue;
        }
        if (sim::this_actor::now() >= until) {
            return std::nullopt;
        }
        resend_due();
    }
}

}  // namespace actors::federation
