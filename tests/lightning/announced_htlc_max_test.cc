// What each implementation announces as a new channel's htlc_maximum_msat (BOLT 7;
// Profile::announced_htlc_max): LDK min(90 % of the capacity, the peer's max in flight), LND
// min(capacity, the peer's max in flight), CLN min(capacity minus the reserve the peer requires
// of it, the peer's max in flight); each at its rounding edge, and a remote payer that routes
// exactly the announced maximum over an LDK channel and finds no route one msat above it.
// Also LDK's refusal to make an invoice whose user `c` + 3 is below 42 and its u16 padding, and
// which forwarders refuse an HTLC above their own announced maximum (LDK does not).
#include <catch2/catch.hpp>

#include <string>

#include "actors/lightning/forwarding.h"
#include "actors/lightning/invoice.h"
#include "tests/lightning/ln_test_util.h"

using namespace ln_test;

namespace {

// The htlc_maximum_msat `announcer` publishes on a new channel of `capacity_sat` to a node of
// profile `peer`.
uint64_t announced(const char* announcer, const char* peer, uint64_t capacity_sat,
                   bool announce = true) {
    World w(51);
    NodeIndex a = w.add("a", announcer);
    NodeIndex p = w.add("p", peer);
    ChannelOptions o{.funder = a, .peer = p, .capacity_sat = capacity_sat};
    o.announce = announce;
    const ChannelLedger& ch = w.ln.channel(w.connect(o));
    return ch.side(ch.side_of(a)).policy.htlc_maximum_msat;
}

}  // namespace

TEST_CASE("announced htlc_maximum_msat per implementation, at the rounding edges",
          "[lightning][limits]") {
    // LDK: 90 % of the capacity (exact in msat), unless the peer's limit is lower (an
    // announced LDK peer's 25 %).
    CHECK(announced("ldk", "lnd", 1000000) == 900000000);
    CHECK(announced("ldk", "lnd", 12345) == 11110500);       // < LND's 12,222,000
    CHECK(announced("ldk", "cln", 12345) == 11110500);       // CLN sets no limit
    CHECK(announced("ldk", "ldk", 12345) == 3086250);        // the peer's 25 %
    CHECK(announced("ldk", "ldk", 12345, false) == 11110500);  // unannounced: its 100 %
    // LND: the peer's limit, at most the capacity: an LND peer's capacity - capacity / 100
    // sat (12345 - 123), a CLN peer's none.
    CHECK(announced("lnd", "lnd", 12345) == 12222000);
    CHECK(announced("lnd", "cln", 12345) == 12345000);
    CHECK(announced("lnd", "ldk", 12345) == 3086250);
    // CLN: the capacity less the reserve the peer requires of it (1 % in whole sat, LDK at
    // least 1000 sat), at most the peer's limit.
    CHECK(announced("cln", "cln", 99999) == 99000000);         // 99,999 - 999 sat
    CHECK(announced("cln", "cln-regtest", 99999) == 99000000);
    CHECK(announced("cln", "ldk", 99999, false) == 98999000);  // 99,999 - 1000 sat
    CHECK(announced("cln", "ldk", 1000000) == 250000000);      // the peer's 25 %
    CHECK(announced("cln-regtest", "lnd", 100) == 99000);      // 100 - 1 sat; LND's limit 99,000
}

TEST_CASE("announced htlc_maximum_msat: each side is bounded by the limit the other side set",
          "[lightning][limits]") {
    World w(52);
    NodeIndex l = w.add("l", "ldk");
    NodeIndex n = w.add("n", "lnd");
    const ChannelLedger& ch = w.ln.channel(w.connect(l, n, 1000000));
    // LND lets LDK have 990,000,000 in flight: LDK's 90 % decides its direction. LDK lets
    // LND have 25 %: LND announces that for its own.
    CHECK(ch.side(ch.side_of(l)).policy.htlc_maximum_msat == 900000000);
    CHECK(ch.side(ch.side_of(n)).policy.htlc_maximum_msat == 250000000);
}

TEST_CASE("announced htlc_maximum_msat: a given policy keeps its own unless told not to",
          "[lightning][limits]") {
    World w(53);
    NodeIndex l = w.add("l", "ldk");
    NodeIndex n = w.add("n", "lnd");
    ChannelPolicy given{.fee_base_msat = 7, .fee_ppm = 70, .cltv_expiry_delta = 50,
                        .htlc_maximum_msat = 123456};
    ChannelOptions o{.funder = l, .peer = n, .capacity_sat = 1000000, .funder_policy = given};
    const ChannelLedger& kept = w.ln.channel(w.connect(o));
    CHECK(kept.side(kept.side_of(l)).policy == given);
    o.default_htlc_maximum = true;
    const ChannelLedger& replaced = w.ln.channel(w.connect(o));
    const ChannelPolicy& p = replaced.side(replaced.side_of(l)).policy;
    CHECK(p.htlc_maximum_msat == 900000000);
    CHECK(p.fee_base_msat == 7);
    CHECK(p.fee_ppm == 70);
}

