// The structural pass of scenario reading: syntax, keys, types and ranges, section by section.
#include "scenario/parser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "scenario/json_reader.h"
#include "scenario/parser_sections.h"

namespace scenario {

namespace {

const std::vector<std::string>& keys_at(const std::string& path) { return known_keys().at(path); }

class Parser {
public:
    Parser(JsonReader& r, const WorldRegistry& registry) : r_(r), registry_(registry) {}

    std::optional<Scenario> parse(const Json& doc) {
        if (!r_.object(doc, "", keys_at(""), "the scenario")) {
            return std::nullopt;
        }
        Scenario s;
        read_text(doc, "name", &s.name, true);
        if (doc.contains("name") && doc["name"].is_string() && s.name.empty()) {
            // Reports, JUnit suites and shrunk files are titled by it.
            r_.error("/name", "the scenario's name must not be empty");
        }
        read_text(doc, "description", &s.description, false);
        read_text(doc, "seeds", &s.seeds, false);
        if (!read_world(doc, &s)) {
            return std::nullopt;
        }
        if (doc.contains("topology")) {
            read_topology(doc["topology"], "/topology", &s.topology);
        }
        read_params(r_, *kind_, doc.contains("params") ? doc["params"] : Json::object(), "/params",
                    &s);
        if (doc.contains("faults")) {
            read_faults(r_, doc["faults"], "/faults", &s.faults);
        }
        if (doc.contains("timeline") && r_.array(doc["timeline"], "/timeline")) {
            for (size_t i = 0; i < doc["timeline"].size(); ++i) {
                read_entry(r_, *kind_, doc["timeline"][i], child("/timeline", i), &s);
            }
        }
        if (doc.contains("expect")) {
            read_expect(r_, *kind_, doc["expect"], "/expect", &s.expect);
        }
        if (doc.contains("limits")) {
            read_limits(r_, doc["limits"], "/limits", &s.limits);
        }
        return s;
    }

private:
    void read_text(const Json& j, const std::string& key, std::string* out, bool required) {
        if (!j.contains(key)) {
            if (required) {
                r_.error("", "the scenario needs \"" + key + "\"");
            }
            return;
        }
        if (std::optional<std::string> v = r_.text(j[key], child("", key))) {
            *out = *v;
        }
    }

    bool read_world(const Json& doc, Scenario* s) {
        if (!doc.contains("world")) {
            r_.error("", "the scenario needs \"world\" (one of: " + world_names() + ")");
            return false;
        }
        std::optional<std::string> w = r_.text(doc["world"], "/world");
        if (!w) {
            return false;
        }
        kind_ = registry_.find(*w);
        if (kind_ == nullptr) {
            std::vector<std::string> names;
            for (const auto& [name, k] : registry_.kinds()) {
                names.push_back(name);
            }
            r_.error("/world", "unknown world \"" + *w + "\"" + did_you_mean(*w, names) +
                                   "; known worlds: " + world_names());
            return false;
        }
        s->world = *w;
        return true;
    }

    std::string world_names() const {
        std::string out;
        for (const auto& [name, k] : registry_.kinds()) {
            out += (out.empty() ? "" : ", ") + name;
        }
        return out;
    }

    void read_topology(const Json& j, const std::string& p, Topology* t) {
        if (!r_.object(j, p, keys_at("/topology"), "the topology")) {
            return;
        }
        if (j.contains("nodes") && r_.array(j["nodes"], child(p, "nodes"))) {
            for (size_t i = 0; i < j["nodes"].size(); ++i) {
                read_node(j["nodes"][i], child(child(p, "nodes"), i), t);
            }
        }
        if (j.contains("links") && r_.array(j["links"], child(p, "links"))) {
            for (size_t i = 0; i < j["links"].size(); ++i) {
                read_link(j["links"][i], child(child(p, "links"), i), t);
            }
        }
        if (j.contains("generate")) {
            read_generator(j["generate"], child(p, "generate"), t);
        }
    }

    void read_node(const Json& j, const std::string& p, Topology* t) {
        if (!r_.object(j, p, keys_at("/topology/nodes/*"), "a topology node")) {
            return;
        }
        TopologyNode n;
        n.where = r_.where(p);
        if (!j.contains("name") || !j.contains("role")) {
            r_.error(p, "a topology node needs \"name\" and \"role\"");
            return;
        }
        std::optional<std::string> name = r_.text(j["name"], child(p, "name"));
        std::optional<std::string> role = r_.text(j["role"], child(p, "role"));
        if (!name || !role) {
            return;
        }
        n.name = *name;
        n.role = *role;
        const RoleSpec* spec = find_role(*role, child(p, "role"));
        if (spec == nullptr) {
            return;
        }
        if (j.contains("count")) {
            std::optional<int64_t> c = r_.integer(j["count"], child(p, "count"), 1, spec->max_count);
            n.count = c.value_or(1);
        }
        n.props = r_.fields(j.contains("props") ? j["props"] : Json::object(), child(p, "props"),
                            spec->props, {}, "the props of role " + spec->name);
        t->nodes.push_back(std::move(n));
    }

