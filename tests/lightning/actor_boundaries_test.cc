// Timelock and depth boundaries driven through the node actors and the scheduler, block by
// block, each checked one block before its height and at it (the rule functions alone are
// pinned in forwarding_test.cc):
//   - channel_ready at minimum_depth - 1 / minimum_depth confirmations of the funding tx, with
//     the fundee's minimum_depth deciding (BOLT 2 accept_channel; reference §1.7 and §4);
//   - LDK's auto-fail of a held hold-invoice HTLC at tip >= incoming expiry - 39
//     (HTLC_FAIL_BACK_BUFFER = CLTV_CLAIM_BUFFER 36 + LATENCY_GRACE_PERIOD_BLOCKS 3,
//     reference §1.4 and §1.6), and of an intercepted HTLC at OUTGOING expiry - 39 with
//     temporary_node_failure (channelmanager.rs pending_intercepted_htlcs);
//   - LDK's and CLN's early give-up of an incoming HTLC whose outgoing HTLC is stuck on chain,
//     at tip >= incoming expiry - 3 (LDK channelmonitor.rs `inbound_htlc_expiry <= height +
//     LATENCY_GRACE_PERIOD_BLOCKS`, reference §1.6 and §5.9; CLN consider_failing_incoming,
//     docs/lightning.md), and LND never giving up early.
#include "ln_test_util.h"

using namespace ln_test;

namespace {

constexpr uint64_t k_amount_msat = 20000000;

// Starts a payment from `payer` in its own actor; `*result` is filled and `*done` set when it
// resolves.
void pay_async(World& w, NodeIndex payer, const Invoice& inv, PaymentResult* result,
               bool* done) {
    w.sim.scheduler().spawn(
        "payer",
        [&w, payer, inv, result, done] {
            *result = w.ln.node(payer).pay(inv, PayLimits{.timeout = sim::SimDuration::hours(48)});
            *done = true;
        },
        {.node = w.ln.node(payer).net_id()});
}

// The one HTLC ever added to `c`.
const HtlcEntry& only_htlc(World& w, ChannelIndex c) {
    const auto& htlcs = w.ln.channel(c).htlcs();
    REQUIRE(htlcs.size() == 1);
    return htlcs.front();
}

// What the two ends of a new channel show after some confirmations of its funding tx.
struct OpenState {
    bool funder_sent_ready = false;
    bool fundee_sent_ready = false;
    bool open = false;
    bool paid = false;  // a 1,000,000 msat payment funder -> fundee over the channel
};

// Opens a channel between nodes of the two profiles at their default minimum_depth, mines
// `confirmations` blocks one at a time, and reports what the actors did.
OpenState state_after(const char* funder_profile, const char* fundee_profile,
                      uint32_t confirmations) {
    World w(41);
    NodeIndex funder = w.add("funder", funder_profile);
    NodeIndex fundee = w.add("fundee", fundee_profile);
    ChannelIndex c = w.connect(funder, fundee);
    OpenState s;
    w.sim.scheduler().spawn("scenario", [&] {
        // The funding tx is in the mempool; block 1 after it confirms it once.
        w.ln.mine_blocks(confirmations, sim::SimDuration::seconds(30));
        const ChannelLedger& ch = w.ln.channel(c);
        REQUIRE(w.ln.chain().tx_height(ch.funding.txid).has_value());
        REQUIRE(w.tip() - *w.ln.chain().tx_height(ch.funding.txid) + 1 == confirmations);
        s.funder_sent_ready = ch.side(ch.side_of(funder)).ready;
        s.fundee_sent_ready = ch.side(ch.side_of(fundee)).ready;
        s.open = ch.status() == ChannelStatus::open;
        Invoice inv = w.ln.node(fundee).create_invoice(InvoiceOptions{.amount_msat = 1000000});
        PaymentResult r =
            w.ln.node(funder).pay(inv, PayLimits{.timeout = sim::SimDuration::seconds(5)});
        s.paid = r.succeeded;
        sim::this_actor::sleep_for(sim::SimDuration::seconds(30));
    });
    sim::SimulationResult r = w.sim.run();
    INFO(r.run.message);
    REQUIRE(r.run.ok());
    return s;
}

}  // namespace

