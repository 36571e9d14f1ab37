// Network: the virtual network between nodes. No ports, no sockets: messages are values.
//
// Nodes are addressed by NodeId; each has an inbox Channel. A message sent on a link is
// delivered after a latency drawn from the link's seeded stream, unless a fault intervenes:
// drop, duplicate, reorder (escape the link's FIFO order), a partition (symmetric or one-way,
// with an optional scheduled heal), a paused ("clogged") link that holds messages until it is
// resumed, a full link queue or inbox, or a destination node that is down. Every decision is
// traced and drawn from the seed. Messages already in flight when a partition starts are lost
// (a cut cable), not delivered late. A node that goes down closes its peers' connections: the
// nodes that watch it (watch_node) get a NodeDown from it, as a socket's close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/channel.h"
#include "sim/ids.h"
#include "sim/random.h"
#include "sim/scheduler.h"

namespace sim {

struct LinkConfig {
    SimDuration latency_min = SimDuration::millis(1);
    SimDuration latency_max = SimDuration::millis(1);
    Ratio drop = Ratio::never();
    Ratio duplicate = Ratio::never();
    Ratio reorder = Ratio::never();
    std::size_t queue_capacity = SIZE_MAX;  // messages in flight on this directed link
};

template <typename T>
const void* message_type_tag() {
    static const char tag = 0;
    return &tag;
}

struct Envelope {
    NodeId from;
    NodeId to;
    uint64_t id = 0;
    SimTime sent_at;
    std::string kind;
    std::shared_ptr<const void> body;
    const void* type = nullptr;

    template <typename T>
    const T* as() const {
        return type == message_type_tag<T>() ? static_cast<const T*>(body.get()) : nullptr;
    }
    template <typename T>
    bool is() const {
        return type == message_type_tag<T>();
    }
};

// A watched node went down at `at`: the close of the watcher's connections to it (the OS sends
// FIN/RST for a dead process's sockets). Arrives in the watcher's inbox from `node`.
struct NodeDown {
    NodeId node;
    SimTime at;
};

enum class PartitionKind : uint8_t { symmetric, one_way };

struct NetworkStats {
    uint64_t sent = 0;
    uint64_t delivered = 0;
    uint64_t dropped = 0;
    uint64_t duplicated = 0;
};

class Network {
    struct Link;

public:
    // Where a caller that sends many messages from one node to another (a Lightning channel's
    // two peers) keeps the directed link once a send has found it: later sends through the
    // same cache skip the lookup among all the network's links (one per message, a cache miss
    // among ~100,000 links at 10,000 nodes). The link is found, and made on first use, exactly
    // as without a cache; a cache holds one (from, to) pair for the Network that filled it.
    class LinkCache {
    public:
        LinkCache() = default;

    private:
        friend class Network;
        Link* link_ = nullptr;
        NodeId from_;
        NodeId to_;
    };

    Network(Scheduler& sched, Random rng);
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    NodeId add_node(std::string name, std::size_t inbox_capacity = SIZE_MAX);
    std::size_t node_count() const { return nodes_.size(); }
    const std::string& node_name(NodeId id) const;
    std::optional<NodeId> find_node(std::string_view name) const;
    Channel<Envelope>& inbox(NodeId id);

    void set_default_link(const LinkConfig& config) { default_link_ = config; }
    // Directed: from -> to.
    void set_link(NodeId from, NodeId to, const LinkConfig& config);

    // `kind` names the message in the trace (a literal's trace word is a compile-time
    // constant: see TraceName).
    template <typename T>
    bool send(NodeId from, NodeId to, TraceName kind, T message) {
        auto body = std::make_shared<const T>(std::move(message));
        return send_erased(from, to, kind, std::move(body), message_type_tag<T>(), nullptr);
    }
    // The same, finding the link through `cache` (see LinkCache).
    template <typename T>
    bool send(NodeId from, NodeId to, TraceName kind, T message, LinkCache* cache) {
        auto body = std::make_shared<const T>(std::move(message));
        return send_erased(from, to, kind, std::move(body), message_type_tag<T>(), cache);
    }
    // The same, with a body already made: a broadcast can share one immutable body among all
    // its envelopes instead of copying the message per recipient.
    template <typename T>
    bool send_shared(NodeId from, NodeId to, TraceName kind, std::shared_ptr<const T> body) {
        return send_erased(from, to, kind, std::move(body), message_type_tag<T>(), nullptr);
    }

