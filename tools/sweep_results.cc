// JSON and JUnit encodings of sweep results.
#include "tools/sweep_results.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "scenario/trace_export.h"
#include "sim/random.h"
#include "tools/scenario_cli.h"

namespace tools {

namespace {

using OJson = nlohmann::ordered_json;

OJson to_json(const SeedResult& r) {
    return {{"seed", r.seed},           {"status", r.status},
            {"outcome", r.outcome},     {"reason", r.reason},
            {"signature", r.signature}, {"fingerprint", r.fingerprint},
            {"events", r.events},       {"end_ns", r.end_ns},
            {"params", r.params},       {"replay", r.replay}};
}

std::optional<SeedResult> from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("seed") || !j.contains("status")) {
        return std::nullopt;
    }
    try {
        SeedResult r;
        r.seed = j.at("seed").get<uint64_t>();
        r.status = j.at("status").get<std::string>();
        r.outcome = j.value("outcome", "");
        r.reason = j.value("reason", "");
        r.signature = j.value("signature", "");
        r.fingerprint = j.value("fingerprint", "");
        r.events = j.value("events", uint64_t{0});
        r.end_ns = j.value("end_ns", int64_t{0});
        r.params = j.value("params", "");
        r.replay = j.value("replay", "");
        // Before "input_error" existed a bad-input seed was written as a failure whose
        // signature starts "input:" (scenario/runner.cc); read it as what it was.
        if (r.status == k_status_fail && r.signature.rfind("input:", 0) == 0) {
            r.status = k_status_input_error;
            r.outcome = k_status_input_error;
        }
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

}  // namespace

SweepSummary SweepResults::summary() const {
    SweepSummary s;
    for (const SeedResult& r : runs) {
        (r.status == k_status_pass          ? s.passed
         : r.status == k_status_crash       ? s.crashed
         : r.status == k_status_input_error ? s.bad_input
                                            : s.failed) += 1;
    }
    s.not_run = planned > runs.size() ? planned - runs.size() : 0;
    return s;
}

int sweep_exit_code(const SweepSummary& s) {
    if (s.failed + s.crashed + s.not_run > 0) {
        return k_exit_fail;
    }
    return s.bad_input > 0 ? k_exit_usage : k_exit_pass;
}

std::string describe_summary(const SweepSummary& s) {
    return std::to_string(s.passed) + " passed, " + std::to_string(s.failed) + " failed, " +
           std::to_string(s.crashed) + " crashed, " + std::to_string(s.bad_input) +
           " bad input" + (s.not_run > 0 ? ", " + std::to_string(s.not_run) + " not run" : "");
}

SeedResult seed_result_from(const scenario::RunReport& r, const std::string& file) {
    const bool bad_input = !r.passed && !r.setup_error.empty();
    const char* status = r.passed ? k_status_pass : bad_input ? k_status_input_error : k_status_fail;
    // A bad-input run was stopped by its world, so the simulation's own outcome is "ok": the
    // file says "input_error" instead, lest a reader take the seed for one that ran clean.
    return {.seed = r.seed,
            .status = status,
            .outcome = bad_input ? k_status_input_error : sim::to_string(r.run.outcome),
            .reason = r.reason,
            .signature = r.signature,
            .fingerprint = hex64(r.run.fingerprint),
            .events = r.run.events,
            .end_ns = r.run.end_time.ns(),
            .params = scenario::describe_params(r.params),
            .replay = r.passed ? "" : replay_command(file, r.seed)};
}

std::string seed_result_line(const SeedResult& r) { return to_json(r).dump(); }

std::optional<SeedResult> parse_seed_result_line(const std::string& line) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
        return std::nullopt;
    }
    return from_json(j);
}

