// Payments through node actors: multi-hop success across profiles, retries after a liquidity
// failure, the max-fee limit, route hints to a private payee, gossip propagation, and the
// payer's liquidity knowledge read through a const node.
#include <type_traits>
#include <utility>

#include "ln_test_util.h"

using namespace ln_test;

TEST_CASE("a five-hop payment across ldk, lnd and cln nodes succeeds", "[lightning][actors]") {
    World w(1);
    std::vector<std::string> profiles = {"ldk", "lnd", "cln", "lnd", "ldk", "cln"};
    std::vector<NodeIndex> n;
    for (size_t i = 0; i < profiles.size(); ++i) {
        n.push_back(w.add("n" + std::to_string(i), profiles[i]));
    }
    std::vector<ChannelIndex> ch;
    for (size_t i = 0; i + 1 < n.size(); ++i) {
        ch.push_back(w.connect(n[i], n[i + 1]));
    }
    PaymentResult result;
    Invoice invoice;
    sim::SimDuration took;
    w.run([&] {
        invoice = w.ln.node(n[5]).create_invoice(InvoiceOptions{.amount_msat = 50000000});
        sim::SimTime start = sim::this_actor::now();
        result = w.ln.node(n[0]).pay(invoice);
        took = sim::this_actor::now() - start;
    });
    // Each add is locked in after 1.5 round trips (3 one-way latencies of 1 ms) before the next
    // hop acts, and the fulfil travels back one latency per hop: at least 5 * 3 + 5 ms.
    CHECK(took >= sim::SimDuration::millis(20));
    INFO(result.reason);
    REQUIRE(result.succeeded);
    CHECK(result.attempts.size() == 1);
    REQUIRE(result.route.hops.size() == 5);
    CHECK(payment_hash_of(*result.preimage) == invoice.payment_hash);
    // Fees: each forwarding node charges its own outgoing channel's policy (BOLT 7).
    uint64_t expected_fee = 0;
    uint64_t amount = 50000000;
    for (size_t i = 4; i >= 1; --i) {
        const Profile& p = w.ln.node(n[i]).profile();
        uint64_t fee = p.fee_base_msat + amount * p.fee_ppm / 1000000;
        expected_fee += fee;
        amount += fee;
    }
    CHECK(result.fee_msat == expected_fee);
    CHECK(w.balance(ch[0], n[0]) == 500000000 - 50000000 - expected_fee);
    CHECK(w.balance(ch[4], n[5]) == 500000000 + 50000000);
    CHECK(w.ln.node(n[5]).log().received.size() == 1);
}

TEST_CASE("liquidity exhausted on a middle hop fails the first attempt; the retry takes another "
          "path",
          "[lightning][actors]") {
    World w(2);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", "lnd");
    NodeIndex t = w.add("t", "lnd");
    w.connect(s, a);
    w.connect(s, b);
    // a holds only 10 000 sat towards t: too little for the payment, unknown to s.
    w.connect(ChannelOptions{.funder = a, .peer = t, .capacity_sat = 1000000,
                             .push_msat = 990000000});
    // b's channel is dearer, so the router tries a first.
    ChannelPolicy dear = default_channel_policy(lnd_profile(), 1000000000);
    dear.fee_base_msat = 5000;
    w.connect(ChannelOptions{.funder = b, .peer = t, .capacity_sat = 1000000,
                             .push_msat = 500000000, .funder_policy = dear});
    PaymentResult result;
    w.run([&] {
        Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 100000000});
        result = w.ln.node(s).pay(inv);
    });
    INFO(result.reason);
    REQUIRE(result.succeeded);
    REQUIRE(result.attempts.size() == 2);
    const AttemptRecord& first = result.attempts[0];
    REQUIRE(first.failure.has_value());
    CHECK(first.failure->code == FailureCode::temporary_channel_failure);
    CHECK(first.failure->failing_node == a);
    CHECK(first.route.hops[0].node == a);
    CHECK(result.route.hops[0].node == b);
    CHECK(result.fee_msat == 5000 + 100000000 / 1000000);
}

