// SHA-256 (FIPS 180-4), so payment hashes are the real hash of their preimage and a scenario
// can check preimage/hash pairs exactly as a node would.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace actors::lightning {

using Digest32 = std::array<uint8_t, 32>;

Digest32 sha256(const uint8_t* data, size_t size);

// Lowercase hex of the digest.
std::string to_hex(const Digest32& digest);

}  // namespace actors::lightning
