// FederationApi::request_threshold and the gateway-directory reads built on it: one request per
// guardian, done at n - f answers, failed at f + 1 errors (upstream's `request_with_strategy`).
#include <algorithm>

#include "actors/federation/federation_api.h"
#include "actors/federation/gateway_union.h"
#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::federation {

namespace {

// One guardian's request in a threshold read (none is re-sent).
struct Request {
    std::optional<GuardianConnection::Ticket> ticket;  // waiting for the connection
    uint64_t connection = 0;         // the connection it went out on
    sim::SimTime times_out_at = sim::SimTime::never();
    bool open = false;  // neither answered nor errored yet
};

}  // namespace

// fedimint-api-client src/api/mod.rs `request_with_strategy` (fedimint/fedimint at 000ff55):
// a future per peer (`request_single_peer`, not retried), each answer handed to the strategy,
// each error recorded, and the read fails once the errors reach `one_honest()` (f + 1). The
// strategy here is `FilterMapThreshold` with the identity map (Success once `threshold()`, n - f,
// peers answered), what `fetch_gateways` uses (fedimint-ln-client api.rs; older releases:
// `UnionResponses::new(n)`, the same n - f threshold). Each request first asks its guardian's
// connection (guardian_connection.h, upstream's ClientConnection): on a live one it goes out at
// once; else it waits for the connect, and a failed connect is its error when the connection
// task's sleep after it ends. A request that went out errors when its connection closes under
// it (the crash notice, one link latency after the crash), when the send fails (the link is
// cut: the connection is closed too), or with no answer within jsonrpsee's request timeout
// (`WsClientBuilder::default()` sets none of its own: 60 s, LongPollTiming::request_timeout),
// which runs from the send, not while the request waits for the connection. [model] LongPoll's
// periodic connection check is left out: a reply lost to a cut that began after the send is
// found at the timeout. `deadline` is the model's, for the one-shot read (upstream has none).
std::optional<std::map<uint32_t, QueryReply>> FederationApi::request_threshold(
    QueryMsg query, sim::SimTime deadline) {
    // An await would stay parked at the guardians until its condition holds: not a threshold read.
    SIM_ASSERT(query.await == AwaitKind::none);
    query.query_id = next_query_++;
    auto replies = std::make_shared<sim::Channel<QueryReply>>("fed_threshold_read");
    pending_.emplace(query.query_id, replies);
    sim::Network& net = sim_.network();
    std::vector<Request> requests(guardians_.size());
    uint64_t errors = 0;
    auto transmit = [&](size_t i, uint64_t connection) {
        Request& r = requests[i];
        r.connection = connection;
        if (net.send(self_, guardians_[i], "fed_query", query)) {
            r.times_out_at = sim::this_actor::now() + long_poll_timing_.request_timeout;
            return;
        }
        r.open = false;
        ++errors;
        if (!net.can_reach(self_, guardians_[i]) || !net.can_reach(guardians_[i], self_)) {
            close_connection(i);  // the cut is found: every other request on it errors too
        }
    };
    for (size_t i = 0; i < guardians_.size(); ++i) {
        ++reads_sent_;
        requests[i].open = true;
        const GuardianConnection::Grant grant = connections_[i].request();
        if (grant.connected) {
            transmit(i, grant.connection);
        } else {
            requests[i].ticket = grant.ticket;
        }
    }
    std::map<uint32_t, QueryReply> answers;  // by peer
    while (answers.size() < quorum_.t && errors < quorum_.f + 1) {
        sim::SimTime wake = deadline;
        for (size_t i = 0; i < requests.size(); ++i) {
            const Request& r = requests[i];
            if (r.open) {
                wake = std::min(wake, r.ticket.has_value() ? connections_[i].wake_for(*r.ticket)
                                                           : r.times_out_at);
            }
        }
        // Some request is open (none open: answers + errors = n with answers < n - f, so errors
        // > f, and the loop had ended), so the wait ends even with no deadline: a waiting
        // request's connection has a next event (a connect failing or the sleep after it).
        SIM_ASSERT(wake != sim::SimTime::never());
        std::optional<QueryReply> reply = replies->recv_until(wake);
        if (!reply.has_value()) {
            const sim::SimTime now = sim::this_actor::now();
            if (now >= deadline) {
                break;
            }
            for (size_t i = 0; i < requests.size(); ++i) {
                Request& r = requests[i];
                if (!r.open) {
                    continue;
                }
                if (r.ticket.has_value()) {
                    const GuardianConnection::Wait w = connections_[i].resolve(*r.ticket);
                    if (w.kind == GuardianConnection::Wait::Kind::connected) {
                        r.ticket.reset();
                        transmit(i, w.connection);
                    } else if (w.kind == GuardianConnection::Wait::Kind::failed) {
                        r.ticket.reset();
                        r.open = false;
                        ++errors;
                    }
                } else if (r.times_out_at <= now) {
                    r.open = false;
                    ++errors;
                }
            }
            continue;
        }
        const uint32_t peer = reply->peer.value;
        if (peer >= requests.size() || !requests[peer].open || requests[peer].ticket.has_value()) {
            continue;
        }
        Request& r = requests[peer];
        if (reply->closed_at.has_value()) {
            if (!connections_[peer].alive(r.connection)) {  // it died with the connection
                r.open = false;
                ++errors;
            }
            continue;
        }
        r.open = false;
        answers.emplace(peer, std::move(*reply));
    }
    pending_.erase(query.query_id);
    if (answers.size() < quorum_.t) {
        return std::nullopt;
    }
    return answers;
}

// fedimint-ln-client api.rs `fetch_gateways`: the threshold read of "list_gateways", then
// `filter_duplicate_gateways` over the n - f lists ("There is no consensus within Fedimint on
// the gateways, each guardian might be aware of different ones, so we just return the union of
// all responses").
std::optional<std::vector<ListedGateway>> FederationApi::fetch_gateways(sim::SimTime deadline) {
    std::optional<std::map<uint32_t, QueryReply>> answers = request_threshold(
        QueryMsg{.query_id = 0, .kind = QueryKind::gateways, .tx = {}, .contract = {}, .hash = {}},
        deadline);
    if (!answers.has_value()) {
        return std::nullopt;
    }
    std::map<uint32_t, std::vector<ListedGateway>> lists;
    for (auto& [peer, reply] : *answers) {
        lists.emplace(peer, std::move(reply.gateways));
    }
    return union_by_key(lists);
}

std::optional<std::vector<GatewayAnnouncement>> FederationApi::gateways() {
    std::optional<std::vector<ListedGateway>> listed =
        fetch_gateways(sim::this_actor::now() + query_timeout_);
    if (!listed.has_value()) {
        return std::nullopt;
    }
    std::vector<GatewayAnnouncement> out;
    for (ListedGateway& l : *listed) {
        out.push_back(std::move(l.announcement));
    }
    return out;
}

}  // namespace actors::federation
