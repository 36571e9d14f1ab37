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

// The text of one world's section of the reference: from its "### `name`" heading to the next
// "##" or "###" heading (or the end).
std::string world_section(const std::string& doc, const std::string& world) {
    const std::string heading = "\n### `" + world + "`\n";
    size_t begin = doc.find(heading);
    if (begin == std::string::npos) {
        return "";
    }
    size_t end = doc.find("\n##", begin + heading.size());
    return doc.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// What a file can write inside a world's sections, and what its expectations can name: every
// role and its props, link kind and prop, generator and its arguments, action argument,
// event, checker, metric and fault point, and each closed set's values. Before, only the keys, worlds, params and actions
// above were held to the page, and a user reading it alone could not find e.g. the gateway
// world's `guardian` argument or the shutdown world's metrics.
//
// A world's names are looked for in that world's own section: a name found anywhere on the
// page passed before, so the federation world's `rpc_down` argument `down` counted as
// documented because the chain world's section names it. The generic actions' arguments are
// the page's (the timeline section). A section that refers to another world for part of its
// declaration is allowed that world's section for that part only (kAlsoIn).
TEST_CASE("the scenario reference documents what each world declares", "[scenario][schema]") {
    std::string doc = read_file(FEDSIM_SOURCE_DIR "/docs/scenario-reference.md");
    REQUIRE_FALSE(doc.empty());
    // The gateway section lays its generators "as in the `lightning` world", whose section
    // documents their arguments (capacity_sat_min, share_percent_max, ...).
    struct AlsoIn {
        std::string world;
        std::string other;
    };
    const std::vector<AlsoIn> k_generator_args_also_in = {{"gateway", "lightning"}};
    struct Word {
        std::string word;
        std::string where;  // what declares it
        std::string text;   // where it must be documented
        std::string text_name;
    };
    std::vector<Word> words;
    for (const scenario::ActionSpec& a : scenario::generic_actions()) {
        for (const scenario::FieldSpec& f : a.args) {
            words.push_back({f.name, "generic action " + a.name, doc, "the page"});
            for (const std::string& c : f.choices) {
                words.push_back({c, "generic action " + a.name + ": a value of " + f.name, doc,
                                 "the page"});
            }
        }
    }
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        const std::string section = world_section(doc, name);
        INFO("world " << name);
        REQUIRE_FALSE(section.empty());
        const std::string w = "world " + name + ": ";
        const std::string in = "the `" + name + "` section";
        auto add = [&](const std::string& word, const std::string& where) {
            words.push_back({word, w + where, section, in});
        };
        // A field's closed set of values too (`mining`'s `poisson`, `gossip`'s `propagated`):
        // a user cannot guess them. `variant` lists `fedsim list bugs` instead.
        auto add_choices = [&](const scenario::FieldSpec& f, const std::string& where) {
            for (const std::string& c : f.name == "variant" ? std::vector<std::string>{}
                                                            : f.choices) {
                add(c, where + ": a value of " + f.name);
            }
        };
        auto add_fields = [&add, &add_choices](const std::vector<scenario::FieldSpec>& fields,
                                               const std::string& where) {
            for (const scenario::FieldSpec& f : fields) {
                add(f.name, where);
                add_choices(f, where);
            }
        };
        for (const scenario::FieldSpec& p : kind.params) {
            add_choices(p, "param");
        }
        for (const scenario::RoleSpec& r : kind.roles) {
            add(r.name, "role");
            add_fields(r.props, "props of role " + r.name);
        }
        for (const std::string& k : kind.link_kinds) {
            add(k, "link kind");
        }
        add_fields(kind.link_props, "link props");
        std::string generator_text = section;
        std::string generator_in = in;
        for (const AlsoIn& also : k_generator_args_also_in) {
            if (also.world == name) {
                generator_text += world_section(doc, also.other);
                generator_in += " or the `" + also.other + "` section";
            }
        }
        for (const scenario::ActionSpec& g : kind.generators) {
            add(g.name, "generator");
            for (const scenario::FieldSpec& f : g.args) {
                words.push_back({f.name, w + "generator " + g.name, generator_text, generator_in});
                for (const std::string& c : f.choices) {
                    words.push_back({c, w + "generator " + g.name + ": a value of " + f.name,
                                     generator_text, generator_in});
                }
            }
        }
        for (const scenario::ActionSpec& a : kind.actions) {
            add_fields(a.args, "action " + a.name);
        }
        for (const auto* list : {&kind.events, &kind.checkers, &kind.metrics, &kind.fault_points}) {
            for (const scenario::NamedDoc& d : *list) {
                add(d.name, "event, checker, metric or fault point");
            }
        }
    }
    for (const Word& w : words) {
        INFO("`" << w.word << "` (" << w.where << ") is missing from " << w.text_name
                 << " of docs/scenario-reference.md");
        CHECK(w.text.find("`" + w.word + "`") != std::string::npos);
    }
}
