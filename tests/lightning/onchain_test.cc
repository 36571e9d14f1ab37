// On-chain enforcement through node actors: the exact block at which each profile goes on chain
// for an offered HTLC whose downstream never answers (a hold invoice never settled) and when it
// fails the HTLC back upstream; where every balance ends; and an HTLC claimed on chain with its
// preimage when the fulfil cannot reach the peer.
#include "ln_test_util.h"

using namespace ln_test;

namespace {

constexpr uint64_t k_amount_msat = 20000000;

// The one HTLC ever added to `c`.
const HtlcEntry& only_htlc(World& w, ChannelIndex c) {
    const auto& htlcs = w.ln.channel(c).htlcs();
    REQUIRE(htlcs.size() == 1);
    return htlcs.front();
}

// Starts a payment from `payer` in its own actor; `*result` is filled when it resolves.
void pay_async(World& w, NodeIndex payer, const Invoice& inv, PaymentResult* result) {
    w.sim.scheduler().spawn(
        "payer", [&w, payer, inv, result] {
            *result = w.ln.node(payer).pay(inv, PayLimits{.timeout = sim::SimDuration::hours(48)});
        },
        {.node = w.ln.node(payer).net_id()});
}

// a -> b -> c, where b's HTLC to c timed out on chain and b failed a's HTLC back.
void check_balances_after_timeout(World& w, ChannelIndex ab, ChannelIndex bc) {
    const ChannelLedger& first = w.ln.channel(ab);
    const NodeIndex a = first.side(0).node;
    const NodeIndex b = first.side(1).node;
    const NodeIndex c = w.ln.channel(bc).side(1).node;
    // a and b's channel stays open: the HTLC came back off-chain, balances as before.
    CHECK(first.status() == ChannelStatus::open);
    CHECK(w.balance(ab, a) == 500000000);
    CHECK(w.balance(ab, b) == 500000000);
    // b and c's channel is closed: b has its balance plus the timed-out HTLC, c its own.
    CHECK(w.ln.channel(bc).status() == ChannelStatus::closed);
    CHECK(w.ln.onchain_sat(b) == 500000);
    CHECK(w.ln.onchain_sat(c) == 500000);
}

}  // namespace

TEST_CASE("a hold invoice never settled: each profile goes on chain for the offered HTLC at its "
          "block, fails back upstream at its block, and every balance ends where the rules say",
          "[lightning][actors][onchain]") {
    // Relative to the outgoing expiry E: (force-close tip, fail-back tip).
    //   lnd: closes at E (grace 0); timeout tx mined at E + 1; fails back at 1 conf: E + 1.
    //   ldk: closes at E + 3; timeout tx at E + 4; 6 confs: E + 9 (early rule: E + 72 - 3).
    //   cln: closes at E + 1; timeout tx at E + 2; 3 confs: E + 4 (early: E + 34 - 3).
    //   cln-regtest: closes at E + 1; early give-up max(E + 6 - 3, E + 1) = E + 3 wins.
    struct Case {
        const char* profile;
        uint32_t close_after;
        uint32_t fail_back_after;
    };
    for (Case c : {Case{"lnd", 0, 1}, Case{"ldk", 3, 9}, Case{"cln", 1, 4},
                   Case{"cln-regtest", 1, 3}}) {
        INFO(c.profile);
        World w(21);
        NodeIndex a = w.add("a", "lnd");
        NodeIndex b = w.add("b", c.profile);
        NodeIndex d = w.add("c", "cln");  // holds forever: CLN never auto-fails a held HTLC
        ChannelIndex ab = w.connect(a, b);
        ChannelIndex bd = w.connect(b, d);
        PaymentResult result;
        uint32_t expiry = 0;
        uint32_t in_expiry = 0;
        PaymentHash hash{};
        w.run([&] {
            Preimage secret = random_preimage(sim::this_actor::random());
            hash = payment_hash_of(secret);
            Invoice inv = w.ln.node(d).create_hold_invoice(
                InvoiceOptions{.amount_msat = k_amount_msat}, hash);
            pay_async(w, a, inv, &result);
            sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
            REQUIRE(w.ln.node(d).held_count(inv.payment_hash) == 1);
            expiry = only_htlc(w, bd).cltv_expiry;
            in_expiry = only_htlc(w, ab).cltv_expiry;
            const Profile& p = w.ln.channel(bd).side(w.ln.channel(bd).side_of(b)).profile;
            const uint32_t close_at = offered_onchain_height(p, expiry);
            REQUIRE(close_at == expiry + c.close_after);
            while (w.tip() < expiry + c.fail_back_after + 3) {
                w.ln.mine_blocks(1);
                const auto& closes = w.ln.node(b).log().closes;
                const auto& backs = w.ln.node(b).log().fail_backs;
                INFO("tip " << w.tip());
                CHECK(closes.empty() == (w.tip() < close_at));
                CHECK(backs.empty() == (w.tip() < expiry + c.fail_back_after));
            }
            REQUIRE(w.ln.node(b).log().closes.size() == 1);
            CHECK(w.ln.node(b).log().closes[0].tip == close_at);
            REQUIRE(w.ln.node(b).log().fail_backs.size() == 1);
            // The timeout tx (nLockTime = E) confirmed in the block after the close.
            const HtlcEntry& out = only_htlc(w, bd);
            CHECK(out.state == HtlcState::timed_out);
            REQUIRE(out.resolved_height.has_value());
            CHECK(*out.resolved_height == close_at + 1);
            CHECK(*out.resolved_height >= htlc_timeout_first_block(expiry));
            CHECK(w.ln.node(b).log().fail_backs[0].tip ==
                  fail_back_height(p, in_expiry, expiry,
                                   static_cast<uint32_t>(*out.resolved_height)));
        });
        CHECK_FALSE(result.succeeded);
        CHECK(result.code == k_fail_back_code);
        check_balances_after_timeout(w, ab, bd);
        CHECK(w.ln.node(d).held_count(hash) == 0);  // dropped once timed out on chain
    }
}

