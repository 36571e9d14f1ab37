// Canonical chain, faucet, lagging views, spend index and hash-lock table (see chain_backend.h).
#include "actors/lightning/chain_backend.h"

#include <algorithm>

#include "sim/assert.h"

namespace actors::lightning {

namespace {

constexpr const char* k_faucet = "faucet";

}  // namespace

std::optional<uint32_t> coinbases_for(chain::Amount need_sat, const chain::ChainParams& params) {
    chain::Amount have = 0;
    uint32_t count = 0;
    // Height 0 is genesis; coinbases start at height 1. The subsidy reaches 0 after 64 halvings.
    for (int64_t h = 1; have < need_sat; ++h, ++count) {
        const chain::Amount s = chain::block_subsidy(h, params.subsidy_halving_interval);
        if (s == 0) {
            return std::nullopt;
        }
        have += s;
    }
    return count;
}

chain::Amount faucet_supply(const chain::ChainParams& params) {
    chain::Amount supply = 0;
    for (int64_t h = 1;; ++h) {
        const chain::Amount s = chain::block_subsidy(h, params.subsidy_halving_interval);
        if (s == 0) {
            return supply;
        }
        supply += s;
    }
}

ChainBackend::ChainBackend(sim::Scheduler& sched, ChainBackendConfig config)
    : sched_(sched),
      epoch_unix_s_(config.epoch_unix_s),
      chain_(chain::ChainParams{}, std::make_shared<chain::BlockTree>(config.epoch_unix_s)) {
    SIM_ASSERT(config.faucet_coinbases >= 1);
    std::optional<uint32_t> needed = coinbases_for(config.faucet_min_sat, chain_.params());
    SIM_ASSERT_MSG(needed.has_value(), "faucet_min_sat exceeds the chain's total supply");
    const uint32_t coinbases = std::max(config.faucet_coinbases, *needed);
    for (uint32_t i = 0; i < coinbases; ++i) {
        const chain::Block& b =
            chain_.mine(chain::MineOptions{.coinbase_owner = k_faucet, .time = now_unix()});
        faucet_reserve_.emplace_back(chain::OutPoint{b.txids[0], 0}, b.txs[0].outputs[0].value);
    }
    // The last coinbase must be mature for the next block (COINBASE_MATURITY).
    const int64_t last = chain_.tip_height();
    while (chain_.tip_height() < last + chain_.params().coinbase_maturity - 1) {
        chain_.mine(chain::MineOptions{.time = now_unix()});
    }
    std::reverse(faucet_reserve_.begin(), faucet_reserve_.end());
    faucet_coin_ = faucet_reserve_.back().first;
    faucet_value_ = faucet_reserve_.back().second;
    faucet_reserve_.pop_back();
}

int64_t ChainBackend::now_unix() const {
    return epoch_unix_s_ + sched_.now().ns() / 1000000000;
}

void ChainBackend::mine(uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        // Stamped as regtest's generatetoaddress does: max(MTP + 1, now), never parent + 600 s.
        const chain::Block& b = chain_.mine(chain::MineOptions{.time = now_unix()});
        index_block(b);
        sched_.trace("ln_block_mined")
            .field("height", b.height)
            .field("txs", static_cast<int64_t>(b.txs.size()));
    }
    for (ViewId id = 0; id < views_.size(); ++id) {
        schedule_view(id);
    }
}

void ChainBackend::index_block(const chain::Block& block) {
    for (size_t t = 1; t < block.txs.size(); ++t) {
        for (const chain::TxIn& in : block.txs[t].inputs) {
            spends_[in.prevout] = SpendRecord{block.txids[t], block.height, in.witness};
        }
    }
}

ViewId ChainBackend::add_view(std::string name, sim::SimDuration lag) {
    View v;
    v.name = std::move(name);
    v.lag = lag;
    v.height = chain_.tip_height();
    v.scheduled = v.height;
    v.blocks = std::make_unique<sim::Channel<int64_t>>(v.name + ".blocks");
    views_.push_back(std::move(v));
    return static_cast<ViewId>(views_.size() - 1);
}

int64_t ChainBackend::view_height(ViewId view) const {
    SIM_ASSERT(view < views_.size());
    return views_[view].height;
}

sim::Channel<int64_t>& ChainBackend::view_blocks(ViewId view) {
    SIM_ASSERT(view < views_.size());
    return *views_[view].blocks;
}

void ChainBackend::set_view_lag(ViewId view, sim::SimDuration lag) {
    SIM_ASSERT(view < views_.size());
    SIM_ASSERT(!lag.is_negative());
    views_[view].lag = lag;
}

void ChainBackend::set_view_frozen(ViewId view, bool frozen) {
    SIM_ASSERT(view < views_.size());
    views_[view].frozen = frozen;
    if (!frozen) {
        schedule_view(view);
    }
}

