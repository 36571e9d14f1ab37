// The client's view of the gateway directory out of several guardians' lists: what upstream's
// `fetch_gateways` makes of the answers (fedimint-ln-common api.rs) and the client's cache keeps
// of that (fedimint-ln-client lib.rs `update_gateway_cache`). One function, separate from
// FederationApi so the union and its version choice are testable without a network.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "actors/federation/messages.h"

namespace actors::federation {

// One listing per gateway key, ordered by key, out of `lists` (each answering guardian's own
// list, by peer id). Upstream: `UnionResponses` collects the threshold's answers, then
// `filter_duplicate_gateways` merges the listings of one gateway whose info is equal, keeping
// the longest ttl, so that a malicious guardian cannot shorten the caller's view of a gateway
// by listing it with a shorter TTL (upstream's comment there); listings of one gateway with different
// infos all stay, and the cache inserts them one by one under the gateway's id, so the last one
// wins, in a HashMap's iteration order [inference: arbitrary]. The model's deterministic
// stand-in for that pick: the info the most answering guardians hold, ties to the one whose
// first holder has the lowest peer id; its ttl is the longest any holder of that info gave.
std::vector<ListedGateway> union_by_key(const std::map<uint32_t, std::vector<ListedGateway>>& lists);

}  // namespace actors::federation