TEST_CASE("a remote payer pays exactly an LDK channel's announced maximum and finds no route "
          "one msat above it",
          "[lightning][actors][limits]") {
    World w(54);
    NodeIndex p = w.add("p", "lnd");
    NodeIndex a = w.add("a", "ldk");
    NodeIndex b = w.add("b", "lnd");
    // p's own channel to a is unannounced, so a's in-flight limit there is 100 % and p's room
    // (2,000,000,000 less the 20,000 sat reserve) is above the payment.
    ChannelOptions pa{.funder = p, .peer = a, .capacity_sat = 2000000};
    pa.announce = false;
    w.connect(pa);
    // a -> b: a holds the whole 1,000,000 sat and could send 990,000,000 (b's limit and
    // reserve), but announces 90 %.
    ChannelIndex ab = w.connect(ChannelOptions{.funder = a, .peer = b, .capacity_sat = 1000000});
    const uint64_t announced_max = 900000000;
    PaymentResult over;
    PaymentResult at;
    w.run([&] {
        const ChannelLedger& ch = w.ln.channel(ab);
        REQUIRE(ch.side(ch.side_of(a)).policy.htlc_maximum_msat == announced_max);
        REQUIRE(ch.available_msat(ch.side_of(a)) == 990000000);
        over = w.ln.node(p).pay(
            w.ln.node(b).create_invoice(InvoiceOptions{.amount_msat = announced_max + 1}));
        at = w.ln.node(p).pay(
            w.ln.node(b).create_invoice(InvoiceOptions{.amount_msat = announced_max}));
    });
    INFO(over.reason);
    CHECK_FALSE(over.succeeded);
    CHECK(over.attempts.empty());  // pruned by the announced maximum: no failure needed
    CHECK(over.reason.find("no route") != std::string::npos);
    INFO(at.reason);
    CHECK(at.succeeded);
    REQUIRE(at.attempts.size() == 1);
    CHECK(at.attempts[0].route.hops.size() == 2);
}

TEST_CASE("announced htlc_maximum_msat: LDK's 90 % does not wrap at the schema's largest "
          "capacity",
          "[lightning][limits]") {
    // 2.1e15 sat = 2.1e18 msat: * 9 first would pass 2^64 (1.8e19); / 10 * 9 is exact.
    constexpr uint64_t k_max_sat = 2'100'000'000'000'000;
    CHECK(announced_htlc_maximum_msat(ldk_profile(), k_max_sat, 0, UINT64_MAX) ==
          1'890'000'000'000'000'000u);
    CHECK(announced_htlc_maximum_msat(ldk_profile(), k_max_sat - 1, 0, UINT64_MAX) ==
          1'889'999'999'999'999'100u);
}

namespace {

// s (lnd) -> a (`forwarder`) -> p (lnd): a's private 1,000,000 sat channel to p holds all of
// a's side, so a could send 990,000,000 msat (p's in-flight limit and reserve), but a's policy
// there says htlc_maximum_msat 900,000,000: LDK's own 90 %, given for the others. The invoice's
// hint for it carries no maximum (BOLT 11 `r` has none), so the payer routes 950,000,000 msat
// over it and only a's forward check can refuse.
struct ForwardRun {
    PaymentResult result;
    NodeIndex forwarder = k_no_node;
};

ForwardRun forward_over_own_maximum(const char* forwarder) {
    World w(56);
    NodeIndex s = w.add("s", "lnd");
    NodeIndex a = w.add("a", forwarder);
    NodeIndex p = w.add("p", "lnd");
    w.connect(ChannelOptions{.funder = s, .peer = a, .capacity_sat = 4000000});
    ChannelOptions ap{.funder = a, .peer = p, .capacity_sat = 1000000, .announce = false};
    const Profile profile = profile_by_name(forwarder).value();
    if (profile.implementation != Implementation::ldk) {
        ap.funder_policy = default_channel_policy(profile, 900000000);
    }
    ChannelIndex priv = w.connect(ap);
    ForwardRun run{.forwarder = a};
    w.run([&] {
        const ChannelLedger& ch = w.ln.channel(priv);
        ChannelPolicy hinted = ch.side(ch.side_of(a)).policy;
        REQUIRE(hinted.htlc_maximum_msat == 900000000);
        REQUIRE(ch.available_msat(ch.side_of(a)) == 990000000);
        hinted.htlc_maximum_msat = k_no_htlc_maximum;
        RouteHint hint{RouteHintHop{a, ch.scid(), hinted}};
        run.result = w.ln.node(s).pay(w.ln.node(p).create_invoice(
            InvoiceOptions{.amount_msat = 950000000, .route_hints = {hint}}));
    });
    return run;
}

}  // namespace

