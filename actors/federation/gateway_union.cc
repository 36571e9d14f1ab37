// union_by_key: the guardians' gateway lists merged as fetch_gateways and the client cache do.
#include "actors/federation/gateway_union.h"

#include <algorithm>

namespace actors::federation {

std::vector<ListedGateway> union_by_key(const std::map<uint32_t, std::vector<ListedGateway>>& lists) {
    struct Version {
        ListedGateway listing;  // its ttl: the longest of its holders'
        uint64_t holders = 0;
    };
    std::map<PublicKey, std::vector<Version>> versions;  // in peer order of first holder
    for (const auto& [peer, list] : lists) {
        for (const ListedGateway& l : list) {
            std::vector<Version>& vs = versions[l.announcement.gateway_key];
            auto same = std::find_if(vs.begin(), vs.end(), [&](const Version& v) {
                return v.listing.announcement == l.announcement;
            });
            if (same == vs.end()) {
                vs.push_back(Version{.listing = l, .holders = 1});
            } else {
                ++same->holders;
                same->listing.ttl = std::max(same->listing.ttl, l.ttl);
            }
        }
    }
    std::vector<ListedGateway> out;
    for (const auto& [key, vs] : versions) {
        const Version* best = &vs.front();
        for (const Version& v : vs) {
            best = v.holders > best->holders ? &v : best;
        }
        out.push_back(best->listing);
    }
    return out;
}

}  // namespace actors::federation