TEST_CASE("an expensive last channel above the max fee fails with the reason; a raised limit "
          "pays",
          "[lightning][actors]") {
    World w(3);
    NodeIndex s = w.add("s", "ldk");
    NodeIndex a = w.add("a", "lnd");
    NodeIndex t = w.add("t", "cln");
    w.connect(s, a);
    ChannelPolicy expensive = default_channel_policy(lnd_profile(), 1000000000);
    expensive.fee_base_msat = 100000;
    w.connect(ChannelOptions{.funder = a, .peer = t, .capacity_sat = 1000000,
                             .push_msat = 500000000, .funder_policy = expensive});
    PaymentResult low;
    PaymentResult high;
    w.run([&] {
        Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 10000000});
        low = w.ln.node(s).pay(inv, PayLimits{.max_fee_msat = 100009});
        high = w.ln.node(s).pay(inv, PayLimits{.max_fee_msat = 100010});
    });
    CHECK_FALSE(low.succeeded);
    CHECK(low.attempts.empty());
    CHECK(low.reason.find("max fee 100009") != std::string::npos);
    CHECK(low.reason.find("fee 100010") != std::string::npos);
    INFO(high.reason);
    CHECK(high.succeeded);
    CHECK(high.fee_msat == 100010);  // 100 000 base + 10 000 000 * 1 ppm
}

TEST_CASE("a private payee is reached through its invoice's route hint", "[lightning][actors]") {
    World w(4);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex a = w.add("a", "cln");
    NodeIndex p = w.add("p", "ldk");
    w.connect(s, a);
    ChannelIndex priv = w.connect(ChannelOptions{.funder = a, .peer = p, .capacity_sat = 500000,
                                                 .push_msat = 250000000, .announce = false});
    PaymentResult without;
    PaymentResult with;
    w.run([&] {
        CHECK(w.ln.node(s).graph().channel(w.ln.channel(priv).scid()) == nullptr);
        Invoice bare = w.ln.node(p).create_invoice(InvoiceOptions{.amount_msat = 2000000});
        without = w.ln.node(s).pay(bare);
        const ChannelLedger& ch = w.ln.channel(priv);
        RouteHint hint{RouteHintHop{a, ch.scid(), ch.side(ch.side_of(a)).policy}};
        Invoice hinted = w.ln.node(p).create_invoice(
            InvoiceOptions{.amount_msat = 2000000, .route_hints = {hint}});
        with = w.ln.node(s).pay(hinted);
    });
    CHECK_FALSE(without.succeeded);
    CHECK(without.reason.find("no route") != std::string::npos);
    INFO(with.reason);
    CHECK(with.succeeded);
    CHECK(with.route.hops.size() == 2);
}

// A fee_insufficient from the hop into a private hinted channel carries that channel's
// channel_update; LND applies it to the hint's edge (routing/payment_session.go
// UpdateAdditionalEdge) and retries with the new fee, so the second attempt succeeds. The
// update cannot go to the graph (the channel is not in it): without the hint update the payer
// retried the stale route until max_attempts.
TEST_CASE("LND applies a failure's channel_update to a stale route hint and retries",
          "[lightning][actors][hints]") {
    World w(4);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex a = w.add("a", "lnd");
    NodeIndex p = w.add("p", "ldk");
    w.connect(s, a);
    ChannelIndex priv = w.connect(ChannelOptions{.funder = a, .peer = p, .capacity_sat = 500000,
                                                 .push_msat = 250000000, .announce = false});
    PaymentResult result;
    w.run([&] {
        const ChannelLedger& ch = w.ln.channel(priv);
        ChannelPolicy stale = ch.side(ch.side_of(a)).policy;
        REQUIRE(stale.fee_base_msat > 0);
        stale.fee_base_msat = 0;
        stale.fee_ppm = 0;
        RouteHint hint{RouteHintHop{a, ch.scid(), stale}};
        Invoice hinted = w.ln.node(p).create_invoice(
            InvoiceOptions{.amount_msat = 2000000, .route_hints = {hint}});
        result = w.ln.node(s).pay(hinted);
    });
    INFO(result.reason);
    REQUIRE_FALSE(result.attempts.empty());
    REQUIRE(result.attempts[0].failure.has_value());
    CHECK(result.attempts[0].failure->code == FailureCode::fee_insufficient);
    CHECK(result.succeeded);
    CHECK(result.attempts.size() == 2);
}