    const RoleSpec* find_role(const std::string& role, const std::string& p) {
        std::vector<std::string> names;
        for (const RoleSpec& rs : kind_->roles) {
            if (rs.name == role) {
                return &rs;
            }
            names.push_back(rs.name);
        }
        r_.error(p, unknown("role", role, "roles", names));
        return nullptr;
    }

    void read_link(const Json& j, const std::string& p, Topology* t) {
        if (!r_.object(j, p, keys_at("/topology/links/*"), "a topology link")) {
            return;
        }
        TopologyLink l;
        l.where = r_.where(p);
        for (const char* key : {"kind", "from", "to"}) {
            if (!j.contains(key)) {
                r_.error(p, std::string("a topology link needs \"") + key + "\"");
                return;
            }
        }
        l.kind = r_.text(j["kind"], child(p, "kind")).value_or("");
        l.from = r_.text(j["from"], child(p, "from")).value_or("");
        l.to = r_.text(j["to"], child(p, "to")).value_or("");
        const auto& kinds = kind_->link_kinds;
        if (!l.kind.empty() && std::find(kinds.begin(), kinds.end(), l.kind) == kinds.end()) {
            r_.error(child(p, "kind"), unknown("link kind", l.kind, "topology links", kinds));
        }
        l.props = r_.fields(j.contains("props") ? j["props"] : Json::object(), child(p, "props"),
                            kind_->link_props, {}, "a link's props");
        t->links.push_back(std::move(l));
    }

    void read_generator(const Json& j, const std::string& p, Topology* t) {
        if (!j.is_object() || !j.contains("kind")) {
            r_.error(p, "\"generate\" must be an object with a \"kind\"");
            return;
        }
        std::optional<std::string> kind = r_.text(j["kind"], child(p, "kind"));
        if (!kind) {
            return;
        }
        std::vector<std::string> names;
        for (const ActionSpec& g : kind_->generators) {
            names.push_back(g.name);
            if (g.name == *kind) {
                t->generator = *kind;
                t->generator_where = r_.where(p);
                t->generator_args = r_.fields(j, p, g.args, {"kind"}, "generator " + g.name);
                return;
            }
        }
        r_.error(child(p, "kind"),
                 unknown("topology generator", *kind, "topology generators", names));
    }

    // "unknown role \"x\" in world echo (one of: server, client)", or, when the world has
    // none of these, "unknown role \"x\": " + nothing_of("roles").
    std::string unknown(const std::string& what, const std::string& value,
                        const std::string& plural, const std::vector<std::string>& names) const {
        const std::string head = "unknown " + what + " \"" + value + "\"";
        return names.empty() ? head + ": " + nothing_of(plural)
                             : head + " in world " + kind_->name +
                                   did_you_mean_or_list(value, names);
    }

    // "world escrow has no roles (its nodes are fixed: ledger, client)": what a world without
    // any of these offers instead, where a did-you-mean would have nothing to suggest. Only a
    // world without roles has nothing but its fixed nodes; one with roles (federation: fixed
    // depositor, guardians by role) says which roles declare nodes.
    std::string nothing_of(const std::string& what) const {
        std::string fixed;
        for (const std::string& n : kind_->fixed_nodes) {
            fixed += (fixed.empty() ? "" : ", ") + n;
        }
        std::string roles;
        for (const RoleSpec& r : kind_->roles) {
            roles += (roles.empty() ? "" : ", ") + r.name;
        }
        const std::string instead =
            !roles.empty()   ? " (declare nodes with roles: " + roles + ")"
            : !fixed.empty() ? " (its nodes are fixed: " + fixed + ")"
                             : "";
        return "world " + kind_->name + " has no " + what + instead;
    }

