// GatewayDirectory: a guardian's own gateway registrations, anchored to its clock, with TTL.
#include "actors/federation/gateway_directory.h"

#include "sim/assert.h"

namespace actors::federation {

// fedimint-ln-server lib.rs `register_gateway`: delete the expired registrations ("since we're
// already writing to the DB"), then `insert_entry(LightningGatewayKey(gateway_id),
// announcement.anchor())`: the newest write replaces the entry whatever it held.
void GatewayDirectory::register_gateway(const GatewayAnnouncement& announcement,
                                        sim::SimDuration ttl, int64_t now_unix_ns,
                                        uint64_t sent_order) {
    SIM_ASSERT(ttl >= sim::SimDuration::zero());
    std::erase_if(entries_,
                  [&](const auto& e) { return e.second.valid_until_unix_ns < now_unix_ns; });
    entries_.insert_or_assign(announcement.gateway_key,
                              Entry{.announcement = announcement,
                                    .valid_until_unix_ns = now_unix_ns + ttl.ns(),
                                    .sent_order = sent_order});
}

// fedimint-ln-server lib.rs `list_gateways`: every stored registration that `!is_expired()`,
// and `is_expired` is `valid_until < now`: still listed at valid_until itself.
std::vector<GatewayAnnouncement> GatewayDirectory::list(int64_t now_unix_ns) const {
    std::vector<GatewayAnnouncement> out;
    for (const auto& [key, e] : entries_) {
        if (!(e.valid_until_unix_ns < now_unix_ns)) {
            out.push_back(e.announcement);
        }
    }
    return out;
}

// fedimint-ln-server lib.rs `remove_gateway`: the signature must verify against the challenge
// of the entry held now, which changes with every write, so a removal deletes only the
// registration it was meant for. [model] A write the gateway sent before the removal stands
// for one whose challenge the gateway signed; one sent after it (a newer round or process)
// stays. A write sent before it that arrives after it (a reordered link) stores its entry
// again for one TTL: upstream does not sequence a registration in flight against the removal
// either (inference: `register_federations` spawns the write without waiting for it).
bool GatewayDirectory::remove(PublicKey key, uint64_t sent_order) {
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.sent_order > sent_order) {
        return false;
    }
    entries_.erase(it);
    return true;
}

std::optional<int64_t> GatewayDirectory::valid_until(PublicKey key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    return it->second.valid_until_unix_ns;
}

}  // namespace actors::federation
