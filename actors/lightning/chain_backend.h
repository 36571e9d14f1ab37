// ChainBackend: the Lightning nodes' window onto the chain model — one canonical Chain that the
// run mines, a faucet wallet that funds channels, a per-node bitcoind view whose tip may lag,
// a spend index for HTLC outputs, and the hash-lock translation between Lightning's SHA-256
// payment hashes and the chain model's digest.
//
// Each Lightning node reads its height from its own view and is told of every new height in
// order, after the view's lag: HTLC deadlines are decided on *its* view. Transactions are
// submitted to the canonical mempool at once (no RPC latency: the node's decision time is what
// the rules are about). Blocks are mined only through mine(), so the spend index sees them all.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/chain/chain.h"
#include "actors/lightning/invoice.h"
#include "sim/channel.h"
#include "sim/clock.h"
#include "sim/scheduler.h"
#include "sim/time.h"

namespace actors::lightning {

using ViewId = uint32_t;

struct ChainBackendConfig {
    // Coinbases mined to the faucet before maturity blocks; each is 50 BTC on regtest until the
    // first halving (height 150), then 25 BTC, and so on.
    uint32_t faucet_coinbases = 2;
    // Further faucet coinbases are mined until their subsidies sum to at least this (a big
    // network's channels need more than two coinbases). 0: faucet_coinbases alone decide.
    chain::Amount faucet_min_sat = 0;
    // Unix time of sim time 0 (the Simulation's clock epoch): genesis is stamped with it and
    // every block with max(MTP + 1, epoch + sim time), as regtest's generatetoaddress stamps
    // max(MTP + 1, now) — block header times follow the virtual clock.
    int64_t epoch_unix_s = sim::Clocks::k_default_epoch_unix_s;
};

// The subsidies of coinbases mined from height 1 up: how many a faucet needs to hold
// `need_sat`, given regtest's halvings (fails when even the whole supply is too small).
std::optional<uint32_t> coinbases_for(chain::Amount need_sat,
                                      const chain::ChainParams& params = {});

// The most a faucet can ever hold: the subsidies of every coinbase from height 1 until they
// reach 0 (regtest: 150 blocks of 50 BTC, 150 of 25 BTC, ... — coinbases_for(supply) has a
// count, coinbases_for(supply + 1) none).
chain::Amount faucet_supply(const chain::ChainParams& params = {});

// The confirmed transaction that spent an outpoint.
struct SpendRecord {
    chain::Txid txid;
    int64_t height = 0;
    chain::Witness witness;
};

class ChainBackend {
public:
    ChainBackend(sim::Scheduler& sched, ChainBackendConfig config = {});
    ChainBackend(const ChainBackend&) = delete;
    ChainBackend& operator=(const ChainBackend&) = delete;

    const chain::Chain& chain() const { return chain_; }
    int64_t tip() const { return chain_.tip_height(); }

    // Mines `count` blocks (mempool in arrival order) and schedules each view's notification.
    void mine(uint32_t count = 1);
    // The miner's unix time now (whole seconds, no node's skew): what a mined block asks for.
    int64_t now_unix() const;

    // --- Views -------------------------------------------------------------------------------
    ViewId add_view(std::string name, sim::SimDuration lag);
    int64_t view_height(ViewId view) const;
    // Heights delivered to the view, one per block, in order.
    sim::Channel<int64_t>& view_blocks(ViewId view);
    void set_view_lag(ViewId view, sim::SimDuration lag);
    // A frozen view ignores new blocks; unfreezing catches up (one notification per height).
    void set_view_frozen(ViewId view, bool frozen);

    // --- Transactions ------------------------------------------------------------------------
    // What the faucet holds now, in sat: the most fund() can pay out.
    chain::Amount faucet_balance() const;
    // Pays `outputs` from the faucet (change back to the faucet) and submits the tx. REQUIRES
    // their sum <= faucet_balance().
    chain::Txid fund(const std::vector<chain::TxOut>& outputs, const std::string& memo);
    chain::TxCheck submit(const chain::Transaction& tx);
    // Height of the block holding `txid` on the canonical chain.
    std::optional<int64_t> tx_height(const chain::Txid& txid) const;
    std::optional<chain::TxLocation> tx_location(const chain::Txid& txid) const;
    bool in_mempool(const chain::Txid& txid) const;
    // The confirmed spender of `op`, or null.
    const SpendRecord* spender(const chain::OutPoint& op) const;
    // Confirmed value held by `owner` in PayToOwner and PayToCsvDelayed outputs, in sat.
    chain::Amount owned_value(const std::string& owner) const;

    // --- Hash locks --------------------------------------------------------------------------
    // Makes `preimage` known to the hash-lock table, so on-chain HTLC outputs for its payment
    // hash can be claimed with it. Called when a preimage is created.
    void register_preimage(const Preimage& preimage);
    // The chain model's hash lock for a Lightning payment hash.
    chain::PaymentHash hash_lock(const PaymentHash& payment_hash) const;
    static chain::Preimage chain_preimage(const Preimage& preimage);
    static Preimage lightning_preimage(const chain::Preimage& preimage);

private:
    struct View {
        std::string name;
        sim::SimDuration lag;
        bool frozen = false;
        int64_t height = 0;      // last height delivered
        int64_t scheduled = 0;   // last height scheduled for delivery
        std::unique_ptr<sim::Channel<int64_t>> blocks;
    };

    void index_block(const chain::Block& block);
    void schedule_view(ViewId id);
    void deliver_view(ViewId id, int64_t height);

    sim::Scheduler& sched_;
    int64_t epoch_unix_s_;
    chain::Chain chain_;
    std::vector<View> views_;
    std::map<chain::OutPoint, SpendRecord> spends_;
    // One entry per preimage ever made (every invoice of a run: 100,000 on the scale day), only
    // looked up, never iterated: hashed, where a tree spent its time comparing 32-byte keys.
    std::unordered_map<PaymentHash, chain::PaymentHash, Digest32Hasher> locks_;
    chain::OutPoint faucet_coin_;
    chain::Amount faucet_value_ = 0;
    std::vector<std::pair<chain::OutPoint, chain::Amount>> faucet_reserve_;
};

}  // namespace actors::lightning
