// Forwarding and final-hop checks and the on-chain / fail-back block arithmetic, per profile,
// each at the threshold H and at H - 1 and H + 1.
#include <catch2/catch.hpp>

#include "actors/lightning/forwarding.h"
#include "actors/lightning/invoice.h"
#include "actors/lightning/router.h"

using namespace actors::lightning;

namespace {

constexpr uint32_t k_tip = 1000;

// Expected thresholds per profile, from reference §1.4, §1.6 and §4.
struct Expect {
    const char* profile;
    uint32_t last_outgoing_too_soon;  // highest outgoing expiry still refused
    uint32_t last_not_too_far;        // highest expiry (incoming for LDK) still accepted
    uint32_t offered_onchain;         // for an offered HTLC expiring at 2000
    uint32_t received_onchain;        // for a received HTLC (preimage known) expiring at 2000
};

const Expect k_expect[] = {
    {"ldk", k_tip + 1 + 3, k_tip + 1 + 2016, 2003, 1964},
    {"lnd", k_tip + 3, k_tip + 2016, 2000, 1984},
    {"cln", k_tip, k_tip + 2016, 2001, 1983},
    {"cln-regtest", k_tip, k_tip + 2016, 2001, 1997},
};

Profile profile(const char* name) { return profile_by_name(name).value(); }

OutgoingChannelState channel_with(const ChannelPolicy& policy) {
    OutgoingChannelState out;
    out.policy = policy;
    out.available_msat = 10000000;
    return out;
}

ChannelPolicy policy_of(const Profile& p, uint32_t delta) {
    ChannelPolicy pol;
    pol.fee_base_msat = p.fee_base_msat;
    pol.fee_ppm = p.fee_ppm;
    pol.cltv_expiry_delta = delta;
    pol.htlc_minimum_msat = p.htlc_minimum_msat;
    return pol;
}

// A forward request that pays the exact fee and delta for `outgoing_expiry`.
HtlcRequest exact_request(const ChannelPolicy& pol, uint32_t outgoing_expiry) {
    HtlcRequest h;
    h.amt_to_forward_msat = 1000000;
    h.incoming_amount_msat = amount_with_fee_msat(pol, h.amt_to_forward_msat);
    h.outgoing_cltv_value = outgoing_expiry;
    h.incoming_cltv_expiry = outgoing_expiry + pol.cltv_expiry_delta;
    return h;
}

std::optional<FailureCode> forward_code(const Profile& p, const HtlcRequest& h,
                                        const ChannelPolicy& pol) {
    auto f = check_forward(p, h, channel_with(pol), k_tip);
    return f ? std::optional<FailureCode>(f->code) : std::nullopt;
}

}  // namespace

TEST_CASE("forward: outgoing expiry too soon at H, accepted at H + 1", "[lightning][forward]") {
    for (const Expect& e : k_expect) {
        SECTION(e.profile) {
            Profile p = profile(e.profile);
            ChannelPolicy pol = policy_of(p, p.cltv_expiry_delta);
            uint32_t h = e.last_outgoing_too_soon;
            CHECK(forward_code(p, exact_request(pol, h - 1), pol) == FailureCode::expiry_too_soon);
            CHECK(forward_code(p, exact_request(pol, h), pol) == FailureCode::expiry_too_soon);
            CHECK(forward_code(p, exact_request(pol, h + 1), pol) == std::nullopt);
        }
    }
}

