// The gateway world at run time: construction of the federation, gateway and clients; the
// driver (open channels, peg in, wait for the gateway's registration, "ready", workload, judge);
// the timeline actions; the world's own checkers (incoming losses, /stop deadline, expired
// invoices paid) and the metrics.
#include "scenario/worlds/gateway_world.h"

#include <algorithm>

#include "scenario/worlds/end_of_run.h"
#include "scenario/worlds/lightning_world_shared.h"

#include "sim/this_actor.h"

namespace scenario {

namespace ln = actors::lightning;
namespace fed = actors::federation;
namespace gw = actors::gateway;
namespace this_actor = sim::this_actor;
namespace chain = actors::chain;

namespace {

ln::LightningNetworkConfig ln_config(chain::Amount faucet_min_sat) {
    ln::LightningNetworkConfig c;
    c.chain.faucet_min_sat = faucet_min_sat;
    return c;
}

}  // namespace

GatewayScenarioWorld::GatewayScenarioWorld(sim::Simulation& sim, GatewayRunConfig run,
                                           chain::Amount faucet_min_sat)
    : sim_(sim),
      run_(std::move(run)),
      ln_(std::make_unique<ln::LightningNetwork>(sim, ln_config(faucet_min_sat))),
      hub_(sim) {}

void GatewayScenarioWorld::build_federation(uint64_t guardians, sim::SimDuration view_lag) {
    fed_node_ = ln_->add_virtual_node("fed");
    const auto n = static_cast<int64_t>(guardians);
    federation_ = make_lightning_federation(
        sim_, *ln_,
        {.guardians = guardians, .timing = {}, .view_lag = [view_lag, n](fed::PeerId p) {
             return view_lag * static_cast<int64_t>(p.value + 1) / n;
         }});
    checkers_ = std::make_unique<LightningFederationCheckers>(hub_, *ln_, *federation_,
                                                              run_.payment_bound);
    // "Funded" for a receive's unfunded excuse: the consensus state of the most advanced
    // guardian holds a funded incoming contract for the hash (a funded contract stays in the
    // state once claimed or refunded), whether or not its client has read it yet.
    checkers_->payments.set_incoming_funded([this](const fed::PaymentHash& hash) {
        for (size_t p = 0; p < federation_->size(); ++p) {
            const auto peer = fed::PeerId(static_cast<uint32_t>(p));
            if (federation_->store(peer).state.incoming().count(hash) != 0) {
                return true;
            }
        }
        return false;
    });
}

void GatewayScenarioWorld::build_gateway(ln::NodeIndex node, gw::GatewayVariant variant,
                                         size_t clients, std::optional<uint64_t> timelock_blocks) {
    const gw::VariantKnobs knobs = gw::knobs_for(variant);
    gw::GatewayConfig gc{.name = "gateway", .ln_node = node, .federation_node = fed_node_,
                         .client = fed::ClientId(k_gateway_world_client)};
    gc.rules = knobs.rules;
    gc.stop_deadlock = knobs.stop_deadlock;
    gc.lnd_hints_node1_policy = knobs.lnd_hints_node1_policy;
    gateway_ = std::make_unique<gw::Gateway>(sim_, *ln_, *federation_, gc,
                                             &checkers_->payments);
    incoming_losses_ =
        std::make_unique<IncomingLossChecker>(hub_, *federation_, *gateway_, *ln_);
    for (size_t i = 0; i < clients; ++i) {
        actors::client::ClientConfig cc{.name = "client" + std::to_string(i),
                                        .id = fed::ClientId(static_cast<uint32_t>(i + 1)),
                                        .federation_node = fed_node_};
        cc.timelock = knobs.client_timelock;
        // The cache's refresh scaled to this gateway's TTL (gateway_refresh.h).
        cc.gateway_refresh =
            actors::client::gateway_refresh_timing(gw::announcement_ttl(gc.registration_interval));
        cc.timelock_blocks = timelock_blocks;
        clients_.push_back(std::make_unique<actors::client::Client>(sim_, *ln_, *federation_, cc,
                                                                    &checkers_->payments));
    }
    sim_.scheduler().trace("gateway_world").field("variant", gw::to_string(variant));
}

void GatewayScenarioWorld::start(std::function<void(const std::string&)> emit) {
    emit_ = std::move(emit);
    federation_->start();
    checkers_->start();
    sim_.scheduler().spawn("gateway_world.driver", [this] { drive(emit_); });
    sim_.scheduler().spawn("gateway_world.watch", [this] { watch(); },
                           {.kind = sim::ActorKind::daemon, .node = {}});
    if (run_.block_interval > sim::SimDuration::zero()) {
        sim_.scheduler().spawn("gateway_world.miner", [this] {
            while (true) {
                ln_->mine_blocks(1, run_.block_interval);
            }
        }, {.kind = sim::ActorKind::daemon, .node = {}});
    }
}

void GatewayScenarioWorld::peg_in(fed::FederationApi& api, fed::ClientId who) {
    std::optional<fed::TxOutcome> o = peg_in_on_lightning(
        *ln_, *federation_, api, who, static_cast<chain::Amount>(run_.peg_in_sat),
        sim::SimDuration::minutes(5));
    if (!o.has_value() || !o->accepted) {
        this_actor::fail("gateway world setup: peg-in for client " + std::to_string(who.value) +
                         " failed: " + (o.has_value() ? o->error : "no outcome"));
    }
}

void GatewayScenarioWorld::drive(const std::function<void(const std::string&)>& emit) {
    if (!ln_->mine_until_open(run_.open_max_blocks, sim::SimDuration::seconds(2))) {
        this_actor::fail("gateway world setup: channels not open after " +
                         std::to_string(run_.open_max_blocks) + " blocks");
        return;
    }
    gateway_->start();
    for (auto& c : clients_) {
        c->start();
    }
    peg_in(gateway_->api(), fed::ClientId(k_gateway_world_client));
    for (auto& c : clients_) {
        peg_in(c->api(), c->config().id);
    }
    const sim::SimTime deadline = this_actor::now() + sim::SimDuration::minutes(5);
    auto registered = [this] {
        const std::optional<std::vector<fed::GatewayAnnouncement>> gws =
            clients_.front()->api().gateways();
        return gws.has_value() && !gws->empty();
    };
    while (!registered()) {
        if (this_actor::now() > deadline) {
            this_actor::fail("gateway world setup: the gateway did not register in 5m");
            return;
        }
        this_actor::sleep_for(sim::SimDuration::seconds(1));
    }
    // Listed by the guardians is not enough: a client pays only through its own cache, and one
    // whose first two fills beat the gateway's first registration (a slow or cut gateway link)
    // holds an empty cache for EMPTY_GATEWAY_SLEEP (10 min; gateway_refresh.h). "ready" waits
    // until every client's cache holds the gateway.
    const fed::PublicKey key = gateway_->config().gateway_key;
    auto cached_by_all = [this, key] {
        return std::all_of(clients_.begin(), clients_.end(), [key](const auto& c) {
            const auto& cache = c->gateway_cache();
            return std::any_of(cache.begin(), cache.end(),
                               [key](const fed::GatewayAnnouncement& a) {
                                   return a.gateway_key == key;
                               });
        });
    };
    const sim::SimTime cache_deadline =
        this_actor::now() + sim::SimDuration::minutes(5) +
        clients_.front()->config().gateway_refresh.empty_sleep;
    while (!cached_by_all()) {
        if (this_actor::now() > cache_deadline) {
            this_actor::fail("gateway world setup: the gateway, listed by the guardians, was not "
                             "in every client's gateway cache by " + sim::to_string(cache_deadline));
            return;
        }
        this_actor::sleep_for(sim::SimDuration::seconds(1));
    }
    ready_ = true;
    emit("ready");
    if (run_.payments > 0 || run_.receives > 0) {
        sim_.scheduler().spawn("gateway_world.workload", [this] { run_workload(); },
                               {.kind = sim::ActorKind::daemon, .node = {}});
    }
    this_actor::sleep_for(run_.duration);
    judge_end();
}

// The end of the run: the last checks, then the shared judgement.
void GatewayScenarioWorld::judge_end() {
    finished_ = true;
    checkers_->lightning.check();
    check_incoming_losses();
    check_expired_payments();
    if (stop_requested_.has_value() && !stopped_at_.has_value()) {
        hub_.report("gw.stops",
                    "the gateway did not stop by the end of the run (requested at t=" +
                        sim::to_string(*stop_requested_) + ")",
                    stop_subject());  // once with the watcher's, for one /stop
    }
    judge_unfinished_receives();
    checkers_->payments.check_final();
    // Everything above failed the run as it found it (the hub, judge()): the shared judgement
    // (end_of_run.h) only ends the run at a failure. Today the run ends with this driver anyway
    // (every other actor of the world is a daemon); the stop keeps a keep_going run ending at
    // its judgement, not at max_time, if a payment or receive ever waits in a foreground one.
    std::vector<CheckResult> checks = check();
    // judge() failed the run for each such payment as it ended: counted, not failed again.
    checks.push_back({.checker = "gw.expect_payments",
                      .passed = payments_failed_expectation_ == 0,
                      .already_reported = true});
    judge_end_of_run(sim_.scheduler(), checks);
}

// With expect_payments = succeed, a receive the client had not ended when the run stopped
// fails the run too (its receive actor, a daemon, waits without a limit of its own).
void GatewayScenarioWorld::judge_unfinished_receives() {
    for (const auto& p : payments_) {
        if (!p->outgoing && !p->judged) {
            Payment& unfinished = *p;
            unfinished.judged = true;
            const std::string payer =
                unfinished.payer_returned ? unfinished.note : "the payer's payment in flight";
            unfinished.note = payer + " (still pending when the run stopped)";
            judge(unfinished);
        }
    }
}

void GatewayScenarioWorld::run_workload() {
    const int64_t rounds = std::max(run_.payments, run_.receives);
    for (int64_t i = 0; i < rounds; ++i) {
        const size_t client = static_cast<size_t>(i) % clients_.size();
        if (i < run_.payments) {
            start_pay("workload.pay" + std::to_string(i), client, index_.at(run_.payee), nullptr);
        }
        if (i < run_.receives) {
            start_receive("workload.receive" + std::to_string(i), client, index_.at(run_.payer),
                          run_.amount_msat);
        }
        this_actor::sleep_for(run_.payment_interval);
    }
}

int64_t GatewayScenarioWorld::arg_or(const TimelineEntry& entry, const std::string& arg,
                                     int64_t fallback) const {
    auto it = entry.args.find(arg);
    return it == entry.args.end() ? fallback : it->second.number;
}

ln::NodeIndex GatewayScenarioWorld::node_arg(const TimelineEntry& entry,
                                             const std::string& arg) const {
    auto it = index_.find(entry.args.at(arg).text);
    SIM_ASSERT(it != index_.end());
    return it->second;
}

size_t GatewayScenarioWorld::client_arg(const TimelineEntry& entry) const {
    const auto c = static_cast<size_t>(arg_or(entry, "client", 0));
    SIM_ASSERT(c < clients_.size());  // validate_indices checked it
    return c;
}

void GatewayScenarioWorld::start_pay(std::string name, size_t client, ln::NodeIndex payee,
                                     const TimelineEntry* entry) {
    auto owned = std::make_unique<Payment>();
    Payment* p = owned.get();
    payments_.push_back(std::move(owned));
    p->name = std::move(name);
    p->client = client;
    p->peer = payee;
    const int64_t no = -1;
    p->hold_blocks = entry ? arg_or(*entry, "hold_blocks", run_.payee_hold_blocks)
                           : run_.payee_hold_blocks;
    ln::InvoiceOptions io{.amount_msat = static_cast<uint64_t>(
                              entry ? arg_or(*entry, "amount_msat", run_.amount_msat)
                                    : run_.amount_msat)};
    const int64_t min_final = entry ? arg_or(*entry, "min_final_cltv_expiry_delta", run_.min_final)
                                    : run_.min_final;
    if (min_final != no) {
        io.min_final_cltv_expiry_delta = static_cast<uint32_t>(min_final);
    }
    sim::SimDuration expiry = run_.invoice_expiry;
    if (entry != nullptr && entry->args.at("expiry").duration() > sim::SimDuration::zero()) {
        expiry = entry->args.at("expiry").duration();
    }
    io.expiry_seconds = static_cast<uint32_t>(expiry.ns() / sim::SimDuration::seconds(1).ns());
    // Where a payee's refusal of the invoice's `c` is blamed: the entry's argument, else the
    // world parameter it came from.
    SourceLocation c_where = run_.min_final_where;
    if (entry != nullptr) {
        auto c_arg = entry->args.find("min_final_cltv_expiry_delta");
        c_where = c_arg != entry->args.end() ? c_arg->second.where : c_where;
    }
    sim_.scheduler().spawn("pay." + p->name, [this, p, io, c_where] {
        ln::LightningNode& node = ln_->node(p->peer);
        if (p->hold_blocks > 0) {
            p->hold_preimage = ln::random_preimage(this_actor::random());
            ln_->chain().register_preimage(*p->hold_preimage);
        }
        ln::Result<ln::Invoice> made =
            p->hold_blocks > 0
                ? node.try_create_hold_invoice(io, ln::payment_hash_of(*p->hold_preimage))
                : node.try_create_invoice(io);
        if (!made.ok()) {
            refuse_entry(sim_, &input_error_, "gateway world", c_where, made.error());
            return;
        }
        if (p->hold_blocks > 0) {
            sim_.scheduler().spawn("hold." + p->name, [this, p] { hold_and_settle(p); },
                                   {.kind = sim::ActorKind::daemon, .node = node.net_id()});
        }
        const ln::Invoice& invoice = made.value();
        p->hash = invoice.payment_hash;
        p->expires_at_unix = invoice.expires_at_unix();
        p->result = clients_.at(p->client)->pay(ln::public_copy(invoice));
        judge(*p);
    }, {.kind = sim::ActorKind::daemon, .node = {}});
}

void GatewayScenarioWorld::hold_and_settle(Payment* p) {
    ln::LightningNode& node = ln_->node(p->peer);
    const ln::PaymentHash hash = ln::payment_hash_of(*p->hold_preimage);
    while (node.held_count(hash) == 0) {
        if (p->result.has_value()) {
            return;
        }
        this_actor::sleep_for(sim::SimDuration::seconds(1));
    }
    const int64_t until = ln_->chain().tip() + p->hold_blocks;
    while (ln_->chain().tip() < until) {
        this_actor::sleep_for(sim::SimDuration::seconds(1));
    }
    const bool settled = node.settle_hold(*p->hold_preimage);
    this_actor::trace("payee_hold_settle").field("payment", p->name).field("settled", settled);
}

void GatewayScenarioWorld::start_receive(std::string name, size_t client, ln::NodeIndex payer,
                                         int64_t amount_msat) {
    auto owned = std::make_unique<Payment>();
    Payment* p = owned.get();
    payments_.push_back(std::move(owned));
    p->name = std::move(name);
    p->outgoing = false;
    p->client = client;
    p->peer = payer;
    sim_.scheduler().spawn("receive." + p->name, [this, p, amount_msat] {
        actors::client::Client& c = *clients_.at(p->client);
        std::optional<ln::Invoice> inv = c.create_invoice(static_cast<uint64_t>(amount_msat));
        if (!inv.has_value()) {
            p->received = false;
            p->judged = true;  // not judged, as before (no invoice: nothing was offered)
            return;
        }
        p->hash = inv->payment_hash;
        p->expires_at_unix = inv->expires_at_unix();
        const HintPolicies at_invoice = hint_policies(*inv);
        // The payer pays in its own actor: its pay() returns only once the HTLC resolves, which
        // may never happen (a gateway crashed while holding it, no block mined), and the client
        // reads from the offer on regardless, as upstream's receive machine polls from its
        // creation (receive.rs `await_incoming_contract_account`).
        sim_.scheduler().spawn("receive_payer." + p->name, [this, p, inv = *inv, at_invoice] {
            ln::PaymentResult r = ln_->node(p->peer).pay(inv);
            p->external_paid = r.succeeded;
            p->note = r.succeeded ? "no decryption" : r.reason;  // why, if not claimed
            p->payer_returned = true;
            if (!r.succeeded) {
                check_route_hint(p->name, inv, at_invoice, r);
            }
            judge_receive(*p);
        }, {.kind = sim::ActorKind::daemon, .node = {}});
        // Paid or not, the federation may have released the preimage: the client claims it.
        // The world waits for the client's own end (claimed, claim rejected, invalid preimage,
        // or unfunded 60 s after the invoice expired: client.cc receive_step, as upstream) with
        // no harness limit of its own: this actor is a daemon, so a receive still waiting when
        // the run stops is left unfinished (gw.receive_pending, judge_unfinished_receives).
        const fed::PaymentState end = c.await_receive_state(p->hash, sim::SimDuration::max());
        p->received = end == fed::PaymentState::succeeded;
        judge_receive(*p);
    }, {.kind = sim::ActorKind::daemon, .node = {}});
}

// A receive is judged once both its client's receive and its payer's pay() have returned
// (whichever is last), so the note can name the payer's side.
void GatewayScenarioWorld::judge_receive(Payment& p) {
    if (!p.received.has_value() || !p.payer_returned || p.judged) {
        return;
    }
    p.judged = true;
    judge(p);
}

void GatewayScenarioWorld::drain_channel(const TimelineEntry& entry) {
    const ln::NodeIndex from = node_arg(entry, "from");
    const ln::NodeIndex to = node_arg(entry, "to");
    const auto amount = static_cast<uint64_t>(entry.args.at("amount_msat").number);
    sim_.scheduler().spawn("drain." + entry.name, [this, from, to, amount] {
        ln::Invoice inv = ln_->node(to).create_invoice(ln::InvoiceOptions{.amount_msat = amount});
        ln::PaymentResult r = ln_->node(from).pay(inv);
        this_actor::trace("drain_channel").field("succeeded", r.succeeded).field("reason",
                                                                                  r.reason);
    }, {.kind = sim::ActorKind::daemon, .node = {}});
}

// The ordinary expectation "every payment succeeds" (expect_payments = succeed): the first
// payment or receive that ends otherwise fails the run, naming what the gateway said.
void GatewayScenarioWorld::judge(const Payment& p) {
    if (!run_.payments_must_succeed) {
        return;
    }
    if (!p.outgoing) {
        if (!p.received.value_or(false)) {
            ++payments_failed_expectation_;
            this_actor::fail("receive " + p.name + " was not claimed, expected to succeed (" +
                             p.note + ")");
        }
        return;
    }
    const actors::client::ClientPayment& r = *p.result;
    if (r.state == fed::PaymentState::succeeded) {
        return;
    }
    std::string gateway_note;
    auto it = gateway_->store().outgoing.find(r.contract);
    if (it != gateway_->store().outgoing.end()) {
        gateway_note = "; gateway: " + it->second.note;
    }
    ++payments_failed_expectation_;
    this_actor::fail("payment " + p.name + " ended " + fed::to_string(r.state) +
                     ", expected to succeed (" + r.note + gateway_note + ")");
}

// gw.payments_terminal counts payment_bound from the later of the world's last fault action and
// the end of the timeline's generic faults, so a generic partition that outlasts the bound is
// not blamed on the system while it holds (it waits at SimTime::never()), and a world fault
// before a scheduled heal_after heal does not move the bound's start back before that heal.
void GatewayScenarioWorld::restart_payment_bound() {
    checkers_->payments.faults_healed(std::max(world_fault_at_, timeline_faults_end_));
}

void GatewayScenarioWorld::fault(const std::string& what) {
    world_fault_at_ = sim_.scheduler().now();
    restart_payment_bound();
    sim_.scheduler().trace("gateway_world_fault").field("action", what);
}

// Not traced: the timeline's own "timeline" trace names the action, and the end is a function
// of the timeline, so generic faults leave the fingerprint as it was.
void GatewayScenarioWorld::on_fault(const TimelineEntry& entry, sim::SimTime faults_end) {
    (void)entry;
    timeline_faults_end_ = faults_end;
    restart_payment_bound();
}

void GatewayScenarioWorld::on_action(const TimelineEntry& entry) {
    const std::string& a = entry.action;
    const std::string name = entry.name.empty() ? a + std::to_string(payments_.size()) : entry.name;
    if (a == "pay") {
        start_pay(name, client_arg(entry), node_arg(entry, "to"), &entry);
    } else if (a == "receive") {
        start_receive(name, client_arg(entry), node_arg(entry, "from"),
                      arg_or(entry, "amount_msat", run_.amount_msat));
    } else if (a == "mine") {
        const auto blocks = static_cast<uint32_t>(entry.args.at("blocks").number);
        const sim::SimDuration spacing = entry.args.at("spacing").duration();
        sim_.scheduler().spawn("gateway_world.mine", [this, blocks, spacing] {
            ln_->mine_blocks(blocks, spacing);
        }, {.kind = sim::ActorKind::daemon, .node = {}});
    } else if (a == "crash_gateway") {
        gateway_->crash();
        fault(a);
    } else if (a == "restart_gateway") {
        gateway_->restart();
        ++gateway_restarts_;
        fault(a);
    } else if (a == "stop_gateway") {
        const sim::SimTime requested = sim_.scheduler().now();
        stop_requested_ = requested;
        stopped_at_.reset();  // gw.stops and gw.stopped judge the latest stop_gateway
        sim_.scheduler().spawn("gateway_world.stop", [this, requested] {
            if (gateway_->stop() == gw::StopOutcome::stopped) {
                stopped_at_ = this_actor::now();
                emit_("gateway_stopped");
                return;
            }
            // A crash (or another /stop) ended the process first, or it was down: upstream the
            // HTTP request dies with the process, and a restarted gateway is not stopped.
            if (stop_requested_ == requested && !stopped_at_.has_value()) {
                stop_requested_.reset();
            }
            emit_("gateway_stop_abandoned");
        }, {.kind = sim::ActorKind::daemon, .node = {}});
    } else if (a == "disconnect_gateway_ln") {
        gateway_->disconnect_lightning();
        fault(a);
    } else if (a == "reconnect_gateway_ln") {
        gateway_->reconnect_lightning();
        fault(a);
    } else if (a == "crash_guardian" || a == "restart_guardian") {
        const fed::PeerId peer(static_cast<uint64_t>(entry.args.at("guardian").number));
        a == "crash_guardian" ? federation_->crash(peer) : federation_->restart(peer);
        fault(a);
    } else if (a == "drain_channel") {
        drain_channel(entry);
    }
}

}  // namespace scenario
