// The chain world's daemons (miner, monitors, lag sampler), its end-of-run driver and the
// checks a bitcoind user relies on, evaluated on every node's own replica.
#include <algorithm>

#include "actors/chain/block_count.h"
#include "scenario/worlds/chain_world.h"
#include "sim/this_actor.h"

namespace scenario {

namespace {

using actors::chain::BitcoindNode;
using actors::chain::BlockCountView;

std::string short_hash(const actors::chain::Hash256& h) { return h.to_hex().substr(0, 16); }

CheckResult pass(const char* name) { return {name, true, ""}; }

}  // namespace

void ChainScenarioWorld::add_monitor(BitcoindNode& node, sim::SimDuration poll_interval) {
    nodes_.push_back(&node);
    const std::string name = node.name() + ".monitor";
    monitors_.push_back(std::make_unique<actors::chain::ChainMonitor>(
        name, actors::chain::BitcoindClient(node),
        actors::chain::MonitorConfig{.poll_interval = poll_interval},
        sim_.random("chain.monitor:" + node.name())));
    monitors_.back()->on_update([this](uint64_t) { ++rpc_updates_; });
    monitors_.back()->start(sim_.scheduler());
}

void ChainScenarioWorld::start_miner(actors::chain::MinerConfig config) {
    miner_ = std::make_unique<actors::chain::Miner>(network_, std::move(config),
                                                    sim_.random("chain.miner"));
    miner_->start();
}

void ChainScenarioWorld::sample_lag() {
    const int64_t tip = network_.canonical().tip_height();
    for (const BitcoindNode* node : nodes_) {
        max_behind_ = std::max(max_behind_, tip - node->chain().tip_height());
    }
}

bool ChainScenarioWorld::converged() const {
    const actors::chain::Chain& canonical = network_.canonical();
    for (const BitcoindNode* node : nodes_) {
        if (!node->frozen() && node->chain().tip().hash != canonical.tip().hash) {
            return false;
        }
    }
    return true;
}

void ChainScenarioWorld::start_driver(sim::SimDuration duration,
                                      sim::SimDuration converge_within) {
    // Samples how far behind the nodes fall, once a second of sim time (a daemon: it never
    // keeps the run alive).
    sim_.scheduler().spawn("chain.lag_sampler", [this] {
        while (!finished_) {
            sample_lag();
            sim::this_actor::sleep_for(sim::SimDuration::seconds(1));
        }
    }, {.kind = sim::ActorKind::daemon, .node = {}});
    sim_.scheduler().spawn("chain.driver", [this, duration, converge_within] {
        sim::this_actor::sleep_for(duration);
        miner_->stop();
        const sim::SimTime deadline = sim::this_actor::now() + converge_within;
        while (!converged() && sim::this_actor::now() < deadline) {
            sample_lag();
            sim::this_actor::sleep_for(sim::SimDuration::millis(100));
        }
        sample_lag();
        finished_ = true;
        sim_.scheduler().trace("chain.end")
            .field("height", network_.canonical().tip_height())
            .field("converged", converged());
        // A violation ends the run here, so a bug-variant scenario can expect check_failed.
        for (const CheckResult& c : check()) {
            if (!c.passed) {
                sim_.scheduler().fail(sim::Outcome::check_failed, c.checker + ": " + c.message);
                return;
            }
        }
    });
}

std::vector<CheckResult> ChainScenarioWorld::check() const {
    return {check_converged(), check_counts(), check_tx_heights(), check_wallet_txs()};
}

CheckResult ChainScenarioWorld::check_converged() const {
    const actors::chain::Chain& canonical = network_.canonical();
    for (const BitcoindNode* n : nodes_) {
        const BitcoindNode& node = *n;
        if (node.frozen() || node.chain().tip().hash == canonical.tip().hash) {
            continue;
        }
        return {"chain.converged", false,
                "node " + node.name() + " ends at height " +
                    std::to_string(node.chain().tip_height()) + " (" +
                    short_hash(node.chain().tip().hash) + ") but the network's tip is height " +
                    std::to_string(canonical.tip_height()) + " (" +
                    short_hash(canonical.tip().hash) + ") after converge_within"};
    }
    return pass("chain.converged");
}

CheckResult ChainScenarioWorld::check_counts() const {
    for (const BitcoindNode* n : nodes_) {
        const BitcoindNode& node = *n;
        const BlockCountView view(node.chain(), node.count_variant());
        const uint64_t count = view.block_count();
        const std::string who = "node " + node.name() + " (count variant " +
                                actors::chain::to_string(node.count_variant()) + ", tip " +
                                std::to_string(node.chain().tip_height()) + "): ";
        for (uint64_t h = 0; h < count; ++h) {
            std::optional<actors::chain::BlockHash> got = view.block_hash(h);
            std::optional<actors::chain::BlockHash> want =
                node.chain().block_hash(static_cast<int64_t>(h));
            if (!got || got != want) {
                return {"chain.counts", false,
                        who + "get_block_count = " + std::to_string(count) +
                            " but get_block_hash(" + std::to_string(h) + ") " +
                            (got ? "is not block " + std::to_string(h) : "fails")};
            }
        }
        if (view.block_hash(count).has_value()) {
            return {"chain.counts", false,
                    who + "get_block_hash(" + std::to_string(count) +
                        ") answers although get_block_count = " + std::to_string(count)};
        }
    }
    return pass("chain.counts");
}

CheckResult ChainScenarioWorld::check_tx_heights() const {
    for (const BitcoindNode* n : nodes_) {
        const BitcoindNode& node = *n;
        const actors::chain::Chain& c = node.chain();
        const BlockCountView view(c, node.count_variant());
        // Genesis's coinbase is not indexed (as in Core), so the walk starts at height 1.
        for (int64_t h = 1; h <= c.tip_height(); ++h) {
            for (const actors::chain::Transaction& tx : c.block_at(h)->txs) {
                const actors::chain::Txid id = tx.txid();
                std::optional<actors::chain::TxLocation> loc = c.find_tx(id);
                std::optional<int64_t> reported = view.tx_block_height(id);
                const int64_t confs = c.confirmations(id);
                const int64_t want_confs = c.tip_height() - h + 1;
                if (!loc || loc->height != h || reported != h || confs != want_confs) {
                    return {"chain.tx_heights", false,
                            "node " + node.name() + ": tx " + short_hash(id) + " in block " +
                                std::to_string(h) + " reports height " +
                                (reported ? std::to_string(*reported) : "none") + " and " +
                                std::to_string(confs) + " confirmations (want " +
                                std::to_string(h) + " and " + std::to_string(want_confs) +
                                " at tip " + std::to_string(c.tip_height()) + ")"};
                }
            }
        }
    }
    return pass("chain.tx_heights");
}

CheckResult ChainScenarioWorld::check_wallet_txs() const {
    const actors::chain::Chain& c = network_.canonical();
    for (const SentTx& t : sent_) {
        if (!t.accepted || c.find_tx(t.txid) || c.mempool().contains(t.txid) ||
            evicted_txids_.count(t.txid) > 0) {
            continue;
        }
        return {"chain.wallet_txs", false,
                "tx " + t.name + " (" + short_hash(t.txid) +
                    ") was accepted but is neither confirmed nor in the mempool at the end"};
    }
    return pass("chain.wallet_txs");
}

std::map<std::string, int64_t> ChainScenarioWorld::metrics() const {
    const actors::chain::Chain& c = network_.canonical();
    int64_t accepted = 0;
    int64_t confirmed = 0;
    for (const SentTx& t : sent_) {
        accepted += t.accepted ? 1 : 0;
        confirmed += c.find_tx(t.txid).has_value() ? 1 : 0;
    }
    int64_t frozen = 0;
    for (const BitcoindNode* node : nodes_) {
        frozen += node->frozen() ? 1 : 0;
    }
    int64_t no_status = 0;
    for (const auto& m : monitors_) {
        no_status += m->status().has_value() ? 0 : 1;
    }
    return {{"chain.tip_height", c.tip_height()},
            {"chain.reorgs", reorgs_},
            {"chain.txs_sent", static_cast<int64_t>(sent_.size())},
            {"chain.txs_accepted", accepted},
            {"chain.txs_confirmed", confirmed},
            {"chain.txs_returned", returned_},
            {"chain.txs_evicted", evicted_},
            {"chain.max_behind", max_behind_},
            {"chain.frozen_nodes", frozen},
            {"chain.monitor_updates", rpc_updates_},
            {"chain.monitor_no_status", no_status}};
}

}  // namespace scenario