    // Blocks sends between the two sides; returns an id for heal(). With `heal_after`, heals
    // itself at now + heal_after.
    uint32_t partition(const std::vector<NodeId>& side_a, const std::vector<NodeId>& side_b,
                       PartitionKind kind, std::optional<SimDuration> heal_after = {});
    void heal(uint32_t partition_id);
    void heal_all();
    bool can_reach(NodeId from, NodeId to) const;
    // The least latency of from -> to (its config's latency_min, the default link's if none is
    // set), drawing nothing: for a round trip a model takes without sending a message. It reads
    // the link's current config and ignores a pause (pause_link) and a cut (can_reach).
    SimDuration latency_floor(NodeId from, NodeId to) const;

    // Holds messages on from -> to until resume_link; then releases them in order.
    void pause_link(NodeId from, NodeId to);
    void resume_link(NodeId from, NodeId to);

    // A down node drops everything addressed to it (crash); up again on restart.
    void set_node_up(NodeId node, bool up);
    bool node_up(NodeId node) const;
    // `watcher` holds connections to `node` (a client's sockets to a server process). When
    // `node` goes down, `watcher` gets a NodeDown envelope from it, sent on node -> watcher like
    // data: after what that link already carries, one link latency later, held by a pause. A
    // random link drop does not take it (the kernel, which outlives the process, retransmits the
    // FIN). [model] A cut stops it for good: upstream a FIN blocked by a short cut is
    // retransmitted and arrives after the heal; the network retransmits nothing across a cut
    // (docs/federation.md, Users). [model] It takes the link's random reorder and duplicate
    // draws like data (launch), so with those faults on it can overtake data in flight or arrive
    // twice; TCP order holds only on a link without them. Idempotent; watches last the run.
    void watch_node(NodeId watcher, NodeId node);

    const NetworkStats& stats() const { return stats_; }

private:
    struct Node {
        std::string name;
        uint64_t name_word = 0;  // bytes_word(name): every send and delivery traces the name
        bool up = true;
        std::unique_ptr<Channel<Envelope>> inbox;
    };
    struct Link {
        LinkConfig config;
        Random rng{0};
        SimTime last_delivery;
        std::size_t in_flight = 0;
        bool paused = false;
        std::vector<Envelope> held;
    };
    struct InFlight {
        Envelope env;
        Link* link = nullptr;  // links_ is node-based: the address is stable
        bool live = false;
        uint32_t next_free = UINT32_MAX;
    };

    bool send_erased(NodeId from, NodeId to, TraceName kind, std::shared_ptr<const void> body,
                     const void* type, LinkCache* cache);
    Envelope stamp(NodeId from, NodeId to, TraceName kind, std::shared_ptr<const void>&& body,
                   const void* type);
    Link& link(NodeId from, NodeId to);
    Link& link(NodeId from, NodeId to, LinkCache* cache);
    void hold_or_launch(Link& l, Envelope&& env);
    void launch(Link& l, Envelope&& env);
    void schedule_delivery(Link& l, Envelope&& env, SimDuration latency);
    void deliver(uint32_t slot);
    void drop(uint64_t message_id, std::string_view reason);
    uint32_t park(Envelope&& env, Link* link);
    void close_watchers(NodeId node);

    Scheduler& sched_;
    Random rng_;
    LinkConfig default_link_;
    std::vector<Node> nodes_;
    // First node of each name, for find_node (a 10,000-node world looked names up linearly).
    std::map<std::string, NodeId, std::less<>> by_name_;
    // Directed links by (from << 32 | to), created on first use. Hashed (a 10,000-node world
    // has ~100,000 links and looks one up per message); never iterated, so its order cannot
    // leak into a run, and its entries keep their addresses (InFlight points at them).
    std::unordered_map<uint64_t, Link> links_;
    // Directed pairs currently cut, with how many partitions cut them.
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> cut_;
    std::map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> partitions_;
    // Watched node -> its watchers, in node order (the order their NodeDowns are sent in). Off
    // the send and delivery paths: read only when a node goes down.
    std::map<uint32_t, std::set<uint32_t>> watchers_;
    uint32_t next_partition_ = 1;
    std::vector<InFlight> in_flight_;
    uint32_t free_head_ = UINT32_MAX;
    uint64_t next_message_id_ = 1;
    NetworkStats stats_;
};

}  // namespace sim
