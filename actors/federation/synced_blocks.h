// SyncedBlocks: one guardian's wallet tables BlockHashKey and BlockHashByHeightKey (fedimint.md
// 1.3), which `sync_up_to_consensus_count` fills from the guardian's OWN bitcoind and
// `block_is_known` reads when a peg-in proof arrives.
//
// Each synced height stores the hash the guardian's node returned for it (and the block, which
// stands in for the merkle proof a real peg-in carries: a proof names one block, and the block
// tells which transactions it holds). A hash stays known for good: a reorg that later orphans
// the block does not remove it, which is why a reorg deeper than finality_delay lets an
// orphaned deposit be claimed (the chain-backing checker then reports the UTXO).
//
// This is per-guardian database state, not consensus state: honest guardians hold equal tables
// only while their nodes agreed on every synced height. It is kept out of the consensus
// fingerprint (see FederationState::fingerprint) for that reason; what it decides (a peg-in's
// outcome, the UTXO set) is in the fingerprint, so a divergence that matters is still caught.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "actors/chain/block.h"

namespace actors::federation {

class SyncedBlocks {
public:
    // BlockHashByHeightKey(height), if that height was synced.
    std::optional<chain::BlockHash> hash_at(uint64_t height) const;
    // BlockHashKey(hash): the block if its hash was synced (block_is_known), else nullptr.
    const chain::Block* find(const chain::BlockHash& hash) const;
    // The sync's assertion for a block fetched for `height`: true unless height - 1 is stored
    // with a hash other than the block's prev_blockhash (nothing stored: upstream only warns,
    // "This should only happen on the first processed block height").
    bool links_to_previous(uint64_t height, const chain::Block& block) const;
    // Inserts BlockHashKey(hash) and BlockHashByHeightKey(height) for a block synced for
    // `height` (the height the sync asked for: a count variant may hand back another block).
    void insert(uint64_t height, std::shared_ptr<const chain::Block> block);
    size_t heights() const { return by_height_.size(); }

private:
    std::map<uint64_t, chain::BlockHash> by_height_;
    // Every hash ever inserted; a height synced twice (only after a reorg) keeps both.
    std::map<chain::BlockHash, std::shared_ptr<const chain::Block>> by_hash_;
};

}  // namespace actors::federation
