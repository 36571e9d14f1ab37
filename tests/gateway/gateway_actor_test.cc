// The gateway actor: refusing to pay when max_delay <= 0 (and cancelling so the client refunds
// at once), route hints following inbound liquidity and per implementation (LDK none, LND and
// CLN the inbound one, LND node1's before fedimint#8928; an LDK gateway reachable only when public), crash and restart mid-payment with the
// payment re-validated and claimed, a stop request that lets in-flight payments finish, and the
// index of the node's offered HTLCs that re-validation reads (against the walk it replaced).
#include "e2e_world.h"

using namespace e2e;
namespace this_actor = sim::this_actor;
using federation::OutgoingContractV1;

TEST_CASE("the gateway refuses to pay when max_delay <= 0 and cancels", "[gateway][actors]") {
    World w(51, "lnd");
    std::optional<federation::OutgoingSnapshot> snap;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 500000});
        federation::FederationApi& api = w.alice->api();
        const uint64_t c = *api.ln_count();
        // timelock - (C - 1) - 10 == 0 at the current count: refused.
        auto fund = [&](uint64_t timelock) {
            OutgoingContractV1 contract{.hash = inv.payment_hash,
                                        .gateway_key = w.gateway->config().gateway_key,
                                        .user_key = w.alice->config().user_key,
                                        .timelock = timelock,
                                        .cancelled = false};
            federation::FedTx tx{api.new_tx_id(),
                                 federation::FundOutgoingTx{.client = ClientId(1),
                                                            .contract = contract,
                                                            .amount_msat = 600000}};
            REQUIRE(api.submit_and_wait(tx, this_actor::now() + sim::SimDuration::minutes(1))
                        ->accepted);
            const federation::ContractId id = federation::contract_id_of(contract);
            w.sim.network().send(api.self(), w.gateway->node(), "gw_pay_request",
                                 gateway::PayRequest{id, inv});
            return id;
        };
        const federation::ContractId refused = fund(c + 9);
        this_actor::sleep_for(sim::SimDuration::seconds(10));
        snap = api.outgoing(refused);
        CHECK(w.net.node(w.d).log().received.empty());
        CHECK(w.gateway->store().outgoing.at(refused).note == "TimeoutTooClose");
        // The client refunds at once, long before the timelock.
        federation::FedTx refund{api.new_tx_id(),
                                 federation::SpendOutgoingTx{.contract = refused,
                                                             .signer = w.alice->config().user_key,
                                                             .preimage = std::nullopt,
                                                             .payout = ClientId(1)}};
        CHECK(api.submit_and_wait(refund, this_actor::now() + sim::SimDuration::minutes(1))
                  ->accepted);
    });
    REQUIRE(snap.has_value());
    CHECK(snap->contract.cancelled);
}

TEST_CASE("route hints follow inbound liquidity: drain a channel and the hint moves",
          "[gateway][actors][hints]") {
    World w(52, "cln");
    std::vector<federation::RouteHintRecord> before;
    std::vector<federation::RouteHintRecord> after;
    w.run([&] {
        this_actor::sleep_for(sim::SimDuration::seconds(15));
        before = w.gateway->store().registered_hints;
        // X pays G 2M sat: G's inbound on X-G falls from 2.5M to 0.5M sat, below G-A's 1M.
        ln::Invoice inv =
            w.net.node(w.g).create_invoice(ln::InvoiceOptions{.amount_msat = 2000000000});
        ln::PaymentResult r = w.net.node(w.x).pay(inv);
        INFO(r.reason);
        REQUIRE(r.succeeded);
        this_actor::sleep_for(sim::SimDuration::seconds(25));
        after = w.gateway->store().registered_hints;
    });
    REQUIRE(before.size() == 1);
    REQUIRE(after.size() == 1);
    CHECK(before[0].short_channel_id == w.net.channel(w.ch_xg).scid().value);
    CHECK(after[0].short_channel_id == w.net.channel(w.ch_ga).scid().value);
}

