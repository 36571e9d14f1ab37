// Block count wrappers as the federation software sees the chain, with its historical bugs.
//
// Fedimint speaks in block *count* (tip height + 1: the first height that does not exist yet),
// bitcoind in *height*. The wrappers translate, and a named variant reproduces a bug exactly as
// it shipped, so a scenario can show what the bug did. The default is correct; a variant is
// only ever on when a scenario names it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "actors/chain/chain.h"

namespace actors::chain {

enum class CountVariant : uint8_t {
    // height = tip, count = tip + 1, hash(h) is block h for h < count.
    correct,
    // fedimint#3001 (fixed by #3002): the bitcoind backend returned getblockcount (the height)
    // as the count, one less than every other backend.
    count_returns_height,
    // fedimint#2861 (fixed by #2862): FakeBitcoinTest's get_block_height returned blocks.len()
    // (tip + 1) and get_block_hash(h) indexed blocks[h - 1]. A count derived from that height
    // (height + 1) is tip + 2.
    fake_height_is_len,
    // The fake's txid_to_block_height recorded blocks.len() *after* the push: a tx's reported
    // height is one above the block holding it.
    fake_tx_height_after_append,
};

const char* to_string(CountVariant v);
// Accepts the enumerator names above; nullopt for anything else.
std::optional<CountVariant> parse_count_variant(std::string_view name);

// The variants as pure functions of what bitcoind reports, shared by the direct view below and
// the RPC client (rpc_client.h), so both answer identically.
// The backend's "height" given bitcoind's getblockcount (the tip height).
int64_t variant_height(CountVariant v, int64_t tip_height);
// get_block_count given the tip height.
uint64_t variant_block_count(CountVariant v, int64_t tip_height);
// The real height get_block_hash(h) looks up; nullopt if it looks up nothing.
std::optional<int64_t> variant_hash_lookup(CountVariant v, uint64_t h);
// The tx height reported for a tx confirmed at `height`.
int64_t variant_tx_height(CountVariant v, int64_t height);

// Answers count, height, hash and tx-height queries over one Chain through a variant.
class BlockCountView {
public:
    explicit BlockCountView(const Chain& chain, CountVariant variant = CountVariant::correct)
        : chain_(&chain), variant_(variant) {}

    CountVariant variant() const { return variant_; }
    // What the backend calls the height (bitcoind's getblockcount).
    int64_t height() const;
    // get_block_count as Fedimint uses it: the number of blocks, tip height + 1 when correct.
    uint64_t block_count() const;
    // get_block_hash(height); nullopt where the backend reports "no block at that height".
    std::optional<BlockHash> block_hash(uint64_t height) const;
    // get_tx_block_height; nullopt for an unconfirmed or unknown tx.
    std::optional<int64_t> tx_block_height(const Txid& txid) const;
    // get_chain_id: the hash of block 1 (not genesis), nullopt until block 1 exists.
    std::optional<BlockHash> chain_id() const;

private:
    const Chain* chain_;
    CountVariant variant_;
};

}  // namespace actors::chain