TEST_CASE("channel_ready is sent at the fundee's minimum_depth, not one confirmation earlier; "
          "only then does a payment cross the channel",
          "[lightning][actors][open][boundary]") {
    // Profile defaults (reference §4): ldk 6, lnd 6, cln 3 (anchor_confirms), cln-regtest 1.
    struct Case {
        const char* funder;
        const char* fundee;
        uint32_t depth;  // the fundee's minimum_depth
    };
    for (Case k : {Case{"ldk", "cln", 3}, Case{"cln", "ldk", 6}, Case{"lnd", "cln-regtest", 1},
                   Case{"cln-regtest", "lnd", 6}}) {
        INFO(k.funder << " funds, " << k.fundee << " accepts with minimum_depth " << k.depth);
        if (k.depth > 1) {
            OpenState before = state_after(k.funder, k.fundee, k.depth - 1);
            CHECK_FALSE(before.funder_sent_ready);
            CHECK_FALSE(before.fundee_sent_ready);
            CHECK_FALSE(before.open);
            CHECK_FALSE(before.paid);
        }
        OpenState at = state_after(k.funder, k.fundee, k.depth);
        CHECK(at.funder_sent_ready);  // even when its own setting is deeper (ldk 6 > cln 3)
        CHECK(at.fundee_sent_ready);
        CHECK(at.open);
        CHECK(at.paid);
    }
}

TEST_CASE("LDK fails a held hold-invoice HTLC back at incoming expiry - 39, not a block earlier",
          "[lightning][actors][hold][boundary]") {
    World w(42);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex d = w.add("d", "ldk");
    ChannelIndex ad = w.connect(a, d);
    PaymentResult result;
    bool done = false;
    w.run([&] {
        Preimage secret = random_preimage(sim::this_actor::random());
        const PaymentHash hash = payment_hash_of(secret);
        Invoice inv =
            w.ln.node(d).create_hold_invoice(InvoiceOptions{.amount_msat = k_amount_msat}, hash);
        pay_async(w, a, inv, &result, &done);
        sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
        REQUIRE(w.ln.node(d).held_count(hash) == 1);
        const uint32_t in_expiry = only_htlc(w, ad).cltv_expiry;
        const uint32_t fail_at = in_expiry - 39;
        CHECK(held_htlc_fail_height(ldk_profile(), in_expiry) == fail_at);
        REQUIRE(w.ln.node(d).tip() < fail_at - 1);
        while (w.ln.node(d).tip() < fail_at - 1) {
            w.ln.mine_blocks(1);
        }
        CHECK(w.ln.node(d).tip() == fail_at - 1);
        CHECK(w.ln.node(d).held_count(hash) == 1);
        CHECK_FALSE(done);
        w.ln.mine_blocks(1);
        CHECK(w.ln.node(d).tip() == fail_at);
        CHECK(w.ln.node(d).held_count(hash) == 0);
        CHECK(done);
        // Failed off-chain: no one went on chain for it.
        CHECK(w.ln.channel(ad).status() == ChannelStatus::open);
        CHECK(only_htlc(w, ad).state == HtlcState::failed);
    });
    CHECK_FALSE(result.succeeded);
    CHECK(result.code == FailureCode::incorrect_or_unknown_payment_details);
    CHECK(w.balance(ad, a) == 500000000);
}

// LDK times out an intercepted HTLC on the OUTGOING expiry, `height >= outgoing_cltv_value -
// HTLC_FAIL_BACK_BUFFER` (channelmanager.rs, pending_intercepted_htlcs.retain on each block),
// and fails it with temporary_node_failure (0x2000|2): rust-lightning payment_tests.rs
// do_test_intercepted_payment(InterceptTest::Timeout) routes with a 48-block intercept hint and
// TEST_FINAL_CLTV 70, connects 1 + 70 blocks and expects the HTLC failed with
// TemporaryNodeFailure, which an incoming-expiry rule (incoming - 39 >= start + 79) could not
// do. Only hold-invoice (claimable) HTLCs use the incoming expiry in LDK (the test above).
TEST_CASE("LDK fails a held intercepted HTLC back at OUTGOING expiry - 39 with "
          "temporary_node_failure, not a block earlier",
          "[lightning][actors][intercept][boundary]") {
    World w(43);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex g = w.add("g", "ldk");
    w.connect(s, g);
    NodeIndex fed = w.ln.add_virtual_node("fed");
    constexpr ShortChannelId k_scid{0x123456};
    PaymentResult result;
    bool done = false;
    w.run([&] {
        sim::Channel<InterceptedHtlc>& hook = w.ln.node(g).register_interceptor(k_scid);
        // An invoice from the federation behind g's intercept scid (the gateway's LNv1 shape).
        RouteHint hint{RouteHintHop{g, k_scid, ChannelPolicy{0, 0, 144, 0, k_no_htlc_maximum}}};
        InvoiceRequest req{5000000, std::nullopt, w.ln.node(g).unix_now(),
                           k_default_invoice_expiry_seconds, {hint}};
        Invoice inv = make_invoice(ldk_profile(), fed, req, sim::this_actor::random());
        w.ln.chain().register_preimage(*inv.preimage);
        pay_async(w, s, public_copy(inv), &result, &done);
        std::optional<InterceptedHtlc> h = hook.recv();  // and never answered
        REQUIRE(h.has_value());
        const uint32_t fail_at = h->outgoing_expiry - 39;
        REQUIRE(w.ln.node(g).tip() < fail_at - 1);
        while (w.ln.node(g).tip() < fail_at - 1) {
            w.ln.mine_blocks(1);
        }
        // CHECK, not REQUIRE, below: a failed REQUIRE would throw inside the actor.
        CHECK(w.ln.node(g).held_count(h->payment_hash) == 1);
        CHECK_FALSE(done);
        w.ln.mine_blocks(1);
        CHECK(w.ln.node(g).tip() == fail_at);
        CHECK(w.ln.node(g).held_count(h->payment_hash) == 0);
        CHECK(done);
        // Whatever the rule, let the payment end so the run does too.
        while (!done && w.tip() < h->incoming_expiry) {
            w.ln.mine_blocks(1);
        }
    });
    CHECK_FALSE(result.succeeded);
    CHECK(result.code == FailureCode::temporary_node_failure);
}

