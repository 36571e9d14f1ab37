// LongPoll: f + 1 agreement over long-poll answers, and re-sending timed-out requests.
#include "actors/federation/long_poll.h"

#include <algorithm>

#include "actors/federation/federation_api.h"
#include "sim/this_actor.h"

namespace actors::federation {

sim::SimDuration fibonacci_delay(sim::SimDuration min, sim::SimDuration max, uint64_t attempt) {
    uint64_t a = 1;
    uint64_t b = 1;
    for (uint64_t i = 0; i < attempt && a < (uint64_t{1} << 40); ++i) {
        const uint64_t next = a + b;
        a = b;
        b = next;
    }
    const sim::SimDuration d = min * static_cast<int64_t>(a);
    return std::min(d, max);
}

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

void LongPoll::send(Entry& entry, size_t guardian) {
    entry.guardians[guardian].sent_at = sim::this_actor::now();
    ++sent_;
    ++api_.reads_sent_;
    api_.sim_.network().send(api_.self_, api_.guardians_[guardian], "fed_await", entry.query);
}

// A request unanswered at its timeout failed; util::retry re-sends it after the backoff.
sim::SimTime LongPoll::resend_at(const PerGuardian& g) const {
    const LongPollTiming& t = api_.long_poll_timing();
    return g.sent_at + t.request_timeout +
           fibonacci_delay(t.backoff_min, t.backoff_max, g.failures);
}

sim::SimTime LongPoll::next_resend() const {
    sim::SimTime next = sim::SimTime::never();
    for (const Entry& e : entries_) {
        if (!e.open) {
            continue;
        }
        for (const PerGuardian& g : e.guardians) {
            if (!g.digest.has_value()) {
                next = std::min(next, resend_at(g));
            }
        }
    }
    return next;
}

void LongPoll::resend_due() {
    const sim::SimTime now = sim::this_actor::now();
    for (Entry& e : entries_) {
        for (size_t i = 0; e.open && i < e.guardians.size(); ++i) {
            PerGuardian& g = e.guardians[i];
            if (!g.digest.has_value() && resend_at(g) <= now) {
                ++g.failures;
                send(e, i);
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
        std::optional<QueryReply> r = replies_->recv_until(std::min(until, next_resend()));
        if (r.has_value()) {
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
