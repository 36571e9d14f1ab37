// Gateway: the LNv1 gateway actor between a federation and one Lightning node of any profile.
//
// Federation side: registers its fees and route hints (its channels with the most inbound
// liquidity, gateway_rules.h) and refreshes them; funds incoming contracts; claims outgoing
// contracts with the preimage or cancels them so the client can refund at once.
// Lightning side: pays invoices behind outgoing contracts with max_delay and max_fee from the
// rule core; intercepts HTLCs for its intercept scid, refuses unsafe expiries, funds the
// incoming contract, waits for the decryption and settles or fails the HTLC.
// In-flight payments live in a GatewayStore outside the actor: after crash() and restart()
// the gateway re-validates each one (resume mode) from its node's channel state and the
// federation's state, and finishes it. stop() lets in-flight payments reach a terminal state,
// then stops.
// State (gatewayd's GatewayState behind an RwLock, state_lock.h): running, disconnected from
// its Lightning node, or shutting down. A connection loop (started by the first connection
// fault) follows the Lightning connection (disconnect_lightning / reconnect_lightning) and
// sets the state; every Lightning call of a
// payment first reads the Lightning context under the shared lock and waits while the node is
// unreachable. ShuttingDown is terminal and /stop drains without holding the lock; the
// stop_deadlock variant (gateway_variant.h) restores the pre-#8990 behaviour.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/federation/checkers.h"
#include "actors/federation/federation_api.h"
#include "actors/gateway/gateway_rules.h"
#include "actors/gateway/offered_htlcs.h"
#include "actors/gateway/state_lock.h"
#include "actors/lightning/lightning_network.h"
#include "sim/sync.h"
#include "sim/simulation.h"