TEST_CASE("forward: LDK incoming expiry too soon (tip + 1 + 39)", "[lightning][forward]") {
    Profile p = profile("ldk");
    // A small per-channel delta so the outgoing check does not fire first.
    ChannelPolicy pol = policy_of(p, 6);
    const uint32_t h = k_tip + 1 + 39;
    auto at = [&](uint32_t incoming) {
        return check_forward(p, exact_request(pol, incoming - 6), channel_with(pol), k_tip);
    };
    REQUIRE(at(h - 1).has_value());
    REQUIRE(at(h).has_value());
    CHECK(at(h)->code == FailureCode::expiry_too_soon);
    CHECK(at(h)->reason.find("incoming") != std::string::npos);
    CHECK_FALSE(at(h + 1).has_value());
    // The other profiles have no incoming margin: the same HTLC passes their checks.
    for (const char* name : {"lnd", "cln", "cln-regtest"}) {
        CHECK_FALSE(check_forward(profile(name), exact_request(pol, h - 6), channel_with(pol),
                                  k_tip)
                        .has_value());
    }
}

TEST_CASE("forward: expiry too far beyond max_htlc_cltv 2016", "[lightning][forward]") {
    for (const Expect& e : k_expect) {
        SECTION(e.profile) {
            Profile p = profile(e.profile);
            ChannelPolicy pol = policy_of(p, p.cltv_expiry_delta);
            // LDK limits the incoming expiry, the others the outgoing one.
            uint32_t shift = p.too_far_checks_incoming ? pol.cltv_expiry_delta : 0;
            uint32_t h = e.last_not_too_far;
            CHECK(forward_code(p, exact_request(pol, h - 1 - shift), pol) == std::nullopt);
            CHECK(forward_code(p, exact_request(pol, h - shift), pol) == std::nullopt);
            CHECK(forward_code(p, exact_request(pol, h + 1 - shift), pol) ==
                  FailureCode::expiry_too_far);
        }
    }
}

// Reference §1.2 says LND also fails with expiry_too_far when incoming - outgoing > 2016. Upstream
// htlcswitch/link.go does not: CheckHtlcForward checks the fee, then canSendHtlc (too soon,
// `timeout > MaxOutgoingCltvExpiry + heightNow` on the OUTGOING timeout only, bandwidth), then
// `incomingTimeout < outgoingTimeout + TimeLockDelta`. No check bounds the incoming delta, so a
// delta of 2017 or more is forwarded as long as the outgoing expiry is within tip + 2016.
TEST_CASE("forward: LND bounds only the outgoing expiry, not incoming - outgoing",
          "[lightning][forward]") {
    Profile p = profile("lnd");
    ChannelPolicy pol = policy_of(p, p.cltv_expiry_delta);
    for (uint32_t delta : {2016u, 2017u, 5000u}) {
        HtlcRequest h = exact_request(pol, k_tip + 100);
        h.incoming_cltv_expiry = h.outgoing_cltv_value + delta;
        INFO("incoming - outgoing = " << delta);
        CHECK(forward_code(p, h, pol) == std::nullopt);
    }
    // The outgoing bound still holds with the same large delta.
    HtlcRequest far = exact_request(pol, k_tip + 2017);
    far.incoming_cltv_expiry = far.outgoing_cltv_value + 2017;
    CHECK(forward_code(p, far, pol) == FailureCode::expiry_too_far);
}

TEST_CASE("forward: fee and CLTV delta exactly, and one short", "[lightning][forward]") {
    for (const Expect& e : k_expect) {
        SECTION(e.profile) {
            Profile p = profile(e.profile);
            ChannelPolicy pol = policy_of(p, p.cltv_expiry_delta);
            HtlcRequest ok = exact_request(pol, k_tip + 100);
            CHECK(forward_code(p, ok, pol) == std::nullopt);
            HtlcRequest cheap = ok;
            cheap.incoming_amount_msat -= 1;
            CHECK(forward_code(p, cheap, pol) == FailureCode::fee_insufficient);
            HtlcRequest short_delta = ok;
            short_delta.incoming_cltv_expiry -= 1;
            CHECK(forward_code(p, short_delta, pol) == FailureCode::incorrect_cltv_expiry);
        }
    }
}

