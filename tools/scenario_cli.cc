// Loading, running, printing and trace writing for the scenario subcommands.
#include "tools/scenario_cli.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "scenario/parser.h"
#include "scenario/trace_export.h"
#include "tools/seed_range.h"
#include "tools/wall_clock.h"

namespace tools {

namespace {

// A sweep's results file (--json) or its journal (.partial) given where a scenario belongs, the
// natural slip after a sweep ("fedsim replay results.json --seed 3"): one line naming the
// scenario it came from, instead of an "unknown key" error per results field. Empty otherwise.
std::string results_file_hint(const std::string& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return "";  // reading a directory would throw; the loader already said what it is
    }
    std::ifstream in(file, std::ios::binary);
    std::string first_line;
    std::getline(in, first_line);
    in.seekg(0);
    for (const std::string& text :
         {std::string(std::istreambuf_iterator<char>(in), {}), first_line}) {
        nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        bool results =
            j.is_object() && (j.contains("fedsim_results") || j.contains("fedsim_journal"));
        if (results && j.contains("file") && j["file"].is_string()) {
            std::string scenario_file = scenario::shell_quote(j["file"].get<std::string>());
            return file + ": error: this is a results file of fedsim sweep, not a scenario; " +
                   "its scenario is " + scenario_file + " (e.g. " +
                   scenario::shell_quote(program_name()) + " replay " + scenario_file +
                   " --seed N)\n";
        }
        if (results && j.contains("scenario") && j["scenario"].is_string()) {
            // The journal names the scenario, not its file.
            return file + ": error: this is the journal of a fedsim sweep (--json FILE makes " +
                   "FILE.partial), not a scenario; it is of scenario \"" +
                   j["scenario"].get<std::string>() + "\"\n";
        }
    }
    return "";
}

}  // namespace

namespace {

std::vector<ParamOverride> g_overrides;  // one per process, like g_program_name below

// The override a diagnostic's pointer lies in (/params/NAME or below), if any: the last one of
// that name, the one whose value was used.
const ParamOverride* override_at(const std::string& pointer) {
    for (auto it = g_overrides.rbegin(); it != g_overrides.rend(); ++it) {
        const std::string at = "/params/" + scenario::pointer_token(it->name);
        if (pointer == at || pointer.rfind(at + "/", 0) == 0) {
            return &*it;
        }
    }
    return nullptr;
}

}  // namespace

std::optional<scenario::Scenario> load_or_report(const std::string& file) {
    scenario::LoadResult loaded =
        scenario::load_scenario_file(file, parser_overrides(g_overrides));
    if (loaded.ok()) {
        return std::move(loaded.scenario);
    }
    std::string hint = results_file_hint(file);
    if (!hint.empty()) {
        std::fputs(hint.c_str(), stderr);
        return std::nullopt;
    }
    // An error inside an override names the --set (it has no place in the file); the file's
    // own errors keep their line and column.
    for (const scenario::Diagnostic& d : loaded.diagnostics) {
        const ParamOverride* o = override_at(d.where.pointer);
        const std::string source = o != nullptr ? "--set " + o->arg : file;
        std::fprintf(stderr, "%s\n", scenario::format_diagnostic(source, d).c_str());
    }
    return std::nullopt;
}

void add_set_option(CLI::App* cmd) {
    cmd->add_option_function<std::vector<std::string>>(
           "--set",
           [](const std::vector<std::string>& args) {
               g_overrides.clear();
               for (const std::string& arg : args) {
                   ParamOverride o;
                   std::string error;
                   if (!parse_param_override(arg, &o, &error)) {
                       throw CLI::ValidationError("--set", error);
                   }
                   g_overrides.push_back(std::move(o));
               }
           },
           "Replace one of the scenario's params, NAME=VALUE (VALUE as in the file's JSON: "
           "3, {\"min\":1,\"max\":4}, or a bare word such as stop_deadlock); repeatable")
        ->take_all()
        ->allow_extra_args(false);  // one NAME=VALUE per --set: FILE after it stays FILE
}

const std::vector<ParamOverride>& param_overrides() { return g_overrides; }

namespace {
bool g_keep_going = false;  // one per process, like g_overrides
}  // namespace

void add_keep_going_flag(CLI::App* cmd) {
    // CLI11 would read "--keep-going=7" as true; a value is a mistake worth naming. The flag
    // alone reaches the check as "true" (so does "--keep-going=true", as before); anything
    // else is refused, naming the flag (a ValidationError: exit 2 in fedsim_main). Known gap:
    // "--keep-going=" (empty value) gets past this: CLI11 turns an empty flag value into
    // "true", so it runs as --keep-going and exits 0.
    const CLI::Validator no_value(
        [](const std::string& value) {
            return value == "true" ? std::string()
                                   : "the flag takes no value, but was given '" + value +
                                         "' (write --keep-going alone)";
        },
        "", "no value");
    cmd->add_flag("--keep-going", g_keep_going,
                  "Record each check failure and run on to the normal end: the outcome is still "
                  "the first failure's, every violation is listed with the metrics at the end, "
                  "and a crash, stall or limit after one fails the run (a run with no check "
                  "failure is the same run)")
        ->check(no_value);
}

bool keep_going() { return g_keep_going; }