namespace actors::gateway {

using federation::ClientId;
using federation::ContractId;

// Client -> gateway: pay the invoice behind this funded outgoing contract.
struct PayRequest {
    ContractId contract;
    lightning::Invoice invoice;
};
// Gateway -> client: informational only; clients follow the federation's state.
struct PayResponse {
    ContractId contract;
    bool ok = false;
    std::string error;
};

struct GatewayConfig {
    std::string name = "gw";
    lightning::NodeIndex ln_node = lightning::k_no_node;
    lightning::NodeIndex federation_node = lightning::k_no_node;  // the virtual payee
    lightning::ShortChannelId intercept_scid{0x4d494e54};
    PublicKey gateway_key{0x6761746577617901ULL};
    ClientId client;  // the gateway's ecash account
    federation::RoutingFees fees = federation::k_gateway_default_fees;
    RouteHintOptions hints;
    PayRuleOptions rules;
    // 10 s keeps test scenarios short; gatewayd re-registers at 0.85 x GW_ANNOUNCEMENT_TTL. The
    // announcement's TTL follows from it (announcement_ttl).
    sim::SimDuration registration_interval = sim::SimDuration::seconds(10);
    // How often the connection loop looks at the Lightning connection, and how often a payment
    // waiting for an unreachable node tries again.
    sim::SimDuration ln_reconnect_poll = sim::SimDuration::seconds(1);
    // Bug knob fedimint#8990 (gateway_variant.h): /stop holds the state write lock while it
    // drains, and a reconnect flips ShuttingDown back to Running.
    bool stop_deadlock = false;
    // Bug knob fedimint#8928 (gateway_variant.h lnd_hint_node1_policy): an LND gateway's route
    // hints take get_chan_info's node1_policy whichever side node 1 is, as fedimint's lnd.rs
    // `routehints` did before the fix. Off (default): the remote peer's policy, upstream today.
    bool lnd_hints_node1_policy = false;
};

// gatewayd re-registers with each federation every 0.85 x GW_ANNOUNCEMENT_TTL (600 s), "a 15 %
// buffer of the TTL" (gateway/ln-gateway/src/lib.rs, register_clients_timer).
constexpr sim::SimDuration k_registration_interval_production = sim::SimDuration::seconds(510);

// The TTL of each registration: upstream's interval is 0.85 x GW_ANNOUNCEMENT_TTL, so the
// model keeps that ratio, TTL = interval x 20 / 17 (floored to the nanosecond): 600 s for the
// production 510 s, 11.764705882 s for the tests' 10 s. [model] the ratio, not upstream's 600 s
// itself, so that a gateway that stops registering drops out within ~1.18 intervals in the
// short test scenarios as in production.
// The slack, TTL - interval, is how late a write may be before a guardian's entry lapses
// between rounds: 90 s in production, 1.76 s at the tests' 10 s. So a guardian clock that jumps
// forward (the timeline's `skew_clock`, sim::Clocks::set_skew: the entry was anchored before
// the jump, the list reads after it) by 1.76 s to 90 s, or write latencies that vary by as
// much, drop a running gateway from that guardian until its next write in a test world but not
// in production: a scenario about skew or jitter of seconds needs the production interval
// (directory_world_test.cc, no flap).
constexpr sim::SimDuration announcement_ttl(sim::SimDuration registration_interval) {
    return sim::SimDuration::nanos(registration_interval.ns() / 17 * 20 +
                                   registration_interval.ns() % 17 * 20 / 17);
}
static_assert(announcement_ttl(k_registration_interval_production) ==
              sim::SimDuration::seconds(600));

enum class GatewayState : uint8_t { running, disconnected, shutting_down };
const char* to_string(GatewayState state);

// How a /stop ended. Upstream the /stop is an HTTP request to one gatewayd process: it returns
// once the shutdown completed (`stopped`); a crash or another /stop that ends the process first
// drops the connection (`abandoned`); a gateway that is down refuses it (`not_running`). Only
// `stopped` means this request stopped the gateway; after the others a restarted process may
// be running.
enum class StopOutcome : uint8_t { stopped, abandoned, not_running };
const char* to_string(StopOutcome outcome);

// claim_rejected: terminal, the federation rejected the claim (upstream the pay machine ends at
// Preimage and the submission machine at Rejected; nothing resubmits it).
enum class OutgoingStage : uint8_t { received, paying, paid, claimed, cancelled, claim_rejected };
enum class IncomingStage : uint8_t { intercepted, funded, settled, failed };

struct OutgoingPayment {
    PayRequest request;
    OutgoingStage stage = OutgoingStage::received;
    std::optional<federation::Preimage> preimage;
    std::string note;
    std::optional<sim::SimTime> dispatched_at;  // when it was handed to the Lightning node
    // The claim transaction, kept from before its first submission: a gateway that crashed
    // after submitting it waits on this same transaction after its restart. A new claim would
    // be rejected (already_spent) once the first was ordered, though the gateway was paid.
    // Upstream the pay machine is persisted and the submission machine resumes the same
    // transaction (fedimint-client-module transaction/sm.rs).
    std::optional<federation::FedTx> claim_tx;
};

struct IncomingPayment {
    lightning::InterceptedHtlc htlc;
    IncomingStage stage = IncomingStage::intercepted;
    // The guardians decrypted the preimage (the gateway's funding now belongs to the client)
    // but the HTLC was gone when the gateway tried to settle it: the gateway lost the amount.
    bool lost = false;
    std::string note;
    // The funding transaction, kept from before its first submission: after a restart the
    // gateway waits on this same transaction (same id, resubmitted) instead of building a new
    // one, which the federation would reject (already_funded) while holding the first.
    // Upstream the incoming state machine is persisted and resumes awaiting the same
    // transaction's outcome (fedimint-ln-client incoming.rs FundingOfferState; the
    // tx-submission machine, fedimint-client-module transaction/sm.rs).
    std::optional<federation::FedTx> funding;
    // An invalid preimage's refund, kept from before its first submission until it is
    // answered AND the HTLC is failed: a restart waits on the same transaction, or, once it
    // was answered, only fails the HTLC. (The HTLC's fail may wait for the Lightning
    // connection while the refund is ordered; clearing the refund at its answer let a crash in
    // that gap resume in `funded` with no refund, and the resumed gateway built a second one,
    // which the federation rejected: session 14 review.)
    std::optional<federation::FedTx> refund;
    bool refund_answered = false;  // the federation answered `refund`
};

// Survives a crash: the in-flight payments and the user-side API (its tx counter).
struct GatewayStore {
    std::map<ContractId, OutgoingPayment> outgoing;
    std::map<uint64_t, IncomingPayment> incoming;  // by intercept id
    uint64_t restarts = 0;
    std::vector<federation::RouteHintRecord> registered_hints;  // those of the last round sent
};

class Gateway {
public:
    Gateway(sim::Simulation& sim, lightning::LightningNetwork& ln,
            federation::Federation& federation, GatewayConfig config,
            federation::PaymentChecker* checker = nullptr);
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    void start();
    void crash();
    void restart();
    // gatewayd's /stop: moves Running to ShuttingDown (new work is refused), waits for every
    // in-flight payment to be terminal, then stops. From Disconnected it stops at once, as
    // upstream does. Call from an actor; returns when stopped, or when the process it was sent
    // to ended otherwise (a crash, another /stop), or at once if the gateway is down. Each
    // ending is traced: gateway_stopped, gateway_stop_abandoned, gateway_stop_not_running.
    [[nodiscard]] StopOutcome stop();
    bool running() const { return running_; }
    GatewayState state() const { return state_; }
    // The Lightning node's RPC connection (timeline faults); never blocks.
    void disconnect_lightning();
    void reconnect_lightning();
    bool lightning_connected() const { return ln_connected_; }

