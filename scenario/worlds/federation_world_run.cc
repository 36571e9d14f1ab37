// The federation world at run time: set-up helpers, the timeline actions (mining, guardian and
// bitcoind faults, progress expectations), the driver that ends the run, and the checks and
// metrics read at the end. The depositor's peg-ins and peg-outs are in
// federation_world_depositor.cc.
#include <algorithm>

#include "actors/federation/wallet_rules.h"
#include "scenario/worlds/end_of_run.h"
#include "scenario/worlds/federation_world.h"
#include "scenario/worlds/hub_check.h"
#include "sim/this_actor.h"

namespace scenario {

namespace chain = actors::chain;
namespace fed = actors::federation;
namespace this_actor = sim::this_actor;

FederationScenarioWorld::FederationScenarioWorld(sim::Simulation& sim,
                                                 chain::BitcoinNetworkConfig chain_config,
                                                 FederationRunConfig run)
    : sim_(sim),
      run_(std::move(run)),
      btc_(sim.scheduler(), sim.random("chain"), chain_config),
      hub_(sim),
      fingerprints_(hub_),
      books_(hub_),
      backing_(hub_, btc_.canonical()) {}

// --- Set-up --------------------------------------------------------------------------------

void FederationScenarioWorld::add_guardian_node(const std::string& guardian,
                                                chain::NodeConfig node) {
    guardians_.push_back({.name = guardian, .node = &btc_.add_node(std::move(node))});
}

void FederationScenarioWorld::set_depositor_node(chain::NodeConfig node) {
    depositor_node_ = &btc_.add_node(std::move(node));
}

void FederationScenarioWorld::create_federation(fed::FederationConfig config) {
    SIM_ASSERT(config.guardians == guardians_.size());
    federation_ = std::make_unique<fed::Federation>(
        sim_, std::move(config), &btc_.canonical(), [this](fed::PeerId peer) {
            return std::make_unique<fed::ChainModelBitcoind>(*guardians_.at(peer.value).node);
        });
    federation_->attach(&fingerprints_);
    federation_->attach(&books_);
    federation_->attach(&backing_);
    api_ = std::make_unique<fed::FederationApi>(sim_, sim_.network().add_node("depositor"),
                                                *federation_);
}

void FederationScenarioWorld::set_byzantine(size_t guardian, const fed::ByzantineConfig& byz) {
    federation_->set_byzantine(fed::PeerId(static_cast<uint32_t>(guardian)), byz);
}

void FederationScenarioWorld::set_guardian_lag(size_t guardian, sim::SimDuration lag) {
    federation_->guardian(fed::PeerId(static_cast<uint32_t>(guardian))).set_lag(lag);
}

void FederationScenarioWorld::start(chain::MinerConfig miner,
                                    std::function<void(const std::string&)> emit) {
    federation_->start();
    api_->start();
    miner_ = std::make_unique<chain::Miner>(btc_, std::move(miner), sim_.random("chain.miner"));
    miner_->start();
    sim_.scheduler().spawn("federation.sync_watch", [this, emit] { watch_sync(emit); },
                           {.kind = sim::ActorKind::daemon, .node = {}});
    sim_.scheduler().spawn("federation.driver", [this] { drive(); });
}

// --- Timeline actions ----------------------------------------------------------------------

void FederationScenarioWorld::on_action(const TimelineEntry& entry) {
    const std::string& a = entry.action;
    if (a == "mine") {
        mine(entry);
    } else if (a == "reorg") {
        reorg(entry);
    } else if (a == "peg_in") {
        peg_in(entry);
    } else if (a == "peg_out") {
        peg_out(entry);
    } else if (a == "expect_rounds") {
        expect_rounds(entry);
    } else if (a == "expect_count") {
        expect_count(entry);
    } else if (a == "expect_block_fetches") {
        expect_block_fetches(entry);
    } else if (a == "freeze_bitcoind" || a == "unfreeze_bitcoind" || a == "set_lag" ||
               a == "rpc_down") {
        bitcoind_action(entry);
    } else {
        guardian_action(entry);
    }
}

void FederationScenarioWorld::mine(const TimelineEntry& entry) {
    const int64_t blocks = entry.args.at("blocks").number;
    const sim::SimDuration spacing = entry.args.at("spacing").duration();
    if (spacing == sim::SimDuration::zero()) {
        btc_.mine(blocks);
        return;
    }
    sim_.scheduler().spawn("miner." + (entry.name.empty() ? std::string("mine") : entry.name),
                           [this, blocks, spacing] {
                               for (int64_t i = 0; i < blocks; ++i) {
                                   btc_.mine(1);
                                   if (i + 1 < blocks) {
                                       this_actor::sleep_for(spacing);
                                   }
                               }
                           });
}

size_t FederationScenarioWorld::guardian_arg(const TimelineEntry& entry) const {
    const std::string& name = entry.args.at("node").text;
    for (size_t i = 0; i < guardians_.size(); ++i) {
        if (guardians_[i].name == name) {
            return i;
        }
    }
    // validate() only lets guardian actions name the topology's guardians.
    SIM_UNREACHABLE("guardian action on a node that is not a guardian");
}

chain::BitcoindNode& FederationScenarioWorld::bitcoind_arg(const TimelineEntry& entry) {
    const std::string& name = entry.args.at("node").text;
    if (name == "depositor") {
        return *depositor_node_;
    }
    return *guardians_.at(guardian_arg(entry)).node;
}

void FederationScenarioWorld::guardian_action(const TimelineEntry& entry) {
    const fed::PeerId peer(static_cast<uint32_t>(guardian_arg(entry)));
    const std::string& a = entry.action;
    if (a == "crash_guardian") {
        federation_->crash(peer);
    } else if (a == "restart_guardian") {
        federation_->restart(peer);
    } else if (a == "lag_guardian") {
        federation_->guardian(peer).set_lag(entry.args.at("lag").duration());
    } else if (a == "set_byzantine") {
        federation_->set_byzantine(
            peer, {.block_count_offset = entry.args.at("block_count_offset").number,
                   .unix_time_offset = entry.args.at("unix_time_offset").number,
                   .invalid_shares = entry.args.at("invalid_shares").flag()});
    } else {
        SIM_UNREACHABLE("undeclared federation action");
    }
}

void FederationScenarioWorld::bitcoind_action(const TimelineEntry& entry) {
    chain::BitcoindNode& node = bitcoind_arg(entry);
    const std::string& a = entry.action;
    if (a == "freeze_bitcoind") {
        node.freeze();
    } else if (a == "unfreeze_bitcoind") {
        node.unfreeze();
    } else if (a == "set_lag") {
        node.set_lag(entry.args.at("lag").duration());
    } else {
        node.set_rpc_down(entry.args.at("down").flag());
    }
}

void FederationScenarioWorld::expect_rounds(const TimelineEntry& entry) {
    const std::string label = entry.name.empty() ? "expect_rounds" : entry.name;
    const sim::SimDuration within = entry.args.at("within").duration();
    const int64_t min = entry.args.at("min").number;
    auto max_it = entry.args.find("max");
    const std::optional<int64_t> max =
        max_it == entry.args.end() ? std::nullopt : std::optional<int64_t>(max_it->second.number);
    // Foreground: the run lasts at least until the window closes and the verdict is in.
    sim_.scheduler().spawn("expect." + label, [this, label, within, min, max] {
        const uint64_t start = federation_->max_round();
        this_actor::sleep_for(within);
        const int64_t decided = static_cast<int64_t>(federation_->max_round() - start);
        if (decided >= min && (!max.has_value() || decided <= *max)) {
            return;
        }
        fail_expectation(
            label + ": the federation decided " + std::to_string(decided) + " rounds in " +
            sim::to_string(within) + " (from round " + std::to_string(start) + "), expected " +
            (max.has_value() ? "between " + std::to_string(min) + " and " + std::to_string(*max)
                             : "at least " + std::to_string(min)));
    });
}

void FederationScenarioWorld::expect_count(const TimelineEntry& entry) {
    const std::string label = entry.name.empty() ? "expect_count" : entry.name;
    const sim::SimDuration within = entry.args.at("within").duration();
    auto at_least = entry.args.find("at_least");
    const uint64_t count = static_cast<uint64_t>(btc_.canonical().tip_height() + 1);
    const uint64_t target = at_least != entry.args.end()
                                ? static_cast<uint64_t>(at_least->second.number)
                                : (count > run_.finality_delay ? count - run_.finality_delay : 0);
    sim_.scheduler().spawn("expect." + label, [this, label, within, target] {
        const sim::SimTime deadline = this_actor::now() + within;
        while (true) {
            uint64_t lowest = UINT64_MAX;
            std::string who;
            for (uint32_t p = 0; p < federation_->size(); ++p) {
                const fed::PeerId peer(p);
                const uint64_t c = federation_->store(peer).state.wallet_count();
                if (federation_->guardian(peer).running() && c < lowest) {
                    lowest = c;
                    who = guardians_[p].name;
                }
            }
            if (lowest >= target) {
                return;
            }
            if (this_actor::now() >= deadline) {
                fail_expectation(label + ": guardian " + who + "'s wallet consensus count is " +
                                 std::to_string(lowest) + " after " + sim::to_string(within) +
                                 ", expected at least " + std::to_string(target));
                return;
            }
            this_actor::sleep_for(std::min(sim::SimDuration::millis(100), deadline - this_actor::now()));
        }
    });
}

uint64_t FederationScenarioWorld::max_block_fetches() const {
    uint64_t most = 0;
    for (uint32_t p = 0; p < federation_->size(); ++p) {
        most = std::max(most, federation_->block_fetches(fed::PeerId(p)));
    }
    return most;
}

void FederationScenarioWorld::expect_block_fetches(const TimelineEntry& entry) {
    const std::string label = entry.name.empty() ? "expect_block_fetches" : entry.name;
    const sim::SimDuration within = entry.args.at("within").duration();
    const uint64_t max = static_cast<uint64_t>(entry.args.at("max").number);
    sim_.scheduler().spawn("expect." + label, [this, label, within, max] {
        const uint64_t start = max_block_fetches();
        this_actor::sleep_for(within);
        const uint64_t fetched = max_block_fetches() - start;
        if (fetched <= max) {
            return;
        }
        fail_expectation(label + ": a guardian fetched " + std::to_string(fetched) +
                         " blocks from its bitcoind in " + sim::to_string(within) +
                         " (chain tip height " + std::to_string(btc_.canonical().tip_height()) +
                         "), expected at most " + std::to_string(max));
    });
}

// --- Driver --------------------------------------------------------------------------------

void FederationScenarioWorld::watch_sync(std::function<void(const std::string&)> emit) {
    while (!finished_) {
        const uint64_t count = static_cast<uint64_t>(btc_.canonical().tip_height() + 1);
        const uint64_t want = count > run_.finality_delay ? count - run_.finality_delay : 0;
        bool synced = want > 0;
        for (uint32_t p = 0; p < federation_->size() && synced; ++p) {
            const fed::PeerId peer(p);
            synced = !federation_->guardian(peer).running() ||
                     federation_->store(peer).state.wallet_count() >= want;
        }
        if (synced) {
            sim_.scheduler().trace("fed.synced").field("count", want);
            emit("synced");
            return;
        }
        this_actor::sleep_for(sim::SimDuration::millis(100));
    }
}

bool FederationScenarioWorld::all_caught_up(uint64_t target) const {
    for (uint32_t p = 0; p < federation_->size(); ++p) {
        const fed::PeerId peer(p);
        if (federation_->guardian(peer).running() &&
            federation_->store(peer).state.rounds_applied() < target) {
            return false;
        }
    }
    return true;
}

void FederationScenarioWorld::drive() {
    this_actor::sleep_for(run_.duration);
    const sim::SimTime deadline = this_actor::now() + run_.converge_within;
    while (in_flight_ > 0 && this_actor::now() < deadline) {
        this_actor::sleep_for(sim::SimDuration::millis(100));
    }
    const uint64_t target = federation_->max_round();
    while (!all_caught_up(target) && this_actor::now() < deadline) {
        this_actor::sleep_for(sim::SimDuration::millis(100));
    }
    catch_up_target_ = target;
    caught_up_ = all_caught_up(target);
    ended_at_ = this_actor::now();
    finished_ = true;
    check_backing_now();
    sim_.scheduler()
        .trace("fed.end")
        .field("height", btc_.canonical().tip_height())
        .field("round", federation_->max_round())
        .field("caught_up", caught_up_);
    // Every failing check fails the run, in check() order (end_of_run.h): in stop mode the
    // first ends it (a bug scenario's failure names it; the rest are no-ops), with keep_going
    // each is listed, and a peg-in or peg-out still waiting does not carry the run on.
    judge_end_of_run(sim_.scheduler(), check(),
                     [this](const CheckResult& c) { fail(c.checker + ": " + c.message); });
}

void FederationScenarioWorld::fail_expectation(const std::string& message) {
    ++expectations_failed_;
    fail(message);
}

void FederationScenarioWorld::fail(const std::string& message) {
    // A guardian that panicked in its wallet sync has stopped, and what fails first is usually
    // a symptom of that (the depositor waiting for a consensus count that never comes): name
    // the cause in the same message, so the report shows it whichever checks the file lists.
    CheckResult sync = check_wallet_sync();
    if (!sync.passed && message.rfind(sync.checker, 0) != 0) {
        sim_.scheduler().fail(sim::Outcome::check_failed,
                              message + " (" + sync.checker + ": " + sync.message + ")");
        return;
    }
    sim_.scheduler().fail(sim::Outcome::check_failed, message);
}

// A block's confirmations as the network counts them: on the most-work chain any bitcoind (the
// miners', the guardians', the depositor's) holds now, and 0 if that chain does not contain
// the block. While a reorg's replacement branch is still shorter, the nodes keep serving the old, longer branch (a node
// only moves to more work), so a block below the fork point keeps counting confirmations on
// it; the guardians' votes and syncs read the same nodes (fedimint.md 1.3: a block is known
// once tip_height >= h + finality_delay, i.e. at finality_delay + 1 confirmations).
// Equal work on two branches: the block counts if either holds it (each node keeps the one
// it saw first).
uint64_t FederationScenarioWorld::best_chain_confirmations(const chain::BlockHash& hash) const {
    std::shared_ptr<const chain::Block> block = btc_.canonical().tree()->find(hash);
    if (block == nullptr) {
        return 0;
    }
    std::vector<const chain::Chain*> chains{&btc_.canonical(), &depositor_node_->chain()};
    for (const GuardianSlot& g : guardians_) {
        chains.push_back(&g.node->chain());
    }
    int64_t best = 0;
    for (const chain::Chain* c : chains) {
        best = std::max(best, c->tip_height());
    }
    uint64_t confs = 0;
    for (const chain::Chain* c : chains) {
        if (c->tip_height() == best && c->in_active_chain(hash)) {
            confs = std::max(confs, fed::confirmations(static_cast<uint64_t>(best),
                                                       static_cast<uint64_t>(block->height)));
        }
    }
    return confs;
}

const fed::FederationState* FederationScenarioWorld::leading_state() const {
    const fed::FederationState* best = nullptr;
    for (uint32_t p = 0; p < federation_->size(); ++p) {
        const fed::FederationState& s = federation_->store(fed::PeerId(p)).state;
        if (best == nullptr || s.rounds_applied() > best->rounds_applied()) {
            best = &s;
        }
    }
    return best;
}

// --- Checks and metrics --------------------------------------------------------------------

CheckResult FederationScenarioWorld::check_caught_up() const {
    if (!finished_ || caught_up_) {
        return {"fed.caught_up", true, ""};
    }
    for (uint32_t p = 0; p < federation_->size(); ++p) {
        const fed::PeerId peer(p);
        const uint64_t r = federation_->store(peer).state.rounds_applied();
        if (federation_->guardian(peer).running() && r < *catch_up_target_) {
            return {"fed.caught_up", false,
                    "guardian " + guardians_[p].name + " is at round " + std::to_string(r) +
                        " after converge_within, the federation reached round " +
                        std::to_string(*catch_up_target_)};
        }
    }
    return {"fed.caught_up", true, ""};
}

void FederationScenarioWorld::check_backing_now() {
    for (uint32_t p = 0; p < federation_->size(); ++p) {
        const fed::FederationState& s = federation_->store(fed::PeerId(p)).state;
        backing_.check(fed::PeerId(p), s.rounds_applied(), s.utxos(), s.peg_out_txs());
    }
}

// fedimintd panics when a synced block's successor does not link to it (assert_eq! in
// sync_up_to_consensus_count): a reorg deeper than finality_delay.
CheckResult FederationScenarioWorld::check_wallet_sync() const {
    for (uint32_t p = 0; p < federation_->size(); ++p) {
        const uint64_t panics = federation_->counters(fed::PeerId(p)).sync_panics;
        if (panics > 0) {
            return {"fed.wallet_sync", false,
                    "guardian " + guardians_[p].name + " panicked in its wallet sync: a fetched "
                    "block's prev_blockhash is not the hash it synced for the height below (a "
                    "reorg deeper than finality_delay); it stopped"};
        }
    }
    return {"fed.wallet_sync", true, ""};
}

std::vector<CheckResult> FederationScenarioWorld::check() const {
    return {hub_check(hub_, "fed.same_state", {"round_fingerprint"}),
            hub_check(hub_, "fed.books",
                      {"federation_books", "claimed_xor_refunded", "ecash_issued_once"}),
            hub_check(hub_, "fed.chain_backing", {"chain_backing"}),
            check_pegins(),
            check_pegouts(),
            check_caught_up(),
            check_wallet_sync(),
            // Each failed expectation failed the run as it failed (fail_expectation).
            {.checker = "fed.expectations",
             .passed = expectations_failed_ == 0,
             .message = expectations_failed_ == 0
                            ? ""
                            : std::to_string(expectations_failed_) +
                                  " timeline expectation(s) failed",
             .already_reported = true}};
}

std::map<std::string, int64_t> FederationScenarioWorld::metrics() const {
    const fed::FederationState* s = leading_state();
    const sim::SimTime now = finished_ ? ended_at_ : sim_.scheduler().now();
    const int64_t seconds = std::max<int64_t>(1, now.ns() / sim::SimDuration::seconds(1).ns());
    const int64_t rounds = static_cast<int64_t>(federation_->max_round());
    const int64_t true_unix = sim_.clocks().epoch_unix_s() + seconds;
    int64_t restarts = 0;
    int64_t down = 0;
    int64_t items = 0;
    int64_t fetches = 0;
    int64_t rejected_votes = 0;
    int64_t panics = 0;
    for (uint32_t p = 0; p < federation_->size(); ++p) {
        const fed::PeerId peer(p);
        restarts += static_cast<int64_t>(federation_->store(peer).restarts);
        down += federation_->guardian(peer).running() ? 0 : 1;
        // Per guardian, the busiest one: every guardian processes the same items.
        const fed::GuardianCounters& c = federation_->counters(peer);
        items = std::max(items, static_cast<int64_t>(c.items_processed));
        rejected_votes = std::max(rejected_votes, static_cast<int64_t>(c.votes_rejected));
        panics += static_cast<int64_t>(c.sync_panics);
        fetches = std::max(fetches, static_cast<int64_t>(federation_->block_fetches(peer)));
    }
    int64_t accepted = 0;
    int64_t rejected = 0;
    int64_t unfinished = 0;
    for (const auto& p : pegins_) {
        if (!p->outcome.has_value()) {
            ++unfinished;
        } else {
            p->outcome->accepted ? ++accepted : ++rejected;
        }
    }
    int64_t out_accepted = 0;
    int64_t out_rejected = 0;
    for (const auto& p : pegouts_) {
        if (p->outcome.has_value()) {
            p->outcome->accepted ? ++out_accepted : ++out_rejected;
        }
    }
    const int64_t unix_consensus = static_cast<int64_t>(s->lnv2_unix_time());
    return {{"fed.guardians", static_cast<int64_t>(federation_->size())},
            {"fed.rounds", rounds},
            {"fed.min_rounds", static_cast<int64_t>(federation_->min_round())},
            {"fed.rounds_per_minute", rounds * 60 / seconds},
            {"fed.wallet_count", static_cast<int64_t>(s->wallet_count())},
            {"fed.ln_count", static_cast<int64_t>(s->ln_count())},
            {"fed.lnv2_count", static_cast<int64_t>(s->lnv2_count())},
            {"fed.unix_time_error_s", std::abs(true_unix - unix_consensus)},
            {"fed.items_processed", items},
            {"fed.items_per_minute", items * 60 / seconds},
            {"fed.votes_rejected", rejected_votes},
            {"fed.block_fetches", fetches},
            {"fed.restarts", restarts},
            {"fed.sync_panics", panics},
            {"fed.down", down},
            {"pegin.accepted", accepted},
            {"pegin.rejected", rejected},
            {"pegin.unfinished", unfinished},
            {"pegout.accepted", out_accepted},
            {"pegout.rejected", out_rejected},
            {"pegout.on_chain", pegouts_on_chain()},
            {"depositor.balance_sat",
             static_cast<int64_t>(s->mint().balance(k_depositor) / fed::k_msat_per_sat)},
            {"chain.tip_height", btc_.canonical().tip_height()}};
}

}  // namespace scenario
