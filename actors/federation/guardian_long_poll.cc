// Guardian: users' long-poll reads. A read whose condition the state already satisfies is
// answered at once; otherwise it is parked (in memory, by arrival) and answered after the round
// that satisfies it: fedimint's `wait_key_exists` / `wait_value_matches` wake on the commit of
// the database transaction that writes the key (fedimint-ln-server lib.rs
// `wait_contract_account`, `wait_outgoing_contract_account_cancelled`,
// `wait_preimage_decrypted`; core AWAIT_TRANSACTION).
//
// `wait_block_height(h)` instead checks when it arrives and then after every 5 s sleep
// (`while h >= consensus_block_count() { sleep(5 s) }`), so it answers at the first tick
// arrival + 5 k s at which the count has passed h. The LN count never decreases, so the checks
// before the round that passes h cannot answer: the guardian computes that tick when the round
// is applied and wakes only then (one timer per answer, not one per 5 s per parked await).
#include "actors/federation/guardian.h"

#include <algorithm>

#include "sim/this_actor.h"

namespace actors::federation {

void Guardian::reply_to(sim::NodeId user, const QueryMsg& query) {
    QueryReply reply = answer_query(query, config_.peer, store_->state);
    if (query.kind == QueryKind::gateways) {
        // LIST_GATEWAYS_ENDPOINT: this guardian's unexpired registrations, by its own clock,
        // each unanchored to its remaining ttl (fedimint-ln-server lib.rs `list_gateways`:
        // `.map(|(_, gw)| gw.unanchor())`), which the client's refresh sleeps by.
        const int64_t now_ns = sim_.clocks().unix_ns(node(), sim::this_actor::now());
        for (GatewayAnnouncement& a : store_->gateways.list(now_ns)) {
            const int64_t until_ns = *store_->gateways.valid_until(a.gateway_key);  // listed
            reply.gateways.push_back(ListedGateway{
                .announcement = std::move(a),
                .ttl = sim::SimDuration::nanos(std::max<int64_t>(until_ns - now_ns, 0))});
        }
    }
    sim_.network().send(node(), user, "fed_reply", std::move(reply));
}

// One parked copy per (user, query id): a re-sent await (after a timeout, a connection error or
// a resubmit) refreshes the copy's expiry but keeps its first arrival, so a wait_block_height
// answer is not later than the first request's 5 s loop would give it. [inference] upstream
// runs one loop per request; the copies would answer the same thing, the earliest first.
void Guardian::on_query(const sim::Envelope& env, const QueryMsg& query) {
    const sim::SimTime now = sim::this_actor::now();
    auto same = [&](const auto& entry) {
        return entry.second.from == env.from && entry.second.query.query_id == query.query_id;
    };
    if (await_satisfied(query, store_->state)) {
        if (query.await != AwaitKind::none) {
            std::erase_if(parked_, same);  // answered now: an older copy has nothing left to do
        }
        reply_to(env.from, query);  // a one-shot read, or the first check of an await
        return;
    }
    auto it = std::find_if(parked_.begin(), parked_.end(), same);
    if (it != parked_.end()) {
        it->second.expires_at = now + k_parked_await_expiry;
        return;
    }
    parked_.emplace(parked_seq_++, ParkedQuery{.from = env.from,
                                               .query = query,
                                               .arrived_at = now,
                                               .expires_at = now + k_parked_await_expiry,
                                               .answer_at = sim::SimTime::never()});
}

void Guardian::on_await_cancel(const sim::Envelope& env, const AwaitCancelMsg& cancel) {
    std::erase_if(parked_, [&](const auto& entry) {
        return entry.second.from == env.from && entry.second.query.query_id == cancel.query_id;
    });
}

// After a round is applied (or a peer's state adopted): the commit wakes the key waiters; a
// block-height await whose height was passed gets the tick of the check that will see it.
// Expired copies are dropped here (rounds run continuously, so at most a round late).
void Guardian::answer_parked() {
    const sim::SimTime now = sim::this_actor::now();
    for (auto it = parked_.begin(); it != parked_.end();) {
        ParkedQuery& p = it->second;
        if (p.expires_at <= now) {
            it = parked_.erase(it);
            continue;
        }
        if (!await_satisfied(p.query, store_->state)) {
            ++it;
            continue;
        }
        if (p.query.await == AwaitKind::ln_count_above) {
            if (p.answer_at.is_never()) {
                const int64_t period = k_block_height_recheck.ns();
                const int64_t waited = (now - p.arrived_at).ns();
                const int64_t ticks = (waited + period - 1) / period;  // a check at now counts
                p.answer_at = p.arrived_at + k_block_height_recheck * std::max<int64_t>(ticks, 1);
                recheck_at_ = std::min(recheck_at_, p.answer_at);
            }
            ++it;
            continue;
        }
        reply_to(p.from, p.query);
        it = parked_.erase(it);
    }
}

// The block-height checks that are due.
void Guardian::recheck_heights() {
    const sim::SimTime now = sim::this_actor::now();
    recheck_at_ = sim::SimTime::never();
    for (auto it = parked_.begin(); it != parked_.end();) {
        const ParkedQuery& p = it->second;
        if (p.expires_at <= now) {
            it = parked_.erase(it);
            continue;
        }
        if (p.answer_at <= now) {
            reply_to(p.from, p.query);
            it = parked_.erase(it);
            continue;
        }
        recheck_at_ = std::min(recheck_at_, p.answer_at);
        ++it;
    }
}

}  // namespace actors::federation