scenario::RunReport run_seed(const scenario::Scenario& s, scenario::RunOptions options) {
    options.keep_going = options.keep_going || g_keep_going;
    WallTimer timer;
    double budget = static_cast<double>(s.limits.wall_time.ns()) / 1e9;
    options.wall_clock_exceeded = timer.exceeded_after(budget);
    return scenario::run_scenario(s, options);
}

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

namespace {
std::string g_program_name = "fedsim";  // one per process; fork()ed workers inherit it
}  // namespace

void set_program_name(const char* argv0) {
    g_program_name = argv0 != nullptr && argv0[0] != '\0' ? argv0 : "fedsim";
}

const std::string& program_name() { return g_program_name; }

std::string replay_command(const std::string& file, uint64_t seed, bool with_overrides) {
    return scenario::replay_command(file, seed, g_program_name) +
           (g_keep_going ? " --keep-going" : "") +
           (with_overrides ? override_arguments(g_overrides) : std::string());
}

uint64_t default_seed(const scenario::Scenario& s) {
    std::string error;
    std::optional<SeedRange> range = parse_seed_range(s.seeds, &error);
    return range ? range->first : 1;
}

bool write_text_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        std::fprintf(stderr, "fedsim: cannot write '%s'\n", path.c_str());
        return false;
    }
    return true;
}

bool output_path_writable(const std::string& path, const char* flag) {
    if (path.empty()) {
        return true;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        std::fprintf(stderr, "fedsim: %s '%s' is a directory\n", flag, path.c_str());
        return false;
    }
    bool existed = std::filesystem::exists(path, ec);
    bool ok = static_cast<bool>(std::ofstream(path, std::ios::binary | std::ios::app));
    if (ok && !existed) {
        std::filesystem::remove(path, ec);
    }
    if (!ok) {
        std::fprintf(stderr, "fedsim: %s '%s' cannot be written: %s\n", flag, path.c_str(),
                     std::strerror(errno));
    }
    return ok;
}

bool write_trace_outputs(const scenario::Scenario& s, const scenario::RunReport& r,
                         const TraceOutputs& out) {
    bool ok = true;
    if (!out.chrome.empty()) {
        ok = write_text_file(out.chrome, scenario::chrome_trace_json(r.records)) && ok;
    }
    if (!out.html.empty()) {
        scenario::ReportContext ctx{s.name, s.file, replay_command(s.file, r.seed)};
        ok = write_text_file(out.html, scenario::html_report(ctx, r)) && ok;
    }
    return ok;
}

namespace {

// With --keep-going: every failure the run recorded, in order (sim time, then the message; a
// failure that ended the run early names its outcome). Stop-at-first runs print nothing here:
// their one failure is the outcome line.
void print_failures(std::FILE* f, const scenario::RunReport& r) {
    if (!r.keep_going || r.run.failures.empty()) {
        return;
    }
    std::fprintf(f, "violations: %zu, the run went on to %s (--keep-going)\n",
                 r.run.failures.size(), sim::to_string(r.run.end_time).c_str());
    for (const sim::RunFailure& v : r.run.failures) {
        const bool check = v.outcome == sim::Outcome::check_failed;
        std::fprintf(f, "  t=%s %s%s%s\n", sim::to_string(v.at).c_str(),
                     check ? "" : sim::to_string(v.outcome), check ? "" : " (ended the run): ",
                     v.message.c_str());
    }
}

}  // namespace

void print_report(std::FILE* f, const scenario::Scenario& s, const scenario::RunReport& r) {
    std::fprintf(f, "scenario %s (world %s), seed %llu\n", s.name.c_str(), s.world.c_str(),
                 static_cast<unsigned long long>(r.seed));
    std::fprintf(f, "params: %s\n", scenario::describe_params(r.params).c_str());
    std::string faults;
    for (const std::string& site : r.active_faults) {
        faults += (faults.empty() ? "" : ", ") + site;
    }
    std::string swarm;
    for (const std::string& off : r.swarm_off) {
        swarm += (swarm.empty() ? "" : ", ") + off;
    }
    std::fprintf(f, "fault points active: %s%s%s\n", faults.empty() ? "none" : faults.c_str(),
                 swarm.empty() ? "" : "; swarm switched off: ", swarm.c_str());
    std::fprintf(f, "outcome: %s%s%s\n", sim::to_string(r.run.outcome),
                 r.run.message.empty() ? "" : ": ", r.run.message.c_str());
    for (const std::string& line : r.run.wait_report) {
        std::fprintf(f, "  waiting: %s\n", line.c_str());
    }
    print_failures(f, r);
    std::fprintf(f, "checks:\n");
    for (const scenario::CheckResult& c : r.checks) {
        std::fprintf(f, "  %s %s%s%s\n", c.passed ? "pass" : "FAIL", c.checker.c_str(),
                     c.message.empty() ? "" : ": ", c.message.c_str());
    }
    std::fprintf(f, "fingerprint %s  events %llu  end %s\n", hex64(r.run.fingerprint).c_str(),
                 static_cast<unsigned long long>(r.run.events),
                 sim::to_string(r.run.end_time).c_str());
    if (r.passed) {
        std::fprintf(f, "PASS seed %llu\n", static_cast<unsigned long long>(r.seed));
        return;
    }
    std::fprintf(f, "FAIL seed %llu: %s\nreplay: %s\n", static_cast<unsigned long long>(r.seed),
                 r.reason.c_str(), replay_command(s.file, r.seed).c_str());
}

}  // namespace tools
