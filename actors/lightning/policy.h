// Channel policy and the arithmetic every hop agrees on: short channel ids, the per-direction
// forwarding policy a node publishes, the BOLT 7 fee formula (integer floor), the route-blinding
// aggregate and inverse formulas (BOLT 4, ceil), and the BOLT 4 failure codes.
//
// Everything is integer: ppm fees are computed in 128-bit so no amount can overflow.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actors::lightning {

// A Lightning node in the model: a dense index assigned in creation order (never a pointer), so
// ordering by it is deterministic.
using NodeIndex = uint32_t;
inline constexpr NodeIndex k_no_node = UINT32_MAX;

// BOLT 7 short_channel_id: block height (3 bytes) | tx index (3) | output index (2).
struct ShortChannelId {
    uint64_t value = 0;

    static ShortChannelId from_parts(uint32_t block, uint32_t tx_index, uint16_t output);
    uint32_t block() const { return static_cast<uint32_t>(value >> 40); }
    uint32_t tx_index() const { return static_cast<uint32_t>((value >> 16) & 0xFFFFFF); }
    uint16_t output() const { return static_cast<uint16_t>(value & 0xFFFF); }
    std::string to_string() const;  // "HxTxO"
    // The same text in a buffer on the caller's stack: every HTLC trace record names its scid,
    // and the record hashes the bytes only, so no string need be allocated for it.
    struct Text {
        char chars[24];  // "16777215x16777215x65535" at most
        uint8_t size = 0;
        std::string_view view() const { return {chars, size}; }
    };
    Text text() const;
    auto operator<=>(const ShortChannelId&) const = default;
};

inline constexpr uint64_t k_no_htlc_maximum = UINT64_MAX;

// What a node publishes for one direction of a channel (channel_update).
struct ChannelPolicy {
    uint64_t fee_base_msat = 0;
    uint32_t fee_ppm = 0;
    uint32_t cltv_expiry_delta = 0;
    uint64_t htlc_minimum_msat = 0;
    uint64_t htlc_maximum_msat = k_no_htlc_maximum;
    bool disabled = false;

    bool operator==(const ChannelPolicy&) const = default;
};

// BOLT 7: fee = fee_base_msat + amount_to_forward * fee_proportional_millionths / 1000000,
// floored. `amount_to_forward` is the outgoing amount; the policy is the outgoing channel's.
uint64_t forwarding_fee_msat(const ChannelPolicy& policy, uint64_t amount_to_forward_msat);

// amount_with_fee_msat with 128-bit intermediates (asserting the result fits 64 bits).
uint64_t amount_with_fee_msat_wide(const ChannelPolicy& policy, uint64_t amount_to_forward_msat);
// The same, empty when the result does not fit 64 bits (a route search's extreme policies).
std::optional<uint64_t> amount_with_fee_msat_checked(const ChannelPolicy& policy,
                                                     uint64_t amount_to_forward_msat);
// The same in 64-bit arithmetic: false if an intermediate overflows (*total is then garbage).
inline bool amount_with_fee_msat_64(const ChannelPolicy& policy, uint64_t amount_to_forward_msat,
                                    uint64_t* total) {
    uint64_t product = 0;
    uint64_t fee = 0;
    return !__builtin_mul_overflow(amount_to_forward_msat, uint64_t{policy.fee_ppm}, &product) &&
           !__builtin_add_overflow(product / 1000000, policy.fee_base_msat, &fee) &&
           !__builtin_add_overflow(amount_to_forward_msat, fee, total);
}
// The incoming amount a hop needs to forward `amount_to_forward_msat` under `policy`.
inline uint64_t amount_with_fee_msat(const ChannelPolicy& policy,
                                     uint64_t amount_to_forward_msat) {
    // Route searches call this for every edge they relax: in 64 bits when nothing overflows
    // (the same floors), otherwise through the 128-bit path, which asserts the result fits.
    uint64_t total = 0;
    if (amount_with_fee_msat_64(policy, amount_to_forward_msat, &total)) {
        return total;
    }
    return amount_with_fee_msat_wide(policy, amount_to_forward_msat);
}

// Route blinding (BOLT 4): the relay parameters of one blinded hop.
struct BlindedRelay {
    uint64_t fee_base_msat = 0;
    uint32_t fee_ppm = 0;
    uint32_t cltv_expiry_delta = 0;
};

// Aggregates the relays of a blinded path (ordered from the introduction node towards the
// recipient) into one payinfo with the BOLT 4 ceil formulas.
BlindedRelay aggregate_blinded_relays(const std::vector<BlindedRelay>& relays);

// A blinded hop's outgoing amount from its incoming amount (BOLT 4 reader, ceil inverse):
// ((amount - base) * 1e6 + 1e6 + ppm - 1) / (1e6 + ppm). REQUIRES amount >= base.
uint64_t blinded_amount_to_forward(const BlindedRelay& relay, uint64_t incoming_amount_msat);

// BOLT 4 failure flags and codes.
inline constexpr uint16_t k_badonion = 0x8000;
inline constexpr uint16_t k_perm = 0x4000;
inline constexpr uint16_t k_node = 0x2000;
inline constexpr uint16_t k_update = 0x1000;

enum class FailureCode : uint16_t {
    temporary_node_failure = k_node | 2,
    permanent_channel_failure = k_perm | 8,
    temporary_channel_failure = k_update | 7,
    unknown_next_peer = k_perm | 10,
    amount_below_minimum = k_update | 11,
    fee_insufficient = k_update | 12,
    incorrect_cltv_expiry = k_update | 13,
    expiry_too_soon = k_update | 14,
    incorrect_or_unknown_payment_details = k_perm | 15,
    final_incorrect_cltv_expiry = 18,
    final_incorrect_htlc_amount = 19,
    channel_disabled = k_update | 20,
    expiry_too_far = 21,
    mpp_timeout = 23,
};

const char* to_string(FailureCode code);
inline bool is_permanent(FailureCode c) { return (static_cast<uint16_t>(c) & k_perm) != 0; }
inline bool is_node_failure(FailureCode c) { return (static_cast<uint16_t>(c) & k_node) != 0; }
inline bool carries_update(FailureCode c) { return (static_cast<uint16_t>(c) & k_update) != 0; }

}  // namespace actors::lightning
