// Message delivery, link faults, partitions and pauses.
#include "sim/network.h"

#include "sim/assert.h"

namespace sim {

namespace {

// links_'s key of the from -> to link.
uint64_t link_key(NodeId from, NodeId to) {
    return (static_cast<uint64_t>(from.value) << 32) | to.value;
}

}  // namespace

Network::Network(Scheduler& sched, Random rng) : sched_(sched), rng_(std::move(rng)) {}

NodeId Network::add_node(std::string name, std::size_t inbox_capacity) {
    NodeId id(static_cast<uint32_t>(nodes_.size()));
    Node n;
    n.inbox = std::make_unique<Channel<Envelope>>(name + ".inbox", inbox_capacity);
    by_name_.emplace(name, id);
    n.name = std::move(name);
    n.name_word = bytes_word(n.name);
    nodes_.push_back(std::move(n));
    return id;
}

const std::string& Network::node_name(NodeId id) const {
    SIM_ASSERT(id.valid() && id.value < nodes_.size());
    return nodes_[id.value].name;
}

std::optional<NodeId> Network::find_node(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? std::nullopt : std::optional<NodeId>(it->second);
}

Channel<Envelope>& Network::inbox(NodeId id) {
    SIM_ASSERT(id.valid() && id.value < nodes_.size());
    return *nodes_[id.value].inbox;
}

Network::Link& Network::link(NodeId from, NodeId to) {
    const uint64_t key = link_key(from, to);
    auto it = links_.find(key);
    if (it == links_.end()) {
        Link l;
        l.config = default_link_;
        l.rng = rng_.fork("link", key);
        it = links_.emplace(key, std::move(l)).first;
    }
    return it->second;
}

Network::Link& Network::link(NodeId from, NodeId to, LinkCache* cache) {
    if (cache == nullptr) {
        return link(from, to);
    }
    if (cache->link_ == nullptr) {
        cache->link_ = &link(from, to);
        cache->from_ = from;
        cache->to_ = to;
    }
    SIM_ASSERT_MSG(cache->from_ == from && cache->to_ == to,
                   "a LinkCache serves one (from, to) pair");
    return *cache->link_;
}

void Network::set_link(NodeId from, NodeId to, const LinkConfig& config) {
    SIM_ASSERT(config.latency_min <= config.latency_max);
    link(from, to).config = config;
}

bool Network::can_reach(NodeId from, NodeId to) const {
    return cut_.find(std::make_pair(from.value, to.value)) == cut_.end();
}

SimDuration Network::latency_floor(NodeId from, NodeId to) const {
    SIM_ASSERT(from.valid() && from.value < nodes_.size());
    SIM_ASSERT(to.valid() && to.value < nodes_.size());
    auto it = links_.find(link_key(from, to));
    return it == links_.end() ? default_link_.latency_min : it->second.config.latency_min;
}

bool Network::node_up(NodeId node) const {
    SIM_ASSERT(node.valid() && node.value < nodes_.size());
    return nodes_[node.value].up;
}

void Network::set_node_up(NodeId node, bool up) {
    SIM_ASSERT(node.valid() && node.value < nodes_.size());
    const bool was_up = nodes_[node.value].up;
    nodes_[node.value].up = up;
    sched_.trace("node_up").field("node", nodes_[node.value].name).field("up", up);
    if (was_up && !up) {
        close_watchers(node);
    }
}

void Network::watch_node(NodeId watcher, NodeId node) {
    SIM_ASSERT(watcher.valid() && watcher.value < nodes_.size());
    SIM_ASSERT(node.valid() && node.value < nodes_.size());
    watchers_[node.value].insert(watcher.value);
}

// Every message's first step, whatever happens to it next: its id, the sent count and the
// net_send trace line. Forced inline: as a call it cost the standard scenario 0.6 % more
// instructions (callgrind, bench_model --seeds=1), send_erased being the hottest network path.
[[gnu::always_inline]] inline Envelope Network::stamp(NodeId from, NodeId to, TraceName kind,
                                                     std::shared_ptr<const void>&& body,
                                                     const void* type) {
    Envelope env{from, to, next_message_id_++, sched_.now(), std::string(kind.text()),
                 std::move(body), type};
    ++stats_.sent;
    sched_.trace("net_send", TraceLevel::debug)
        .field("msg", env.id)
        .field_with_word("kind", env.kind, kind.word())
        .field_with_word("to", nodes_[to.value].name, nodes_[to.value].name_word);
    return env;
}

// A paused link keeps the message until it resumes; otherwise it goes on the wire now.
[[gnu::always_inline]] inline void Network::hold_or_launch(Link& l, Envelope&& env) {
    if (l.paused) {
        l.held.push_back(std::move(env));
        return;
    }
    launch(l, std::move(env));
}

// The close travels as a message on node -> watcher, so it keeps the link's order and latency;
// unlike send_erased it skips the random drop and the queue bound (the kernel sends it).
void Network::close_watchers(NodeId node) {
    auto it = watchers_.find(node.value);
    if (it == watchers_.end()) {
        return;
    }
    const TraceName kind("node_down");
    for (uint32_t w : it->second) {
        const NodeId to(w);
        Envelope env = stamp(node, to, kind,
                             std::make_shared<const NodeDown>(NodeDown{node, sched_.now()}),
                             message_type_tag<NodeDown>());
        if (!can_reach(node, to)) {
            drop(env.id, "partitioned");
            continue;
        }
        hold_or_launch(link(node, to), std::move(env));
    }
}

bool Network::send_erased(NodeId from, NodeId to, TraceName kind,
                          std::shared_ptr<const void> body, const void* type, LinkCache* cache) {
    SIM_ASSERT(from.valid() && from.value < nodes_.size());
    SIM_ASSERT(to.valid() && to.value < nodes_.size());
    Envelope env = stamp(from, to, kind, std::move(body), type);
    if (!can_reach(from, to)) {
        drop(env.id, "partitioned");
        return false;
    }
    Link& l = link(from, to, cache);
    if (l.in_flight >= l.config.queue_capacity) {
        drop(env.id, "link_queue_full");
        return false;
    }
    if (l.rng.chance(l.config.drop)) {
        drop(env.id, "link_drop");
        return true;  // the sender cannot tell a lost packet from a delivered one
    }
    hold_or_launch(l, std::move(env));
    return true;
}

void Network::launch(Link& l, Envelope&& env) {
    bool duplicate = l.rng.chance(l.config.duplicate);
    SimDuration latency = l.rng.duration(l.config.latency_min, l.config.latency_max);
    if (duplicate) {
        ++stats_.duplicated;
        SimDuration second = l.rng.duration(l.config.latency_min, l.config.latency_max);
        Envelope copy = env;
        schedule_delivery(l, std::move(copy), second);
    }
    schedule_delivery(l, std::move(env), latency);
}

void Network::schedule_delivery(Link& l, Envelope&& env, SimDuration latency) {
    SimTime at = sched_.now() + latency;
    // Links are FIFO like a TCP stream unless this message is picked to be reordered.
    bool reorder = l.rng.chance(l.config.reorder);
    if (!reorder && at < l.last_delivery) {
        at = l.last_delivery;
    }
    if (!reorder) {
        l.last_delivery = at;
    }
    ++l.in_flight;
    uint32_t slot = park(std::move(env), &l);
    sched_.schedule_at(at, [this, slot] { deliver(slot); });
}

uint32_t Network::park(Envelope&& env, Link* link) {
    uint32_t slot = 0;
    if (free_head_ != UINT32_MAX) {
        slot = free_head_;
        free_head_ = in_flight_[slot].next_free;
    } else {
        in_flight_.emplace_back();
        slot = static_cast<uint32_t>(in_flight_.size() - 1);
    }
    in_flight_[slot].env = std::move(env);
    in_flight_[slot].link = link;
    in_flight_[slot].live = true;
    return slot;
}

void Network::deliver(uint32_t slot) {
    InFlight& f = in_flight_[slot];
    SIM_ASSERT(f.live);
    // The move leaves f.env's body empty (a moved-from shared_ptr is null), so the slot holds
    // no message body; park() move-assigns every field before the slot is read again.
    Envelope env = std::move(f.env);
    Link& l = *f.link;
    f.live = false;
    f.link = nullptr;
    f.next_free = free_head_;
    free_head_ = slot;
    SIM_ASSERT(l.in_flight > 0);
    --l.in_flight;
    if (!can_reach(env.from, env.to)) {
        drop(env.id, "partitioned_in_flight");
        return;
    }
    Node& dst = nodes_[env.to.value];
    if (!dst.up) {
        drop(env.id, "node_down");
        return;
    }
    uint64_t id = env.id;
    if (!dst.inbox->try_send(std::move(env))) {
        drop(id, "inbox_full");
        return;
    }
    ++stats_.delivered;
    sched_.trace("net_deliver", TraceLevel::debug)
        .field("msg", id)
        .field_with_word("to", dst.name, dst.name_word);
}

void Network::drop(uint64_t message_id, std::string_view reason) {
    ++stats_.dropped;
    sched_.trace("net_drop", TraceLevel::debug).field("msg", message_id).field("reason", reason);
}

uint32_t Network::partition(const std::vector<NodeId>& side_a, const std::vector<NodeId>& side_b,
                            PartitionKind kind, std::optional<SimDuration> heal_after) {
    uint32_t id = next_partition_++;
    std::vector<std::pair<uint32_t, uint32_t>>& pairs = partitions_[id];
    for (NodeId a : side_a) {
        for (NodeId b : side_b) {
            pairs.emplace_back(a.value, b.value);
            if (kind == PartitionKind::symmetric) {
                pairs.emplace_back(b.value, a.value);
            }
        }
    }
    for (const auto& p : pairs) {
        ++cut_[p];
    }
    sched_.trace("partition")
        .field("id", id)
        .field("pairs", static_cast<uint64_t>(pairs.size()))
        .field("one_way", kind == PartitionKind::one_way);
    if (heal_after) {
        sched_.schedule_after(*heal_after, [this, id] { heal(id); });
    }
    return id;
}

void Network::heal(uint32_t partition_id) {
    auto it = partitions_.find(partition_id);
    if (it == partitions_.end()) {
        return;  // already healed
    }
    for (const auto& p : it->second) {
        auto c = cut_.find(p);
        SIM_ASSERT(c != cut_.end() && c->second > 0);
        if (--c->second == 0) {
            cut_.erase(c);
        }
    }
    partitions_.erase(it);
    sched_.trace("heal").field("id", partition_id);
}

void Network::heal_all() {
    while (!partitions_.empty()) {
        heal(partitions_.begin()->first);
    }
}

void Network::pause_link(NodeId from, NodeId to) {
    link(from, to).paused = true;
    sched_.trace("link_pause").field("from", node_name(from)).field("to", node_name(to));
}

void Network::resume_link(NodeId from, NodeId to) {
    Link& l = link(from, to);
    if (!l.paused) {
        return;
    }
    l.paused = false;
    sched_.trace("link_resume").field("from", node_name(from)).field("to", node_name(to));
    std::vector<Envelope> held;
    held.swap(l.held);
    for (Envelope& env : held) {
        launch(l, std::move(env));
    }
}

}  // namespace sim
