// GatewayDirectory: a guardian's own gateway registrations, anchored to its clock, with TTL.
#include "actors/federation/gateway_directory.h"

#include "sim/assert.h"

namespace actors::federation {

bool operator==(const RouteHintRecord& a, const RouteHintRecord& b) {
    return a.src_node == b.src_node && a.short_channel_id == b.short_channel_id &&
           a.fee_base_msat == b.fee_base_msat && a.fee_ppm == b.fee_ppm &&
           a.cltv_expiry_delta == b.cltv_expiry_delta;
}

bool operator==(const GatewayAnnouncement& a, const GatewayAnnouncement& b) {
    return a.gateway_key == b.gateway_key && a.node_key == b.node_key &&
           a.node_index == b.node_index && a.api_node == b.api_node &&
           a.intercept_scid == b.intercept_scid && a.fees.base_msat == b.fees.base_msat &&
           a.fees.proportional_millionths == b.fees.proportional_millionths &&
           a.route_hints == b.route_hints && a.gateway_client == b.gateway_client;
}

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

int64_t GatewayDirectory::valid_until(PublicKey key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? -1 : it->second.valid_until_unix_ns;
}

}  // namespace actors::federation
