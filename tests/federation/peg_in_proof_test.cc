// Wallet v1 peg-in proofs checked by block HASH against the hashes a guardian synced from its
// own node (fedimint.md 1.3: sync_up_to_consensus_count, block_is_known, process_input), and
// the sync's prev_blockhash assertion under reorgs.
//
// The state-level cases drive FederationState with batches and the blocks a guardian would have
// fetched for them (the fetch the Guardian actor does, done here from a bare chain): the edge
// count h vs h + 1, a synced block a reorg orphaned (still known), a competing block at a
// synced height (never known), and the order inside a batch. The actor-level cases reorg four
// guardians' chain by finality_delay and finality_delay + 1 blocks relative to the synced tip.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/chain/chain.h"
#include "actors/federation/federation_state.h"
#include "actors/federation/synced_blocks.h"
#include "fed_world.h"

namespace {

using namespace actors::federation;
namespace chain = actors::chain;
namespace this_actor = sim::this_actor;

constexpr const char* k_unknown = "Unknown block hash in peg-in proof";

// A guardian's consensus state and synced tables, fed from one bare chain (its "own node").
struct ProofWorld {
    ProofWorld() : node(chain::ChainParams{.coinbase_maturity = 1}) {
        params.quorum = Quorum::of(4);
        params.multisig_keys = {"fed.g0", "fed.g1", "fed.g2", "fed.g3"};
        state.emplace(params, nullptr);
    }

    void mine(int64_t n, const std::string& owner = "miner") {
        for (int64_t i = 0; i < n; ++i) {
            node.mine(chain::MineOptions{.coinbase_owner = owner});
        }
    }

    // Pays `sats` from one of alice's mature coinbases to the federation, in a block of its own.
    chain::OutPoint deposit(chain::Amount sats) {
        std::vector<std::pair<chain::OutPoint, chain::Coin>> coins = node.owned_by("alice");
        REQUIRE_FALSE(coins.empty());
        chain::Transaction tx;
        tx.inputs.resize(1);
        tx.inputs[0].prevout = coins.front().first;
        tx.inputs[0].witness = chain::SignedBy{"alice"};
        tx.outputs.resize(2);
        tx.outputs[0].value = sats;
        tx.outputs[0].condition = chain::PayToMultisig{params.multisig_keys, 3};
        tx.outputs[1].value = coins.front().second.out.value - sats - 1000;
        std::get<chain::PayToOwner>(tx.outputs[1].condition).owner = "alice";
        REQUIRE(node.mine_with({tx}).ok());
        return chain::OutPoint{tx.txid(), 0};
    }

    chain::BlockHash hash_at(int64_t height) const {
        std::optional<chain::BlockHash> h = node.block_hash(height);
        REQUIRE(h.has_value());
        return *h;
    }

    FedTx proof(const chain::OutPoint& op, const chain::BlockHash& block) {
        return FedTx{FedTxId{++next_tx}, PegInTx{.client = ClientId(7), .outpoint = op,
                                                 .block_hash = block, .block_height = 0}};
    }

    // One round: every guardian votes `count`; `before` goes into guardian 0's proposal ahead
    // of its vote, `after` into guardian 3's after its vote. The blocks of the round's sync
    // ranges are fetched from `node` first, as Guardian::sync_wallet does.
    void round(uint64_t count, std::vector<FedTx> after = {}, std::vector<FedTx> before = {}) {
        Batch batch{.round = state->rounds_applied(), .proposals = {}};
        for (uint32_t p = 0; p < 4; ++p) {
            Proposal prop{.peer = PeerId(p), .items = {}};
            for (const FedTx& tx : p == 0 ? before : std::vector<FedTx>{}) {
                prop.items.emplace_back(tx);
            }
            prop.items.emplace_back(VoteItem{VoteKind::wallet_count, count});
            for (const FedTx& tx : p == 3 ? after : std::vector<FedTx>{}) {
                prop.items.emplace_back(tx);
            }
            batch.proposals.push_back(std::move(prop));
        }
        WalletSyncFeed feed{.blocks = &synced, .fetched = {}, .next = 0};
        for (const WalletCountChange& c : state->wallet_count_changes(batch)) {
            const SyncRange r = wallet_v1_sync_range(c.old_count, c.new_count, params.sync);
            for (uint64_t h = r.from; h < r.to; ++h) {
                std::shared_ptr<const chain::Block> b =
                    node.tree()->find(hash_at(static_cast<int64_t>(h)));
                REQUIRE(synced.links_to_previous(h, *b));
                feed.fetched.emplace_back(h, b);
            }
        }
        std::vector<StateEvent> events;
        state->apply_batch(batch, &events, nullptr, &feed);
    }

    const TxOutcome& outcome_of(const FedTx& tx) const {
        const TxOutcome* o = state->outcome(tx.id);
        REQUIRE(o != nullptr);
        return *o;
    }

