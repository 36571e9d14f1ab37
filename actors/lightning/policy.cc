// Fee, blinding and failure-code arithmetic (see policy.h).
#include "actors/lightning/policy.h"

#include <charconv>

#include "sim/assert.h"

namespace actors::lightning {

namespace {

constexpr uint64_t k_million = 1000000;

// 128-bit intermediate so amount * ppm cannot wrap; results are asserted to fit 64 bits.
__extension__ typedef unsigned __int128 Wide;

uint64_t narrow(Wide v) {
    SIM_ASSERT_MSG(v <= static_cast<Wide>(UINT64_MAX), "msat arithmetic overflow");
    return static_cast<uint64_t>(v);
}

uint64_t ceil_div(Wide num, Wide den) {
    SIM_ASSERT(den != 0);
    return narrow((num + den - 1) / den);
}

}  // namespace

ShortChannelId ShortChannelId::from_parts(uint32_t block, uint32_t tx_index, uint16_t output) {
    SIM_ASSERT(block < (1U << 24));
    SIM_ASSERT(tx_index < (1U << 24));
    return ShortChannelId{(static_cast<uint64_t>(block) << 40) |
                          (static_cast<uint64_t>(tx_index) << 16) | output};
}

ShortChannelId::Text ShortChannelId::text() const {
    Text t;
    char* const end = t.chars + sizeof t.chars;
    char* p = std::to_chars(t.chars, end, block()).ptr;
    *p++ = 'x';
    p = std::to_chars(p, end, tx_index()).ptr;
    *p++ = 'x';
    p = std::to_chars(p, end, output()).ptr;
    t.size = static_cast<uint8_t>(p - t.chars);
    return t;
}

std::string ShortChannelId::to_string() const { return std::string(text().view()); }

uint64_t forwarding_fee_msat(const ChannelPolicy& policy, uint64_t amount_to_forward_msat) {
    // Route searches call this for every edge they relax: the product fits 64 bits for any
    // real amount, and a 64-bit division is far cheaper than a 128-bit one (same result).
    uint64_t product = 0;
    Wide proportional = 0;
    if (__builtin_mul_overflow(amount_to_forward_msat, uint64_t{policy.fee_ppm}, &product)) {
        proportional = static_cast<Wide>(amount_to_forward_msat) * policy.fee_ppm / k_million;
    } else {
        proportional = product / k_million;
    }
    return narrow(proportional + policy.fee_base_msat);
}

uint64_t amount_with_fee_msat_wide(const ChannelPolicy& policy,
                                  uint64_t amount_to_forward_msat) {
    return narrow(static_cast<Wide>(amount_to_forward_msat) +
                  forwarding_fee_msat(policy, amount_to_forward_msat));
}

std::optional<uint64_t> amount_with_fee_msat_checked(const ChannelPolicy& policy,
                                                     uint64_t amount_to_forward_msat) {
    const Wide total = static_cast<Wide>(amount_to_forward_msat) +
                       static_cast<Wide>(amount_to_forward_msat) * policy.fee_ppm / k_million +
                       policy.fee_base_msat;
    if (total > static_cast<Wide>(UINT64_MAX)) {
        return std::nullopt;
    }
    return static_cast<uint64_t>(total);
}

BlindedRelay aggregate_blinded_relays(const std::vector<BlindedRelay>& relays) {
    // BOLT 4 builds the aggregate from the hop nearest the recipient outwards:
    //   base' = ceil((base_hop * 1e6 + base * (1e6 + ppm_hop)) / 1e6)
    //   ppm'  = ceil(((ppm + ppm_hop) * 1e6 + ppm * ppm_hop) / 1e6)
    Wide base = 0;
    Wide ppm = 0;
    uint64_t delta = 0;
    for (auto it = relays.rbegin(); it != relays.rend(); ++it) {
        Wide hop_base = it->fee_base_msat;
        Wide hop_ppm = it->fee_ppm;
        base = ceil_div(hop_base * k_million + base * (k_million + hop_ppm), k_million);
        ppm = ceil_div((ppm + hop_ppm) * k_million + ppm * hop_ppm, k_million);
        delta += it->cltv_expiry_delta;
    }
    SIM_ASSERT(ppm <= UINT32_MAX);
    SIM_ASSERT(delta <= UINT32_MAX);
    return BlindedRelay{narrow(base), static_cast<uint32_t>(ppm), static_cast<uint32_t>(delta)};
}

uint64_t blinded_amount_to_forward(const BlindedRelay& relay, uint64_t incoming_amount_msat) {
    SIM_ASSERT(incoming_amount_msat >= relay.fee_base_msat);
    Wide net = static_cast<Wide>(incoming_amount_msat - relay.fee_base_msat);
    return ceil_div(net * k_million, static_cast<Wide>(k_million) + relay.fee_ppm);
}

const char* to_string(FailureCode code) {
    switch (code) {
        case FailureCode::temporary_node_failure:
            return "temporary_node_failure";
        case FailureCode::permanent_channel_failure:
            return "permanent_channel_failure";
        case FailureCode::temporary_channel_failure:
            return "temporary_channel_failure";
        case FailureCode::unknown_next_peer:
            return "unknown_next_peer";
        case FailureCode::amount_below_minimum:
            return "amount_below_minimum";
        case FailureCode::fee_insufficient:
            return "fee_insufficient";
        case FailureCode::incorrect_cltv_expiry:
            return "incorrect_cltv_expiry";
        case FailureCode::expiry_too_soon:
            return "expiry_too_soon";
        case FailureCode::incorrect_or_unknown_payment_details:
            return "incorrect_or_unknown_payment_details";
        case FailureCode::final_incorrect_cltv_expiry:
            return "final_incorrect_cltv_expiry";
        case FailureCode::final_incorrect_htlc_amount:
            return "final_incorrect_htlc_amount";
        case FailureCode::channel_disabled:
            return "channel_disabled";
        case FailureCode::expiry_too_far:
            return "expiry_too_far";
        case FailureCode::mpp_timeout:
            return "mpp_timeout";
    }
    return "unknown_failure_code";
}

}  // namespace actors::lightning
