// Invoice creation and hashing (see invoice.h).
#include "actors/lightning/invoice.h"

#include <algorithm>

#include "sim/assert.h"

namespace actors::lightning {

namespace {
constexpr int64_t k_ns_per_second = 1000000000;
}  // namespace

Preimage random_preimage(sim::Random& random) {
    Preimage p{};
    for (size_t i = 0; i < p.size(); i += 8) {
        uint64_t word = random.next_u64();
        for (size_t j = 0; j < 8; ++j) {
            p[i + j] = static_cast<uint8_t>(word >> (8 * j));
        }
    }
    return p;
}

PaymentHash payment_hash_of(const Preimage& preimage) {
    return sha256(preimage.data(), preimage.size());
}

uint32_t padded_user_final_cltv_delta(const Profile& payee_profile, uint32_t user_delta) {
    const uint64_t padded = uint64_t{user_delta} + payee_profile.invoice_final_cltv_padding;
    if (payee_profile.invoice_final_cltv_padding == 0) {
        return user_delta;
    }
    // Only LDK pads, and its user value is a u16: invoice_utils.rs writes
    // min_final_cltv_expiry_delta.map(|x| x.saturating_add(3)), so 65535 stays 65535.
    return static_cast<uint32_t>(std::min<uint64_t>(padded, UINT16_MAX));
}

std::optional<std::string> invoice_request_error(const Profile& payee_profile,
                                                 const InvoiceRequest& request) {
    if (!request.min_final_cltv_expiry_delta.has_value()) {
        return std::nullopt;
    }
    // LDK compares value.saturating_add(3) (a u16).
    const uint32_t padded =
        padded_user_final_cltv_delta(payee_profile, *request.min_final_cltv_expiry_delta);
    if (padded >= payee_profile.min_padded_user_final_cltv_delta) {
        return std::nullopt;
    }
    return "min_final_cltv_expiry_delta " + std::to_string(*request.min_final_cltv_expiry_delta) +
           " too short: " + payee_profile.name + " refuses the invoice when it + " +
           std::to_string(payee_profile.invoice_final_cltv_padding) + " is below " +
           std::to_string(payee_profile.min_padded_user_final_cltv_delta) +
           " (MinFinalCltvExpiryDeltaTooShort)";
}

Invoice make_invoice(const Profile& payee_profile, NodeIndex payee, const InvoiceRequest& request,
                     sim::Random& random) {
    {
        std::optional<std::string> refused = invoice_request_error(payee_profile, request);
        SIM_ASSERT_MSG(!refused.has_value(), refused.value_or(""));
    }
    Invoice inv;
    inv.payee = payee;
    inv.preimage = random_preimage(random);
    inv.payment_hash = payment_hash_of(*inv.preimage);
    inv.amount_msat = request.amount_msat;
    if (request.min_final_cltv_expiry_delta.has_value()) {
        // LDK writes user value + 3 into the invoice so a payer whose tip lags still clears
        // the receiver's check, which uses the raw value; the other profiles pad by 0.
        inv.min_final_cltv_expiry_delta = padded_user_final_cltv_delta(
            payee_profile, *request.min_final_cltv_expiry_delta);
        if (payee_profile.final_checks_invoice_delta) {
            inv.payee_final_check_delta = *request.min_final_cltv_expiry_delta;
        }
    } else {
        inv.min_final_cltv_expiry_delta = payee_profile.min_final_cltv_expiry_delta;
        if (payee_profile.final_checks_invoice_delta &&
            payee_profile.final_checks_default_invoice_delta) {
            inv.payee_final_check_delta = payee_profile.min_final_cltv_expiry_delta;
        }
    }
    inv.created_at_unix = request.now_unix;
    inv.payee_created_at_unix_ns =
        request.now_unix_ns.value_or(request.now_unix * k_ns_per_second);
    inv.payee_created_block_time = request.block_time;
    inv.expiry_seconds = request.expiry_seconds;
    inv.route_hints = request.route_hints;
    return inv;
}

bool invoice_expired(const Invoice& invoice, InvoiceExpiryRule rule, int64_t now_unix_ns,
                     int64_t block_time) {
    const int64_t expires_s = invoice.expires_at_unix();
    // Floor, as sim::Clocks::unix_seconds does.
    const int64_t now_s = now_unix_ns >= 0 ? now_unix_ns / k_ns_per_second
                                           : -((-now_unix_ns + k_ns_per_second - 1) /
                                               k_ns_per_second);
    switch (rule) {
        case InvoiceExpiryRule::after_ns:
            return now_unix_ns > expires_s * k_ns_per_second;
        case InvoiceExpiryRule::after_whole_seconds:
            return now_s > expires_s;
        case InvoiceExpiryRule::at_or_after_whole_seconds:
            return now_s >= expires_s;
        case InvoiceExpiryRule::after_creation_ns:
            return now_unix_ns >
                   invoice.payee_created_at_unix_ns +
                       static_cast<int64_t>(invoice.expiry_seconds) * k_ns_per_second;
        case InvoiceExpiryRule::block_time_with_grace:
            return invoice.payee_created_block_time + invoice.expiry_seconds +
                       k_ldk_inbound_expiry_grace_s <
                   block_time;
    }
    return false;
}

Invoice public_copy(const Invoice& invoice) {
    Invoice copy = invoice;
    copy.preimage.reset();
    copy.payee_final_check_delta.reset();
    copy.payee_created_at_unix_ns = 0;
    copy.payee_created_block_time = 0;
    return copy;
}

}  // namespace actors::lightning