TEST_CASE("a forward stuck on chain is given up upstream at incoming expiry - 3 by LDK and CLN, "
          "not a block earlier; LND never gives up early",
          "[lightning][actors][onchain][boundary]") {
    // a -> b -> d, d holds the HTLC forever (CLN never auto-fails a held HTLC), so b's
    // outgoing HTLC goes on chain at its deadline. The early rule only matters while the
    // HTLC-timeout tx is not yet deep enough (LDK's functional test connects empty blocks);
    // the model's chain mines every tx at once, so the ldk, cln and lnd cases raise
    // fail_back_confirmations to keep the resolved rule out of the way. cln-regtest (delta 6)
    // reaches the early rule with its defaults: in - 3 = E + 3 is before its 3rd
    // confirmation of the timeout tx (E + 4).
    struct Case {
        const char* profile;
        std::optional<uint32_t> fail_back_confirmations;
        bool gives_up_early;
    };
    for (Case k : {Case{"ldk", 500, true}, Case{"cln", 500, true}, Case{"cln-regtest", {}, true},
                   Case{"lnd", 500, false}}) {
        INFO(k.profile);
        World w(44);
        NodeIndex a = w.add("a", "lnd");
        NodeIndex b = w.add("b", k.profile,
                            ProfileOverrides{.fail_back_confirmations = k.fail_back_confirmations});
        NodeIndex d = w.add("d", "cln");
        ChannelIndex ab = w.connect(a, b);
        ChannelIndex bd = w.connect(b, d);
        PaymentResult result;
        bool done = false;
        w.run([&] {
            Preimage secret = random_preimage(sim::this_actor::random());
            Invoice inv = w.ln.node(d).create_hold_invoice(
                InvoiceOptions{.amount_msat = k_amount_msat}, payment_hash_of(secret));
            pay_async(w, a, inv, &result, &done);
            sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
            const uint32_t out_expiry = only_htlc(w, bd).cltv_expiry;
            const uint32_t in_expiry = only_htlc(w, ab).cltv_expiry;
            const uint32_t give_up_at = in_expiry - 3;
            const Profile& p = w.ln.channel(bd).side(w.ln.channel(bd).side_of(b)).profile;
            // The outgoing channel is on chain well before the give-up height.
            REQUIRE(offered_onchain_height(p, out_expiry) + 1 < give_up_at);
            while (w.ln.node(b).tip() < give_up_at - 1) {
                w.ln.mine_blocks(1);
                INFO("tip " << w.ln.node(b).tip());
                REQUIRE(w.ln.node(b).log().fail_backs.empty());
            }
            CHECK(w.ln.node(b).tip() == give_up_at - 1);
            CHECK(w.ln.node(b).log().closes.size() == 1);
            CHECK(only_htlc(w, bd).state == HtlcState::timed_out);  // on chain, not deep enough
            CHECK_FALSE(done);
            w.ln.mine_blocks(1);
            CHECK(w.ln.node(b).tip() == give_up_at);
            if (k.gives_up_early) {
                REQUIRE(w.ln.node(b).log().fail_backs.size() == 1);
                CHECK(w.ln.node(b).log().fail_backs[0].tip == give_up_at);
                CHECK(done);
            } else {
                // LND waits for the timeout tx's confirmations: nothing at in - 3 or after;
                // the payer's own node times its HTLC out on chain at the incoming expiry.
                CHECK(w.ln.node(b).log().fail_backs.empty());
                CHECK_FALSE(done);
                while (!done && w.tip() < in_expiry + 10) {
                    w.ln.mine_blocks(1);
                }
                CHECK(done);
                CHECK(w.ln.node(b).log().fail_backs.empty());
                REQUIRE(w.ln.node(a).log().closes.size() == 1);
                CHECK(w.ln.node(a).log().closes[0].tip == in_expiry);
            }
        });
        CHECK_FALSE(result.succeeded);
        if (k.gives_up_early) {
            CHECK(result.code == k_fail_back_code);
            // a and b's channel stays open: the HTLC came back off-chain.
            CHECK(w.ln.channel(ab).status() == ChannelStatus::open);
        }
    }
}
