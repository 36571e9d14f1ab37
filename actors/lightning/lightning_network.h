// LightningNetwork: builds a Lightning network inside a Simulation — node actors on their own
// sim::NodeIds, channels funded on the chain model, gossip between the nodes' graph views —
// and gives tests, scenarios and the gateway one place to reach it.
//
// Set-up (before or during the run) adds nodes and opens channels: each open broadcasts a
// funding transaction from the faucet; the channel becomes usable once both ends have seen the
// confirmations their profiles require and exchanged channel_ready. Gossip is either instant
// (every graph learns a change at once) or propagated (each non-endpoint node learns it after a
// seeded delay). Node views share one public graph (SharedGraph) and hold only where they
// differ from it, so a public item sent with instant gossip costs O(nodes that differ), not
// O(nodes). check_conservation() proves that no msat was created or lost.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/lightning/chain_backend.h"
#include "actors/lightning/channel_changes.h"
#include "actors/lightning/channel_ledger.h"
#include "actors/lightning/lightning_node.h"
#include "actors/lightning/profile.h"
#include "actors/lightning/result.h"
#include "actors/lightning/scid_index.h"
#include "actors/lightning/topology.h"
#include "sim/random.h"
#include "sim/simulation.h"

namespace actors::lightning {

enum class GossipMode : uint8_t { instant, propagated };

struct LightningNetworkConfig {
    GossipMode gossip = GossipMode::instant;
    sim::SimDuration gossip_delay_min = sim::SimDuration::seconds(1);
    sim::SimDuration gossip_delay_max = sim::SimDuration::seconds(30);
    // Default lag of every node's bitcoind view behind the canonical chain.
    sim::SimDuration chain_lag = sim::SimDuration::zero();
    // Channel reserve each side must keep, in permille of the capacity (BOLT 2 suggests 1 %),
    // in whole sat; the other side's profile may raise it (LDK: at least 1000 sat) and it
    // never exceeds the capacity (required_reserve_msat).
    uint32_t reserve_permille = 10;
    ChainBackendConfig chain;
};

struct NodeOptions {
    std::string alias;
    std::string profile = "lnd";
    ProfileOverrides overrides;
    std::optional<sim::SimDuration> chain_lag;
};

struct ChannelOptions {
    NodeIndex funder = k_no_node;
    NodeIndex peer = k_no_node;
    uint64_t capacity_sat = 1000000;
    uint64_t push_msat = 0;  // starts on the peer's side (a balanced channel pushes half)
    ProfileOverrides funder_overrides;
    ProfileOverrides peer_overrides;
    // Empty: the side's profile default, with the htlc_maximum_msat its implementation
    // announces (announced_htlc_maximum_msat).
    std::optional<ChannelPolicy> funder_policy;
    std::optional<ChannelPolicy> peer_policy;
    // A given policy keeps its htlc_maximum_msat unless this is set; then each side announces
    // its implementation's default, as operators who chose fees but left the maximum alone
    // (build_from_topology's drawn policies).
    bool default_htlc_maximum = false;
    bool announce = true;
    // Empty: the peer's (fundee's) funding_confirmations, the `minimum_depth` it sends in
    // accept_channel and both sides wait for (BOLT 2).
    std::optional<uint32_t> confirmations;
};

class LightningNetwork {
public:
    explicit LightningNetwork(sim::Simulation& sim, LightningNetworkConfig config = {});
    ~LightningNetwork();
    LightningNetwork(const LightningNetwork&) = delete;
    LightningNetwork& operator=(const LightningNetwork&) = delete;

    // A node actor with the named profile and overrides (errors name the bad field).
    Result<NodeIndex> add_node(const NodeOptions& options);
    // A graph-only node (e.g. a federation behind a gateway's intercept scid): it appears in
    // every graph so invoices can name it as payee, but has no actor and no channels.
    NodeIndex add_virtual_node(std::string alias);
    // Broadcasts the funding transaction; the channel opens after its confirmations.
    Result<ChannelIndex> open_channel(const ChannelOptions& options);

