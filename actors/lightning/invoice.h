// Invoice: what a payee hands a payer (BOLT 11 content, not its bech32 encoding).
//
// Holds the payment hash (and, in the payee's own copy, the preimage), the amount, the final
// CLTV delta `c`, the wall-clock creation time and expiry, and the route hints. Wall-clock
// time is unix seconds supplied by the caller (the simulated wall clock), never an OS clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "actors/lightning/policy.h"
#include "actors/lightning/profile.h"
#include "actors/lightning/sha256.h"
#include "sim/random.h"

namespace actors::lightning {

using Preimage = Digest32;
using PaymentHash = Digest32;

// The key hash of unordered containers of payment hashes (or preimages): their first 8 bytes,
// which SHA-256 spreads uniformly. Only for containers that are never iterated (their order is
// not the same across standard libraries); lookups by value are.
struct Digest32Hasher {
    size_t operator()(const Digest32& d) const noexcept {
        uint64_t v = 0;
        std::memcpy(&v, d.data(), sizeof v);
        return static_cast<size_t>(v);
    }
};

// BOLT 11 defaults: `x` absent means 3600 s; `c` absent means 18.
inline constexpr uint32_t k_default_invoice_expiry_seconds = 3600;
inline constexpr uint32_t k_bolt11_default_final_cltv_delta = 18;

// One hop of a BOLT 11 `r` field: the channel from `source` towards the payee, with the fee
// and delta `source` charges for it.
struct RouteHintHop {
    NodeIndex source = k_no_node;
    ShortChannelId scid;
    ChannelPolicy policy;
};
using RouteHint = std::vector<RouteHintHop>;  // ordered from a public node to the payee

struct Invoice {
    NodeIndex payee = k_no_node;
    PaymentHash payment_hash{};
    std::optional<Preimage> preimage;       // only in the payee's copy
    std::optional<uint64_t> amount_msat;    // empty: "any amount" invoice
    // `c` as written in the invoice; empty when absent (the payer then assumes a default).
    std::optional<uint32_t> min_final_cltv_expiry_delta;
    // Only in the payee's copy: the delta the payee itself enforces on a final HTLC
    // (`cltv_expiry < tip + this` is refused), which is not always the advertised `c`. LDK
    // keeps the RAW user value in the payment secret's metadata and advertises value + 3
    // (lightning/src/ln/channelmanager.rs `create_bolt11_invoice` passes the raw
    // `min_final_cltv_expiry_delta` to `create_inbound_payment`, ln/inbound_payment.rs stores
    // and `verify` returns it, `process_receive_htlcs` compares against it), and keeps none
    // when the user gave none. LND checks the invoice's own FinalCltvDelta. Empty: no check.
    std::optional<uint32_t> payee_final_check_delta;
    int64_t created_at_unix = 0;  // BOLT 11 `timestamp`: whole seconds
    uint32_t expiry_seconds = k_default_invoice_expiry_seconds;
    std::vector<RouteHint> route_hints;
    // Only in the payee's copy: the creation instant at full precision (LND keeps it as the
    // invoice's CreationDate) and the highest block header time the payee had seen (LDK's
    // highest_seen_timestamp, from which its expiry is computed).
    int64_t payee_created_at_unix_ns = 0;
    int64_t payee_created_block_time = 0;

    int64_t expires_at_unix() const { return created_at_unix + expiry_seconds; }
    // Whole seconds: expired once now is strictly after created + expiry. The nodes use
    // invoice_expired() with their profile's rule instead.
    bool is_expired(int64_t now_unix) const { return now_unix > expires_at_unix(); }
    // The final delta a payer must use: the invoice's `c`, or BOLT 11's 18 when absent.
    uint32_t final_cltv_delta_or(uint32_t assumed) const {
        return min_final_cltv_expiry_delta.value_or(assumed);
    }
};

Preimage random_preimage(sim::Random& random);
PaymentHash payment_hash_of(const Preimage& preimage);

struct InvoiceRequest {
    std::optional<uint64_t> amount_msat;
    // User-chosen `c`; empty uses the profile default. LDK adds its padding to a user value
    // and enforces the raw value (see Invoice::payee_final_check_delta).
    std::optional<uint32_t> min_final_cltv_expiry_delta;
    int64_t now_unix = 0;
    uint32_t expiry_seconds = k_default_invoice_expiry_seconds;
    std::vector<RouteHint> route_hints;
    // The payee's clock at full precision (empty: now_unix, whole) and the highest block
    // header time it has seen.
    std::optional<int64_t> now_unix_ns;
    int64_t block_time = 0;
};

// The `c` a payee writes into an invoice for a user-chosen `user_delta`: + the profile's
// invoice_final_cltv_padding, saturating at 65535 when it pads (LDK's u16 saturating_add(3)).
uint32_t padded_user_final_cltv_delta(const Profile& payee_profile, uint32_t user_delta);

// Why the payee would refuse to make this invoice, naming the field; empty when it makes it.
// LDK refuses a user `c` whose value + 3 is below 42 (Profile::min_padded_user_final_cltv_delta).
std::optional<std::string> invoice_request_error(const Profile& payee_profile,
                                                 const InvoiceRequest& request);

// The payee's copy of a new invoice, with a fresh preimage drawn from `random`. REQUIRES
// invoice_request_error(payee_profile, request) to be empty.
Invoice make_invoice(const Profile& payee_profile, NodeIndex payee, const InvoiceRequest& request,
                     sim::Random& random);

// LDK's grace on an inbound payment's expiry (inbound_payment.rs calculate_absolute_expiry):
// two hours, for block header times that may lag the wall clock.
inline constexpr int64_t k_ldk_inbound_expiry_grace_s = 7200;

// Whether `invoice` counts as expired under `rule` at the node's wall clock `now_unix_ns`;
// `block_time` is the highest block header time the node has seen (read only by
// block_time_with_grace, which also needs the payee's copy).
bool invoice_expired(const Invoice& invoice, InvoiceExpiryRule rule, int64_t now_unix_ns,
                     int64_t block_time);

// The copy handed to a payer: everything but the preimage and the payee's own check delta.
Invoice public_copy(const Invoice& invoice);

}  // namespace actors::lightning