TEST_CASE("forward: minimum, liquidity, slots and peer state", "[lightning][forward]") {
    Profile p = profile("lnd");
    ChannelPolicy pol = policy_of(p, p.cltv_expiry_delta);
    HtlcRequest h = exact_request(pol, k_tip + 100);
    OutgoingChannelState out = channel_with(pol);

    out.available_msat = h.amt_to_forward_msat;
    CHECK_FALSE(check_forward(p, h, out, k_tip).has_value());
    out.available_msat = h.amt_to_forward_msat - 1;
    auto f = check_forward(p, h, out, k_tip);
    REQUIRE(f.has_value());
    CHECK(f->code == FailureCode::temporary_channel_failure);

    out = channel_with(pol);
    out.htlcs_in_flight = out.max_accepted_htlcs;
    CHECK(check_forward(p, h, out, k_tip)->code == FailureCode::temporary_channel_failure);
    out = channel_with(pol);
    out.peer_connected = false;
    CHECK(check_forward(p, h, out, k_tip)->code == FailureCode::temporary_channel_failure);

    ChannelPolicy strict = pol;
    strict.htlc_minimum_msat = h.amt_to_forward_msat + 1;
    HtlcRequest h2 = exact_request(strict, k_tip + 100);
    CHECK(check_forward(p, h2, channel_with(strict), k_tip)->code ==
          FailureCode::amount_below_minimum);
    strict.disabled = true;
    CHECK(check_forward(p, h2, channel_with(strict), k_tip)->code ==
          FailureCode::channel_disabled);
}

namespace {

// The payee's copy of an invoice made by `p` with the user-chosen `c` (empty: the default).
Invoice payee_invoice(const Profile& p, std::optional<uint32_t> user_c) {
    sim::Random random(5);
    InvoiceRequest req;
    req.amount_msat = 1000000;
    req.min_final_cltv_expiry_delta = user_c;
    return make_invoice(p, 1, req, random);
}

std::optional<FailureCode> final_code(const Profile& p, const Invoice& inv, uint32_t expiry) {
    HtlcRequest h;
    h.incoming_amount_msat = 1000000;
    h.amt_to_forward_msat = 1000000;
    h.incoming_cltv_expiry = expiry;
    h.outgoing_cltv_value = expiry;
    auto f = check_final(p, h, &inv, k_tip);
    return f ? std::optional<FailureCode>(f->code) : std::nullopt;
}

}  // namespace

TEST_CASE("final hop: min_final rejection at H - 1, accepted at H and H + 1",
          "[lightning][final]") {
    struct Case {
        const char* profile;
        std::optional<uint32_t> user_c;  // what the payee was asked for; empty: its default
        uint32_t invoice_c;              // what the invoice then advertises
        uint32_t first_ok;               // lowest accepted expiry
    };
    const Case cases[] = {
        // LDK advertises user + 3 but checks the raw user value (channelmanager.rs
        // process_receive_htlcs against what create_bolt11_invoice stored): c = 103, yet
        // tip + 100 is accepted.
        {"ldk", 100, 103, k_tip + 100},
        {"ldk", 39, 42, k_tip + 41},             // PaymentClaimBuffer: <= tip + 40 refused
        {"ldk", std::nullopt, 42, k_tip + 41},   // default c: nothing stored, only tip + 41
        {"lnd", 80, 80, k_tip + 80},             // invoice c
        {"lnd", std::nullopt, 80, k_tip + 80},   // LND's default c is checked too
        {"lnd", 18, 18, k_tip + 19},             // FinalCltvRejectDelta 19
        {"cln", 40, 40, k_tip + 18},  // CLN checks its own cltv_final, not the invoice
        {"cln", 10, 10, k_tip + 18},
        {"cln-regtest", 18, 18, k_tip + 10},
    };
    constexpr auto details = FailureCode::incorrect_or_unknown_payment_details;
    for (const Case& c : cases) {
        Profile p = profile(c.profile);
        Invoice inv = payee_invoice(p, c.user_c);
        INFO(c.profile << " user c=" << c.user_c.value_or(0));
        CHECK(inv.min_final_cltv_expiry_delta == c.invoice_c);
        CHECK_FALSE(public_copy(inv).payee_final_check_delta.has_value());
        CHECK(final_code(p, inv, c.first_ok - 1) == details);
        CHECK(final_code(p, inv, c.first_ok) == std::nullopt);
        CHECK(final_code(p, inv, c.first_ok + 1) == std::nullopt);
    }
}