TEST_CASE("a fulfil that cannot reach the peer is claimed on chain with the preimage, and the "
          "forwarder learns it from the chain",
          "[lightning][actors][onchain]") {
    World w(22);
    NodeIndex a = w.add("a", "lnd");
    NodeIndex b = w.add("b", "lnd");
    NodeIndex d = w.add("c", "cln");
    ChannelIndex ab = w.connect(a, b);
    ChannelIndex bd = w.connect(b, d);
    PaymentResult result;
    uint32_t expiry = 0;
    w.run([&] {
        Preimage secret = random_preimage(sim::this_actor::random());
        Invoice inv = w.ln.node(d).create_hold_invoice(
            InvoiceOptions{.amount_msat = k_amount_msat}, payment_hash_of(secret));
        pay_async(w, a, inv, &result);
        sim::this_actor::sleep_for(sim::SimDuration::seconds(10));
        REQUIRE(w.ln.node(d).held_count(inv.payment_hash) == 1);
        expiry = only_htlc(w, bd).cltv_expiry;
        w.sim.network().partition({w.ln.node(d).net_id()}, {w.ln.node(b).net_id()},
                                  sim::PartitionKind::one_way);
        REQUIRE(w.ln.node(d).settle_hold(secret));
        const uint32_t claim_at = received_onchain_height(cln_profile(), expiry);
        CHECK(claim_at == expiry - 17);
        while (w.tip() < claim_at + 3) {
            w.ln.mine_blocks(1);
        }
        REQUIRE(w.ln.node(d).log().closes.size() == 1);
        CHECK(w.ln.node(d).log().closes[0].tip == claim_at);
        CHECK(w.ln.node(b).log().closes.empty());
        CHECK(only_htlc(w, bd).state == HtlcState::claimed);
        CHECK(*only_htlc(w, bd).resolved_height == claim_at + 1);
    });
    INFO(result.reason);
    REQUIRE(result.succeeded);
    const uint64_t fee = 1000 + k_amount_msat / 1000000;  // b's lnd policy
    CHECK(w.balance(ab, a) == 500000000 - k_amount_msat - fee);
    CHECK(w.balance(ab, b) == 500000000 + k_amount_msat + fee);
    CHECK(w.ln.onchain_sat(d) == 500000 + k_amount_msat / 1000);
    CHECK(w.ln.onchain_sat(b) == 500000 - k_amount_msat / 1000);
}
