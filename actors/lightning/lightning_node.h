// LightningNode: one Lightning node actor — its channels' side of the peer protocol, HTLC
// forwarding and receiving, payments with retries, invoices (regular and hold), the HTLC
// interceptor hook, and on-chain enforcement driven by its own bitcoind view.
//
// The node's main task (a daemon on its own sim::NodeId) waits on its network inbox and its
// chain view's block notifications; every handler runs to completion without blocking, so the
// node's state changes atomically between events. Blocking calls (pay, send_to_route) run in
// the *caller's* actor and wait on a per-attempt channel the main task completes.
// Every rule comes from the rule core (forwarding.h, router.h, invoice.h) with the profile of
// the channel side concerned: the node's profile plus that channel's overrides.
// Every HTLC state change is traced as kind "htlc" with event, hash (8 hex), scid, amount_msat,
// expiry and node, so a timeline can draw them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "actors/lightning/chain_backend.h"
#include "actors/lightning/channel_ledger.h"
#include "actors/lightning/cln_channel_hints.h"
#include "actors/lightning/graph.h"
#include "actors/lightning/invoice.h"
#include "actors/lightning/messages.h"
#include "actors/lightning/profile.h"
#include "actors/lightning/router.h"
#include "sim/channel.h"
#include "sim/network.h"

namespace actors::lightning {

class LightningNetwork;

struct InvoiceOptions {
    std::optional<uint64_t> amount_msat;
    // Empty: the profile's default `c`.
    std::optional<uint32_t> min_final_cltv_expiry_delta;
    uint32_t expiry_seconds = k_default_invoice_expiry_seconds;
    std::vector<RouteHint> route_hints;
};

struct PayLimits {
    std::optional<uint64_t> max_fee_msat;  // empty: the profile's default
    std::optional<uint32_t> cltv_limit;    // empty: the profile's default; 0 is LND's quirk
    uint32_t shadow_cltv_offset = 0;
    // No new attempt starts after this (an HTLC in flight is always waited for).
    sim::SimDuration timeout = sim::SimDuration::seconds(60);
    uint32_t max_attempts = 16;
    std::optional<uint64_t> amount_msat;  // for invoices without an amount
};

struct AttemptRecord {
    Route route;
    std::optional<HtlcFailure> failure;  // empty: this attempt succeeded
};

struct PaymentResult {
    bool succeeded = false;
    std::optional<Preimage> preimage;
    Route route;  // the successful route
    uint64_t fee_msat = 0;
    std::vector<AttemptRecord> attempts;
    std::optional<FailureCode> code;  // the last failure's code, if any
    std::string reason;               // why the payment failed; empty on success
};

// What the interceptor is handed (the fields of fedimint's InterceptPaymentRequest).
struct InterceptedHtlc {
    uint64_t intercept_id = 0;
    PaymentHash payment_hash{};
    uint64_t incoming_amount_msat = 0;
    uint64_t outgoing_amount_msat = 0;
    uint32_t incoming_expiry = 0;
    uint32_t outgoing_expiry = 0;
    ShortChannelId scid;  // the intercept channel id the onion asked for
    ShortChannelId incoming_scid;
};

enum class InterceptAction : uint8_t { settle, fail };
struct InterceptResolution {
    InterceptAction action = InterceptAction::fail;
    std::optional<Preimage> preimage;  // for settle
    FailureCode code = FailureCode::temporary_channel_failure;
};

// What the node decided and when, for tests and checkers.
struct CloseRecord {
    ChannelIndex channel = 0;
    uint32_t tip = 0;
    sim::SimTime at;
    std::string reason;
};
struct FailBackRecord {
    ChannelIndex incoming_channel = 0;
    uint64_t htlc_id = 0;
    uint32_t tip = 0;
    sim::SimTime at;
    std::string reason;
};
struct NodeLog {
    std::vector<CloseRecord> closes;
    std::vector<FailBackRecord> fail_backs;
    std::vector<PaymentHash> received;  // settled as final hop
};

class LightningNode {
public:
    LightningNode(LightningNetwork& network, NodeIndex index, std::string alias, Profile profile,
                  sim::NodeId net_id, ViewId view);
    LightningNode(const LightningNode&) = delete;
    LightningNode& operator=(const LightningNode&) = delete;

    NodeIndex index() const { return index_; }
    const std::string& alias() const { return alias_; }
    const Profile& profile() const { return profile_; }
    sim::NodeId net_id() const { return net_id_; }
    ViewId view() const { return view_; }
    // The height this node has processed from its view (its getblockcount as last seen).
    uint32_t tip() const { return tip_; }
    int64_t unix_now() const;
    // The node's wall clock at full precision (sim::Clocks, so a skew applies).
    int64_t unix_now_ns() const;
    // The highest block header time the node has seen: the header time of its processed tip
    // (the model's header times only grow; LDK keeps highest_seen_timestamp as a running max).
    int64_t block_time_seen() const;
    const GraphView& graph() const { return graph_; }
    GraphView& graph() { return graph_; }
    // What the node knows of channels' liquidity when it searches routes: its own balances as
    // of its last payment attempt, and what it learned from failures.
    const LiquidityKnowledge& knowledge() const { return knowledge_; }
    const NodeLog& log() const { return log_; }
    const std::vector<ChannelIndex>& channels() const { return channels_; }

