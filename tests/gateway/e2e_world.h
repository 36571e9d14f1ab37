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
#include <string>

#include "actors/client/client.h"
#include "actors/federation/checkers.h"
#include "actors/federation/federation.h"
#include "actors/gateway/gateway.h"
#include "actors/lightning/lightning_network.h"
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
    explicit World(uint64_t seed, const std::string& gateway_profile, const Tweak& tweak = {})
        : sim(sim::SimulationConfig{.seed = seed}), net(sim), hub(sim) {
        g = add("G", gateway_profile);
        a = add("A", "lnd");
        b = add("B", "cln");
        c = add("C", "ldk");
        d = add("D", "lnd");
        x = add("X", "cln");
        fed_node = net.add_virtual_node("fed");
        ch_ga = connect(g, a, 2000000, 1000000000);
        connect(a, b, 2000000, 1000000000);
        connect(b, c, 2000000, 1000000000);
        connect(c, d, 2000000, 1000000000);
        // X funds 3M sat and keeps 2.5M: G's inbound here beats G-A's 1M.
        ch_xg = connect(x, g, 3000000, 500000000);
        fed = std::make_unique<federation::Federation>(
            sim, federation::FederationConfig{.name = "fed", .guardians = 4, .params = {},
                                              .timing = {}},
            &net.chain().chain(), [this](PeerId p) {
                return std::make_unique<federation::LightningBitcoind>(
                    net.chain(),
                    federation::LightningBitcoindConfig{
                        .name = "fed.btc" + std::to_string(p.value),
                        .lag = sim::SimDuration::millis(100 * (p.value + 1)),
                        .rpc_latency = sim::SimDuration::millis(2),
                        .rpc_error = sim::Ratio::never()},
                    sim.random("fed.btc" + std::to_string(p.value)));
            });
        payments = std::make_unique<federation::PaymentChecker>(hub, sim::SimDuration::hours(2));
        fingerprints = std::make_unique<federation::RoundFingerprintChecker>(hub);
        books = std::make_unique<federation::FederationBooksChecker>(hub);
        backing = std::make_unique<federation::ChainBackingChecker>(hub, net.chain().chain());
        lightning_checker = std::make_unique<federation::LightningChecker>(hub, net);
        fed->attach(fingerprints.get());
        fed->attach(books.get());
        fed->attach(backing.get());
        gateway::GatewayConfig gw_config{.name = "gw", .ln_node = g, .federation_node = fed_node,
                                         .client = ClientId(100)};
        client::ClientConfig alice_config{.name = "alice", .id = ClientId(1),
                                          .federation_node = fed_node};
        if (tweak) {
            tweak(gw_config, alice_config);
        }
        gateway = std::make_unique<gateway::Gateway>(sim, net, *fed, gw_config, payments.get());
        alice = std::make_unique<client::Client>(sim, net, *fed, alice_config, payments.get());
    }

    ln::NodeIndex add(const std::string& alias, const std::string& profile) {
        ln::Result<ln::NodeIndex> n = net.add_node(ln::NodeOptions{alias, profile, {}, {}});
        REQUIRE(n.ok());
        return n.value();
    }
    ln::ChannelIndex connect(ln::NodeIndex from, ln::NodeIndex to, uint64_t sat, uint64_t push) {
        ln::Result<ln::ChannelIndex> ch = net.open_channel(ln::ChannelOptions{
            .funder = from, .peer = to, .capacity_sat = sat, .push_msat = push});
        REQUIRE(ch.ok());
        return ch.value();
    }

    // Deposits on the Lightning chain to the federation and pegs in for `user`'s API.
    void peg_in(federation::FederationApi& api, ClientId who, chain::Amount sats) {
        chain::TxOut out;
        out.value = sats;
        out.condition = fed->multisig();
        chain::Txid txid = net.chain().fund({out}, "deposit");
        net.mine_blocks(1, sim::SimDuration::seconds(1));
        std::optional<int64_t> height = net.chain().tx_height(txid);
        REQUIRE(height.has_value());
        net.mine_blocks(12, sim::SimDuration::seconds(1));
        sim::this_actor::sleep_for(sim::SimDuration::seconds(3));
        federation::FedTx tx{api.new_tx_id(),
                             federation::PegInTx{.client = who,
                                                 .outpoint = chain::OutPoint{txid, 0},
                                                 .block_height = static_cast<uint64_t>(*height)}};
        std::optional<federation::TxOutcome> o =
            api.submit_and_wait(tx, sim::this_actor::now() + sim::SimDuration::minutes(2));
        REQUIRE(o.has_value());
        INFO(o->error);
        REQUIRE(o->accepted);
    }

    // Opens channels, starts everything, funds the gateway and alice, then runs `body`.
    // With `expect_ok`, the run and every checker must pass; otherwise the caller inspects
    // `result` and `hub` (a variant that must be caught).
    void run(std::function<void()> body, bool expect_ok = true) {
        fed->start();
        lightning_checker->start();
        payments->start();
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
        lightning_checker->check();
        payments->check_final();
        INFO((hub.violations().empty() ? std::string() : hub.violations().front()));
        REQUIRE(hub.ok());
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
    std::unique_ptr<federation::PaymentChecker> payments;
    std::unique_ptr<federation::RoundFingerprintChecker> fingerprints;
    std::unique_ptr<federation::FederationBooksChecker> books;
    std::unique_ptr<federation::ChainBackingChecker> backing;
    std::unique_ptr<federation::LightningChecker> lightning_checker;
    std::unique_ptr<gateway::Gateway> gateway;
    std::unique_ptr<client::Client> alice;
};

}  // namespace e2e
