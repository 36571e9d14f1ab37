// Client: a federation user's actor-side logic — paying invoices through a gateway with an
// LNv1 outgoing contract, and receiving through a gateway with an incoming offer.
//
// Paying: the client funds an outgoing contract with timelock C0 + min_final + 500 - 1 and
// the legacy-fee amount, asks the gateway to pay (again every 10 s, for 180 s after the
// funding, as upstream retries a failed request), then follows the federation's state (f + 1
// guardians agreeing), never the gateway's reply: the gateway's claim means success; a
// cancellation, or the LN consensus count passing the timelock, means it refunds itself.
// Receiving: the client offers a threshold-encrypted preimage, hands out an invoice whose
// route hints end in the gateway's intercept hop, and claims the ecash once the guardians have
// decrypted the preimage. A payment's outcome is learnt through long-poll awaits
// (federation_api.h), as upstream's pay state machine does; the receive re-reads the contract
// once a second, as upstream's receive.rs does. Every call blocks the calling actor. No wait on
// the federation has a deadline of the client's own (docs/gateway.md, "The client's waits"):
// transactions are answered whenever the federation answers; only the callers' harness limits
// (ClientConfig::follow_limit, await_receive's harness_limit) return early, leaving the
// payment pending; they are looked at between steps only, so a submitted claim or refund is
// still waited for until it is answered.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/client/gateway_refresh.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation_api.h"
#include "actors/lightning/lightning_network.h"
#include "sim/simulation.h"