    // Spawns the main task (a daemon). Called once by LightningNetwork.
    void start();
    void attach_channel(ChannelIndex channel) { channels_.push_back(channel); }

    // --- Invoices ------------------------------------------------------------------------
    // A new invoice, or the node's refusal naming the field (invoice_request_error: LDK's
    // MinFinalCltvExpiryDeltaTooShort); nothing is registered when refused.
    Result<Invoice> try_create_invoice(const InvoiceOptions& options);
    // A hold invoice for a hash whose preimage the caller keeps: HTLCs are accepted and held
    // until settle_hold or cancel_hold (or the profile's held-HTLC auto-fail).
    Result<Invoice> try_create_hold_invoice(const InvoiceOptions& options,
                                            const PaymentHash& hash);
    // The same for options the node accepts (asserted): callers whose `c` comes from input
    // use the try_ forms.
    Invoice create_invoice(const InvoiceOptions& options) {
        return try_create_invoice(options).value();
    }
    Invoice create_hold_invoice(const InvoiceOptions& options, const PaymentHash& hash) {
        return try_create_hold_invoice(options, hash).value();
    }
    bool settle_hold(const Preimage& preimage);
    bool cancel_hold(const PaymentHash& hash);
    // Number of HTLCs currently held for `hash`.
    size_t held_count(const PaymentHash& hash) const;

    // --- Paying (from an actor; blocks until the payment resolves) ---------------------------
    PaymentResult pay(const Invoice& invoice, const PayLimits& limits = {});
    // One attempt along a caller-built route (LND's SendToRoute).
    PaymentResult send_to_route(const Route& route, const PaymentHash& hash);

    // --- Interception ------------------------------------------------------------------------
    // HTLCs whose onion asks to forward over `scid` go to the returned channel instead.
    sim::Channel<InterceptedHtlc>& register_interceptor(ShortChannelId scid);
    bool resolve_intercepted(uint64_t intercept_id, const InterceptResolution& resolution);

    // --- Channels ----------------------------------------------------------------------------
    // Publishes a new policy for HTLCs this node forwards over `channel` (channel_update).
    void set_channel_policy(ChannelIndex channel, const ChannelPolicy& policy);
    void force_close(ChannelIndex channel, const std::string& reason);
    // Starts a cooperative close (shutdown, then closing_signed from the peer; the initiator
    // broadcasts). False when the channel is not open or still has HTLCs in flight.
    bool close_channel(ChannelIndex channel);

private:
    struct HtlcKey {
        ChannelIndex channel = 0;
        uint64_t id = 0;
        auto operator<=>(const HtlcKey&) const = default;
    };
    enum class HeldKind : uint8_t { hold_invoice, intercept };
    struct Held {
        HeldKind kind = HeldKind::hold_invoice;
        PaymentHash hash{};
        uint64_t intercept_id = 0;
        // For an intercepted HTLC: the onion's outgoing_cltv_value (LDK times it out on this).
        uint32_t outgoing_cltv = 0;
    };
    enum class InvoiceState : uint8_t { open, accepted, settled, canceled };
    struct InvoiceEntry {
        Invoice invoice;
        bool hold = false;
        InvoiceState state = InvoiceState::open;
    };
    struct AttemptOutcome {
        bool success = false;
        Preimage preimage{};
        PaymentHash opens{};  // on success: the HTLC's hash, which `preimage` was checked against
        HtlcFailure failure;
    };
    using PendingKey = std::tuple<ChannelIndex, int, uint64_t>;

    // Main task and peer protocol (lightning_node.cc).
    void run();
    void handle(const sim::Envelope& env);
    void on_update(const PeerUpdate& u);
    void on_lock_in(const RevokeAndAck& r);
    void on_channel_ready(const ChannelReady& r);
    void on_shutdown(const Shutdown& m);
    void on_closing_signed(const ClosingSigned& m);
    void send_update(ChannelLedger& ch, HtlcUpdate update);
    // Sends over the channel's link cache for this side (reading the sides through a const
    // ledger, which touches nothing).
    template <typename M>
    void send_to_peer(ChannelLedger& ch, sim::TraceName kind, M message) {
        const int me = my_side(ch);
        const ChannelLedger& sides = ch;
        wire_->send(sides.side(me).net, sides.side(1 - me).net, kind,
                    std::move(message), ch.peer_link(me));
    }
    uint64_t offer_htlc(ChannelLedger& ch, uint64_t amount, const PaymentHash& hash,
                        uint32_t expiry, Onion onion);
    // `opens` is the payment hash the caller checked `preimage` against (or made it from).
    void fulfill_incoming(HtlcKey in, const Preimage& preimage, const PaymentHash& opens);
    void fail_incoming(HtlcKey in, const HtlcFailure& failure);
    void on_outgoing_resolved(HtlcKey out, const AttemptOutcome& outcome);
    void trace_htlc(std::string_view event, const ChannelLedger& ch, const HtlcEntry& h) const;
    int my_side(const ChannelLedger& ch) const;
    ChannelLedger* channel_by_scid(ShortChannelId scid);