    // From an actor: mines `count` blocks, waiting `spacing` after each so nodes react.
    void mine_blocks(uint32_t count, sim::SimDuration spacing = sim::SimDuration::seconds(10));
    // From an actor: mines until every channel is open; false after `max_blocks`.
    bool mine_until_open(uint32_t max_blocks = 20,
                         sim::SimDuration spacing = sim::SimDuration::seconds(10));

    LightningNode& node(NodeIndex n);
    const LightningNode& node(NodeIndex n) const;
    bool is_virtual(NodeIndex n) const;
    size_t node_count() const { return aliases_.size(); }
    const std::string& alias(NodeIndex n) const;
    ChannelLedger& channel(ChannelIndex c);
    const ChannelLedger& channel(ChannelIndex c) const;
    size_t channel_count() const { return channels_.size(); }
    // The channel between two nodes (the first opened), if any.
    std::optional<ChannelIndex> channel_between(NodeIndex a, NodeIndex b) const;
    // The channel that opened with this short channel id, if any (an scid names the funding
    // outpoint, so at most one channel has it). Recorded by opened().
    std::optional<ChannelIndex> channel_with_scid(ShortChannelId scid) const;
    // Called when channel c has its scid (ChannelLedger::set_open).
    void opened(ChannelIndex c);
    // False only for a channel that is open with no HTLC in flight: nothing for a block to do.
    bool has_block_work(ChannelIndex c) const { return activity_.busy(c); }
    // False only when every channel of node n is open with no HTLC in flight.
    bool has_block_work_at(NodeIndex n) const { return activity_.node_busy(n); }
    ChainBackend& chain() { return *chain_; }
    const ChainBackend& chain() const { return *chain_; }
    sim::Simulation& sim() { return sim_; }
    const LightningNetworkConfig& config() const { return config_; }

    // Empty when every channel's accounting identity holds; otherwise the first violation.
    // Walks every channel; a periodic checker re-checks only touched channels (below).
    std::string check_conservation() const;

    // --- Touched channels, for checkers (see channel_changes.h) -------------------------------
    // A new reader; every channel that exists already counts as touched for it. Const because
    // watching changes nothing in the model (a checker holds the network const).
    size_t watch_channel_changes() const { return changes_.add_reader(channels_.size()); }
    // The channels touched since the reader's last call, each once, in first-touch order.
    void take_channel_changes(size_t reader, std::vector<ChannelIndex>* out) const {
        changes_.drain(reader, out);
    }
    // Confirmed on-chain value of a node (to_remote, swept HTLCs, delayed to_local), in sat.
    int64_t onchain_sat(NodeIndex n) const;

    // The public graph every node's view shares (see GraphView).
    SharedGraph& shared_graph() { return shared_; }
    const Graph& public_graph() const { return shared_.graph; }

    // --- Gossip (called by node actors) -------------------------------------------------------
    void announce_channel(ChannelIndex c);
    void announce_policy(ChannelIndex c, int side);
    void announce_close(ChannelIndex c);

private:
    struct GossipItem;
    void gossip(const ChannelLedger& ch, std::shared_ptr<const GossipItem> item);
    void apply_public(const GossipItem& item);
    static void apply(GraphView& view, const GossipItem& item);
    void apply(NodeIndex n, const GossipItem& item) { apply(node(n).graph(), item); }
    ChannelInfo info_of(const ChannelLedger& ch) const;

    sim::Simulation& sim_;
    LightningNetworkConfig config_;
    std::unique_ptr<ChainBackend> chain_;
    sim::Random gossip_rng_;
    SharedGraph shared_;
    std::vector<std::string> aliases_;
    std::vector<std::unique_ptr<LightningNode>> nodes_;  // null for virtual nodes
    std::vector<std::unique_ptr<ChannelLedger>> channels_;
    // Opened channels by scid value (see opened).
    ScidIndex by_scid_;
    mutable ChannelChanges changes_;
    ChannelActivity activity_;
};

// Instantiates a generated topology: one node per graph node, with profiles taken from
// `profiles` in turn, and one announced channel per graph channel with the generated capacity,
// balance split and policies. Returns the node indices in topology order.
Result<std::vector<NodeIndex>> build_from_topology(LightningNetwork& network,
                                                   const Topology& topology,
                                                   const std::vector<std::string>& profiles);

}  // namespace actors::lightning