namespace actors::client {

using federation::ClientId;
using federation::ContractId;
using federation::PaymentHash;
using federation::Preimage;
using federation::PublicKey;

// The default gateway's TTL, gateway::announcement_ttl(10 s) (checked in client.cc).
inline constexpr sim::SimDuration k_default_gateway_ttl = sim::SimDuration::nanos(11'764'705'882);

struct ClientConfig {
    std::string name = "client";
    ClientId id;
    PublicKey user_key{0x75736572};
    lightning::NodeIndex federation_node = lightning::k_no_node;  // the invoices' payee
    // A harness limit, not client behaviour: how long pay() follows a funded payment before
    // returning it still pending ("harness limit: stopped following ..."). Upstream's pay state
    // machine follows until the gateway's claim, the cancellation or the timelock, with no
    // deadline (fedimint-ln-client pay.rs, LightningPayFunded); the limit only lets a caller
    // that must return (a test body) do so. The payment stays pending for the checkers.
    sim::SimDuration follow_limit = sim::SimDuration::hours(6);
    // Pause between one-shot reads that found nothing (the gateway directory, the LN count, the
    // receive's contract: receive.rs RETRY_DELAY), and before asking again after a refund was
    // rejected.
    sim::SimDuration poll = sim::SimDuration::seconds(1);
    // The pay request to the gateway (fedimint-ln-client pay.rs, LightningPayFunded::
    // gateway_pay_invoice): a failed attempt is retried after
    // GATEWAY_INTERNAL_ERROR_RETRY_INTERVAL = 10 s, and no attempt starts once more than
    // TIMEOUT_DURATION = 180 s have passed since the funding was accepted (`funding_time`);
    // the payment then ends only by the gateway's claim, its cancellation or the timelock.
    sim::SimDuration resend = sim::SimDuration::seconds(10);
    sim::SimDuration pay_request_window = sim::SimDuration::seconds(180);
    // The gateway cache's refresh (gateway_refresh.h, upstream's
    // `update_gateway_cache_continuously`): the next fill ABOUT_TO_EXPIRE before the soonest
    // cached announcement expires by the ttl the guardians listed it with (at least `floor`
    // later), EMPTY_GATEWAY_SLEEP after a fill that left the cache empty; both scaled with the
    // TTL (gateway_refresh_timing).
    // The default: for the default gateway's 10 s interval (TTL 11.764705882 s).
    GatewayRefreshTiming gateway_refresh = gateway_refresh_timing(k_default_gateway_ttl);
    federation::ClientTimelockOptions timelock;
    // A client with a custom contract timelock: (C0 - 1) + N, i.e. N blocks above the
    // consensus tip, instead of C0 + min_final + 500 - 1. For boundary tests of the gateway's
    // budget timelock - (C - 1) - 10 (which is then N - 10 at C = C0).
    std::optional<uint64_t> timelock_blocks;
};

struct ClientPayment {
    federation::PaymentState state = federation::PaymentState::pending;
    ContractId contract;
    uint64_t timelock = 0;
    uint64_t amount_msat = 0;
    // When the client saw the funding accepted (upstream's `funding_time`): the pay request's
    // 180 s window counts from here.
    std::optional<sim::SimTime> funded_at;
    std::optional<Preimage> preimage;
    std::string note;
    // The LN consensus count the client saw when it submitted its refund (0: no refund).
    uint64_t refund_count = 0;
    bool cancelled = false;  // the gateway cancelled the contract
};

class Client {
public:
    Client(sim::Simulation& sim, lightning::LightningNetwork& ln,
           federation::Federation& federation, ClientConfig config,
           federation::PaymentChecker* checker = nullptr);
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void start();
    federation::FederationApi& api() { return *api_; }
    const ClientConfig& config() const { return config_; }
    // The local gateway cache pay() and create_invoice() pick from (run_gateway_cache).
    const std::vector<federation::GatewayAnnouncement>& gateway_cache() const {
        return gateway_cache_;
    }
    // Fills of the cache completed so far, reads that failed (f + 1 guardians errored; the cache
    // kept), and when the cache task's next read starts (the end of its refresh sleep or retry
    // backoff; SimTime{} before the first sleep): for tests and worlds.
    uint64_t gateway_fills() const { return gateway_fills_; }
    uint64_t gateway_failed_reads() const { return gateway_failed_reads_; }
    sim::SimTime gateway_refresh_at() const { return gateway_refresh_at_; }

    // Pays `invoice` through the first gateway in the client's gateway cache (run_gateway_cache).
    ClientPayment pay(const lightning::Invoice& invoice);
    // Offers a fresh preimage and returns an invoice for `amount_msat` payable via the gateway.
    std::optional<lightning::Invoice> create_invoice(uint64_t amount_msat,
                                                     uint32_t expiry_seconds = 3600);
    // Waits for the guardians to decrypt the preimage, then claims the ecash. True if claimed.
    // Ends as upstream's receive does (client.cc receive_step): claimed, claim rejected,
    // invalid preimage, or no funded contract 60 s after the invoice expired. `harness_limit`
    // is the caller's patience, not client behaviour: once it passes the receive is returned
    // still pending (false), as upstream would keep waiting.
    bool await_receive(const PaymentHash& hash, sim::SimDuration harness_limit);
    // The same wait, returning how it ended: succeeded, failed (one of upstream's ends), or
    // pending (the harness limit passed first), so a caller can tell the two "false"s apart.
    federation::PaymentState await_receive_state(const PaymentHash& hash,
                                                 sim::SimDuration harness_limit);

private:
    // receive.rs CLOCK_SKEW_TOLERANCE: an unfunded receive times out 60 s after the expiry.
    static constexpr int64_t k_clock_skew_tolerance_secs = 60;
    struct Receiving {
        Preimage preimage;
        int64_t expires_at_unix = 0;  // the invoice's creation + expiry (the client's clock)
    };
    struct ReceiveEnd {
        federation::PaymentState state;  // pending: keep waiting
        std::string note;
    };

    std::optional<federation::GatewayAnnouncement> pick_gateway() const;
    void run_gateway_cache();
    bool fill_gateway_cache();
    sim::SimDuration receive_end_slack() const;
    ReceiveEnd receive_step(const std::string& name, const PaymentHash& hash,
                            const Receiving& r);
    ClientPayment follow(const lightning::Invoice& invoice, ClientPayment payment,
                         sim::NodeId gateway_node);
    bool refund(ClientPayment* payment);
    void finish(const std::string& name, ClientPayment* payment, federation::PaymentState state);

    sim::Simulation& sim_;
    lightning::LightningNetwork& ln_;
    ClientConfig config_;
    federation::PaymentChecker* checker_;
    sim::NodeId node_;
    std::unique_ptr<federation::FederationApi> api_;
    // The last answered directory read (upstream's local gateway cache), filled and refreshed
    // by run_gateway_cache from start(), read by pick_gateway.
    std::vector<federation::GatewayAnnouncement> gateway_cache_;
    std::vector<federation::ListedGateway> gateway_listings_;  // the same, with the fill's ttls
    uint64_t gateway_fills_ = 0;
    uint64_t gateway_failed_reads_ = 0;
    sim::SimTime gateway_refresh_at_;
    std::map<PaymentHash, Receiving> receiving_;
};

}  // namespace actors::client