    // Receiving and forwarding (node_htlcs.cc).
    void on_htlc_committed(ChannelLedger& ch, HtlcEntry& h, const Onion& onion);
    void receive_final(ChannelLedger& ch, HtlcEntry& h, const HopPayload& payload);
    void forward(ChannelLedger& ch, HtlcEntry& h, const Onion& onion);
    void intercept(ChannelLedger& ch, HtlcEntry& h, const HopPayload& payload);
    HtlcFailure failure_here(const Failure& f, const ChannelLedger* out) const;

    // Payments (node_payments.cc).
    AttemptOutcome attempt(const Route& route, const PaymentHash& hash);
    void sync_own_liquidity();
    // Learns from a failure: what the node keeps goes to knowledge_ (CLN: its channel hints to
    // cln_hints_), what only this payment's later attempts avoid to `payment`
    // (learn_from_failure, cln_hint_update); its channel_update goes to the graph when
    // `apply_update` and the profile applies updates to the graph.
    void learn(const Route& route, const HtlcFailure& failure, bool apply_update,
               LiquidityKnowledge* payment);
    // A failure's channel_update for a hint's edge (same scid, same source), applied to `hints`
    // when the profile does so (LND UpdateAdditionalEdge); true if it was.
    bool update_hint_edges(std::vector<RouteHint>* hints, const HtlcFailure& failure) const;
    // The index of the hop whose node reported `failure` (-1: this node, the first hop).
    static int failing_hop(const Route& route, const HtlcFailure& failure);
    // The channel `failure` blames, excluded in `payment` when the profile leaves such
    // channels out of the payment's later attempts (LDK previously_failed_channels).
    void exclude_blamed_channel(LiquidityKnowledge* payment, const Route& route,
                                const HtlcFailure& failure) const;
    // Whether `invoice` is expired for this node as payer, now.
    bool payer_sees_expired(const Invoice& invoice) const;
    // What an attempt's search reads on top of knowledge_: `payment`, plus (CLN) the node's
    // channel hints, first updated in place to now, written into `scratch`; null when that
    // is nothing.
    const LiquidityKnowledge* attempt_memory(const LiquidityKnowledge& payment,
                                             LiquidityKnowledge* scratch);

    // Blocks and on-chain enforcement (node_onchain.cc).
    void on_block(uint32_t tip);
    void check_channels(uint32_t tip);
    void check_funding(ChannelLedger& ch, uint32_t tip);
    void maybe_open(ChannelLedger& ch);
    void check_deadlines(const ChannelLedger& ch, uint32_t tip);
    void resolve_onchain(ChannelLedger& ch, uint32_t tip);
    void resolve_output(ChannelLedger& ch, HtlcEntry& h, uint32_t tip);
    void check_fail_backs(uint32_t tip);
    void check_held(uint32_t tip);

    LightningNetwork& network_;
    sim::Network* wire_;
    NodeIndex index_;
    std::string alias_;
    Profile profile_;
    sim::NodeId net_id_;
    ViewId view_;
    uint32_t tip_ = 0;
    GraphView graph_;
    LiquidityKnowledge knowledge_;
    // CLN pay's channel hints, kept across payments (Profile FailureMemory::cln_channel_hints).
    ClnChannelHints cln_hints_;
    std::vector<ChannelIndex> channels_;
    // What sync_own_liquidity last wrote into knowledge_ for channels_[i]'s two directions
    // (channels_ only grows, so entry i always stands for the same channel; `channel` checks it).
    struct SyncedBalances {
        ChannelIndex channel = 0;
        uint64_t mine = 0;
        uint64_t peer = 0;
        bool set = false;
    };
    std::vector<SyncedBalances> synced_;
    // Looked up by hash, never iterated (so the hash order cannot reach the model).
    std::unordered_map<PaymentHash, InvoiceEntry, Digest32Hasher> invoices_;
    std::map<HtlcKey, Held> held_;
    std::map<HtlcKey, HtlcKey> forwards_;  // outgoing -> incoming
    std::map<HtlcKey, std::shared_ptr<sim::Channel<AttemptOutcome>>> payments_;
    std::map<PendingKey, HtlcUpdate> pending_;
    std::map<ShortChannelId, std::unique_ptr<sim::Channel<InterceptedHtlc>>> interceptors_;
    std::map<uint64_t, HtlcKey> intercepted_;
    uint64_t next_intercept_id_ = 1;
    uint64_t next_payment_ = 0;
    NodeLog log_;
};

}  // namespace actors::lightning
