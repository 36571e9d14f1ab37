// OfferedHtlcIndex: filing a node's offered HTLCs by hash as its ledgers grow, and the lookup.
#include "actors/gateway/offered_htlcs.h"

#include "sim/assert.h"

namespace actors::gateway {

void OfferedHtlcIndex::catch_up(const lightning::LightningNetwork& ln) {
    const std::vector<lightning::ChannelIndex>& channels = ln.node(node_).channels();
    SIM_ASSERT(read_.size() <= channels.size());
    read_.resize(channels.size(), 0);
    for (size_t i = 0; i < channels.size(); ++i) {
        const lightning::ChannelLedger& ch = ln.channel(channels[i]);
        const int me = ch.side_of(node_);
        const std::deque<lightning::HtlcEntry>& htlcs = ch.htlcs();
        for (; read_[i] < htlcs.size(); ++read_[i]) {
            const lightning::HtlcEntry& h = htlcs[read_[i]];
            if (h.offerer == me) {
                by_hash_[h.payment_hash].emplace(i, h.id);
            }
        }
    }
}

OfferedHtlcIndex::Found OfferedHtlcIndex::find(const lightning::LightningNetwork& ln,
                                               const lightning::PaymentHash& hash) {
    catch_up(ln);
    Found found;
    auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) {
        return found;
    }
    const std::vector<lightning::ChannelIndex>& channels = ln.node(node_).channels();
    for (const auto& [position, id] : it->second) {
        const lightning::HtlcEntry& h = ln.channel(channels[position]).htlcs()[id];
        if (h.preimage.has_value()) {
            found.preimage = h.preimage;
            return found;
        }
        found.in_flight = found.in_flight || lightning::is_active(h.state) ||
                          h.state == lightning::HtlcState::onchain;
    }
    return found;
}

}  // namespace actors::gateway