TEST_CASE("a forward above the forwarder's own htlc_maximum_msat: LDK forwards it, LND and CLN "
          "refuse with temporary_channel_failure",
          "[lightning][actors][limits][hints]") {
    PaymentResult ldk = forward_over_own_maximum("ldk").result;
    INFO(ldk.reason);
    CHECK(ldk.succeeded);
    CHECK(ldk.attempts.size() == 1);
    for (const char* refuses : {"lnd", "cln"}) {
        ForwardRun run = forward_over_own_maximum(refuses);
        const PaymentResult& r = run.result;
        INFO(refuses << ": " << r.reason);
        CHECK_FALSE(r.succeeded);
        REQUIRE_FALSE(r.attempts.empty());
        const std::optional<HtlcFailure>& f = r.attempts[0].failure;
        REQUIRE(f.has_value());
        CHECK(f->code == FailureCode::temporary_channel_failure);
        CHECK(f->failing_node == run.forwarder);
        CHECK(f->reason.find("amt_to_forward 950000000 > htlc_maximum_msat 900000000") !=
              std::string::npos);
    }
}

TEST_CASE("LDK writes a user c of 65535 as 65535: its u16 saturating_add(3)",
          "[lightning][invoice]") {
    sim::Random random(57);
    auto written = [&](const Profile& payee, uint32_t c) {
        InvoiceRequest req{.amount_msat = 1000, .min_final_cltv_expiry_delta = c};
        return make_invoice(payee, 3, req, random).min_final_cltv_expiry_delta;
    };
    CHECK(written(ldk_profile(), 65531) == 65534u);
    CHECK(written(ldk_profile(), 65532) == 65535u);
    CHECK(written(ldk_profile(), 65535) == 65535u);
    CHECK(written(lnd_profile(), 65535) == 65535u);
    // The payee still checks the raw value it was given.
    InvoiceRequest req{.amount_msat = 1000, .min_final_cltv_expiry_delta = 65535};
    CHECK(make_invoice(ldk_profile(), 3, req, random).payee_final_check_delta == 65535u);
}

TEST_CASE("LDK refuses an invoice whose user c + 3 is below 42: 38 refused, 39 made",
          "[lightning][invoice]") {
    InvoiceRequest req{.amount_msat = 1000, .min_final_cltv_expiry_delta = 38};
    std::optional<std::string> refused = invoice_request_error(ldk_profile(), req);
    REQUIRE(refused.has_value());
    CHECK(refused->find("min_final_cltv_expiry_delta 38") == 0);
    CHECK(refused->find("below 42") != std::string::npos);
    CHECK_FALSE(invoice_request_error(lnd_profile(), req).has_value());
    CHECK_FALSE(invoice_request_error(cln_profile(), req).has_value());
    req.min_final_cltv_expiry_delta = 39;
    CHECK_FALSE(invoice_request_error(ldk_profile(), req).has_value());
    req.min_final_cltv_expiry_delta.reset();
    CHECK_FALSE(invoice_request_error(ldk_profile(), req).has_value());

    World w(55);
    NodeIndex t = w.add("t", "ldk");
    NodeIndex n = w.add("n", "lnd");
    w.connect(n, t);
    w.run([&] {
        Result<Invoice> short_c =
            w.ln.node(t).try_create_invoice(InvoiceOptions{.amount_msat = 1000,
                                                           .min_final_cltv_expiry_delta = 38});
        REQUIRE_FALSE(short_c.ok());
        CHECK(short_c.error().find("t: min_final_cltv_expiry_delta 38 too short") == 0);
        Result<Invoice> hold = w.ln.node(t).try_create_hold_invoice(
            InvoiceOptions{.amount_msat = 1000, .min_final_cltv_expiry_delta = 38},
            payment_hash_of(random_preimage(sim::this_actor::random())));
        CHECK_FALSE(hold.ok());
        Result<Invoice> ok_c =
            w.ln.node(t).try_create_invoice(InvoiceOptions{.amount_msat = 1000,
                                                           .min_final_cltv_expiry_delta = 39});
        REQUIRE(ok_c.ok());
        CHECK(ok_c.value().min_final_cltv_expiry_delta == 42u);
        // The accepted invoice is payable; LND makes one with 38.
        CHECK(w.ln.node(n).pay(ok_c.value()).succeeded);
        Result<Invoice> lnd_c =
            w.ln.node(n).try_create_invoice(InvoiceOptions{.amount_msat = 1000,
                                                           .min_final_cltv_expiry_delta = 38});
        REQUIRE(lnd_c.ok());
        CHECK(lnd_c.value().min_final_cltv_expiry_delta == 38u);
    });
}