TEST_CASE("route hints per implementation: LDK none, LND and CLN the inbound policy, LND "
          "node1's with lnd_hints_node1_policy (before fedimint#8928)",
          "[gateway][actors][hints]") {
    // X publishes a distinctive policy for X -> G. G (index 0) is node_1 of X-G (BOLT 7: the
    // lesser key), so the pre-#8928 get_chan_info(..).node1_policy is G's own outgoing policy.
    const ln::ChannelPolicy x_policy{7, 77, 40, 0, ln::k_no_htlc_maximum, false};
    struct Case {
        const char* profile;
        bool node1_policy;
    };
    for (const Case& k : {Case{"ldk", false}, Case{"lnd", false}, Case{"lnd", true},
                          Case{"cln", false}, Case{"cln", true}}) {
        INFO(k.profile << " lnd_hints_node1_policy " << k.node1_policy);
        World w(53, k.profile, [&](gateway::GatewayConfig& g, client::ClientConfig&) {
            g.lnd_hints_node1_policy = k.node1_policy;
        });
        std::vector<federation::RouteHintRecord> hints;
        w.run([&] {
            w.net.node(w.x).set_channel_policy(w.ch_xg, x_policy);
            this_actor::sleep_for(sim::SimDuration::seconds(15));
            hints = w.gateway->registration().route_hints;
        });
        REQUIRE(w.g < w.x);
        if (std::string(k.profile) == "ldk") {
            CHECK(hints.empty());  // fedimint ldk.rs routehints: an empty list
            continue;
        }
        REQUIRE(hints.size() == 1);
        CHECK(hints[0].short_channel_id == w.net.channel(w.ch_xg).scid().value);
        CHECK(hints[0].src_node.value == w.x);
        const ln::Profile lnd = ln::lnd_profile();
        if (std::string(k.profile) == "lnd" && k.node1_policy) {
            // The wrong direction: G's lnd defaults, not X's 7 / 77 / 40.
            CHECK(hints[0].fee_base_msat == lnd.fee_base_msat);
            CHECK(hints[0].fee_ppm == lnd.fee_ppm);
            CHECK(hints[0].cltv_expiry_delta == lnd.cltv_expiry_delta);
        } else {
            // The knob is LND's only: a CLN gateway takes the inbound direction regardless.
            CHECK(hints[0].fee_base_msat == 7);
            CHECK(hints[0].fee_ppm == 77);
            CHECK(hints[0].cltv_expiry_delta == 40);
        }
    }
}

TEST_CASE("an LDK gateway's invoice has only the federation hop: paid while G is public, "
          "no route once it is private",
          "[gateway][actors][hints]") {
    for (bool gateway_public : {true, false}) {
        INFO("public " << gateway_public);
        World w(54, "ldk", {}, gateway_public);
        std::optional<ln::Invoice> mine;
        ln::PaymentResult external;
        bool received = false;
        w.run([&] {
            this_actor::sleep_for(sim::SimDuration::seconds(15));
            mine = w.alice->create_invoice(700000);
            REQUIRE(mine.has_value());
            // B pays: B-A-G is two hops, G-A is only known to B when announced.
            w.sim.scheduler().spawn("payer", [&] { external = w.net.node(w.b).pay(*mine); });
            received = w.alice->await_receive(mine->payment_hash, sim::SimDuration::minutes(2));
        });
        REQUIRE(mine->route_hints.size() == 1);
        REQUIRE(mine->route_hints[0].size() == 1);
        CHECK(mine->route_hints[0][0].source == w.g);  // the intercept hop G -> federation
        INFO(external.reason);
        CHECK(external.succeeded == gateway_public);
        CHECK(received == gateway_public);
    }
}

TEST_CASE("a gateway crash mid-payment: restart re-validates and claims",
          "[gateway][actors][crash]") {
    for (const char* profile : {"lnd", "cln"}) {
        INFO(profile);
        World w(53, profile);
        client::ClientPayment paid;
        w.run([&] {
            ln::Invoice inv =
                w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 750000});
            bool done = false;
            w.sim.scheduler().spawn("pay", [&] {
                paid = w.alice->pay(inv);
                done = true;
            });
            w.await_outgoing_stage(gateway::OutgoingStage::paying);
            w.gateway->crash();
            this_actor::sleep_for(sim::SimDuration::seconds(20));
            w.gateway->restart();
            while (!done) {
                this_actor::sleep_for(sim::SimDuration::seconds(1));
            }
            CHECK(w.gateway->store().restarts == 1);
            CHECK(w.outgoing_stage() == gateway::OutgoingStage::claimed);
        });
        CHECK(paid.state == federation::PaymentState::succeeded);
        CHECK(w.ecash(ClientId(100)) > 5000000000ULL);
    }
}

TEST_CASE("a stop request lets in-flight payments finish, then stops", "[gateway][actors]") {
    World w(54, "lnd");
    client::ClientPayment paid;
    w.run([&] {
        ln::Invoice inv = w.net.node(w.d).create_invoice(ln::InvoiceOptions{.amount_msat = 650000});
        w.sim.scheduler().spawn("pay", [&] { paid = w.alice->pay(inv); });
        while (w.gateway->store().outgoing.empty()) {
            this_actor::sleep_for(sim::SimDuration::millis(1));
        }
        const gateway::StopOutcome outcome = w.gateway->stop();
        CHECK(outcome == gateway::StopOutcome::stopped);
        CHECK_FALSE(w.gateway->running());
        CHECK(w.gateway->store().outgoing.begin()->second.stage ==
              gateway::OutgoingStage::claimed);
    });
    CHECK(paid.state == federation::PaymentState::succeeded);
}

