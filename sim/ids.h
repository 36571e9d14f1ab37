// Strong integer identifiers. Dense, assigned in creation order, never derived from pointers,
// so ordering and hashing by id is deterministic.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace sim {

template <typename Tag>
struct Id {
    static constexpr uint32_t k_invalid = std::numeric_limits<uint32_t>::max();
    uint32_t value = k_invalid;

    constexpr Id() = default;
    constexpr explicit Id(uint32_t v) : value(v) {}
    constexpr bool valid() const { return value != k_invalid; }
    constexpr auto operator<=>(const Id&) const = default;
};

struct ActorTag {};
struct NodeTag {};

using ActorId = Id<ActorTag>;
using NodeId = Id<NodeTag>;

}  // namespace sim
