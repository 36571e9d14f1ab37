// An end-to-end world: a Lightning network (node actors on one chain), a four-guardian
// federation whose guardians read that chain through their own lagging views, a gateway on one
// Lightning node of a chosen profile, a client, and every invariant checker attached.
//
// Lightning topology: payee D is four hops from the gateway's node G (G-A-B-C-D); A is also
// the external payer for incoming payments (A -> G -> intercept); X-G is a second gateway
// channel with more inbound liquidity (route hints).
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/client/client.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/gateway/gateway.h"
#include "actors/lightning/lightning_network.h"
#include "scenario/worlds/lightning_federation.h"
#include "sim/simulation.h"
#include "sim/this_actor.h"

namespace e2e {

using namespace actors;
using federation::ClientId;
using federation::PeerId;
namespace ln = actors::lightning;

// Adjusts the gateway's and the client's configuration before they are built (variants).
using Tweak = std::function<void(gateway::GatewayConfig&, client::ClientConfig&)>;

struct World {
    // With `gateway_public` false, G's two channels (G-A, X-G) are private (not announced):
    // only their ends know them, so only route hints lead other payers to G.
    explicit World(uint64_t seed, const std::string& gateway_profile, const Tweak& tweak = {},
                   bool gateway_public = true)
        : sim(sim::SimulationConfig{.seed = seed}), net(sim), hub(sim) {
        g = add("G", gateway_profile);
        a = add("A", "lnd");
        b = add("B", "cln");
        c = add("C", "ldk");
        d = add("D", "lnd");
        x = add("X", "cln");
        fed_node = net.add_virtual_node("fed");
        ch_ga = connect(g, a, 2000000, 1000000000, gateway_public);
        connect(a, b, 2000000, 1000000000);
        connect(b, c, 2000000, 1000000000);
        connect(c, d, 2000000, 1000000000);
        // X funds 3M sat and keeps 2.5M: G's inbound here beats G-A's 1M.
        ch_xg = connect(x, g, 3000000, 500000000, gateway_public);
        fed = scenario::make_lightning_federation(
            sim, net, {.guardians = 4, .timing = {}, .view_lag = [](PeerId p) {
                           return sim::SimDuration::millis(100 * (p.value + 1));
                       }});
        checkers = std::make_unique<scenario::LightningFederationCheckers>(
            hub, net, *fed, sim::SimDuration::hours(2));
        gateway::GatewayConfig gw_config{.name = "gw", .ln_node = g, .federation_node = fed_node,
                                         .client = ClientId(100)};
        client::ClientConfig alice_config{.name = "alice", .id = ClientId(1),
                                          .federation_node = fed_node};
        if (tweak) {
            tweak(gw_config, alice_config);
        }
        gateway = std::make_unique<gateway::Gateway>(sim, net, *fed, gw_config, &checkers->payments);
        alice = std::make_unique<client::Client>(sim, net, *fed, alice_config, &checkers->payments);
    }

    ln::NodeIndex add(const std::string& alias, const std::string& profile) {
        ln::Result<ln::NodeIndex> n = net.add_node(ln::NodeOptions{alias, profile, {}, {}});
        REQUIRE(n.ok());
        return n.value();
    }
    ln::ChannelIndex connect(ln::NodeIndex from, ln::NodeIndex to, uint64_t sat, uint64_t push,
                             bool announce = true) {
        ln::ChannelOptions options{
            .funder = from, .peer = to, .capacity_sat = sat, .push_msat = push};
        options.announce = announce;
        ln::Result<ln::ChannelIndex> ch = net.open_channel(options);
        REQUIRE(ch.ok());
        return ch.value();
    }

    // Deposits on the Lightning chain to the federation and pegs in for `user`'s API.
    void peg_in(federation::FederationApi& api, ClientId who, chain::Amount sats) {
        std::optional<federation::TxOutcome> o = scenario::peg_in_on_lightning(
            net, *fed, api, who, sats, sim::SimDuration::minutes(2));
        REQUIRE(o.has_value());
        INFO(o->error);
        REQUIRE(o->accepted);
    }

