// The guardian's synced block tables (see synced_blocks.h).
#include "actors/federation/synced_blocks.h"

#include "sim/assert.h"

namespace actors::federation {

std::optional<chain::BlockHash> SyncedBlocks::hash_at(uint64_t height) const {
    auto it = by_height_.find(height);
    if (it == by_height_.end()) {
        return std::nullopt;
    }
    return it->second;
}

const chain::Block* SyncedBlocks::find(const chain::BlockHash& hash) const {
    auto it = by_hash_.find(hash);
    return it == by_hash_.end() ? nullptr : it->second.get();
}

bool SyncedBlocks::links_to_previous(uint64_t height, const chain::Block& block) const {
    if (height == 0) {
        return true;
    }
    std::optional<chain::BlockHash> prev = hash_at(height - 1);
    return !prev.has_value() || *prev == block.prev_hash;
}

void SyncedBlocks::insert(uint64_t height, std::shared_ptr<const chain::Block> block) {
    SIM_ASSERT(block != nullptr);
    by_height_.insert_or_assign(height, block->hash);
    const chain::BlockHash hash = block->hash;
    by_hash_.emplace(hash, std::move(block));
}

}  // namespace actors::federation