    sim::NodeId node() const { return node_; }
    federation::FederationApi& api() { return *api_; }
    const GatewayStore& store() const { return store_; }
    const GatewayConfig& config() const { return config_; }
    // The announcement the gateway would register now (for tests).
    federation::GatewayAnnouncement registration() const;

private:
    void run_requests();
    void run_interceptor();
    void run_registration();
    // One registration write to every guardian (the timer's round, or an LND reconnect's).
    void register_round();
    // Removes the registration from every guardian (on /stop and a Lightning disconnect).
    void unannounce();
    // Whether a reconnect to the node re-registers at once (upstream: the LND mode).
    bool reregisters_on_connect() const;
    void pay(ContractId id);
    bool pay_dispatch(ContractId id, const federation::OutgoingSnapshot& snap);
    void claim(ContractId id);
    bool spent_by_gateway(ContractId id);
    void cancel(ContractId id, const std::string& why);
    void intercept(uint64_t intercept_id);
    // Fails the intercepted HTLC (once the Lightning context is there) and marks it failed.
    void fail_htlc(uint64_t intercept_id, const char* why);
    bool fund(IncomingPayment& p);
    void refund(IncomingPayment& p);
    void refund_invalid(uint64_t intercept_id);  // the preimage decrypted `invalid`
    void resume();
    // The preimage an HTLC the Lightning node offered for `hash` has revealed; *in_flight
    // whether one may still reveal it (see OfferedHtlcIndex::Found).
    std::optional<federation::Preimage> settled_preimage(const PaymentHash& hash,
                                                         bool* in_flight);
    InvoiceTerms terms(const lightning::Invoice& invoice) const;
    void spawn_task(const std::string& name, std::function<void()> body);
    bool in_flight() const;
    void run_ln_connection();
    void watch_connection();
    void set_state(GatewayState state);
    GatewayState read_state();
    // Blocks until the Lightning node is reachable and the state allows Lightning calls
    // (gatewayd's get_lightning_context, a read of the state lock).
    void lightning_context();
    // Waits while payments are in flight and `incarnation` is the running one.
    void drain(uint64_t incarnation);
    // Whether the process that started as `incarnation` still runs (no crash since).
    bool alive(uint64_t incarnation) const;
    // "crashed", "restarted" (crashed, and a new process runs) or "another_stop".
    std::string_view abandon_reason(uint64_t incarnation) const;

    sim::Simulation& sim_;
    lightning::LightningNetwork& ln_;
    GatewayConfig config_;
    federation::PaymentChecker* checker_;
    sim::NodeId node_;
    std::unique_ptr<federation::FederationApi> api_;
    GatewayStore store_;
    bool running_ = false;
    // Counts start()s: a /stop that outlived a crash tells its incarnation from a new one.
    uint64_t incarnation_ = 0;
    // The last incarnation a /stop ended: an abandoned /stop tells "another /stop" from a crash.
    std::optional<uint64_t> stopped_incarnation_;
    GatewayState state_ = GatewayState::running;
    bool ln_connected_ = true;
    bool connection_loop_ = false;
    sim::Signal ln_changed_{"gateway.ln_connection"};
    // A fresh lock per incarnation; a /stop that outlived a crash still holds the old one.
    std::shared_ptr<StateLock> lock_;
    std::vector<sim::ActorId> actors_;
    // The node's offered HTLCs by hash, for settled_preimage (the node outlives a crash).
    OfferedHtlcIndex offered_;
};

}  // namespace actors::gateway
