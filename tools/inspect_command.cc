// The validate and list subcommands.
#include "tools/inspect_command.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "scenario/parser.h"
#include "scenario/variants.h"
#include "tools/scenario_cli.h"

namespace tools {

namespace {

namespace fs = std::filesystem;

int validate_files(const std::vector<std::string>& files) {
    int bad = 0;
    for (const std::string& file : files) {
        std::optional<scenario::Scenario> s = load_or_report(file);
        if (!s) {
            ++bad;
            continue;
        }
        // The params the file sets, out of every one the world has (the rest take the world's
        // defaults): the world's total alone read as if the file set them all.
        const auto set = std::count_if(
            s->params.begin(), s->params.end(),
            [](const scenario::ParamSpec& p) { return !p.from_default; });
        const size_t entries = s->timeline.size();
        std::printf("%s: ok (world %s, %zu of its %zu params set, %zu timeline %s, seeds %s)\n",
                    file.c_str(), s->world.c_str(), static_cast<size_t>(set), s->params.size(),
                    entries, entries == 1 ? "entry" : "entries", s->seeds.c_str());
    }
    return bad == 0 ? k_exit_pass : k_exit_usage;
}

std::string scenario_dir(const std::string& requested) {
    if (!requested.empty()) {
        return requested;
    }
    if (const char* env = std::getenv("FEDSIM_SCENARIOS")) {
        return env;
    }
    if (fs::is_directory("scenarios")) {
        return "scenarios";
    }
    return FEDSIM_SOURCE_DIR "/scenarios";
}

// The description's first sentence: up to a '.' that ends the text or is followed by a space
// (not the '.' inside "0.5s" or "fedimint.md").
std::string first_sentence(const std::string& text) {
    size_t end = text.find(". ");
    if (end == std::string::npos) {
        return !text.empty() && text.back() == '.' ? text.substr(0, text.size() - 1) : text;
    }
    return text.substr(0, end);
}

bool list_scenarios(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        std::fprintf(stderr, "fedsim list: scenario folder '%s' is not a readable directory\n",
                     dir.c_str());
        return false;
    }
    std::printf("scenarios (in %s):\n", dir.c_str());
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& p : files) {
        scenario::LoadResult r = scenario::load_scenario_file(p.string());
        std::string rel = fs::relative(p, dir).string();
        if (!r.ok()) {
            std::printf("  %-44s (invalid: run fedsim validate)\n", rel.c_str());
            continue;
        }
        std::string desc = first_sentence(r.scenario->description);
        std::printf("  %-44s [%s, seeds %s] %s\n", rel.c_str(), r.scenario->world.c_str(),
                    r.scenario->seeds.c_str(), desc.c_str());
    }
    return true;
}

void list_docs(const char* title, const std::vector<std::pair<std::string, std::string>>& rows) {
    std::printf("%s:\n", title);
    if (rows.empty()) {
        std::printf("  (none registered yet)\n");
    }
    for (const auto& [name, doc] : rows) {
        std::printf("  %-32s %s\n", name.c_str(), doc.c_str());
    }
}

using Rows = std::vector<std::pair<std::string, std::string>>;

Rows world_rows(std::vector<scenario::NamedDoc> scenario::WorldKind::*member) {
    Rows rows;
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        for (const scenario::NamedDoc& d : kind.*member) {
            rows.emplace_back(d.name, d.doc + " [" + name + "]");
        }
    }
    return rows;
}

// The bug variants of every world; a catalogued one also shows its `fedsim catalogue --bug` id
// (which is not the variant's value: "gateway-stop-deadlock" for variant=stop_deadlock).
Rows bug_rows() {
    Rows rows;
    for (const auto& [world, kind] : scenario::WorldRegistry::instance().kinds()) {
        for (const scenario::NamedDoc& d : kind.bug_variants) {
            std::string id;
            for (const scenario::BugVariant& bug : scenario::bug_variants()) {
                if (bug.world == world && d.name == "variant=" + bug.variant) {
                    id = " (catalogue id: " + bug.id + ")";
                }
            }
            rows.emplace_back(d.name, d.doc + " [" + world + "]" + id);
        }
    }
    return rows;
}

