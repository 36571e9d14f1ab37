// GuardianConnection: one user's connection to one guardian's API, shared by every request the
// user sends that guardian (LongPoll's awaits and the threshold read), as fedimint's client keeps
// one `ClientConnection` per peer (fedimint-api-client src/api/mod.rs at 000ff55,
// `ReconnectClientConnections`, `ClientConnection::new` and `connection()`).
//
// Upstream, read from that source: a request asks the peer's connection task for the connection
// (`connection().await`, no timeout of its own). The task connects when the first request comes
// (nothing connects before); the requests that came while no attempt ran go with the attempt
// ("Drain the queue, so we everyone that already joined fail or succeed together"). On success
// every waiting request, and every later one, gets the connection until it disconnects. On
// failure the task sleeps `backoff.next()` (api_networking_backoff(), fibonacci_delay) while
// still holding the failed attempt's requests, which error only when the sleep ends (their
// oneshot senders are dropped then: `connection()` returns None, "Failed to connect to peer");
// requests that came during the attempt or the sleep wait for the next attempt, which starts
// right after the sleep. The backoff is built anew only after a successful connection
// disconnects (so a success resets it, and failures with no success between keep growing it).
// jsonrpsee's 60 s request timeout runs inside `ClientT::request`, on the connection: not while
// a request waits for it. A connect is jsonrpsee's `WsClientBuilder::build`, its TCP connect
// bounded by `connection_timeout`, 10 s by default (jsonrpsee client/transport src/ws/mod.rs,
// `connect`; fedimint sets none: WebsocketConnector::connect).
//
// The model: an attempt's outcome is read from the network when it starts. [model] A guardian
// that is up and reachable both ways connects at once (the TCP and websocket handshakes' round
// trips are left out, so a fault-free run's timing is that of a connection made at the start).
// A guardian whose process is down refuses (its host answers the SYN with RST): the attempt
// fails one round trip later [inference], the two links' least latencies (no latency drawn).
// A link cut either way: the SYN or its answer is lost; the client's TCP retransmits the SYN 1,
// 3 and 7 s after the attempt started [inference: Linux, initial RTO 1 s doubling, RFC 6298
// 5.5], and a retransmit that finds the link healed connects then (or is refused one round trip
// later if the process is down); with none, the attempt fails at the 10 s connection timeout.
// The backoff's jitter is left out, as everywhere in the model.
//
// Like upstream's connection task, the connection runs by itself: an engine event at each of its
// own event times (a SYN retransmit, a failed connect, the end of a sleep) advances it, so every
// SYN reads the network at its own instant, whether or not a reader is waiting then. A request
// made at the instant an attempt starts joins it (upstream drains the queue as the attempt
// starts). A connection that closes (the guardian's process died, or the user found the link cut)
// errors every request on it, and a ticket whose attempt connected before the close is failed at
// the close. [model] The connect's SYNs read only cuts: a paused link (sim::Network::pause_link)
// does not delay or fail a connect; only the TCP connect is bounded by the 10 s timeout, the
// websocket handshake is not modelled (it is never slow here); each guardian has one address
// (upstream the timeout applies per resolved address); only the ws/wss connector is modelled (not
// the iroh one).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/event_queue.h"
#include "sim/ids.h"
#include "sim/simulation.h"
#include "sim/time.h"

namespace actors::federation {

struct LongPollTiming;

class GuardianConnection {
public:
    GuardianConnection(sim::Simulation& sim, sim::NodeId self, sim::NodeId peer,
                       const LongPollTiming& timing);
    GuardianConnection(GuardianConnection&&) = default;
    // Its engine event holds `this`: it must not move once armed (FederationApi fills its
    // vector before any request and never resizes it).
    ~GuardianConnection() = default;

    // A request waiting for the connection: it rides attempt `attempt` (or, `queued` behind it,
    // that one if it connects, else the next). `epoch` names the user's process that made it.
    struct Ticket {
        uint64_t epoch = 0;
        uint64_t attempt = 0;
        bool queued = false;
    };
    // What `connection()` gives a request now: the connection (named by `connection`, for
    // alive()), or a ticket to wait on with resolve().
    struct Grant {
        bool connected = false;
        uint64_t connection = 0;
        Ticket ticket;
    };
    Grant request();

    // Where a ticket stands: still waiting, or given connection `connection` at `at`, or failed
    // at `at` (the end of the sleep after its attempt failed, or the close of the connection its
    // attempt made).
    struct Wait {
        enum class Kind : uint8_t { waiting, connected, failed };
        Kind kind = Kind::waiting;
        sim::SimTime at;
        uint64_t connection = 0;
    };
    Wait resolve(const Ticket& ticket);

    // Whether connection `id` is still up (requests in flight on a closed one errored with it).
    bool alive(uint64_t id) const { return phase_ == Phase::connected && connection_ == id; }
    // The connection broke: its guardian's process died at `at` (the close arrived now), or the
    // user found the link cut (at = now). A connection made after `at` is a later one and stays.
    void close(sim::SimTime at);
    // When a reader holding `ticket` must look again: now if the ticket is no longer waiting,
    // else when the connection's state next changes (a SYN retransmit, a failed connect, the end
    // of the sleep after it). No side effects.
    sim::SimTime wake_for(const Ticket& ticket) const;
    // The user's process stopped or (re)started: no connection, a fresh backoff (a new
    // connection task); tickets of the old process are void (resolve() asserts).
    void reset();

private:
    enum class Phase : uint8_t { idle, connecting, backing_off, connected };
    struct Attempt {
        sim::SimTime started;
        bool succeeded = false;
        sim::SimTime connected_at;
        sim::SimTime closed_at = sim::SimTime::never();  // its connection closed (if it made one)
        bool syn_answered = false;  // connected or refused (else the SYNs are lost to a cut)
        uint8_t syns_resent = 0;    // the SYN retransmits tried so far
        sim::SimTime failed_at = sim::SimTime::never();
        sim::SimTime errors_at = sim::SimTime::never();  // its requests error (the sleep's end)
    };

    sim::SimTime now() const { return sim_.scheduler().now(); }
    Wait peek(const Ticket& ticket) const;
    void advance(sim::SimTime now);
    // Keeps one engine event at next_event() (the connection task running by itself).
    void arm();
    sim::SimTime next_event() const;
    void start(sim::SimTime at);
    // A SYN (first or resent) now: connected, refused, or still unanswered (false).
    bool try_syn(Attempt& a, sim::SimTime at);
    sim::SimTime next_syn(const Attempt& a) const;

    sim::Simulation& sim_;
    sim::NodeId self_;
    sim::NodeId peer_;
    const LongPollTiming& timing_;
    Phase phase_ = Phase::idle;
    uint64_t epoch_ = 0;
    sim::SimTime reset_at_ = sim::SimTime::never();  // the last reset(): a stale ticket's error
    // By attempt number, for the whole run (a few dozen bytes per failed connect).
    std::vector<Attempt> attempts_;
    uint64_t queued_ = 0;            // requests waiting for the next attempt
    uint64_t failures_ = 0;          // backoff.next() calls since the last success
    uint64_t connection_ = 0;        // the attempt whose connection is up
    sim::EventId timer_;             // the engine event at armed_at_
    sim::SimTime armed_at_ = sim::SimTime::never();
};

}  // namespace actors::federation
