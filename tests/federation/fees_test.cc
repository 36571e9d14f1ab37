// LNv1 legacy and exact fee formulas, LNv2 PaymentFee arithmetic and comparisons.
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/federation/fees.h"

using namespace actors::federation;

TEST_CASE("LNv1 exact fee", "[federation][fees]") {
    RoutingFees f{.base_msat = 0, .proportional_millionths = 3000};
    CHECK(f.to_amount(1000000) == 3000);
    CHECK(f.to_amount(999) == 2);  // floor(2.997)
    RoutingFees base{.base_msat = 1000, .proportional_millionths = 0};
    CHECK(base.to_amount(123456) == 1000);
    RoutingFees huge{.base_msat = 5, .proportional_millionths = 2000000};
    CHECK(huge.to_amount(UINT64_MAX) == UINT64_MAX);  // 2x overflows: saturates.
    RoutingFees full{.base_msat = 0, .proportional_millionths = 1000000};
    CHECK(full.to_amount(UINT64_MAX) == UINT64_MAX);  // exact through the 128-bit product.
}

TEST_CASE("LNv1 legacy fee over-charges and its ppm > 1e6 cases", "[federation][fees]") {
    RoutingFees f{.base_msat = 0, .proportional_millionths = 3000};
    MsatResult legacy = f.to_amount_legacy(1000000);  // divisor floor(1e6/3000) = 333
    REQUIRE(legacy.ok());
    CHECK(legacy.msat == 3003);
    CHECK(f.to_amount(1000000) <= legacy.msat);
    RoutingFees zero{.base_msat = 7, .proportional_millionths = 0};
    CHECK(zero.to_amount_legacy(1000000).msat == 7);
    RoutingFees half{.base_msat = 0, .proportional_millionths = 500001};  // divisor 1: 100%
    CHECK(half.to_amount_legacy(1000000).msat == 1000000);
    RoutingFees over{.base_msat = 0, .proportional_millionths = 1000001};  // divisor 0
    CHECK(over.to_amount_legacy(1000000).msat == UINT64_MAX);
    MsatResult crash = over.to_amount_legacy(1000000, {.panic_on_zero_divisor = true});  // #8975
    CHECK(crash.error == FeeError::divide_by_zero);
    CHECK(k_gateway_default_fees.to_amount_legacy(1000000).msat == 10000);
}

TEST_CASE("LNv2 PaymentFee", "[federation][fees]") {
    CHECK(k_send_fee_limit.absolute_fee(1000000) == 115000);  // 15_000 + 100_000
    CHECK(k_send_fee_limit.add_to(1000000) == 1115000);
    CHECK(k_send_fee_limit.subtract_from(50000) == 0);
    CHECK(k_transaction_fee_default.absolute_fee(1000000) == 5000);  // 3_000 + 2_000
    CHECK(k_receive_fee_limit.absolute_fee(0) == 50000);
    PaymentFee big{.base_msat = 1, .parts_per_million = 1000000};
    CHECK(big.absolute_fee(UINT64_MAX) == UINT64_MAX / 1000000 + 1);  // saturate, then divide.

    PaymentFee low_base_high_rate{.base_msat = 50000, .parts_per_million = 20000};
    CHECK_FALSE(low_base_high_rate.is_within(k_send_fee_limit));
    CHECK(low_base_high_rate.le_lexicographic(k_send_fee_limit));
    PaymentFee equal_base{.base_msat = 100000, .parts_per_million = 20000};
    CHECK_FALSE(equal_base.le_lexicographic(k_send_fee_limit));
    CHECK(k_send_fee_limit.is_within(k_send_fee_limit));
}
