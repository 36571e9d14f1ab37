// The registry of world kinds and the generic timeline actions every world accepts.
#include "scenario/world_registry.h"

#include "scenario/worlds/builtin_worlds.h"
#include "sim/assert.h"

namespace scenario {

WorldRegistry& WorldRegistry::instance() {
    static WorldRegistry* registry = [] {
        auto* r = new WorldRegistry();
        register_builtin_worlds(*r);
        return r;
    }();
    return *registry;
}

void WorldRegistry::register_world(WorldKind kind) {
    SIM_ASSERT(!kind.name.empty());
    SIM_ASSERT(kinds_.count(kind.name) == 0);
    SIM_ASSERT(kind.build != nullptr);
    std::string name = kind.name;
    kinds_.emplace(std::move(name), std::move(kind));
}

void WorldRegistry::add_catalog_entry(CatalogEntry entry) { catalog_.push_back(std::move(entry)); }

const WorldKind* WorldRegistry::find(const std::string& name) const {
    auto it = kinds_.find(name);
    return it == kinds_.end() ? nullptr : &it->second;
}

namespace {

FieldSpec node_arg(std::string name, std::string doc) {
    return {.name = std::move(name), .type = ValueType::text, .doc = std::move(doc),
            .required = true, .is_node = true};
}

}  // namespace

const std::vector<ActionSpec>& generic_actions() {
    static const std::vector<ActionSpec> actions = {
        {"partition",
         "cut the network between nodes a and b (b: every other node); messages in flight "
         "across the cut are lost",
         {{.name = "a", .type = ValueType::names, .doc = "one side", .required = true,
           .is_node = true},
          {.name = "b", .type = ValueType::names, .doc = "the other side (default: the rest)",
           .is_node = true},
          {.name = "one_way", .type = ValueType::boolean, .doc = "only a -> b is cut",
           .default_value = Value{.type = ValueType::boolean, .number = 0}},
          {.name = "heal_after", .type = ValueType::duration,
           .doc = "heal by itself after this long"}}},
        {"heal",
         "heal one partition (by its entry name) or, without \"partition\", all of them",
         {{.name = "partition", .type = ValueType::text, .doc = "the partition entry's name"}}},
        {"pause_link", "hold every message from -> to until resume_link",
         {node_arg("from", "sending node"), node_arg("to", "receiving node")}},
        {"resume_link", "release the held messages from -> to, in order",
         {node_arg("from", "sending node"), node_arg("to", "receiving node")}},
        {"crash",
         "kill a node's process on a live host: its kernel closes its connections and refuses "
         "new ones (a dead host is not modelled)",
         {node_arg("node", "the node")}},
        {"restart", "bring a crashed node back onto the network", {node_arg("node", "the node")}},
        {"freeze", "hold every message into and out of a node (a stalled process)",
         {node_arg("node", "the node")}},
        {"thaw", "release a frozen node's held messages", {node_arg("node", "the node")}},
        {"skew_clock", "set a node's wall-clock offset and drift",
         {node_arg("node", "the node"),
          {.name = "offset", .type = ValueType::duration, .doc = "how far off the clock is",
           .required = true},
          {.name = "behind", .type = ValueType::boolean, .doc = "the clock is slow, not fast",
           .default_value = Value{.type = ValueType::boolean, .number = 0}},
          {.name = "drift_ppm", .type = ValueType::integer, .doc = "drift, parts per million",
           .min = -1'000'000, .max = 1'000'000,
           .default_value = Value{.type = ValueType::integer, .number = 0}}}},
        {"stop", "end the run here (successfully, unless it already failed)", {}},
    };
    return actions;
}

}  // namespace scenario
