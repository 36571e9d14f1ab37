// Lightning fee formulas: LNv1 `RoutingFees` (legacy and exact forms) and LNv2 `PaymentFee`.
//
// Clients fund LNv1 outgoing contracts with the legacy formula while gateways validate with the
// exact one, which is never larger; the gap between them is deliberate and must be kept
// (fedimint.md 2.9). All arithmetic is integer and saturating, as in the source.
#pragma once

#include <cstdint>

namespace actors::federation {

constexpr uint64_t k_msat_per_sat = 1000;
constexpr uint64_t k_ppm_denominator = 1000000;

// The result of a fee computation that a historical bug could turn into a crash.
enum class FeeError {
    none,
    divide_by_zero,  // the pre-#8975 legacy formula with ppm > 1_000_000 (a panic upstream).
};

struct MsatResult {
    FeeError error = FeeError::none;
    uint64_t msat = 0;

    bool ok() const { return error == FeeError::none; }
};

struct LegacyFeeOptions {
    // Bug knob #8975: above 1_000_000 ppm the legacy divisor floor(1e6 / ppm) truncates to 0 and
    // the division panicked. Off: price the fee out of range (u64 max), as the fix does.
    bool panic_on_zero_divisor = false;
};

// LNv1 gateway fees, as announced in a gateway registration.
struct RoutingFees {
    uint64_t base_msat = 0;
    uint64_t proportional_millionths = 0;

    // Exact form: base + floor(payment * ppm / 1e6), widened so it cannot overflow, then
    // saturating. Gateways validate funding against this one.
    uint64_t to_amount(uint64_t payment_msat) const;

    // Legacy form deployed clients fund with: base + floor(payment / floor(1e6 / ppm)), 0 margin
    // when ppm == 0. Over-charges rates that do not divide 1e6 and bills 100% above 500_000 ppm.
    MsatResult to_amount_legacy(uint64_t payment_msat, const LegacyFeeOptions& options = {}) const;

    bool operator==(const RoutingFees&) const = default;
};

// The gateway's default LNv1 fees: no base, 1% (10_000 ppm).
constexpr RoutingFees k_gateway_default_fees{.base_msat = 0, .proportional_millionths = 10000};

// LNv2 fee: absolute_fee(m) = saturating(m * ppm) / 1e6 + base.
struct PaymentFee {
    uint64_t base_msat = 0;
    uint64_t parts_per_million = 0;

    uint64_t absolute_fee(uint64_t amount_msat) const;
    // amount + fee, saturating.
    uint64_t add_to(uint64_t amount_msat) const;
    // amount - fee, saturating at 0.
    uint64_t subtract_from(uint64_t amount_msat) const;

    // Both components bounded: the current comparison against a limit.
    bool is_within(const PaymentFee& limit) const;
    // Bug knob (older LNv2 client): a derived PartialOrd compares lexicographically, so a lower
    // base waves through any ppm. Kept only to reproduce that acceptance.
    bool le_lexicographic(const PaymentFee& limit) const;
};

constexpr PaymentFee k_send_fee_limit{.base_msat = 100 * k_msat_per_sat,
                                      .parts_per_million = 15000};
constexpr PaymentFee k_receive_fee_limit{.base_msat = 50 * k_msat_per_sat,
                                         .parts_per_million = 5000};
constexpr PaymentFee k_transaction_fee_default{.base_msat = 2 * k_msat_per_sat,
                                               .parts_per_million = 3000};

// Saturating helpers shared by the rule files.
constexpr uint64_t saturating_add(uint64_t a, uint64_t b) {
    uint64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}
constexpr uint64_t saturating_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }
constexpr uint64_t saturating_mul(uint64_t a, uint64_t b) {
    uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

}  // namespace actors::federation