    chain::Chain node;
    FederationParams params;
    std::optional<FederationState> state;
    SyncedBlocks synced;
    uint64_t next_tx = 0;
};

// Alice's coinbases at heights 1..10, the deposit alone at height 11, then blocks to 16.
constexpr int64_t k_deposit_height = 11;

struct DepositWorld : ProofWorld {
    DepositWorld() {
        mine(10, "alice");
        op = deposit(100000);
        REQUIRE(node.tip_height() == k_deposit_height);
        block = hash_at(k_deposit_height);
        mine(5);
        round(5);  // the first count: "Not syncing ... because we are at block 0"
    }
    chain::OutPoint op;
    chain::BlockHash block;
};

}  // namespace

TEST_CASE("peg-in proof: a block at height h is known at consensus count h + 1, not at h",
          "[federation][wallet][pegin]") {
    DepositWorld w;
    const FedTx at_h = w.proof(w.op, w.block);
    w.round(k_deposit_height, {at_h});  // syncs heights 5..10
    CHECK(w.state->wallet_count() == static_cast<uint64_t>(k_deposit_height));
    CHECK_FALSE(w.synced.hash_at(k_deposit_height).has_value());
    CHECK(w.synced.hash_at(k_deposit_height - 1) == w.hash_at(k_deposit_height - 1));
    CHECK_FALSE(w.outcome_of(at_h).accepted);
    CHECK(w.outcome_of(at_h).error == k_unknown);

    const FedTx at_h_plus_1 = w.proof(w.op, w.block);
    w.round(k_deposit_height + 1, {at_h_plus_1});  // syncs height 11
    CHECK(w.synced.hash_at(k_deposit_height) == w.block);
    CHECK(w.outcome_of(at_h_plus_1).accepted);
    CHECK(w.state->utxos().count(w.op) == 1);
}

TEST_CASE("peg-in proof: blocks below the first consensus count are never synced",
          "[federation][wallet][pegin]") {
    DepositWorld w;
    w.round(16);  // syncs 5..15, the deposit's block among them
    CHECK_FALSE(w.synced.hash_at(4).has_value());
    CHECK(w.synced.hash_at(5) == w.hash_at(5));
    CHECK(w.synced.heights() == 11);
}

TEST_CASE("peg-in proof: a batch's sync lands at its vote; a proof ahead of it is rejected",
          "[federation][wallet][pegin]") {
    DepositWorld w;
    w.round(k_deposit_height);
    // The same batch moves the count to h + 1, but guardian 0's proof is processed before any
    // vote of the batch, so the block's hash is not stored yet; guardian 3's proof comes after.
    const FedTx early = w.proof(w.op, w.block);
    const FedTx late = w.proof(w.op, w.block);
    w.round(k_deposit_height + 1, {late}, {early});
    CHECK(w.outcome_of(early).error == k_unknown);
    CHECK(w.outcome_of(late).accepted);
}

TEST_CASE("peg-in proof: a synced block a reorg orphaned is still known; the competing block "
          "at that height is not",
          "[federation][wallet][pegin][reorg]") {
    DepositWorld w;
    w.round(k_deposit_height + 1);  // the deposit's block is synced
    // A reorg from the deposit's height up: the deposit returns to the mempool and the first
    // replacement block re-mines it, under another hash at the same height.
    REQUIRE(w.node.invalidate_top(w.node.tip_height() - k_deposit_height + 1).ok());
    w.mine(7);
    const chain::BlockHash competing = w.hash_at(k_deposit_height);
    REQUIRE(competing != w.block);
    REQUIRE(w.node.find_tx(w.op.txid)->block_hash == competing);
    CHECK_FALSE(w.node.in_active_chain(w.block));

    const FedTx on_competing = w.proof(w.op, competing);
    const FedTx on_orphaned = w.proof(w.op, w.block);
    std::vector<FedTx> txs = {on_competing, on_orphaned};
    // Both in one batch that does not move the count (every vote redundant).
    w.round(k_deposit_height + 1, txs);
    CHECK_FALSE(w.outcome_of(on_competing).accepted);
    CHECK(w.outcome_of(on_competing).error == k_unknown);
    CHECK(w.outcome_of(on_orphaned).accepted);
    // The synced table still names the orphaned block at that height.
    CHECK(w.synced.hash_at(k_deposit_height) == w.block);
}

TEST_CASE("peg-in proof: an orphaned deposit the reorg double-spent is credited from its "
          "synced hash and is then not on chain",
          "[federation][wallet][pegin][reorg]") {
    DepositWorld w;
    w.round(k_deposit_height + 1);
    const chain::Transaction deposit = *w.node.get_transaction(w.op.txid);
    REQUIRE(w.node.invalidate_top(w.node.tip_height() - k_deposit_height + 1).ok());
    chain::Transaction spend;
    spend.inputs = deposit.inputs;
    spend.outputs.resize(1);
    spend.outputs[0].value = deposit.total_out() - 1000;
    std::get<chain::PayToOwner>(spend.outputs[0].condition).owner = "alice";
    REQUIRE(w.node.mine_with({spend}).ok());
    w.mine(6);
    REQUIRE_FALSE(w.node.find_tx(w.op.txid).has_value());

    const FedTx claim = w.proof(w.op, w.block);
    w.round(k_deposit_height + 1, {claim});
    CHECK(w.outcome_of(claim).accepted);
    // What ChainBackingChecker looks for: counted by the federation, neither a coin nor spent
    // on the chain.
    CHECK(w.state->utxos().count(w.op) == 1);
    CHECK(w.node.utxo(w.op) == nullptr);
    CHECK_FALSE(w.node.spender_of(w.op).has_value());
}

