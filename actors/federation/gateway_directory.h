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
// each guardian whose signature verifies deletes its entry). The challenge binds the entry the
// guardian held when it was fetched: sha256(gateway id || valid_until) (fedimint-ln-server
// lib.rs `get_gateway_remove_challenge`, "the challenges changes every time the gateway is
// re-registered"), so a registration written after it (a newer round, a restarted process)
// survives the removal. [model] No challenge round trip and no signature check (only the
// gateway itself sends this), no reply (the gateway does not wait on it); the binding is the
// network's send order (GatewayDirectory::remove): the removal deletes an entry written by a
// registration the gateway sent before it, never one sent after it. The binding only decides
// anything under the `reorder` link fault: otherwise a link stays FIFO across a crash and a
// restart of either end (sim/network.cc `Link::last_delivery`), so a write sent after the
// removal also arrives after it. Upstream a restarted gatewayd opens new connections, which
// nothing orders against the old process's; the model keeps the one FIFO link.
struct RemoveGatewayMsg {
    PublicKey gateway_key;
};

class GatewayDirectory {
public:
    // `now_unix_ns`: the guardian's wall clock (sim::Clocks::unix_ns of its node).
    // `sent_order`: the write's place in the network's send order (sim::Envelope::id), the
    // binding a later removal checks.
    void register_gateway(const GatewayAnnouncement& announcement, sim::SimDuration ttl,
                          int64_t now_unix_ns, uint64_t sent_order);
    // Deletes `key`'s registration if a write sent before the removal (`sent_order`, its send
    // order) wrote it (fedimint-ln-server lib.rs `remove_gateway` verifies a signature over the
    // challenge of the entry it holds); false when none was deleted.
    bool remove(PublicKey key, uint64_t sent_order);
    // The unexpired announcements, by gateway key. Listed while valid_until >= now.
    std::vector<GatewayAnnouncement> list(int64_t now_unix_ns) const;
    // The anchored expiry of `key`'s registration (expired or not), none when none is stored.
    std::optional<int64_t> valid_until(PublicKey key) const;

private:
    struct Entry {
        GatewayAnnouncement announcement;
        int64_t valid_until_unix_ns = 0;
        uint64_t sent_order = 0;  // of the write that stored it
    };
    std::map<PublicKey, Entry> entries_;
};

}  // namespace actors::federation