namespace {

// settled_preimage as it was: a walk over every HTLC the node offered, its channels in list
// order, then HTLC id; the first with a preimage decides.
gateway::OfferedHtlcIndex::Found walk_offered(const ln::LightningNetwork& net, ln::NodeIndex node,
                                              const ln::PaymentHash& hash) {
    gateway::OfferedHtlcIndex::Found found;
    for (ln::ChannelIndex c : net.node(node).channels()) {
        const ln::ChannelLedger& ch = net.channel(c);
        const int me = ch.side_of(node);
        for (const ln::HtlcEntry& h : ch.htlcs()) {
            if (h.offerer != me || h.payment_hash != hash) {
                continue;
            }
            if (h.preimage.has_value()) {
                found.preimage = h.preimage;
                return found;
            }
            found.in_flight = found.in_flight || ln::is_active(h.state) ||
                              h.state == ln::HtlcState::onchain;
        }
    }
    return found;
}

}  // namespace

TEST_CASE("the gateway's index of offered HTLCs answers as the walk over the node's history, "
          "also when several HTLCs match",
          "[gateway]") {
    sim::Simulation sim(sim::SimulationConfig{.seed = 7});
    ln::LightningNetwork net(sim);
    auto add = [&](const char* alias) {
        return net.add_node(ln::NodeOptions{alias, "lnd", {}, {}}).value();
    };
    const ln::NodeIndex g = add("g");
    const ln::NodeIndex a = add("a");
    const ln::NodeIndex b = add("b");
    auto open = [&](ln::NodeIndex funder, ln::NodeIndex peer) {
        return net.open_channel(ln::ChannelOptions{.funder = funder, .peer = peer,
                                                   .push_msat = 500000000})
            .value();
    };
    // g is side 0 of the first two channels and side 1 of the third.
    const std::vector<ln::ChannelIndex> ch{open(g, a), open(g, b), open(a, g)};
    const ln::PaymentHash h1{1};
    const ln::PaymentHash h2{2};
    const ln::Preimage p_first{11};
    const ln::Preimage p_second{12};
    gateway::OfferedHtlcIndex index(g);
    auto check = [&](const ln::PaymentHash& hash, std::optional<ln::Preimage> preimage,
                     bool in_flight) {
        const gateway::OfferedHtlcIndex::Found want = walk_offered(net, g, hash);
        const gateway::OfferedHtlcIndex::Found got = index.find(net, hash);
        CHECK(got.preimage == want.preimage);
        CHECK(got.in_flight == want.in_flight);
        CHECK(got.preimage == preimage);
        CHECK(got.in_flight == in_flight);
    };
    sim.scheduler().spawn("scenario", [&] {
        REQUIRE(net.mine_until_open());
        const uint32_t expiry = static_cast<uint32_t>(net.chain().tip()) + 5000;
        auto offer = [&](size_t c, ln::NodeIndex by, const ln::PaymentHash& hash) {
            ln::ChannelLedger& ledger = net.channel(ch[c]);
            return ledger.add_htlc(ledger.side_of(by), 1000, hash, expiry).id;
        };
        check(h1, std::nullopt, false);
        const uint64_t failed = offer(0, g, h1);
        offer(0, a, h1);  // offered to g: not g's
        offer(2, a, h1);  // likewise, where g is side 1
        offer(1, g, h2);
        check(h1, std::nullopt, true);  // g's HTLC is still being added
        net.channel(ch[0]).fail(failed);
        check(h1, std::nullopt, false);
        // Several of g's HTLCs match h1: one still active on the first channel, then one that
        // revealed a preimage on the second. The walk reaches the active one first.
        const uint64_t active = offer(0, g, h1);
        const uint64_t revealed = offer(1, g, h1);
        net.channel(ch[1]).htlc(revealed)->preimage = p_second;
        check(h1, p_second, true);
        // A newer HTLC on the first channel reveals one: filed after the second channel's, it
        // still comes first in the walk (channel first, then id). Then the active one does.
        const uint64_t later = offer(0, g, h1);
        net.channel(ch[0]).htlc(later)->preimage = p_first;
        check(h1, p_first, true);
        net.channel(ch[0]).htlc(active)->preimage = p_second;
        check(h1, p_second, false);
        // An HTLC gone on chain may still reveal a preimage: in flight, also when a later
        // match (in walk order) has failed.
        const ln::PaymentHash h3{3};
        const uint64_t on_chain = offer(0, g, h3);
        net.channel(ch[0]).htlc(on_chain)->state = ln::HtlcState::onchain;
        net.channel(ch[1]).fail(offer(1, g, h3));
        check(h3, std::nullopt, true);
        // g's side of the third channel, and a channel g joins after the index was built.
        offer(2, g, h2);
        check(h2, std::nullopt, true);
        const ln::ChannelIndex late = net.open_channel(ln::ChannelOptions{
            .funder = b, .peer = g, .push_msat = 500000000}).value();
        REQUIRE(net.mine_until_open());
        ln::ChannelLedger& late_ledger = net.channel(late);
        const uint64_t settled = late_ledger.add_htlc(late_ledger.side_of(g), 1000, h2, expiry).id;
        late_ledger.htlc(settled)->preimage = p_first;
        check(h2, p_first, true);
    });
    REQUIRE(sim.run().run.ok());
}
