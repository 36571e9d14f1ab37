// Gateway directory: what one guardian knows of the LNv1 gateways registered with it.
//
// Not consensus state. Upstream's `register_gateway` is an API write to each guardian, which
// stores the announcement in its own database under the gateway's id (overwriting any earlier
// one) anchored to its own clock: valid_until = now + ttl; `list_gateways` leaves out the
// expired ones and the write first deletes them (fedimint-ln-server lib.rs `register_gateway`,
// `list_gateways`, `delete_expired_gateways`; fedimint-ln-common lib.rs
// `LightningGatewayAnnouncement::anchor`, `LightningGatewayRegistration::is_expired`:
// `valid_until < now`). "There is no consensus within Fedimint on the gateways, each guardian
// might be aware of different ones" (fedimint-ln-common api.rs `fetch_gateways`): the client
// reads the union of a threshold of guardians' lists (FederationApi::gateways).
// The directory lives in the guardian's durable store (GuardianStore): a crash keeps it, as
// upstream's database does; a state sync from a peer does not touch it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "actors/federation/consensus_items.h"
#include "sim/time.h"

namespace actors::federation {

// The gateway's announcement (upstream's LightningGateway): fees, route hints, where clients
// send pay requests. One per gateway key in a guardian's directory.
struct GatewayAnnouncement {
    PublicKey gateway_key;
    PublicKey node_key;
    uint32_t node_index = 0;  // the Lightning model's NodeIndex of the gateway's node
    sim::NodeId api_node;     // where clients send pay requests
    uint64_t intercept_scid = 0;
    RoutingFees fees;
    std::vector<RouteHintRecord> route_hints;
    ClientId gateway_client;

    bool operator==(const GatewayAnnouncement&) const = default;
};

// Gateway -> guardian: upstream's REGISTER_GATEWAY_ENDPOINT with a LightningGatewayAnnouncement
// (the info and a ttl the guardian anchors to its own clock). No reply is modelled: the
// gateway does not wait on it (see Gateway::run_registration).
struct RegisterGatewayMsg {
    GatewayAnnouncement announcement;
    sim::SimDuration ttl;
};

// Gateway -> guardian: upstream's REMOVE_GATEWAY_ENDPOINT (fedimint-gw-client lib.rs
// `remove_from_federation`, best effort: the gateway fetches a challenge from each guardian
// (REMOVE_GATEWAY_CHALLENGE_ENDPOINT), signs it with its gateway key, and sends the signatures;
// each guardian whose signature verifies deletes its entry). [model] The key stands in for the
// signed challenge: no challenge round trip and no signature check (only the gateway itself
// sends this), no reply (the gateway does not wait on it).
struct RemoveGatewayMsg {
    PublicKey gateway_key;
};

class GatewayDirectory {
public:
    // `now_unix_ns`: the guardian's wall clock (sim::Clocks::unix_ns of its node).
    void register_gateway(const GatewayAnnouncement& announcement, sim::SimDuration ttl,
                          int64_t now_unix_ns);
    // Deletes `key`'s registration (fedimint-ln-server lib.rs `remove_gateway`); false when
    // none was stored.
    bool remove(PublicKey key);
    // The unexpired announcements, by gateway key. Listed while valid_until >= now.
    std::vector<GatewayAnnouncement> list(int64_t now_unix_ns) const;
    // The anchored expiry of `key`'s registration (expired or not), none when none is stored.
    std::optional<int64_t> valid_until(PublicKey key) const;

private:
    struct Entry {
        GatewayAnnouncement announcement;
        int64_t valid_until_unix_ns = 0;
    };
    std::map<PublicKey, Entry> entries_;
};

}  // namespace actors::federation
