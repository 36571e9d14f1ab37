// GatewayDirectory: a guardian's own gateway registrations, anchored to its clock, with TTL.
#include "actors/federation/gateway_directory.h"

#include "sim/assert.h"

namespace actors::federation {

// fedimint-ln-server lib.rs `register_gateway`: delete the expired registrations ("since we're
// already writing to the DB"), then `insert_entry(LightningGatewayKey(gateway_id),
// announcement.anchor())`: the newest write replaces the entry whatever it held.
void GatewayDirectory::register_gateway(const GatewayAnnouncement& announcement,
                                        sim::SimDuration ttl, int64_t now_unix_ns) {
    SIM_ASSERT(ttl >= sim::SimDuration::zero());
    std::erase_if(entries_,
                  [&](const auto& e) { return e.second.valid_until_unix_ns < now_unix_ns; });
    entries_.insert_or_assign(announcement.gateway_key,
                              Entry{.announcement = announcement,
                                    .valid_until_unix_ns = now_unix_ns + ttl.ns()});
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

bool GatewayDirectory::remove(PublicKey key) {
    return entries_.erase(key) != 0;
}

std::optional<int64_t> GatewayDirectory::valid_until(PublicKey key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    return it->second.valid_until_unix_ns;
}

}  // namespace actors::federation
