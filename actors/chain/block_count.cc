// The count/height/hash wrappers and their historical off-by-one variants.
#include "actors/chain/block_count.h"

#include <limits>

namespace actors::chain {

const char* to_string(CountVariant v) {
    switch (v) {
        case CountVariant::correct: return "correct";
        case CountVariant::count_returns_height: return "count_returns_height";
        case CountVariant::fake_height_is_len: return "fake_height_is_len";
        case CountVariant::fake_tx_height_after_append: return "fake_tx_height_after_append";
    }
    return "unknown";
}

std::optional<CountVariant> parse_count_variant(std::string_view name) {
    for (CountVariant v : {CountVariant::correct, CountVariant::count_returns_height,
                           CountVariant::fake_height_is_len,
                           CountVariant::fake_tx_height_after_append}) {
        if (name == to_string(v)) {
            return v;
        }
    }
    return std::nullopt;
}

int64_t variant_height(CountVariant v, int64_t tip_height) {
    return v == CountVariant::fake_height_is_len ? tip_height + 1 : tip_height;
}

uint64_t variant_block_count(CountVariant v, int64_t tip_height) {
    const auto height = static_cast<uint64_t>(variant_height(v, tip_height));
    return v == CountVariant::count_returns_height ? height : height + 1;
}

std::optional<int64_t> variant_hash_lookup(CountVariant v, uint64_t h) {
    if (h > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
    }
    auto height = static_cast<int64_t>(h);
    if (v == CountVariant::fake_height_is_len) {
        // blocks[h - 1]; h == 0 underflowed in the original and finds nothing here.
        if (height == 0) {
            return std::nullopt;
        }
        height -= 1;
    }
    return height;
}

int64_t variant_tx_height(CountVariant v, int64_t height) {
    return v == CountVariant::fake_tx_height_after_append ? height + 1 : height;
}

int64_t BlockCountView::height() const { return variant_height(variant_, chain_->tip_height()); }

uint64_t BlockCountView::block_count() const {
    return variant_block_count(variant_, chain_->tip_height());
}

std::optional<BlockHash> BlockCountView::block_hash(uint64_t height) const {
    auto h = variant_hash_lookup(variant_, height);
    return h ? chain_->block_hash(*h) : std::nullopt;
}

std::optional<int64_t> BlockCountView::tx_block_height(const Txid& txid) const {
    auto loc = chain_->find_tx(txid);
    if (!loc) {
        return std::nullopt;
    }
    return variant_tx_height(variant_, loc->height);
}

std::optional<BlockHash> BlockCountView::chain_id() const { return block_hash(1); }

}  // namespace actors::chain
