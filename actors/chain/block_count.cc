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

int64_t BlockCountView::height() const {
    const int64_t tip = chain_->tip_height();
    return variant_ == CountVariant::fake_height_is_len ? tip + 1 : tip;
}

uint64_t BlockCountView::block_count() const {
    if (variant_ == CountVariant::count_returns_height) {
        return static_cast<uint64_t>(height());
    }
    return static_cast<uint64_t>(height()) + 1;
}

std::optional<BlockHash> BlockCountView::block_hash(uint64_t height) const {
    if (height > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
    }
    int64_t h = static_cast<int64_t>(height);
    if (variant_ == CountVariant::fake_height_is_len) {
        h -= 1;  // blocks[h - 1]; h == 0 underflowed in the original and finds nothing here
    }
    return chain_->block_hash(h);
}

std::optional<int64_t> BlockCountView::tx_block_height(const Txid& txid) const {
    auto loc = chain_->find_tx(txid);
    if (!loc) {
        return std::nullopt;
    }
    return variant_ == CountVariant::fake_tx_height_after_append ? loc->height + 1 : loc->height;
}

std::optional<BlockHash> BlockCountView::chain_id() const { return block_hash(1); }

}  // namespace actors::chain