Rows catalog_rows(const std::string& category) {
    Rows rows;
    for (const scenario::CatalogEntry& e : scenario::WorldRegistry::instance().catalog()) {
        if (e.category == category) {
            rows.emplace_back(e.name, e.doc);
        }
    }
    return rows;
}

void list_worlds_and_actions(bool worlds_wanted, bool actions_wanted) {
    Rows worlds;
    Rows actions;
    for (const scenario::ActionSpec& a : scenario::generic_actions()) {
        actions.emplace_back(a.name, a.doc + " [every world]");
    }
    for (const auto& [name, kind] : scenario::WorldRegistry::instance().kinds()) {
        worlds.emplace_back(name, kind.doc);
        for (const scenario::ActionSpec& a : kind.actions) {
            actions.emplace_back(a.name, a.doc + " [" + name + "]");
        }
    }
    if (worlds_wanted) {
        list_docs("worlds", worlds);
    }
    if (actions_wanted) {
        list_docs("timeline actions", actions);
    }
}

int list(const std::string& what, const std::string& dir) {
    static const std::vector<std::string> sections = {
        "scenarios", "worlds",   "actions",  "rule-sets", "profiles",
        "fault-points", "checkers", "metrics", "bugs"};
    if (!what.empty() && std::find(sections.begin(), sections.end(), what) == sections.end()) {
        std::fprintf(stderr, "fedsim list: unknown section \"%s\"%s\n", what.c_str(),
                     scenario::did_you_mean(what, sections).c_str());
        return k_exit_usage;
    }
    auto want = [&](const char* s) { return what.empty() || what == s; };
    if (want("scenarios") && !list_scenarios(scenario_dir(dir))) {
        return k_exit_usage;
    }
    if (want("worlds") || want("actions")) {
        list_worlds_and_actions(want("worlds"), want("actions"));
    }
    if (want("rule-sets")) {
        list_docs("rule sets", catalog_rows("rule set"));
    }
    if (want("profiles")) {
        list_docs("profiles", catalog_rows("profile"));
    }
    if (want("fault-points")) {
        list_docs("fault points", world_rows(&scenario::WorldKind::fault_points));
    }
    if (want("checkers")) {
        list_docs("checkers", world_rows(&scenario::WorldKind::checkers));
    }
    if (want("metrics")) {
        Rows rows = world_rows(&scenario::WorldKind::metrics);
        for (const scenario::NamedDoc& m : scenario::generic_metrics()) {
            rows.emplace_back(m.name, m.doc + " [every world]");
        }
        list_docs("metrics", rows);
    }
    if (want("bugs")) {
        list_docs("historical bug variants", bug_rows());
    }
    return k_exit_pass;
}

}  // namespace

void add_validate_command(CLI::App& app, int* exit_code) {
    auto files = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = app.add_subcommand("validate", "Check scenario files without running them");
    cmd->add_option("FILE", *files, "Scenario files")->required();
    add_set_option(cmd);
    cmd->callback([files, exit_code] { *exit_code = validate_files(*files); });
}

void add_list_command(CLI::App& app, int* exit_code) {
    auto what = std::make_shared<std::string>();
    auto dir = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "list", "List scenarios, worlds, actions, rule sets, profiles, fault points, checkers, "
                "metrics and historical bug variants");
    cmd->add_option("WHAT", *what,
                    "One section: scenarios, worlds, actions, rule-sets, profiles, "
                    "fault-points, checkers, metrics, bugs");
    cmd->add_option("--dir", *dir, "Scenario folder (default: ./scenarios or $FEDSIM_SCENARIOS)");
    cmd->callback([what, dir, exit_code] { *exit_code = list(*what, *dir); });
}

}  // namespace tools