TEST_CASE("with propagated gossip a new channel is unknown to remote payers until it arrives",
          "[lightning][actors][gossip]") {
    LightningNetworkConfig config;
    config.gossip = GossipMode::propagated;
    config.gossip_delay_min = sim::SimDuration::seconds(20);
    config.gossip_delay_max = sim::SimDuration::seconds(20);
    World w(5, config);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex a = w.add("a", "lnd");
    NodeIndex t = w.add("t", "lnd");
    w.connect(s, a);
    PaymentResult early;
    PaymentResult late;
    w.run([&] {
        w.connect(a, t);
        REQUIRE(w.ln.mine_until_open(20, sim::SimDuration::seconds(1)));
        Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 1000000});
        early = w.ln.node(s).pay(inv);
        sim::this_actor::sleep_for(sim::SimDuration::seconds(21));
        late = w.ln.node(s).pay(inv);
    });
    CHECK_FALSE(early.succeeded);
    INFO(late.reason);
    CHECK(late.succeeded);
}

TEST_CASE("a fee raise the payer has not heard of fails with fee_insufficient; the carried "
          "channel_update makes the retry pay the new fee",
          "[lightning][actors][gossip]") {
    LightningNetworkConfig config;
    config.gossip = GossipMode::propagated;
    config.gossip_delay_min = sim::SimDuration::hours(1);
    config.gossip_delay_max = sim::SimDuration::hours(1);
    World w(6, config);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex a = w.add("a", "lnd");
    NodeIndex t = w.add("t", "lnd");
    w.connect(s, a);
    ChannelIndex at = w.connect(a, t);
    PaymentResult result;
    w.run([&] {
        sim::this_actor::sleep_for(sim::SimDuration::hours(2));  // announcements arrive
        ChannelPolicy raised = w.ln.channel(at).side(w.ln.channel(at).side_of(a)).policy;
        raised.fee_base_msat = 7000;
        w.ln.node(a).set_channel_policy(at, raised);
        Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 1000000});
        result = w.ln.node(s).pay(inv);
    });
    INFO(result.reason);
    REQUIRE(result.succeeded);
    REQUIRE(result.attempts.size() == 2);
    CHECK(result.attempts[0].failure->code == FailureCode::fee_insufficient);
    CHECK(result.fee_msat == 7001);
}

TEST_CASE("a cooperative close pays each side its balance on chain and leaves the graph",
          "[lightning][actors][close]") {
    World w(7);
    NodeIndex a = w.add("a", "ldk");
    NodeIndex b = w.add("b", "cln");
    ChannelIndex ab = w.connect(a, b);
    PaymentResult paid;
    bool refused_busy = true;
    w.run([&] {
        Invoice inv = w.ln.node(b).create_invoice(InvoiceOptions{.amount_msat = 123456000});
        paid = w.ln.node(a).pay(inv);
        // The payer has the preimage before the settlement is locked in: not closable yet.
        CHECK_FALSE(w.ln.node(a).close_channel(ab));
        sim::this_actor::sleep_for(sim::SimDuration::seconds(1));
        REQUIRE(w.ln.node(a).close_channel(ab));
        refused_busy = !w.ln.node(b).close_channel(ab);  // already shutting down
        w.ln.mine_blocks(2);
    });
    REQUIRE(paid.succeeded);
    CHECK(refused_busy);
    CHECK(w.ln.channel(ab).status() == ChannelStatus::closed);
    CHECK(w.ln.onchain_sat(a) == 500000 - 123456);
    CHECK(w.ln.onchain_sat(b) == 500000 + 123456);
    CHECK(w.ln.node(a).graph().channel(w.ln.channel(ab).scid()) == nullptr);
    CHECK(w.ln.channel(ab).rounding_msat() == 0);
}

TEST_CASE("cltv_limit 0: LND reads it as its 2016 default, LDK as a literal zero",
          "[lightning][actors][cltv]") {
    World w(8);
    NodeIndex lnd = w.add("lnd0", "lnd");
    NodeIndex ldk = w.add("ldk0", "ldk");
    NodeIndex mid = w.add("mid", "cln");
    NodeIndex t = w.add("t", "lnd");
    w.connect(lnd, mid);
    w.connect(ldk, mid);
    w.connect(mid, t);
    PaymentResult from_lnd;
    PaymentResult from_ldk;
    w.run([&] {
        Invoice a = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 1000000});
        from_lnd = w.ln.node(lnd).pay(a, PayLimits{.cltv_limit = 0});
        Invoice b = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 1000000});
        from_ldk = w.ln.node(ldk).pay(b, PayLimits{.cltv_limit = 0});
    });
    INFO(from_lnd.reason);
    CHECK(from_lnd.succeeded);
    CHECK_FALSE(from_ldk.succeeded);
    // LDK's get_route refuses a limit that does not exceed the invoice's final delta (80).
    INFO(from_ldk.reason);
    CHECK(from_ldk.reason.find("cltv limit 0 should be greater than 80") != std::string::npos);
}

