// Gateway actor: set-up, crash/restart/stop, registration and the request loop. The payment
// state machines are in gateway_payments.cc.
#include "actors/gateway/gateway.h"

#include <algorithm>

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::gateway {

namespace this_actor = sim::this_actor;

Gateway::Gateway(sim::Simulation& sim, lightning::LightningNetwork& ln,
                 federation::Federation& federation, GatewayConfig config,
                 federation::PaymentChecker* checker)
    : sim_(sim), ln_(ln), config_(std::move(config)), checker_(checker),
      offered_(config_.ln_node) {
    SIM_ASSERT(config_.ln_node != lightning::k_no_node);
    SIM_ASSERT(config_.client.valid());
    // A programmer error, not user input: the registration loop would spin at one instant
    // (bench --registration_s only sets a positive value; 0 keeps the default).
    SIM_ASSERT(config_.registration_interval > sim::SimDuration::zero());
    node_ = sim_.network().add_node(config_.name);
    api_ = std::make_unique<federation::FederationApi>(sim_, node_, federation);
}

void Gateway::spawn_task(const std::string& name, std::function<void()> body) {
    actors_.push_back(sim_.scheduler().spawn(config_.name + "." + name, std::move(body),
                                             {.kind = sim::ActorKind::daemon, .node = node_}));
}

const char* to_string(GatewayState state) {
    switch (state) {
        case GatewayState::running:
            return "Running";
        case GatewayState::disconnected:
            return "Disconnected";
        case GatewayState::shutting_down:
            return "ShuttingDown";
    }
    return "?";
}

const char* to_string(StopOutcome outcome) {
    switch (outcome) {
        case StopOutcome::stopped:
            return "stopped";
        case StopOutcome::abandoned:
            return "abandoned";
        case StopOutcome::not_running:
            return "not_running";
    }
    return "?";
}

void Gateway::start() {
    SIM_ASSERT(!running_);
    running_ = true;
    ++incarnation_;
    // A fresh process: a fresh lock (an older one may still be held by a /stop that outlived
    // the crash), and the state follows the Lightning connection.
    lock_ = std::make_shared<StateLock>(config_.name + ".state");
    state_ = ln_connected_ ? GatewayState::running : GatewayState::disconnected;
    api_->start();
    spawn_task("requests", [this] { run_requests(); });
    spawn_task("intercept", [this] { run_interceptor(); });
    spawn_task("register", [this] { run_registration(); });
    connection_loop_ = false;
    if (!ln_connected_) {
        watch_connection();
    }
}

void Gateway::disconnect_lightning() {
    ln_connected_ = false;
    sim_.scheduler().trace("gateway_ln_disconnected").field("gateway", config_.name);
    watch_connection();
}

void Gateway::reconnect_lightning() {
    ln_connected_ = true;
    sim_.scheduler().trace("gateway_ln_reconnected").field("gateway", config_.name);
    watch_connection();
}

// The connection loop exists from the first connection fault on, so a gateway whose node
// never drops costs no events (and the benchmark worlds' fingerprints do not move).
void Gateway::watch_connection() {
    if (running_ && !connection_loop_) {
        connection_loop_ = true;
        spawn_task("ln-connection", [this] { run_ln_connection(); });
    }
    ln_changed_.notify_all();
}

void Gateway::run_ln_connection() {
    bool seen = state_ != GatewayState::disconnected;
    while (true) {
        while (ln_connected_ == seen) {
            ln_changed_.wait();
        }
        // The loop notices on its next attempt (gatewayd retries its node connection).
        this_actor::sleep_for(config_.ln_reconnect_poll);
        seen = ln_connected_;
        set_state(seen ? GatewayState::running : GatewayState::disconnected);
        if (!seen) {
            // The payment stream broke: gatewayd sets Disconnected, then
            // `unannounce_from_all_federations()` (fedimint-gateway-server lib.rs, the
            // Lightning connection loop), whatever the state change did.
            unannounce();
        } else if (reregisters_on_connect() && read_state() == GatewayState::running) {
            // "Re-register the gateway with all federations after connecting to the lightning
            // node", next to set_gateway_state(Running), from the connection loop itself, not
            // the timer (lib.rs, LightningMode::Lnd only in the #8990 patch's context; newer
            // versions do it whenever LNv1 runs). After #8990 register_federations skips a
            // gateway ShuttingDown; before it the reconnect had made it Running again.
            register_round();
        }
    }
}

bool Gateway::reregisters_on_connect() const {
    return ln_.node(config_.ln_node).profile().implementation == lightning::Implementation::lnd;
}

// fedimint-gw-client lib.rs `remove_from_federation` to every federation (one here), best
// effort: nothing waits on it (gateway_directory.h RemoveGatewayMsg).
void Gateway::unannounce() {
    api_->remove_gateway(config_.gateway_key);
    this_actor::trace("gateway_unannounced").field("gateway", config_.name);
}

void Gateway::set_state(GatewayState state) {
    ExclusiveGuard guard(lock_);
    // ShuttingDown is terminal (#8990): a reconnect keeps it, a disconnect is ignored. The
    // variant overwrites it like the code before the fix.
    if (state_ == GatewayState::shutting_down && !config_.stop_deadlock) {
        this_actor::trace("gateway_state_ignored")
            .field("gateway", config_.name)
            .field("requested", to_string(state));
        return;
    }
    state_ = state;
    this_actor::trace("gateway_state").field("gateway", config_.name).field("state",
                                                                             to_string(state));
}

GatewayState Gateway::read_state() {
    SharedGuard guard(lock_);
    return state_;
}

void Gateway::lightning_context() {
    while (true) {
        {
            SharedGuard guard(lock_);
            if (ln_connected_ && state_ != GatewayState::disconnected) {
                return;
            }
        }
        this_actor::sleep_for(config_.ln_reconnect_poll);
    }
}

void Gateway::crash() {
    if (!running_) {
        return;
    }
    running_ = false;
    sim_.scheduler().trace("gateway_crash").field("gateway", config_.name);
    std::vector<sim::ActorId> actors = std::move(actors_);
    actors_.clear();
    api_->stop();
    sim_.network().set_node_up(node_, false);
    for (sim::ActorId id : actors) {
        sim_.scheduler().kill(id);
    }
}

void Gateway::restart() {
    if (running_) {
        return;
    }
    ++store_.restarts;
    sim_.scheduler().trace("gateway_restart").field("gateway", config_.name);
    start();
    resume();
}

bool Gateway::in_flight() const {
    for (const auto& [id, p] : store_.outgoing) {
        if (p.stage != OutgoingStage::claimed && p.stage != OutgoingStage::cancelled &&
            p.stage != OutgoingStage::claim_rejected) {
            return true;
        }
    }
    for (const auto& [id, p] : store_.incoming) {
        // An invalid preimage's refund is stored until answered and its HTLC failed: /stop
        // waits for it, as it did before the HTLC was failed at the submission.
        if ((p.stage != IncomingStage::settled && p.stage != IncomingStage::failed) ||
            p.refund.has_value()) {
            return true;
        }
    }
    return false;
}

bool Gateway::alive(uint64_t incarnation) const {
    return running_ && incarnation_ == incarnation;
}

void Gateway::drain(uint64_t incarnation) {
    this_actor::trace("gateway_draining").field("gateway", config_.name);
    while (alive(incarnation) && in_flight()) {
        this_actor::sleep_for(sim::SimDuration::millis(500));
    }
}

// The /stop belongs to the incarnation it was sent to: upstream a crash ends the process and
// the request with it. Here the caller's actor outlives a crash, so every step after a wait
// (the lock, a drain tick) first checks the incarnation: a crash and restart inside one wait
// must not drain, unannounce or crash the new process.
StopOutcome Gateway::stop() {
    sim_.scheduler().trace("gateway_stop_requested").field("gateway", config_.name);
    if (!running_) {
        // Upstream: nothing listens, the request fails. Traced here as the other two endings
        // are (gateway_stopped, gateway_stop_abandoned), so the gateway's own records say it.
        sim_.scheduler().trace("gateway_stop_not_running").field("gateway", config_.name);
        return StopOutcome::not_running;
    }
    const uint64_t incarnation = incarnation_;
    const std::shared_ptr<StateLock> lock = lock_;
    if (config_.stop_deadlock) {
        // Before #8990: the write guard is held across the drain.
        ExclusiveGuard guard(lock);
        if (alive(incarnation) && state_ == GatewayState::running) {
            state_ = GatewayState::shutting_down;
            drain(incarnation);
        }
    } else {
        bool was_running = false;
        {
            ExclusiveGuard guard(lock);
            was_running = alive(incarnation) && state_ == GatewayState::running;
            if (was_running) {
                state_ = GatewayState::shutting_down;
            }
        }
        if (was_running) {
            drain(incarnation);
        }
    }
    // gatewayd's main.rs, once the shutdown completed: `unannounce_from_all_federations()`,
    // then the process exits. Not when something else ended this incarnation during the drain:
    // a crash sent nothing, and a restarted process is not this /stop's to end.
    if (!alive(incarnation)) {
        sim_.scheduler()
            .trace("gateway_stop_abandoned")
            .field("gateway", config_.name)
            .field("reason", abandon_reason(incarnation));
        return StopOutcome::abandoned;
    }
    unannounce();
    stopped_incarnation_ = incarnation;
    crash();
    sim_.scheduler().trace("gateway_stopped").field("gateway", config_.name);
    return StopOutcome::stopped;
}

// What ended `incarnation` before its /stop finished. Upstream `handle_shutdown_msg` skips the
// wait when the state is not Running, so a second /stop during the first's drain ends the
// process at once and the first request dies with it (its connection closes; inference).
std::string_view Gateway::abandon_reason(uint64_t incarnation) const {
    if (stopped_incarnation_ == incarnation) {
        return "another_stop";
    }
    return incarnation_ == incarnation ? "crashed" : "restarted";
}

federation::GatewayAnnouncement Gateway::registration() const {
    const lightning::LightningNode& node = ln_.node(config_.ln_node);
    RouteHintSource source = route_hint_source(node.profile().implementation);
    if (node.profile().implementation == lightning::Implementation::lnd &&
        config_.lnd_hints_node1_policy) {
        source = RouteHintSource::node1_policy;  // lnd.rs before fedimint#8928
    }
    std::vector<ChannelView> views;
    for (lightning::ChannelIndex c : node.channels()) {
        if (source == RouteHintSource::none) {
            break;  // the LDK gateway advertises no hints at all
        }
        const lightning::ChannelLedger& ch = ln_.channel(c);
        const int me = ch.side_of(config_.ln_node);
        const int other = 1 - me;
        // A node index stands for the node's public key; BOLT 7's node_1 is the lesser key.
        const int node1 = ch.side(0).node < ch.side(1).node ? 0 : 1;
        const bool active = ch.status() == lightning::ChannelStatus::open &&
                            !ch.side(other).policy.disabled;
        const lightning::ChannelPolicy& pol =
            ch.side(source == RouteHintSource::node1_policy ? node1 : other).policy;
        views.push_back(ChannelView{
            .short_channel_id = ch.scid().value,
            .remote_node = PublicKey{ch.side(other).node},
            .local_balance_msat = ch.side(me).balance_msat,
            .remote_balance_msat = ch.side(other).balance_msat,
            .active = active,
            .policy = ChannelPolicy{.fee_base_msat = pol.fee_base_msat,
                                    .fee_proportional_millionths = pol.fee_ppm,
                                    .cltv_expiry_delta = pol.cltv_expiry_delta,
                                    .htlc_minimum_msat = pol.htlc_minimum_msat,
                                    .htlc_maximum_msat = pol.htlc_maximum_msat}});
    }
    federation::GatewayAnnouncement reg;
    reg.gateway_key = config_.gateway_key;
    reg.node_key = PublicKey{config_.ln_node};
    reg.node_index = config_.ln_node;
    reg.api_node = node_;
    reg.intercept_scid = config_.intercept_scid.value;
    reg.fees = config_.fees;
    reg.gateway_client = config_.client;
    for (const RouteHint& hint : select_route_hints(views, config_.hints)) {
        reg.route_hints.push_back(federation::RouteHintRecord{
            .src_node = hint.src_node,
            .short_channel_id = hint.short_channel_id,
            .fee_base_msat = hint.policy.fee_base_msat,
            .fee_ppm = hint.policy.fee_proportional_millionths,
            .cltv_expiry_delta = hint.policy.cltv_expiry_delta});
    }
    return reg;
}

// gatewayd's register_clients_timer (fedimint-gateway-server lib.rs; ln-gateway lib.rs in older
// versions): every round, whatever changed, while the gateway is Running, it registers with each
// federation (fedimint-gw-client lib.rs `try_register_with_federation`: the LNv1 module's
// `register_gateway` API write to every guardian, with `ttl = GW_ANNOUNCEMENT_TTL`; a failure
// is only logged) and sleeps 0.85 x TTL. Newer versions spawn the round without waiting for it;
// the model sends the write to every guardian and does not wait for an answer, so nothing here
// waits on consensus or on a guardian. Each guardian keeps the newest write it received and
// drops it at its expiry (gateway_directory.h): a guardian that missed rounds (cut off, down)
// holds an older announcement until the next write reaches it or it expires. A gateway that
// stops or is disconnected from its node removes its registration at once (unannounce); a
// crashed one drops out of every list one TTL after its last write; a shutting-down one (in
// the drain) keeps its last write until the stop's removal or the TTL, whichever is first.
void Gateway::run_registration() {
    constexpr sim::SimDuration k_not_running_retry = sim::SimDuration::seconds(10);
    while (true) {
        // Nothing to read from an unreachable node; and a gateway shutting down does not
        // re-announce (#8990; before the fix it did). Upstream registers only in Running.
        // Not Running: upstream checks again every NOT_RUNNING_RETRY (10 s), not a whole
        // interval later ("We need to retry more often if the gateway is not in the Running
        // state", fedimint-gateway-server lib.rs register_clients_timer).
        const GatewayState state = read_state();
        if (!ln_connected_ || state == GatewayState::disconnected ||
            (state == GatewayState::shutting_down && !config_.stop_deadlock)) {
            this_actor::sleep_for(std::min(k_not_running_retry, config_.registration_interval));
            continue;
        }
        register_round();
        this_actor::sleep_for(config_.registration_interval);
    }
}

void Gateway::register_round() {
    federation::GatewayAnnouncement reg = registration();
    api_->register_gateway(reg, announcement_ttl(config_.registration_interval));
    store_.registered_hints = reg.route_hints;
    this_actor::trace("gateway_registered")
        .field("gateway", config_.name)
        .field("hints", static_cast<uint64_t>(reg.route_hints.size()));
}

void Gateway::run_requests() {
    while (std::optional<sim::Envelope> env = api_->other().recv()) {
        const PayRequest* req = env->as<PayRequest>();
        if (req == nullptr) {
            continue;
        }
        if (read_state() == GatewayState::shutting_down) {
            sim_.network().send(node_, env->from, "gw_pay_response",
                                PayResponse{req->contract, false, "gateway is stopping"});
            continue;
        }
        if (store_.outgoing.count(req->contract) != 0) {
            continue;  // a retried request for a payment already in hand
        }
        store_.outgoing.emplace(req->contract, OutgoingPayment{.request = *req,
                                                               .stage = OutgoingStage::received,
                                                               .preimage = std::nullopt,
                                                               .note = {}});
        const ContractId id = req->contract;
        if (checker_ != nullptr) {
            checker_->gateway_asked(id);
        }
        spawn_task("pay", [this, id] { pay(id); });
    }
}

void Gateway::run_interceptor() {
    sim::Channel<lightning::InterceptedHtlc>& hook =
        ln_.node(config_.ln_node).register_interceptor(config_.intercept_scid);
    while (std::optional<lightning::InterceptedHtlc> h = hook.recv()) {
        store_.incoming.emplace(h->intercept_id, IncomingPayment{*h, IncomingStage::intercepted});
        const uint64_t id = h->intercept_id;
        spawn_task("receive", [this, id] { intercept(id); });
    }
}

}  // namespace actors::gateway