TEST_CASE("synced blocks: the prev_blockhash link to the height below", "[federation][wallet]") {
    ProofWorld w;
    w.mine(6);
    SyncedBlocks s;
    for (int64_t h = 2; h <= 4; ++h) {
        s.insert(static_cast<uint64_t>(h), w.node.tree()->find(w.hash_at(h)));
    }
    const chain::Block& five = *w.node.block_at(5);
    CHECK(s.links_to_previous(5, five));
    // Nothing stored below the first synced height: upstream only warns.
    CHECK(s.links_to_previous(2, *w.node.block_at(2)));
    CHECK(s.links_to_previous(1, *w.node.block_at(1)));
    // A branch that replaced height 4 does not link to the stored block 4.
    const chain::BlockHash old_four = w.hash_at(4);
    REQUIRE(w.node.invalidate_top(3).ok());  // heights 4..6
    w.mine(4);
    CHECK(w.hash_at(4) != old_four);
    CHECK_FALSE(s.links_to_previous(5, *w.node.block_at(5)));
    // The old hash stays findable after a new one is stored for its height.
    s.insert(4, w.node.tree()->find(w.hash_at(4)));
    CHECK(s.find(old_four) != nullptr);
    CHECK(s.hash_at(4) == w.hash_at(4));
}

namespace {

struct ReorgRun {
    uint64_t panics = 0;
    uint64_t running = 0;
    uint64_t count_before = 0;
    uint64_t count_after = 0;
    int64_t tip_before = 0;
    uint64_t fingerprint = 0;
};

// Four guardians sync a 30-block chain; then the top `depth` blocks are replaced by depth + 1
// others and the guardians get time for the next consensus count.
ReorgRun reorg_after_sync(uint64_t seed, int64_t depth) {
    fed_test::World w(fed_test::WorldOptions{.seed = seed});
    ReorgRun out;
    w.fed->start();
    w.api->start();
    w.sim.scheduler().spawn("workload", [&] {
        w.mine(30);
        this_actor::sleep_for(sim::SimDuration::seconds(5));
        out.tip_before = w.btc.canonical().tip_height();
        out.count_before = w.fed->store(PeerId(0)).state.wallet_count();
        REQUIRE(w.btc.invalidate(depth).ok());
        w.mine(depth + 1);
        this_actor::sleep_for(sim::SimDuration::seconds(10));
        out.count_after = w.fed->store(PeerId(0)).state.wallet_count();
    });
    sim::SimulationResult r = w.sim.run(
        sim::RunLimits{.max_time = sim::SimTime::zero() + sim::SimDuration::hours(1)});
    INFO(r.run.message);
    REQUIRE(r.run.ok());
    REQUIRE(w.hub.ok());
    for (uint32_t p = 0; p < 4; ++p) {
        out.panics += w.fed->counters(PeerId(p)).sync_panics;
        out.running += w.fed->guardian(PeerId(p)).running() ? 1 : 0;
    }
    out.fingerprint = r.run.fingerprint;
    return out;
}

}  // namespace

TEST_CASE("wallet sync: a reorg of finality_delay blocks leaves the synced tip alone; "
          "finality_delay + 1 replaces it and every guardian's next sync panics",
          "[federation][wallet][reorg][actors]") {
    const int64_t fd = static_cast<int64_t>(FederationParams{}.finality_delay);
    SECTION("depth finality_delay: harmless") {
        const ReorgRun r = reorg_after_sync(3, fd);
        // Settled: the synced tip (count - 1) is tip - finality_delay, just below the reorg.
        REQUIRE(static_cast<int64_t>(r.count_before) == r.tip_before + 1 - fd);
        CHECK(r.panics == 0);
        CHECK(r.running == 4);
        CHECK(r.count_after == r.count_before + 1);
    }
    SECTION("depth finality_delay + 1: the prev_blockhash assertion") {
        const ReorgRun r = reorg_after_sync(3, fd + 1);
        REQUIRE(static_cast<int64_t>(r.count_before) == r.tip_before + 1 - fd);
        CHECK(r.panics == 4);
        CHECK(r.running == 0);
        CHECK(r.count_after == r.count_before);  // the batch that moved it never committed
    }
}

TEST_CASE("wallet sync panic: same seed, same run", "[federation][wallet][reorg][determinism]") {
    const int64_t fd = static_cast<int64_t>(FederationParams{}.finality_delay);
    CHECK(reorg_after_sync(5, fd + 1).fingerprint == reorg_after_sync(5, fd + 1).fingerprint);
}
