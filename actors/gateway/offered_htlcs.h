// OfferedHtlcIndex: the HTLCs one Lightning node has offered, filed by payment hash, for the
// gateway's settled_preimage, which re-validates a payment after a restart from the node's
// channel state (it walked the node's whole HTLC history on every poll).
//
// A ledger only appends HTLCs (ids 0, 1, 2, ...), and an HTLC's offerer and hash never change,
// so each HTLC is read once, the first time the index catches up past it, and is filed for good;
// a lookup reads the filed HTLCs' current states. A hash's entries are kept in the walk's order
// (the node's channels as it lists them, then HTLC id), so a lookup answers exactly as the walk
// did, including which of several matching HTLCs decides.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "actors/lightning/lightning_network.h"

namespace actors::gateway {

class OfferedHtlcIndex {
public:
    explicit OfferedHtlcIndex(lightning::NodeIndex node) : node_(node) {}

    struct Found {
        // The preimage of the first matching HTLC (in walk order) that has one.
        std::optional<lightning::Preimage> preimage;
        // Whether a matching HTLC before that one (or any, without one) is still active or on
        // chain, i.e. may yet reveal a preimage.
        bool in_flight = false;
    };
    // Files what the node offered since the last call, then looks `hash` up among the HTLCs
    // the node offered.
    Found find(const lightning::LightningNetwork& ln, const lightning::PaymentHash& hash);

private:
    // (position in the node's channel list, HTLC id): ordered as the walk meets HTLCs.
    using Place = std::pair<size_t, uint64_t>;
    void catch_up(const lightning::LightningNetwork& ln);

    lightning::NodeIndex node_;
    std::vector<size_t> read_;  // per channel of the node (its list only grows): HTLCs read
    // Looked up by hash, never iterated.
    std::map<lightning::PaymentHash, std::set<Place>> by_hash_;
};

}  // namespace actors::gateway