std::string results_json(const SweepResults& results) {
    std::vector<SeedResult> runs = results.runs;
    std::sort(runs.begin(), runs.end(),
              [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });
    OJson head = {{"fedsim_results", k_results_format},
                  {"scenario", results.scenario},
                  {"file", results.file},
                  {"digest", results.digest},
                  {"seeds", results.seeds},
                  {"shard", std::to_string(results.shard_index) + "/" +
                                std::to_string(results.shard_count)},
                  {"planned", results.planned}};
    if (!results.set.empty()) {
        head["set"] = results.set;  // absent without overrides: such files read as before
    }
    std::string text = head.dump();
    text.pop_back();  // reopen the object to add the runs one per line
    text += ",\n\"runs\": [\n";
    for (size_t i = 0; i < runs.size(); ++i) {
        text += "  " + to_json(runs[i]).dump() + (i + 1 < runs.size() ? ",\n" : "\n");
    }
    SweepSummary s = results.summary();
    OJson summary = {{"passed", s.passed},   {"failed", s.failed},
                     {"crashed", s.crashed}, {"bad_input", s.bad_input},
                     {"not_run", s.not_run}};
    return text + "],\n\"summary\": " + summary.dump() + "}\n";
}

std::optional<SweepResults> read_results_file(const std::string& path, std::string* error) {
    std::ifstream in(path);
    if (!in) {  // missing or unreadable: say so, not "not a results file"
        *error = "cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(buffer.str(), nullptr, false);
    if (!in || j.is_discarded() || !j.is_object() || !j.contains("fedsim_results") ||
        !j.contains("runs") || !j["runs"].is_array()) {
        *error = path + ": not a complete fedsim results file";
        return std::nullopt;
    }
    SweepResults r;
    r.scenario = j.value("scenario", "");
    r.file = j.value("file", "");
    r.digest = j.value("digest", "");
    r.set = j.value("set", std::vector<std::string>{});
    r.seeds = j.value("seeds", "");
    r.planned = j.value("planned", uint64_t{0});
    std::string shard = j.value("shard", "1/1");
    size_t slash = shard.find('/');
    r.shard_index = std::stoull(shard.substr(0, slash));
    r.shard_count = std::stoull(shard.substr(slash + 1));
    for (const auto& run : j["runs"]) {
        std::optional<SeedResult> s = from_json(run);
        if (!s) {
            *error = path + ": a run record is malformed";
            return std::nullopt;
        }
        r.runs.push_back(*s);
    }
    return r;
}

std::string junit_xml(const SweepResults& results) {
    SweepSummary s = results.summary();
    std::string name = scenario::escape_markup(results.scenario);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
    out += "<testsuite name=\"" + name + "\" tests=\"" + std::to_string(results.runs.size()) +
           "\" failures=\"" + std::to_string(s.failed) + "\" errors=\"" +
           std::to_string(s.crashed + s.bad_input) + "\" skipped=\"0\">\n";
    std::vector<SeedResult> runs = results.runs;
    std::sort(runs.begin(), runs.end(),
              [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });
    for (const SeedResult& r : runs) {
        out += "  <testcase classname=\"" + name + "\" name=\"seed " + std::to_string(r.seed) +
               "\"";
        if (r.status == k_status_pass) {
            out += "/>\n";
            continue;
        }
        // A crash and bad input are errors (the seed could not be judged), not failures; the
        // type says which, so a CI page tells a spinning worker from a bad parameter range.
        const bool error = r.status == k_status_crash || r.status == k_status_input_error;
        const std::string tag = error ? "error" : "failure";
        const std::string type = r.status == k_status_input_error ? "input_error"
                                 : error                          ? "crash"
                                                                  : "fail";
        std::string reason = scenario::escape_markup(r.reason);
        std::string body = scenario::escape_markup(r.reason + "\nreplay: " + r.replay);
        out += ">\n    <" + tag + " type=\"" + type + "\" message=\"" + reason + "\">" + body +
               "</" + tag + ">\n  </testcase>\n";
    }
    return out + "</testsuite>\n</testsuites>\n";
}

std::string scenario_digest(const std::string& path, const std::vector<std::string>& overrides) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string bytes = buffer.str();
    for (const std::string& arg : overrides) {
        bytes += std::string("\0--set ", 7) + arg;  // NUL: no file's text can end the same way
    }
    return in ? hex64(sim::hash_name(bytes)) : "";
}

}  // namespace tools