TEST_CASE("invoice expiry is read from each node's own wall clock", "[lightning][actors][clock]") {
    World w(9);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex t = w.add("t", "lnd");
    w.connect(s, t);
    PaymentResult late;
    PaymentResult skewed;
    w.run([&] {
        Invoice short_lived =
            w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 1000000,
                                                       .expiry_seconds = 60});
        sim::this_actor::sleep_for(sim::SimDuration::seconds(61));
        late = w.ln.node(s).pay(short_lived);
        // The payee's clock runs two minutes fast: the payer pays, the payee refuses.
        Invoice fresh = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 1000000,
                                                                   .expiry_seconds = 60});
        w.sim.clocks().set_skew(w.ln.node(t).net_id(),
                                sim::ClockSkew{sim::SimDuration::minutes(2), 0});
        skewed = w.ln.node(s).pay(fresh);
    });
    CHECK_FALSE(late.succeeded);
    CHECK(late.reason.find("invoice expired") != std::string::npos);
    CHECK(late.attempts.empty());
    CHECK_FALSE(skewed.succeeded);
    CHECK(skewed.code == FailureCode::incorrect_or_unknown_payment_details);
    CHECK(skewed.reason.find("invoice expired") != std::string::npos);
}

TEST_CASE("a channel has block work while opening, with an HTLC in flight and once closing; "
          "none while open and idle",
          "[lightning][actors]") {
    World w(3);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", "ldk");
    ChannelIndex c = w.connect(a, b);
    CHECK(w.ln.has_block_work(c));  // opening: waits for its confirmations
    w.run([&] {
        ChannelLedger& ch = w.ln.channel(c);
        REQUIRE(ch.status() == ChannelStatus::open);
        CHECK_FALSE(w.ln.has_block_work(c));
        HtlcEntry& h = ch.add_htlc(0, 1000, PaymentHash{}, 1000);
        CHECK(w.ln.has_block_work(c));
        ch.fail(h.id);
        CHECK_FALSE(w.ln.has_block_work(c));
        ch.add_htlc(1, 2000, PaymentHash{}, 1000);
        ch.add_htlc(0, 3000, PaymentHash{}, 1000);
        ch.settle(1);
        CHECK(w.ln.has_block_work(c));  // one still in flight
        ch.fail(2);
        CHECK_FALSE(w.ln.has_block_work(c));
        w.ln.node(a).force_close(c, "test");
        CHECK(w.ln.has_block_work(c));
    });
}

TEST_CASE("a node's liquidity knowledge is read through a const node: its own balances as of "
          "its last attempt, exact both ways",
          "[lightning][actors]") {
    // Reading the knowledge must not change it, nor what the next payment writes into it
    // (knowledge() once cleared the node's record of what it had written).
    static_assert(std::is_same_v<decltype(std::declval<const LightningNode&>().knowledge()),
                                 const LiquidityKnowledge&>);
    World w(4);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex t = w.add("t", "cln");
    ChannelIndex c = w.connect(s, t);
    w.run([&] {
        const LightningNode& payer = w.ln.node(s);
        const ChannelLedger& ch = w.ln.channel(c);
        const int mine = ch.side_of(s);
        for (int i = 0; i < 2; ++i) {
            const uint64_t spendable = ch.available_msat(mine);
            const uint64_t peer_spendable = ch.available_msat(1 - mine);
            Invoice inv = w.ln.node(t).create_invoice(InvoiceOptions{.amount_msat = 1000000});
            PaymentResult r = w.ln.node(s).pay(inv);
            REQUIRE(r.succeeded);
            const LiquidityBounds own = payer.knowledge().bounds(payer.graph(), ch.scid(), s);
            CHECK(own.min_msat == spendable);
            CHECK(own.max_msat == spendable);
            const LiquidityBounds peer = payer.knowledge().bounds(payer.graph(), ch.scid(), t);
            CHECK(peer.min_msat == peer_spendable);
            CHECK(peer.max_msat == peer_spendable);
        }
    });
}
