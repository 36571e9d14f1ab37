// Guardian answers to user queries, with a digest of the answer so users can count agreement.
#include "actors/federation/messages.h"

#include "sim/trace.h"

namespace actors::federation {

namespace {

uint64_t mix(uint64_t h, uint64_t v) { return sim::fingerprint_mix(h, v); }

// What agreement covers. A one-shot read digests the whole answer. An await digests only what
// its condition settles and what never changes afterwards, so guardians answering it at different
// times (a parked copy answered in round r, a late copy answered at once in round r + 5) agree:
// an exists await leaves out spent / spent_by / cancelled, a cancelled await leaves out spent /
// spent_by (a cancelled contract is refunded later), a spent await leaves out cancelled, a
// decrypted await leaves out the incoming contract's spent flag (the claim comes later).
uint64_t digest_of(const QueryReply& r, AwaitKind await) {
    const bool one_shot = await == AwaitKind::none;
    uint64_t h = mix(0x51, r.query_id);
    if (r.outcome.has_value()) {
        h = mix(h, r.outcome->accepted ? 2 : 1);
        h = sim::fingerprint_bytes(h, r.outcome->error);
    }
    if (r.outgoing.has_value()) {
        if (one_shot || await == AwaitKind::outgoing_spent) {
            h = mix(h, r.outgoing->spent ? 1 : 0);
            h = mix(h, r.outgoing->spent_by.has_value()
                           ? 1 + static_cast<uint64_t>(*r.outgoing->spent_by)
                           : 0);
        }
        if (one_shot || await == AwaitKind::outgoing_cancelled) {
            h = mix(h, r.outgoing->contract.cancelled ? 1 : 0);
        }
        h = mix(h, r.outgoing->amount_msat);
    }
    if (r.incoming.has_value()) {
        h = mix(h, r.incoming->offered ? 1 : 0);
        h = mix(h, r.incoming->funded ? 1 : 0);
        h = mix(h, static_cast<uint64_t>(r.incoming->state));
        if (one_shot) {
            h = mix(h, r.incoming->spent ? 1 : 0);
        }
        h = mix(h, r.incoming->amount_msat);
    }
    h = mix(h, r.wallet_count);
    h = mix(h, r.ln_count);
    return h;
}

void fill(const QueryMsg& query, const FederationState& state, QueryReply* reply) {
    switch (query.kind) {
        case QueryKind::tx_outcome:
            if (const TxOutcome* o = state.outcome(query.tx)) {
                reply->outcome = *o;
            }
            return;
        case QueryKind::outgoing: {
            auto it = state.outgoing().find(query.contract);
            if (it != state.outgoing().end()) {
                const OutgoingRecord& rec = it->second;
                reply->outgoing = OutgoingSnapshot{.contract = rec.account.contract(),
                                                   .amount_msat = rec.account.amount_msat(),
                                                   .spent = rec.account.spent(),
                                                   .spent_by = rec.spent_by,
                                                   .preimage = rec.preimage};
            }
            return;
        }
        case QueryKind::incoming: {
            IncomingSnapshot snap;
            snap.offered = state.has_offer(query.hash);
            auto it = state.incoming().find(query.hash);
            if (it != state.incoming().end()) {
                snap.funded = true;
                snap.state = it->second.contract.state();
                snap.preimage = it->second.contract.preimage();
                snap.spent = it->second.contract.spent();
                snap.amount_msat = it->second.contract.amount_msat();
            }
            reply->incoming = snap;
            return;
        }
        case QueryKind::counts:
            return;
        case QueryKind::gateways:
            return;  // the guardian's own directory, not its consensus state (Guardian::reply_to)
    }
}

}  // namespace

QueryReply answer_query(const QueryMsg& query, PeerId peer, const FederationState& state) {
    QueryReply reply;
    reply.query_id = query.query_id;
    reply.peer = peer;
    reply.round = state.rounds_applied();
    fill(query, state, &reply);
    // Counts move every round; only the counts query reports them, so other answers agree.
    if (query.kind == QueryKind::counts && query.await == AwaitKind::none) {
        reply.wallet_count = state.wallet_count();
        reply.ln_count = state.ln_count();
    }
    reply.digest = digest_of(reply, query.await);
    if (query.await == AwaitKind::ln_count_above) {
        reply.ln_count = state.ln_count();  // informative only: not in the digest
    }
    return reply;
}

bool await_satisfied(const QueryMsg& query, const FederationState& state) {
    switch (query.await) {
        case AwaitKind::none:
            return true;
        case AwaitKind::tx_outcome:
            return state.outcome(query.tx) != nullptr;
        case AwaitKind::outgoing_exists:
        case AwaitKind::outgoing_cancelled:
        case AwaitKind::outgoing_spent: {
            auto it = state.outgoing().find(query.contract);
            if (it == state.outgoing().end()) {
                return false;
            }
            if (query.await == AwaitKind::outgoing_cancelled) {
                return it->second.account.contract().cancelled;
            }
            return query.await == AwaitKind::outgoing_exists || it->second.account.spent();
        }
        case AwaitKind::incoming_decrypted: {
            auto it = state.incoming().find(query.hash);
            return it != state.incoming().end() &&
                   it->second.contract.state() != DecryptedPreimage::pending;
        }
        case AwaitKind::ln_count_above:
            return state.ln_count() > query.height;
    }
    return true;
}

}  // namespace actors::federation