TEST_CASE("final hop: amount, onion cltv, unknown hash, over-payment", "[lightning][final]") {
    Profile p = profile("lnd");
    Invoice inv = payee_invoice(p, 18);
    HtlcRequest h;
    h.incoming_amount_msat = 1000000;
    h.amt_to_forward_msat = 1000000;
    h.incoming_cltv_expiry = k_tip + 100;
    h.outgoing_cltv_value = k_tip + 100;
    CHECK_FALSE(check_final(p, h, &inv, k_tip).has_value());
    CHECK(check_final(p, h, nullptr, k_tip)->code ==
          FailureCode::incorrect_or_unknown_payment_details);

    HtlcRequest low = h;
    low.incoming_amount_msat -= 1;
    CHECK(check_final(p, low, &inv, k_tip)->code == FailureCode::final_incorrect_htlc_amount);
    HtlcRequest cltv = h;
    cltv.incoming_cltv_expiry -= 1;
    CHECK(check_final(p, cltv, &inv, k_tip)->code == FailureCode::final_incorrect_cltv_expiry);

    HtlcRequest twice = h;
    twice.incoming_amount_msat = twice.amt_to_forward_msat = 2000001;
    CHECK(check_final(p, twice, &inv, k_tip)->code ==
          FailureCode::incorrect_or_unknown_payment_details);
    twice.incoming_amount_msat = twice.amt_to_forward_msat = 2000000;
    CHECK_FALSE(check_final(p, twice, &inv, k_tip).has_value());
}

TEST_CASE("on-chain: offered and received HTLC deadlines per profile", "[lightning][onchain]") {
    for (const Expect& e : k_expect) {
        SECTION(e.profile) {
            Profile p = profile(e.profile);
            CHECK(offered_onchain_height(p, 2000) == e.offered_onchain);
            CHECK(received_onchain_height(p, 2000) == e.received_onchain);
            // The node acts at the first tip >= the height: H - 1 no, H and H + 1 yes.
            const uint32_t ho = e.offered_onchain, hr = e.received_onchain;
            CHECK_FALSE(offered_needs_onchain(p, 2000, ho - 1));
            CHECK(offered_needs_onchain(p, 2000, ho));
            CHECK(offered_needs_onchain(p, 2000, ho + 1));
            CHECK_FALSE(received_needs_onchain(p, 2000, hr - 1));
            CHECK(received_needs_onchain(p, 2000, hr));
            CHECK(received_needs_onchain(p, 2000, hr + 1));
        }
    }
    // CLN derives the claim buffer from its delta: (34 + 1) / 2 = 17, (6 + 1) / 2 = 3.
    CHECK(profile("cln").effective_claim_buffer() == 17);
    CHECK(profile("cln-regtest").effective_claim_buffer() == 3);
    CHECK(htlc_timeout_first_block(2000) == 2001);
}