    JsonReader& r_;
    const WorldRegistry& registry_;
    const WorldKind* kind_ = nullptr;
};

}  // namespace

std::string LoadResult::describe(const std::string& file) const {
    std::string out;
    for (const Diagnostic& d : diagnostics) {
        out += format_diagnostic(file, d) + "\n";
    }
    return out;
}

namespace {

// nlohmann reports the offset just past the token it choked on; point at the token's start,
// where a person looks for the mistake.
size_t token_start(std::string_view text, size_t last) {
    if (last >= text.size()) {
        return text.empty() ? 0 : text.size() - 1;
    }
    if (text[last] == '"' && last > 0) {
        size_t open = text.rfind('"', last - 1);
        return open == std::string_view::npos ? last : open;
    }
    size_t start = last;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    while (start > 0 && word(text[start]) && word(text[start - 1])) {
        --start;
    }
    return start;
}

// Non-ASCII bytes of a parser message (it quotes what it last read) as \xNN, so a message
// about a file that is not UTF-8 is itself valid text.
std::string printable(const std::string& message) {
    std::string out;
    for (char c : message) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

// Parses the text; nullopt with a located diagnostic on a syntax error, a number out of range
// or nesting too deep to walk safely.
std::optional<Json> parse_json(std::string_view text, std::vector<Diagnostic>* out) {
    constexpr int k_max_depth = 64;
    size_t deep = find_excess_nesting(text, k_max_depth);
    if (deep != std::string_view::npos) {
        TextPosition at = position_of(text, deep);
        out->push_back({{"", at.line, at.column},
                        "invalid JSON: nested more than " + std::to_string(k_max_depth) +
                            " levels deep"});
        return std::nullopt;
    }
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        size_t colon = what.find(": ", what.find("column"));
        std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
        TextPosition at = position_of(text, token_start(text, e.byte > 0 ? e.byte - 1 : 0));
        out->push_back({{"", at.line, at.column}, "invalid JSON: " + printable(reason)});
    } catch (const Json::exception& e) {
        // A number too large for a double ("1e400") carries no offset: find the token it quotes.
        std::string what = e.what();
        size_t open = what.find('\'');
        size_t close = open == std::string::npos ? open : what.find('\'', open + 1);
        size_t token = close == std::string::npos
                           ? std::string_view::npos
                           : text.find(what.substr(open + 1, close - open - 1));
        TextPosition at = position_of(text, token == std::string_view::npos ? 0 : token);
        size_t bracket = what.find("] ");
        out->push_back({{"", at.line, at.column},
                        "invalid JSON: " + printable(bracket == std::string::npos
                                                         ? what
                                                         : what.substr(bracket + 2))});
    }
    return std::nullopt;
}

}  // namespace

namespace {

// Writes each override into the document's "params" (created if absent; a "params" that is not
// an object is left for the parser to report) and makes every location under an overridden
// param "nowhere", so no message points at the file's old value.
void apply_overrides(const ParamOverrides& overrides, Json* doc, LocationMap* locations) {
    if (!doc->is_object() || (doc->contains("params") && !(*doc)["params"].is_object())) {
        return;
    }
    for (const auto& [name, value] : overrides) {
        (*doc)["params"][name] = Json::parse(value);  // the caller passes valid JSON
        const std::string at = "/params/" + pointer_token(name);
        for (auto* map : {&locations->keys, &locations->values}) {
            for (auto it = map->lower_bound(at); it != map->end() &&
                                                 it->first.compare(0, at.size(), at) == 0;) {
                const bool under = it->first.size() == at.size() || it->first[at.size()] == '/';
                it = under ? map->erase(it) : std::next(it);
            }
        }
        locations->keys[at] = TextPosition{};
        std::erase_if(locations->duplicate_keys, [&at](const std::string& p) {
            return p.compare(0, at.size(), at) == 0 && (p.size() == at.size() || p[at.size()] == '/');
        });
    }
}

}  // namespace

LoadResult parse_scenario(std::string_view text, const std::string& file,
                          const WorldRegistry& registry) {
    return parse_scenario(text, file, ParamOverrides{}, registry);
}

LoadResult parse_scenario(std::string_view text, const std::string& file,
                          const ParamOverrides& overrides, const WorldRegistry& registry) {
    LoadResult result;
    std::optional<Json> parsed = parse_json(text, &result.diagnostics);
    if (!parsed) {
        return result;
    }
    LocationMap locations = map_locations(text);
    apply_overrides(overrides, &*parsed, &locations);
    const Json& doc = *parsed;
    JsonReader reader(locations, &result.diagnostics);
    for (const std::string& dup : locations.duplicate_keys) {
        reader.error(dup, "key written twice (the last one would silently win)");
    }
    Parser parser(reader, registry);
    std::optional<Scenario> s = parser.parse(doc);
    if (s && result.diagnostics.empty()) {
        s->file = file;
        validate_scenario(*s, *registry.find(s->world), &result.diagnostics);
        // The validator works on plain structs and knows pointers only: place them in the text.
        for (Diagnostic& d : result.diagnostics) {
            TextPosition at = locations.find(d.where.pointer);
            d.where.line = at.line;
            d.where.column = at.column;
        }
    }
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::pair(a.where.line, a.where.column) <
                                std::pair(b.where.line, b.where.column);
                     });
    if (result.diagnostics.empty()) {
        result.scenario = std::move(s);
    }
    return result;
}

LoadResult load_scenario_file(const std::string& path, const WorldRegistry& registry) {
    return load_scenario_file(path, ParamOverrides{}, registry);
}

LoadResult load_scenario_file(const std::string& path, const ParamOverrides& overrides,
                              const WorldRegistry& registry) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        LoadResult result;
        result.diagnostics.push_back({{}, "cannot read the file: it is a directory"});
        return result;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        LoadResult result;
        std::string why = std::strerror(errno);
        result.diagnostics.push_back({{}, "cannot read the file: " + why});
        return result;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse_scenario(buffer.str(), path, overrides, registry);
}

}  // namespace scenario
