// docs/scenario.schema.json and docs/scenario-reference.md stay in sync with the parser and the
// registry: same keys in every object, same worlds, actions and outcomes.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "scenario/parser.h"
#include "tests/scenario/built_worlds.h"

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

nlohmann::json schema() {
    static const nlohmann::json s =
        nlohmann::json::parse(read_file(FEDSIM_SOURCE_DIR "/docs/scenario.schema.json"));
    return s;
}

std::set<std::string> keys_of(const nlohmann::json& properties) {
    std::set<std::string> out;
    for (const auto& [k, v] : properties.items()) {
        out.insert(k);
    }
    return out;
}

std::set<std::string> all_action_names() {
    std::set<std::string> out;
    for (const scenario::ActionSpec& a : scenario::generic_actions()) {
        out.insert(a.name);
    }
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        for (const scenario::ActionSpec& a : kind.actions) {
            out.insert(a.name);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("the schema has exactly the keys the parser accepts", "[scenario][schema]") {
    // Parser path -> JSON pointer of the matching "properties" object in the schema.
    const std::map<std::string, std::string> where = {
        {"", "/properties"},
        {"/topology", "/properties/topology/properties"},
        {"/topology/nodes/*", "/properties/topology/properties/nodes/items/properties"},
        {"/topology/links/*", "/properties/topology/properties/links/items/properties"},
        {"/params/*", "/definitions/paramRange/properties"},
        {"/faults", "/properties/faults/properties"},
        {"/faults/network", "/definitions/networkFaults/properties"},
        {"/faults/links/*", "/definitions/linkFaults/properties"},
        {"/faults/network/latency", "/definitions/latency/oneOf/1/properties"},
        {"/faults/fault_points", "/properties/faults/properties/fault_points/oneOf/1/properties"},
        {"/timeline/*", "/properties/timeline/items/properties"},
        {"/expect", "/properties/expect/properties"},
        {"/limits", "/properties/limits/properties"},
    };
    for (const auto& [path, keys] : scenario::known_keys()) {
        INFO("parser path \"" << path << "\"");
        REQUIRE(where.count(path) == 1);
        nlohmann::json props = schema().at(nlohmann::json::json_pointer(where.at(path)));
        CHECK(keys_of(props) == std::set<std::string>(keys.begin(), keys.end()));
    }
}

TEST_CASE("the schema's enums match the registry and the engine", "[scenario][schema]") {
    std::set<std::string> worlds;
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        worlds.insert(name);
    }
    // A build with model modules left out registers fewer worlds; the schema names them all.
    auto schema_worlds = schema()["properties"]["world"]["enum"].get<std::set<std::string>>();
    std::erase_if(schema_worlds, [](const std::string& w) { return test_worlds::left_out(w); });
    CHECK(schema_worlds == worlds);
    // The actions too; with a world left out the schema also names that world's actions, which
    // the registry cannot list, so then each registered action must be in the schema.
    const auto schema_actions = schema()["properties"]["timeline"]["items"]["properties"]
                                        ["action"]["enum"].get<std::set<std::string>>();
    if (test_worlds::some_left_out()) {
        for (const std::string& action : all_action_names()) {
            INFO(action);
            CHECK(schema_actions.count(action) == 1);
        }
    } else {
        CHECK(schema_actions == all_action_names());
    }
    const auto& outcomes = scenario::outcome_names();
    CHECK(schema()["definitions"]["outcome"]["enum"].get<std::set<std::string>>() ==
          std::set<std::string>(outcomes.begin(), outcomes.end()));
}

// tests/scenario/built_worlds.h answers "is this world built?" from the list CMake passes
// (FEDSIM_BUILT_WORLDS, from the FEDSIM_WORLDS property); a world registered but missing there
// would have its cases skipped without a word, so the list must be the registry's.
TEST_CASE("the build's world list is the registry's", "[scenario][schema]") {
    std::set<std::string> listed;
    std::stringstream in(FEDSIM_BUILT_WORLDS);
    for (std::string w; std::getline(in, w, ',');) {
        if (!w.empty()) {
            listed.insert(w);
        }
    }
    std::set<std::string> registered;
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        registered.insert(name);
    }
    CHECK(listed == registered);
}

TEST_CASE("the scenario reference documents every key, world and action",
          "[scenario][schema]") {
    std::string doc = read_file(FEDSIM_SOURCE_DIR "/docs/scenario-reference.md");
    REQUIRE_FALSE(doc.empty());
    std::set<std::string> words;
    for (const auto& [path, keys] : scenario::known_keys()) {
        words.insert(keys.begin(), keys.end());
    }
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        words.insert(name);
        for (const scenario::FieldSpec& p : kind.params) {
            words.insert(p.name);
        }
    }
    std::set<std::string> actions = all_action_names();
    words.insert(actions.begin(), actions.end());
    for (const std::string& w : words) {
        INFO("`" << w << "` is missing from docs/scenario-reference.md");
        CHECK(doc.find("`" + w + "`") != std::string::npos);
    }
}

// What a file can write inside a world's sections, and what its expectations can name: every
// role and its props, link kind and prop, generator and its arguments, action argument,
// event, checker, metric and fault point. Before, only the keys, worlds, params and actions
// above were held to the page, and a user reading it alone could not find e.g. the gateway
// world's `guardian` argument or the shutdown world's metrics.
TEST_CASE("the scenario reference documents what each world declares", "[scenario][schema]") {
    std::string doc = read_file(FEDSIM_SOURCE_DIR "/docs/scenario-reference.md");
    REQUIRE_FALSE(doc.empty());
    std::map<std::string, std::string> words;  // word -> where it is declared
    auto add = [&words](const std::string& w, const std::string& where) { words[w] = where; };
    auto add_fields = [&add](const std::vector<scenario::FieldSpec>& fields,
                             const std::string& where) {
        for (const scenario::FieldSpec& f : fields) {
            add(f.name, where);
        }
    };
    for (const scenario::ActionSpec& a : scenario::generic_actions()) {
        add_fields(a.args, "generic action " + a.name);
    }
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        const std::string w = "world " + name + ": ";
        for (const scenario::RoleSpec& r : kind.roles) {
            add(r.name, w + "role");
            add_fields(r.props, w + "props of role " + r.name);
        }
        for (const std::string& k : kind.link_kinds) {
            add(k, w + "link kind");
        }
        add_fields(kind.link_props, w + "link props");
        for (const scenario::ActionSpec& g : kind.generators) {
            add(g.name, w + "generator");
            add_fields(g.args, w + "generator " + g.name);
        }
        for (const scenario::ActionSpec& a : kind.actions) {
            add_fields(a.args, w + "action " + a.name);
        }
        for (const auto* list : {&kind.events, &kind.checkers, &kind.metrics, &kind.fault_points}) {
            for (const scenario::NamedDoc& d : *list) {
                add(d.name, w + "event, checker, metric or fault point");
            }
        }
    }
    for (const auto& [word, where] : words) {
        INFO("`" << word << "` (" << where << ") is missing from docs/scenario-reference.md");
        CHECK(doc.find("`" + word + "`") != std::string::npos);
    }
}
