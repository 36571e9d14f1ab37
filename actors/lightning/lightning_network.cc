// Network builder, channel funding, gossip and the conservation checker (see
// lightning_network.h).
#include "actors/lightning/lightning_network.h"

#include <algorithm>

#include "sim/assert.h"
#include "sim/this_actor.h"

namespace actors::lightning {

namespace {

// The chain's blocks are stamped on the run's clock epoch (see ChainBackendConfig).
ChainBackendConfig chain_config(sim::Simulation& sim, ChainBackendConfig config) {
    config.epoch_unix_s = sim.clocks().epoch_unix_s();
    return config;
}

}  // namespace

struct LightningNetwork::GossipItem {
    enum class Kind : uint8_t { announce, update, remove };
    Kind kind = Kind::announce;
    ChannelInfo info;
    NodeIndex from = k_no_node;
    ChannelPolicy policy;
};

LightningNetwork::LightningNetwork(sim::Simulation& sim, LightningNetworkConfig config)
    : sim_(sim),
      config_(config),
      chain_(std::make_unique<ChainBackend>(sim.scheduler(), chain_config(sim, config.chain))),
      gossip_rng_(sim.random("lightning.gossip")) {
    SIM_ASSERT(config_.gossip_delay_min <= config_.gossip_delay_max);
    SIM_ASSERT(config_.reserve_permille < 1000);
}

LightningNetwork::~LightningNetwork() = default;

Result<NodeIndex> LightningNetwork::add_node(const NodeOptions& options) {
    Result<Profile> base = profile_by_name(options.profile);
    if (!base.ok()) {
        return Result<NodeIndex>::failure("node '" + options.alias + "': " + base.error());
    }
    Result<Profile> profile = apply_overrides(base.value(), options.overrides);
    if (!profile.ok()) {
        return Result<NodeIndex>::failure("node '" + options.alias + "': " + profile.error());
    }
    if (options.alias.empty() || sim_.network().find_node(options.alias).has_value()) {
        return Result<NodeIndex>::failure("node alias '" + options.alias +
                                          "' is empty or already taken");
    }
    const auto index = static_cast<NodeIndex>(aliases_.size());
    sim::NodeId net_id = sim_.network().add_node(options.alias);
    ViewId view = chain_->add_view(options.alias, options.chain_lag.value_or(config_.chain_lag));
    shared_.graph.add_node(options.alias);
    auto node = std::make_unique<LightningNode>(*this, index, options.alias, profile.value(),
                                                net_id, view);
    // A node joins knowing no channel: gossip sent before it existed never reached it.
    for (const auto& [scid, info] : shared_.graph.channels()) {
        node->graph().set_entry(scid, std::nullopt);
    }
    aliases_.push_back(options.alias);
    nodes_.push_back(std::move(node));
    nodes_.back()->start();
    return Result<NodeIndex>::success(index);
}

NodeIndex LightningNetwork::add_virtual_node(std::string alias) {
    const auto index = static_cast<NodeIndex>(aliases_.size());
    shared_.graph.add_node(alias);
    aliases_.push_back(std::move(alias));
    nodes_.push_back(nullptr);
    return index;
}

namespace {

// A side's channel_update: the given policy, or the profile's; the htlc_maximum_msat is the
// implementation's announced one (`announced_max`) unless a given policy keeps its own.
ChannelPolicy side_policy(const Profile& p, const std::optional<ChannelPolicy>& given,
                          uint64_t announced_max, bool default_max) {
    if (!given.has_value()) {
        return default_channel_policy(p, announced_max);
    }
    ChannelPolicy policy = *given;
    if (default_max) {
        policy.htlc_maximum_msat = announced_max;
    }
    return policy;
}

}  // namespace

Result<ChannelIndex> LightningNetwork::open_channel(const ChannelOptions& o) {
    auto fail = [](std::string m) { return Result<ChannelIndex>::failure(std::move(m)); };
    if (o.funder >= node_count() || o.peer >= node_count() || o.funder == o.peer ||
        is_virtual(o.funder) || is_virtual(o.peer)) {
        return fail("channel: funder and peer must be two distinct real nodes");
    }
    const uint64_t capacity_msat = o.capacity_sat * 1000;
    if (o.capacity_sat == 0 || o.push_msat > capacity_msat) {
        return fail("channel: capacity must be > 0 and push_msat <= capacity");
    }
    // The faucet funds every channel; a capacity it cannot pay (above regtest's whole supply,
    // say) is refused here instead of aborting in ChainBackend::fund.
    const auto faucet_sat = static_cast<uint64_t>(chain_->faucet_balance());
    if (o.capacity_sat > faucet_sat) {
        return fail("channel: capacity_sat " + std::to_string(o.capacity_sat) +
                    " is more than the faucet holds (" + std::to_string(faucet_sat) + " sat)");
    }
    Result<Profile> fp = apply_overrides(node(o.funder).profile(), o.funder_overrides);
    Result<Profile> pp = apply_overrides(node(o.peer).profile(), o.peer_overrides);
    if (!fp.ok() || !pp.ok()) {
        return fail("channel overrides: " + (fp.ok() ? pp.error() : fp.error()));
    }
    std::array<ChannelSide, 2> sides;
    const NodeIndex ends[2] = {o.funder, o.peer};
    const Profile* profiles[2] = {&fp.value(), &pp.value()};
    const std::optional<ChannelPolicy>* policies[2] = {&o.funder_policy, &o.peer_policy};
    for (size_t s = 0; s < 2; ++s) {
        sides[s].node = ends[s];
        sides[s].net = node(ends[s]).net_id();
        sides[s].key = alias(ends[s]);
        sides[s].profile = *profiles[s];
        // BOLT 2: each side's reserve and in-flight limit are set by the other side's
        // open_channel / accept_channel, i.e. by that side's implementation.
        sides[s].reserve_msat =
            required_reserve_msat(*profiles[1 - s], o.capacity_sat, config_.reserve_permille);
        sides[s].max_in_flight_msat =
            max_htlc_value_in_flight_msat(*profiles[s], o.capacity_sat, o.announce);
    }
    for (size_t s = 0; s < 2; ++s) {
        // BOLT 7: what a side announces for its own direction is bounded by the in-flight
        // limit the other side set on it.
        const uint64_t announced_max =
            announced_htlc_maximum_msat(*profiles[s], o.capacity_sat, sides[s].reserve_msat,
                                        sides[1 - s].max_in_flight_msat);
        sides[s].policy =
            side_policy(*profiles[s], *policies[s], announced_max, o.default_htlc_maximum);
    }
    sides[0].balance_msat = capacity_msat - o.push_msat;
    sides[1].balance_msat = o.push_msat;
    const auto index = static_cast<ChannelIndex>(channels_.size());
    auto ledger = std::make_unique<ChannelLedger>(index, o.capacity_sat, sides);
    ledger->report_changes_to(&changes_);
    ledger->report_activity_to(&activity_);
    ledger->announce = o.announce;
    // BOLT 2: the fundee sets `minimum_depth` in accept_channel and both sides wait for it;
    // the funder's own setting plays no part (LND SetNumConfsRequired(msg.MinAcceptDepth)).
    ledger->required_confirmations =
        o.confirmations.value_or(pp.value().funding_confirmations);
    chain::PayToMultisig lock{{sides[0].key, sides[1].key}, 2};
    chain::Txid txid = chain_->fund({chain::TxOut{static_cast<chain::Amount>(o.capacity_sat),
                                                  lock}},
                                    "funding:" + std::to_string(index));
    ledger->funding = chain::OutPoint{txid, 0};
    sim_.scheduler()
        .trace("ln_channel_funding")
        .field("channel", static_cast<int64_t>(index))
        .field("funder", sides[0].key)
        .field("peer", sides[1].key)
        .field("capacity_sat", o.capacity_sat)
        .field("push_msat", o.push_msat);
    channels_.push_back(std::move(ledger));
    node(o.funder).attach_channel(index);
    node(o.peer).attach_channel(index);
    return Result<ChannelIndex>::success(index);
}

void LightningNetwork::mine_blocks(uint32_t count, sim::SimDuration spacing) {
    for (uint32_t i = 0; i < count; ++i) {
        chain_->mine(1);
        sim::this_actor::sleep_for(spacing);
    }
}

bool LightningNetwork::mine_until_open(uint32_t max_blocks, sim::SimDuration spacing) {
    for (uint32_t i = 0; i <= max_blocks; ++i) {
        bool all_open = std::all_of(channels_.begin(), channels_.end(), [](const auto& c) {
            return c->status() != ChannelStatus::opening;
        });
        if (all_open) {
            return true;
        }
        if (i < max_blocks) {
            mine_blocks(1, spacing);
        }
    }
    return false;
}

LightningNode& LightningNetwork::node(NodeIndex n) {
    SIM_ASSERT(n < nodes_.size());
    SIM_ASSERT_MSG(nodes_[n] != nullptr, "node " + std::to_string(n) + " is virtual");
    return *nodes_[n];
}

const LightningNode& LightningNetwork::node(NodeIndex n) const {
    SIM_ASSERT(n < nodes_.size());
    SIM_ASSERT(nodes_[n] != nullptr);
    return *nodes_[n];
}

bool LightningNetwork::is_virtual(NodeIndex n) const {
    SIM_ASSERT(n < nodes_.size());
    return nodes_[n] == nullptr;
}

const std::string& LightningNetwork::alias(NodeIndex n) const {
    SIM_ASSERT(n < aliases_.size());
    return aliases_[n];
}

ChannelLedger& LightningNetwork::channel(ChannelIndex c) {
    SIM_ASSERT(c < channels_.size());
    return *channels_[c];
}

const ChannelLedger& LightningNetwork::channel(ChannelIndex c) const {
    SIM_ASSERT(c < channels_.size());
    return *channels_[c];
}

std::optional<ChannelIndex> LightningNetwork::channel_between(NodeIndex a, NodeIndex b) const {
    for (const auto& c : channels_) {
        if (c->side_of(a) >= 0 && c->side_of(b) >= 0) {
            return c->index();
        }
    }
    return std::nullopt;
}

std::string LightningNetwork::check_conservation() const {
    for (const auto& c : channels_) {
        std::string v = c->check_conservation();
        if (!v.empty()) {
            return v;
        }
    }
    return "";
}

int64_t LightningNetwork::onchain_sat(NodeIndex n) const { return chain_->owned_value(alias(n)); }

// --- Gossip ------------------------------------------------------------------------------------

ChannelInfo LightningNetwork::info_of(const ChannelLedger& ch) const {
    const int low = ch.side(0).node < ch.side(1).node ? 0 : 1;
    ChannelInfo info;
    info.scid = ch.scid();
    info.node1 = ch.side(low).node;
    info.node2 = ch.side(1 - low).node;
    info.capacity_msat = ch.capacity_msat();
    info.policy_1to2 = ch.side(low).policy;
    info.policy_2to1 = ch.side(1 - low).policy;
    return info;
}

std::optional<ChannelIndex> LightningNetwork::channel_with_scid(ShortChannelId scid) const {
    return by_scid_.find(scid.value);
}

void LightningNetwork::opened(ChannelIndex c) {
    const ChannelLedger& ch = channel(c);
    SIM_ASSERT(ch.status() != ChannelStatus::opening);
    const bool added = by_scid_.insert(ch.scid().value, c);
    SIM_ASSERT_MSG(added, "two channels with scid " + ch.scid().to_string());
}

void LightningNetwork::announce_channel(ChannelIndex c) {
    auto item = std::make_shared<GossipItem>();
    item->kind = GossipItem::Kind::announce;
    item->info = info_of(channel(c));
    gossip(channel(c), std::move(item));
}

void LightningNetwork::announce_policy(ChannelIndex c, int side) {
    const ChannelLedger& ch = channel(c);
    if (ch.status() != ChannelStatus::open) {
        return;  // not in any graph yet; the announcement will carry the new policy
    }
    auto item = std::make_shared<GossipItem>();
    item->kind = GossipItem::Kind::update;
    item->info = info_of(ch);
    item->from = ch.side(side).node;
    item->policy = ch.side(side).policy;
    gossip(ch, std::move(item));
}

void LightningNetwork::announce_close(ChannelIndex c) {
    auto item = std::make_shared<GossipItem>();
    item->kind = GossipItem::Kind::remove;
    item->info = info_of(channel(c));
    gossip(channel(c), std::move(item));
}

// Every gossip item is idempotent (add if absent, set one policy, remove), so a view that
// agrees with the public graph and receives the item now agrees with the updated public graph:
// only the item's endpoints, the views that differ on this channel and the views that receive
// it later need any work.
void LightningNetwork::gossip(const ChannelLedger& ch, std::shared_ptr<const GossipItem> item) {
    sim_.scheduler()
        .trace("ln_gossip")
        .field("scid", ch.scid().to_string())
        .field("kind", static_cast<int64_t>(item->kind));
    const ShortChannelId scid = item->info.scid;
    std::optional<ChannelInfo> before;  // the public entry the late receivers still hold
    if (ch.announce) {
        const ChannelInfo* c = shared_.graph.channel(scid);
        before = c == nullptr ? std::nullopt : std::optional<ChannelInfo>(*c);
        apply_public(*item);
    }
    if (!ch.announce || config_.gossip == GossipMode::instant) {
        // Copied first: applying the item to a view can change the divergence index.
        std::vector<NodeIndex> now;
        if (ch.announce) {
            auto d = shared_.diverged.find(scid);
            if (d != shared_.diverged.end()) {
                now.assign(d->second.begin(), d->second.end());
            }
        }
        for (int s = 0; s < 2; ++s) {
            now.push_back(ch.side(s).node);
        }
        for (NodeIndex n : now) {
            apply(n, *item);
        }
        return;
    }
    for (NodeIndex n = 0; n < nodes_.size(); ++n) {
        if (nodes_[n] == nullptr) {
            continue;
        }
        GraphView& view = nodes_[n]->graph();
        if (ch.side_of(n) >= 0) {
            apply(view, *item);
            continue;
        }
        // Not received yet: the view keeps what it knew before the public graph changed.
        view.set_entry(scid, view.diverges(scid) ? view.entry(scid) : before);
        sim::SimDuration delay =
            gossip_rng_.duration(config_.gossip_delay_min, config_.gossip_delay_max);
        sim_.scheduler().schedule_after(delay, [this, n, item] { apply(n, *item); });
    }
}

void LightningNetwork::apply_public(const GossipItem& item) {
    Graph& g = shared_.graph;
    switch (item.kind) {
        case GossipItem::Kind::announce:
            (void)g.add_channel(item.info);
            break;
        case GossipItem::Kind::update:
            (void)g.update_policy(item.info.scid, item.from, item.policy);
            break;
        case GossipItem::Kind::remove:
            (void)g.remove_channel(item.info.scid);
            break;
    }
}

void LightningNetwork::apply(GraphView& g, const GossipItem& item) {
    switch (item.kind) {
        case GossipItem::Kind::announce:
            // A duplicate (re-announcement) is ignored, as gossip does.
            g.add_channel(item.info);
            break;
        case GossipItem::Kind::update:
            (void)g.update_policy(item.info.scid, item.from, item.policy);
            break;
        case GossipItem::Kind::remove:
            (void)g.remove_channel(item.info.scid);
            break;
    }
}

// --- Topologies ------------------------------------------------------------------------------

Result<std::vector<NodeIndex>> build_from_topology(LightningNetwork& network,
                                                   const Topology& topology,
                                                   const std::vector<std::string>& profiles) {
    using R = Result<std::vector<NodeIndex>>;
    if (profiles.empty()) {
        return R::failure("build_from_topology: no profiles given");
    }
    std::vector<NodeIndex> ids;
    for (NodeIndex i = 0; i < topology.graph.node_count(); ++i) {
        const std::string& profile = profiles[i % profiles.size()];
        Result<NodeIndex> n =
            network.add_node(NodeOptions{.alias = topology.graph.alias(i), .profile = profile});
        if (!n.ok()) {
            return R::failure(n.error());
        }
        ids.push_back(n.value());
    }
    for (const auto& [scid, info] : topology.graph.channels()) {
        auto it = topology.node1_balance_msat.find(scid);
        SIM_ASSERT(it != topology.node1_balance_msat.end());
        ChannelOptions o{.funder = ids[info.node1],
                         .peer = ids[info.node2],
                         .capacity_sat = info.capacity_msat / 1000,
                         .push_msat = info.capacity_msat - it->second,
                         .funder_policy = info.policy_1to2,
                         .peer_policy = info.policy_2to1,
                         .default_htlc_maximum = true};
        Result<ChannelIndex> c = network.open_channel(o);
        if (!c.ok()) {
            return R::failure(c.error());
        }
    }
    return R::success(std::move(ids));
}

}  // namespace actors::lightning
