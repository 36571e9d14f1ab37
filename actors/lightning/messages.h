// The peer protocol between node actors: BOLT 2 updates, the commitment round trip that locks
// them in, channel_ready, and the onion each HTLC carries.
//
// Every update (add, fulfil, fail) travels the network and is locked in by a round trip that
// stands for commitment_signed / revoke_and_ack: the receiver answers CommitmentSigned, the
// sender answers RevokeAndAck, and only then does the receiver act on the update. So an update
// costs 1.5 round trips of link latency, as in BOLT 2, without modelling the signatures.
// The onion is the list of hop payloads in clear; each hop reads the first one and passes the
// rest on. Failures carry the failing node in clear (the model does not encrypt them).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/lightning/channel_ledger.h"
#include "actors/lightning/forwarding.h"
#include "actors/lightning/invoice.h"
#include "actors/lightning/policy.h"

namespace actors::lightning {

// What a hop reads from its onion layer (BOLT 4 payload).
struct HopPayload {
    std::optional<ShortChannelId> next_scid;  // empty at the final hop
    uint64_t amt_to_forward_msat = 0;
    uint32_t outgoing_cltv_value = 0;
};

// The remaining payloads; `layers[0]` is for the node receiving the HTLC.
struct Onion {
    std::shared_ptr<const std::vector<HopPayload>> layers;
    size_t offset = 0;
    const HopPayload& current() const { return (*layers)[offset]; }
    Onion peeled() const { return Onion{layers, offset + 1}; }
};

// An update_fail_htlc's content once "decrypted" by the payer.
struct HtlcFailure {
    FailureCode code = FailureCode::temporary_node_failure;
    std::string reason;
    uint32_t failing_node = k_no_node;
    // The failing channel's current policy, for failures with the UPDATE flag.
    std::optional<ChannelPolicy> channel_update;
    std::optional<ShortChannelId> update_scid;
};

struct UpdateAddHtlc {
    uint64_t htlc_id = 0;
    Onion onion;
};
struct UpdateFulfillHtlc {
    uint64_t htlc_id = 0;
    Preimage preimage{};
};
struct UpdateFailHtlc {
    uint64_t htlc_id = 0;
    HtlcFailure failure;
};
using HtlcUpdate = std::variant<UpdateAddHtlc, UpdateFulfillHtlc, UpdateFailHtlc>;

// One update from `from_side` of `channel`, numbered per direction.
struct PeerUpdate {
    ChannelIndex channel = 0;
    int from_side = 0;
    uint64_t seq = 0;
    HtlcUpdate update;
};
struct CommitmentSigned {
    ChannelIndex channel = 0;
    int from_side = 0;  // the side that sent the update being locked in
    uint64_t seq = 0;
};
struct RevokeAndAck {
    ChannelIndex channel = 0;
    int from_side = 0;
    uint64_t seq = 0;
};
struct ChannelReady {
    ChannelIndex channel = 0;
    int from_side = 0;
};
// Cooperative close: shutdown from the initiator, closing_signed back when no HTLC is pending
// (the fee negotiation is not modelled; the close pays no fee beyond msat rounding).
struct Shutdown {
    ChannelIndex channel = 0;
    int from_side = 0;
};
struct ClosingSigned {
    ChannelIndex channel = 0;
    int from_side = 0;
};

}  // namespace actors::lightning