    // Opens channels, starts everything, funds the gateway and alice, then runs `body`.
    // With `expect_ok`, the run and every checker must pass; otherwise the caller inspects
    // `result` and `hub` (a variant that must be caught).
    void run(std::function<void()> body, bool expect_ok = true) {
        fed->start();
        checkers->start();
        sim.scheduler().spawn("scenario", [this, body] {
            REQUIRE(net.mine_until_open(30, sim::SimDuration::seconds(2)));
            gateway->start();
            alice->start();
            peg_in(gateway->api(), ClientId(100), 5000000);
            peg_in(alice->api(), ClientId(1), 5000000);
            body();
            sim::this_actor::sleep_for(sim::SimDuration::seconds(30));
        });
        result = sim.run(
            sim::RunLimits{.max_time = sim::SimTime::zero() + sim::SimDuration::hours(12)});
        if (!expect_ok) {
            return;
        }
        INFO(result.run.message);
        REQUIRE(result.run.ok());
        checkers->lightning.check();
        checkers->payments.check_final();
        INFO((hub.violations().empty() ? std::string() : hub.violations().front()));
        REQUIRE(hub.ok());
    }

    // From a run body: the short channel ids of the first gateway's hints in alice's directory
    // read (what a client pays with); nullopt when the read went unanswered, {} when it
    // listed no gateway.
    std::optional<std::vector<uint64_t>> listed_hints() {
        const auto gws = alice->api().gateways();
        if (!gws.has_value()) {
            return std::nullopt;
        }
        std::vector<uint64_t> out;
        if (!gws->empty()) {
            for (const auto& h : gws->front().route_hints) {
                out.push_back(h.short_channel_id);
            }
        }
        return out;
    }

    // From a run body: waits (up to `within`, in 100 ms steps) until alice's directory read
    // lists the gateway with exactly `hints`.
    bool wait_listed(const std::vector<uint64_t>& hints, sim::SimDuration within) {
        const sim::SimTime until = sim::this_actor::now() + within;
        while (listed_hints() != std::optional<std::vector<uint64_t>>(hints)) {
            if (sim::this_actor::now() >= until) {
                return false;
            }
            sim::this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        return true;
    }

    // From a run body: alice pays D `amount_msat` through the gateway, in an actor of its own
    // (a daemon: the run does not wait for her). The start of every outgoing-payment test.
    void alice_pays_d(uint64_t amount_msat) {
        ln::Invoice inv =
            net.node(d).create_invoice(ln::InvoiceOptions{.amount_msat = amount_msat});
        sim.scheduler().spawn("pay", [this, inv] { (void)alice->pay(inv); },
                              {.kind = sim::ActorKind::daemon, .node = {}});
    }

    // The stage of the gateway's first outgoing payment (`received` while it has none).
    gateway::OutgoingStage outgoing_stage() const {
        const auto& out = gateway->store().outgoing;
        return out.empty() ? gateway::OutgoingStage::received : out.begin()->second.stage;
    }

    // From a run body: waits, in 1 ms steps, until the first outgoing payment is at `stage`.
    void await_outgoing_stage(gateway::OutgoingStage stage) const {
        while (outgoing_stage() != stage) {
            sim::this_actor::sleep_for(sim::SimDuration::millis(1));
        }
    }

    // Cuts the gateway from every guardian both ways; returns the partition to heal.
    uint32_t cut_gateway_from_federation() {
        std::vector<sim::NodeId> gs(fed->nodes().begin(), fed->nodes().end());
        return sim.network().partition({gateway->node()}, gs, sim::PartitionKind::symmetric);
    }

    uint64_t balance(ln::ChannelIndex ch, ln::NodeIndex n) {
        const ln::ChannelLedger& l = net.channel(ch);
        return l.side(l.side_of(n)).balance_msat;
    }
    uint64_t ecash(ClientId who) const {
        return fed->store(PeerId(0)).state.mint().balance(who);
    }

    sim::Simulation sim;
    sim::SimulationResult result;
    ln::LightningNetwork net;
    federation::CheckerHub hub;
    ln::NodeIndex g = 0, a = 0, b = 0, c = 0, d = 0, x = 0, fed_node = 0;
    ln::ChannelIndex ch_ga = 0, ch_xg = 0;
    std::unique_ptr<federation::Federation> fed;
    std::unique_ptr<scenario::LightningFederationCheckers> checkers;
    std::unique_ptr<gateway::Gateway> gateway;
    std::unique_ptr<client::Client> alice;
};

// A second client of the world's federation, not made or started by World (a test makes it
// and starts it when its case needs).
inline client::ClientConfig bob_config(const World& w) {
    return client::ClientConfig{.name = "bob", .id = ClientId(2), .federation_node = w.fed_node};
}

}  // namespace e2e