void ChainBackend::schedule_view(ViewId id) {
    View& v = views_[id];
    const int64_t tip = chain_.tip_height();
    if (v.frozen || v.scheduled >= tip) {
        return;
    }
    v.scheduled = tip;
    sched_.schedule_after(v.lag, [this, id, tip] { deliver_view(id, tip); });
}

void ChainBackend::deliver_view(ViewId id, int64_t height) {
    View& v = views_[id];
    if (v.frozen) {
        v.scheduled = v.height;  // re-sent on unfreeze
        return;
    }
    while (v.height < height) {
        ++v.height;
        bool sent = v.blocks->try_send(v.height);
        SIM_ASSERT(sent);
    }
}

chain::Amount ChainBackend::faucet_balance() const {
    chain::Amount total = faucet_value_;
    for (const auto& [op, value] : faucet_reserve_) {
        total += value;
    }
    return total;
}

chain::Txid ChainBackend::fund(const std::vector<chain::TxOut>& outputs, const std::string& memo) {
    chain::Amount need = 0;
    for (const chain::TxOut& o : outputs) {
        need += o.value;
    }
    chain::Transaction tx;
    tx.memo = memo;
    tx.inputs.push_back(chain::TxIn{faucet_coin_, chain::k_sequence_default,
                                    chain::SignedBy{k_faucet}});
    chain::Amount have = faucet_value_;
    while (have < need) {
        SIM_ASSERT_MSG(!faucet_reserve_.empty(), "faucet exhausted: raise faucet_coinbases");
        tx.inputs.push_back(chain::TxIn{faucet_reserve_.back().first, chain::k_sequence_default,
                                        chain::SignedBy{k_faucet}});
        have += faucet_reserve_.back().second;
        faucet_reserve_.pop_back();
    }
    // The change is built in place: moving a TxOut whose variant may hold a PayToMultisig
    // trips a g++ 12 maybe-uninitialized false positive.
    tx.outputs.reserve(outputs.size() + 1);
    tx.outputs.insert(tx.outputs.end(), outputs.begin(), outputs.end());
    chain::TxOut& change = tx.outputs.emplace_back();
    change.value = have - need;
    std::get<chain::PayToOwner>(change.condition).owner = k_faucet;
    chain::Txid txid;
    chain::TxCheck check = chain_.submit(tx, &txid);
    SIM_ASSERT_MSG(check.ok(), check.to_string());
    faucet_coin_ = chain::OutPoint{txid, static_cast<uint32_t>(tx.outputs.size() - 1)};
    faucet_value_ = have - need;
    return txid;
}

chain::TxCheck ChainBackend::submit(const chain::Transaction& tx) { return chain_.submit(tx); }

std::optional<int64_t> ChainBackend::tx_height(const chain::Txid& txid) const {
    std::optional<chain::TxLocation> loc = chain_.find_tx(txid);
    if (!loc.has_value()) {
        return std::nullopt;
    }
    return loc->height;
}

std::optional<chain::TxLocation> ChainBackend::tx_location(const chain::Txid& txid) const {
    return chain_.find_tx(txid);
}

bool ChainBackend::in_mempool(const chain::Txid& txid) const {
    return chain_.mempool().contains(txid);
}

const SpendRecord* ChainBackend::spender(const chain::OutPoint& op) const {
    auto it = spends_.find(op);
    return it == spends_.end() ? nullptr : &it->second;
}

chain::Amount ChainBackend::owned_value(const std::string& owner) const {
    chain::Amount total = 0;
    for (const auto& [op, coin] : chain_.utxos()) {
        if (const auto* p = std::get_if<chain::PayToOwner>(&coin.out.condition)) {
            total += p->owner == owner ? coin.out.value : 0;
        } else if (const auto* d = std::get_if<chain::PayToCsvDelayed>(&coin.out.condition)) {
            total += d->owner == owner ? coin.out.value : 0;
        }
    }
    return total;
}

void ChainBackend::register_preimage(const Preimage& preimage) {
    locks_[payment_hash_of(preimage)] = chain::payment_hash_of(chain_preimage(preimage));
}

chain::PaymentHash ChainBackend::hash_lock(const PaymentHash& payment_hash) const {
    auto it = locks_.find(payment_hash);
    if (it != locks_.end()) {
        return it->second;
    }
    // Nobody registered a preimage: no witness can ever satisfy this lock, exactly as for a
    // hash whose preimage nobody knows.
    chain::Hash256 h;
    std::copy(payment_hash.begin(), payment_hash.end(), h.bytes.begin());
    return chain::payment_hash_of(chain::digest("unclaimable:" + h.to_hex()));
}

chain::Preimage ChainBackend::chain_preimage(const Preimage& preimage) {
    chain::Preimage p;
    std::copy(preimage.begin(), preimage.end(), p.bytes.begin());
    return p;
}

Preimage ChainBackend::lightning_preimage(const chain::Preimage& preimage) {
    Preimage p{};
    std::copy(preimage.bytes.begin(), preimage.bytes.end(), p.begin());
    return p;
}

}  // namespace actors::lightning
