// LNv1 and LNv2 fee arithmetic.
#include "actors/federation/fees.h"

namespace actors::federation {

namespace {

// floor(a * b / d) without overflow; the product is widened to 128 bits, which both compilers
// support as an extension. Saturates when the quotient does not fit in 64 bits.
uint64_t mul_div_floor_saturating(uint64_t a, uint64_t b, uint64_t d) {
    __extension__ using Uint128 = unsigned __int128;
    Uint128 q = static_cast<Uint128>(a) * static_cast<Uint128>(b) / d;
    return q > static_cast<Uint128>(UINT64_MAX) ? UINT64_MAX : static_cast<uint64_t>(q);
}

}  // namespace

uint64_t RoutingFees::to_amount(uint64_t payment_msat) const {
    uint64_t margin =
        mul_div_floor_saturating(payment_msat, proportional_millionths, k_ppm_denominator);
    return saturating_add(margin, base_msat);
}

MsatResult RoutingFees::to_amount_legacy(uint64_t payment_msat,
                                        const LegacyFeeOptions& options) const {
    if (proportional_millionths == 0) {
        return MsatResult{.error = FeeError::none, .msat = base_msat};
    }
    uint64_t divisor = k_ppm_denominator / proportional_millionths;
    if (divisor == 0) {
        if (options.panic_on_zero_divisor) {
            return MsatResult{.error = FeeError::divide_by_zero, .msat = 0};
        }
        return MsatResult{.error = FeeError::none, .msat = UINT64_MAX};
    }
    return MsatResult{.error = FeeError::none,
                     .msat = saturating_add(payment_msat / divisor, base_msat)};
}

uint64_t PaymentFee::absolute_fee(uint64_t amount_msat) const {
    // Saturate the product first, then divide: faithful to the source even where it
    // under-charges astronomically large amounts.
    return saturating_add(saturating_mul(amount_msat, parts_per_million) / k_ppm_denominator,
                          base_msat);
}

uint64_t PaymentFee::add_to(uint64_t amount_msat) const {
    return saturating_add(amount_msat, absolute_fee(amount_msat));
}

uint64_t PaymentFee::subtract_from(uint64_t amount_msat) const {
    return saturating_sub(amount_msat, absolute_fee(amount_msat));
}

bool PaymentFee::is_within(const PaymentFee& limit) const {
    return base_msat <= limit.base_msat && parts_per_million <= limit.parts_per_million;
}

bool PaymentFee::le_lexicographic(const PaymentFee& limit) const {
    if (base_msat != limit.base_msat) {
        return base_msat < limit.base_msat;
    }
    return parts_per_million <= limit.parts_per_million;
}

}  // namespace actors::federation
