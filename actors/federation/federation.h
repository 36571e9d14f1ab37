// Federation: n guardians on their own network nodes, with their stores and bitcoind backends,
// and the controls a scenario uses on them (crash, restart, partition helpers, Byzantine votes,
// lag, RPC outages). It forwards every applied round to the attached observers (checkers).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/chain/chain.h"
#include "actors/federation/guardian.h"
#include "sim/simulation.h"

namespace actors::federation {

struct FederationConfig {
    std::string name = "fed";
    uint64_t guardians = k_default_guardian_count;
    // quorum and multisig_keys are derived from `guardians` and `name`.
    FederationParams params;
    GuardianTiming timing;
    // Network node names, one per guardian (empty: the multisig key names "<name>.g<i>"), so a
    // scenario's topology can name its guardians.
    std::vector<std::string> node_names;
    // Per-guardian timing, e.g. each guardian's monitor poll interval (empty: `timing` for all).
    std::vector<GuardianTiming> guardian_timing;
    // Historical bugs, all off by default (federation_variants.h).
    FederationVariants variants;
};

using BitcoindFactory = std::function<std::unique_ptr<GuardianBitcoind>(PeerId)>;

class Federation : public RoundObserver {
public:
    // `canonical` checks peg-in proofs (may be null: no peg-ins). Guardians are created now and
    // run once start() is called.
    Federation(sim::Simulation& sim, FederationConfig config, const chain::Chain* canonical,
               const BitcoindFactory& make_bitcoind);
    Federation(const Federation&) = delete;
    Federation& operator=(const Federation&) = delete;

    void start();

    const Quorum& quorum() const { return quorum_; }
    const FederationParams& params() const { return params_; }
    size_t size() const { return guardians_.size(); }
    Guardian& guardian(PeerId peer) { return *guardians_.at(peer.value); }
    const GuardianStore& store(PeerId peer) const { return *stores_.at(peer.value); }
    GuardianBitcoind& bitcoind(PeerId peer) { return *bitcoinds_.at(peer.value); }
    const std::vector<sim::NodeId>& nodes() const { return nodes_; }
    // The output condition peg-ins pay: the guardians' keys, threshold t.
    chain::SpendCondition multisig() const;

    // What each guardian did: rounds decided, items processed, syncs (guardian.h).
    const GuardianCounters& counters(PeerId peer) const { return stores_.at(peer.value)->counters; }
    // get_block_hash calls of the guardian's wallet sync, counted by its bitcoind.
    uint64_t block_fetches(PeerId peer) const { return bitcoinds_.at(peer.value)->block_fetches(); }
    const FederationVariants& variants() const { return config_.variants; }

    void crash(PeerId peer) { guardian(peer).crash(); }
    void shutdown(PeerId peer) { guardian(peer).shutdown(); }
    void restart(PeerId peer) { guardian(peer).restart(); }
    void set_byzantine(PeerId peer, const ByzantineConfig& byz) { guardian(peer).set_byzantine(byz); }
    // Cuts guardians `side_a` from every other guardian (symmetric); returns the partition id.
    uint32_t partition(const std::vector<PeerId>& side_a);
    void heal(uint32_t partition_id) { sim_.network().heal(partition_id); }

    // Rounds applied by the most advanced / least advanced running guardian.
    uint64_t max_round() const;
    uint64_t min_round() const;

    // Observers see every round every guardian applies, in the order they apply them.
    void attach(RoundObserver* observer) { observers_.push_back(observer); }
    void on_round(PeerId peer, const Batch& batch, const FederationState& state,
                  const std::vector<StateEvent>& events) override;

private:
    sim::Simulation& sim_;
    FederationConfig config_;
    Quorum quorum_;
    FederationParams params_;
    std::vector<sim::NodeId> nodes_;
    std::vector<std::unique_ptr<GuardianStore>> stores_;
    std::vector<std::unique_ptr<GuardianBitcoind>> bitcoinds_;
    std::vector<std::unique_ptr<Guardian>> guardians_;
    std::vector<RoundObserver*> observers_;
};

}  // namespace actors::federation
