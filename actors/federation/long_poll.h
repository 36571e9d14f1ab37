// LongPoll: a user's long-poll reads in flight, as fedimint's client issues its await
// endpoints (fedimint-api-client `request_with_strategy_retry`): every await goes to every
// guardian, and it is answered once f + 1 guardians gave the same answer (at least one honest
// guardian vouches for it). Several awaits can be raced: wait_until() returns the first one
// answered, the others stay parked at the guardians.
//
// The bound on one request: fedimint builds its websocket client with jsonrpsee's
// `WsClientBuilder::default()` (fedimint-api-client src/api/mod.rs at 000ff55,
// `WebsocketConnector::connect`, sets no request timeout), so a request fails after jsonrpsee's
// default 60 s; `util::retry` with `api_networking_backoff()`
// (Fibonacci from 250 ms, growing until it passes 10 s: 13.75 s from the tenth retry on, no
// attempt limit; fibonacci_delay, fibonacci_backoff.h) re-sends it to that guardian. The
// backoff's jitter (up to its minimum delay) is left out.
//
// Connection errors: every request to a guardian goes through the user's one connection to it
// (GuardianConnection, upstream's ClientConnection, shared with the threshold read): on a live
// connection it is sent at once; else it waits for the connect, with no request timeout running
// (jsonrpsee's runs inside the request, on the connection), and a failed connect (refused when
// the guardian's process is down, timed out at 10 s across a cut) is its error only when the
// connection task's backoff sleep after it ends (guardian_connection.h has the upstream source
// and the schedule). A websocket client sees a broken connection at once (jsonrpsee reports a
// transport error) and the retry starts then. A send on a live connection that fails
// (sim::Network::send returns false: the link is partitioned, or its queue is full) is a
// connection error; a partition also closes the connection (the user found the cut), so the
// next request reconnects. A packet dropped on a live link is not (TCP would retransmit it); a
// silent loss is found at the 60 s timeout. The other half, a reply lost because the guardian
// -> user link was cut when the guardian answered (or a request lost in flight when a cut
// started): the guardian's write fails and the connection breaks. [inference] The user notices
// at its next connection check: while a request is outstanding it checks both directions of the
// link on the same Fibonacci steps from the send (250 ms, 250 ms, 500 ms, ... 13.75 s) and, if
// either is cut, counts a connection error and closes the connection, which errors every other
// request on it at once (FederationApi::close_connection). A cut shorter than the check interval
// that ate a reply is found at the timeout, as a silent loss.
//
// A guardian process that dies is not a cut: the OS closes its sockets (FIN/RST), and jsonrpsee
// errors every request pending on the connection when the close arrives (its WsClient's
// background task ends with the connection; pending and later calls fail with
// Error::RestartNeeded, docs.rs jsonrpsee-ws-client `WsClient`). The model: the user
// watches each guardian's node (sim::Network::watch_node); when it goes down the close reaches
// the user one link latency later, after the replies already on the way; it closes the
// connection (FederationApi::connection_closed) and every request in flight on it errors then (a
// cut guardian -> user link stops the close; the connection check finds the cut instead). Until
// the close arrives the user does not know: a request sent meanwhile goes on the old connection
// and errors with the close. [model] If the guardian restarted before the close arrived, the
// network hands such a request to the new process, which parks or answers it (upstream the new
// process answers the stray segment with RST): an answer that arrives before the close counts.
// Bound: one link latency.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "actors/federation/fibonacci_backoff.h"
#include "actors/federation/guardian_connection.h"
#include "actors/federation/messages.h"
#include "sim/channel.h"
#include "sim/time.h"

namespace actors::federation {

class FederationApi;

struct LongPollTiming {
    // jsonrpsee's default request timeout (fedimint does not override it).
    sim::SimDuration request_timeout = sim::SimDuration::seconds(60);
    // fedimint-core util/backoff_util.rs `api_networking_backoff()`.
    sim::SimDuration backoff_min = sim::SimDuration::millis(250);
    sim::SimDuration backoff_max = sim::SimDuration::seconds(10);
    // jsonrpsee's WsClientBuilder `connection_timeout` default: a connect across a cut fails
    // then (guardian_connection.h).
    sim::SimDuration connect_timeout = sim::SimDuration::seconds(10);
};

class LongPoll {
public:
    explicit LongPoll(FederationApi& api);
    // No side effects: a LongPoll can be destroyed while its actor's stack unwinds at the end
    // of a run, after the API and the network are gone. A user that stops waiting calls
    // withdraw_open(); a crashed user's FederationApi::stop() forgets its queries.
    ~LongPoll() = default;
    LongPoll(const LongPoll&) = delete;
    LongPoll& operator=(const LongPoll&) = delete;

    // Sends `query` (its `await` set) to every guardian now; returns its index.
    size_t add(QueryMsg query);
    // Stops waiting for an await: it is withdrawn, its late answers are ignored and it is not
    // re-sent.
    void drop(size_t index);
    // Re-sends an open await to every guardian that has not answered it (submit_and_wait does
    // at each resubmit, so a lost await does not outlive the resubmission that fixes the tx).
    void resend_unanswered(size_t index);

    struct Answer {
        size_t index = 0;
        QueryReply reply;  // one of the f + 1 agreeing replies (the one completing the quorum)
    };
    // Blocks until an await not yet answered has f + 1 agreeing guardians (re-sending timed
    // out requests meanwhile), or until `until`.
    std::optional<Answer> wait_until(sim::SimTime until);
    // Withdraws every await still open (long_poll.cc, `withdraw`): call when done waiting.
    void withdraw_open();
    // Requests sent so far (first sends and re-sends), for tests and traces.
    uint64_t requests_sent() const { return sent_; }

private:
    struct PerGuardian {
        sim::SimTime retry_at;                       // the next re-send
        sim::SimTime check_at = sim::SimTime::never();  // the next connection check
        uint64_t checks = 0;                         // connection checks since the last send
        uint64_t failures = 0;                       // timeouts and connection errors so far
        bool connected = false;                      // in flight on connection `connection`
        uint64_t connection = 0;
        std::optional<GuardianConnection::Ticket> ticket;  // waiting for the connection
        std::optional<uint64_t> digest;              // its answer
    };
    struct Entry {
        QueryMsg query;
        std::vector<PerGuardian> guardians;
        bool open = true;
    };

    void send(Entry& entry, size_t guardian);
    void transmit(Entry& entry, size_t guardian, uint64_t connection);
    void connection_error(PerGuardian& g, sim::SimTime at);
    void connection_closed(size_t guardian);
    sim::SimTime next_wake() const;
    void resend_due();
    std::optional<Answer> take(const QueryReply& reply);
    void close(Entry& entry);
    void withdraw(Entry& entry);

    FederationApi& api_;
    std::shared_ptr<sim::Channel<QueryReply>> replies_;
    std::vector<Entry> entries_;
    std::map<uint64_t, size_t> by_id_;  // query id -> entry
    uint64_t sent_ = 0;
};

}  // namespace actors::federation