TEST_CASE("fail back upstream: downstream never answers", "[lightning][onchain]") {
    // Forwarded HTLC: incoming expires at 2100, outgoing at 2000.
    SECTION("HTLC-timeout tx never confirms: only the early give-up can fire") {
        CHECK(fail_back_height(profile("ldk"), 2100, 2000, std::nullopt) == 2097u);
        CHECK(fail_back_height(profile("cln"), 2100, 2000, std::nullopt) == 2097u);
        CHECK(fail_back_height(profile("cln-regtest"), 2100, 2000, std::nullopt) == 2097u);
        CHECK_FALSE(fail_back_height(profile("lnd"), 2100, 2000, std::nullopt).has_value());
    }
    SECTION("timeout tx mined in the first possible block, 2001") {
        CHECK(fail_back_height(profile("ldk"), 2100, 2000, 2001) == 2006u);  // 6 confs
        CHECK(fail_back_height(profile("cln"), 2100, 2000, 2001) == 2003u);  // 3 confs
        CHECK(fail_back_height(profile("lnd"), 2100, 2000, 2001) == 2001u);  // 1 conf
    }
    SECTION("early give-up never precedes going on-chain") {
        // Incoming only 2 blocks after outgoing: LDK waits for its own force-close at 2003.
        CHECK(early_fail_back_height(profile("ldk"), 2002, 2000) == 2003u);
        CHECK(early_fail_back_height(profile("cln"), 2002, 2000) == 2001u);
    }
}

TEST_CASE("LDK functional timing scenario (fail back before backwards timeout)",
          "[lightning][onchain][vector]") {
    // test_legacy_channel_config: delta 48, base 1000, ppm 0; TEST_FINAL_CLTV 70; tip 21.
    Profile ldk = profile("ldk");
    ChannelPolicy b_to_c;
    b_to_c.fee_base_msat = 1000;
    b_to_c.cltv_expiry_delta = 48;
    std::vector<PathEdge> path = {{ShortChannelId{1}, 0, 1, ChannelPolicy{}},
                                  {ShortChannelId{2}, 1, 2, b_to_c}};
    Route r = build_route(path, 3000000, 21 + ldk.send_height_offset, 70);
    CHECK(r.hops[0].amount_msat == 3001000);
    CHECK(r.hops[0].cltv_expiry == 140);
    CHECK(r.hops[1].amount_msat == 3000000);
    CHECK(r.hops[1].cltv_expiry == 92);
    // B force-closes B-C at 95 and fails A->B upstream at 137.
    CHECK(offered_onchain_height(ldk, 92) == 95);
    CHECK(fail_back_height(ldk, 140, 92, std::nullopt) == 137u);
    // ClaimOnChain variant: C goes on-chain with the preimage at 92 - 36 = 56.
    CHECK(received_onchain_height(ldk, 92) == 56);
}

TEST_CASE("held HTLCs fail back before the upstream deadline", "[lightning][onchain]") {
    CHECK(held_htlc_fail_height(profile("ldk"), 2000) == 1961u);
    CHECK(held_htlc_fail_height(profile("lnd"), 2000) == 1981u);
    CHECK_FALSE(held_htlc_fail_height(profile("cln"), 2000).has_value());
    ChannelPolicy p = default_channel_policy(profile("cln-regtest"), 5000);
    CHECK(p.cltv_expiry_delta == 6);
    CHECK(p.fee_base_msat == 1);
    CHECK(p.fee_ppm == 10);
    CHECK(p.htlc_maximum_msat == 5000);
}

TEST_CASE("amount with fee: the 64-bit path and the 128-bit path agree, also where the product "
          "overflows 64 bits", "[lightning][forwarding]") {
    ChannelPolicy p;
    for (uint64_t amount : {uint64_t{0}, uint64_t{1}, uint64_t{999999}, uint64_t{4999999},
                            uint64_t{1} << 44, uint64_t{1} << 50, (uint64_t{1} << 51) + 12345}) {
        for (uint32_t ppm : {0U, 1U, 999U, 1000000U, 4000000000U}) {
            for (uint64_t base : {uint64_t{0}, uint64_t{1000}, uint64_t{1} << 40}) {
                p.fee_ppm = ppm;
                p.fee_base_msat = base;
                INFO(amount << " " << ppm << " " << base);
                CHECK(amount_with_fee_msat(p, amount) == amount_with_fee_msat_wide(p, amount));
                CHECK(amount_with_fee_msat(p, amount) ==
                      amount + forwarding_fee_msat(p, amount));
            }
        }
    }
}
