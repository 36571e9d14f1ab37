// Profiles: lookup by name, the defaults table, overrides and their validation; invoices:
// hashing, the `c` field per profile and the wall-clock expiry boundary.
#include <catch2/catch.hpp>

#include "actors/lightning/invoice.h"
#include "actors/lightning/profile.h"

using namespace actors::lightning;

TEST_CASE("profiles resolve by name; unknown names list the known ones", "[lightning][profile]") {
    for (const std::string& name : profile_names()) {
        Result<Profile> p = profile_by_name(name);
        REQUIRE(p.ok());
        CHECK(p.value().name == name);
    }
    Result<Profile> bad = profile_by_name("eclair");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().find("eclair") != std::string::npos);
    CHECK(bad.error().find("cln-regtest") != std::string::npos);
}

TEST_CASE("profile defaults match the reference table", "[lightning][profile]") {
    Profile ldk = ldk_profile(), lnd = lnd_profile(), cln = cln_profile();
    Profile reg = cln_regtest_profile();
    CHECK(ldk.cltv_expiry_delta == 72);
    CHECK(lnd.cltv_expiry_delta == 80);
    CHECK(cln.cltv_expiry_delta == 34);
    CHECK(reg.cltv_expiry_delta == 6);
    CHECK(ldk.min_final_cltv_expiry_delta == 42);
    CHECK(lnd.min_final_cltv_expiry_delta == 80);
    CHECK(cln.min_final_cltv_expiry_delta == 18);
    CHECK(reg.min_final_cltv_expiry_delta == 10);
    CHECK(ldk.fee_base_msat == 1000);
    CHECK(ldk.fee_ppm == 0);
    CHECK(lnd.fee_ppm == 1);
    CHECK(cln.fee_ppm == 10);
    CHECK(reg.fee_base_msat == 1);
    CHECK(ldk.max_accepted_htlcs == 50);
    CHECK(lnd.max_accepted_htlcs == 483);
    CHECK(cln.max_accepted_htlcs == 30);
    CHECK(reg.max_accepted_htlcs == 483);
    CHECK(ldk.funding_confirmations == 6);
    CHECK(cln.funding_confirmations == 3);
    CHECK(reg.funding_confirmations == 1);
    CHECK(reg.to_self_delay == 6);
    CHECK(lnd.to_self_delay == 144);
    CHECK(lnd.final_cltv_padding == 3);
    CHECK(lnd.cltv_limit_zero_means_default);
    CHECK_FALSE(ldk.cltv_limit_zero_means_default);
    CHECK(ldk.default_cltv_limit == 1008);
    CHECK(ldk.max_path_length == 19);
    CHECK(lnd.max_path_length == 20);
    CHECK(cln.max_path_length == 20);
}

TEST_CASE("overrides replace fields and keep derived rules consistent", "[lightning][profile]") {
    ProfileOverrides o;
    o.cltv_expiry_delta = 40;
    o.min_final_cltv_expiry_delta = 24;
    Result<Profile> cln = apply_overrides(cln_profile(), o);
    REQUIRE(cln.ok());
    CHECK(cln.value().effective_claim_buffer() == 20);      // (40 + 1) / 2
    CHECK(cln.value().effective_final_reject_delta() == 24);  // follows cltv_final

    ProfileOverrides explicit_buffer;
    explicit_buffer.claim_buffer = 5;
    CHECK(apply_overrides(cln_profile(), explicit_buffer).value().effective_claim_buffer() == 5);

    ProfileOverrides too_small;
    too_small.cltv_expiry_delta = 47;
    Result<Profile> ldk = apply_overrides(ldk_profile(), too_small);
    REQUIRE_FALSE(ldk.ok());
    CHECK(ldk.error().find("cltv_expiry_delta 47") != std::string::npos);
    too_small.cltv_expiry_delta = 48;
    CHECK(apply_overrides(ldk_profile(), too_small).ok());

    // LDK's default `c` is MIN_FINAL_CLTV_EXPIRY_DELTA and no user value makes one below it,
    // so an override below 42 is refused; the other profiles have no such floor.
    ProfileOverrides short_c;
    short_c.min_final_cltv_expiry_delta = 41;
    Result<Profile> ldk_c = apply_overrides(ldk_profile(), short_c);
    REQUIRE_FALSE(ldk_c.ok());
    CHECK(ldk_c.error() ==
          "min_final_cltv_expiry_delta 41 is below the ldk minimum 42 "
          "(MIN_FINAL_CLTV_EXPIRY_DELTA)");
    CHECK(apply_overrides(lnd_profile(), short_c).ok());
    CHECK(apply_overrides(cln_regtest_profile(), short_c).ok());
    short_c.min_final_cltv_expiry_delta = 42;
    CHECK(apply_overrides(ldk_profile(), short_c).value().min_final_cltv_expiry_delta == 42);

    ProfileOverrides slots;
    slots.max_accepted_htlcs = 484;
    CHECK_FALSE(apply_overrides(lnd_profile(), slots).ok());
    slots.max_accepted_htlcs = 483;
    CHECK(apply_overrides(ldk_profile(), slots).value().max_accepted_htlcs == 483);
}

TEST_CASE("sha256 matches FIPS 180-4 vectors", "[lightning][invoice]") {
    const std::string abc = "abc";
    CHECK(to_hex(sha256(reinterpret_cast<const uint8_t*>(abc.data()), abc.size())) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(sha256(nullptr, 0)) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(to_hex(sha256(reinterpret_cast<const uint8_t*>(two_blocks.data()),
                        two_blocks.size())) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("invoices: hash of preimage, c per profile, expiry boundary", "[lightning][invoice]") {
    sim::Random random(7);
    InvoiceRequest req;
    req.amount_msat = 50000;
    req.now_unix = 1700000000;
    Invoice lnd_inv = make_invoice(lnd_profile(), 3, req, random);
    REQUIRE(lnd_inv.preimage.has_value());
    CHECK(lnd_inv.payment_hash == payment_hash_of(*lnd_inv.preimage));
    CHECK(lnd_inv.min_final_cltv_expiry_delta == 80u);
    CHECK_FALSE(public_copy(lnd_inv).preimage.has_value());

    req.min_final_cltv_expiry_delta = 40;  // LDK refuses below 39 (announced_htlc_max_test)
    CHECK(make_invoice(ldk_profile(), 3, req, random).min_final_cltv_expiry_delta == 43u);
    CHECK(make_invoice(cln_profile(), 3, req, random).min_final_cltv_expiry_delta == 40u);

    // Same seed, same preimage; the next invoice gets a different one.
    sim::Random again(7);
    req.min_final_cltv_expiry_delta.reset();
    CHECK(make_invoice(lnd_profile(), 3, req, again).payment_hash == lnd_inv.payment_hash);
    CHECK(make_invoice(lnd_profile(), 3, req, again).payment_hash != lnd_inv.payment_hash);

    CHECK(lnd_inv.expires_at_unix() == 1700003600);
    CHECK_FALSE(lnd_inv.is_expired(1700003599));
    CHECK_FALSE(lnd_inv.is_expired(1700003600));
    CHECK(lnd_inv.is_expired(1700003601));

    Invoice no_c;
    CHECK(no_c.final_cltv_delta_or(k_bolt11_default_final_cltv_delta) == 18);
}
