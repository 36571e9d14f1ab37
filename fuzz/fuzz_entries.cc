// The fuzzed code paths: scenario parse + validate + write round trip, and trace reading.
#include "fuzz/fuzz_entries.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/parser.h"
#include "scenario/trace_export.h"
#include "scenario/writer.h"

namespace fuzz {

namespace {

[[noreturn]] void inconsistent(const std::string& what, const std::string& detail) {
    std::fprintf(stderr, "fuzz: %s\n%s\n", what.c_str(), detail.c_str());
    std::abort();
}

}  // namespace

void scenario_input(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    scenario::LoadResult loaded = scenario::parse_scenario(text, "fuzz.json");
    std::string described = loaded.describe("fuzz.json");
    if (!loaded.ok()) {
        if (loaded.diagnostics.empty()) {
            inconsistent("a rejected scenario has no diagnostic", std::string(text));
        }
        return;
    }
    // A valid scenario must survive the writer: the shrinker writes scenarios people rerun.
    std::string written = scenario::write_scenario(*loaded.scenario);
    scenario::LoadResult again = scenario::parse_scenario(written, "fuzz.json");
    if (!again.ok()) {
        inconsistent("the written form of a valid scenario does not parse",
                     written + "\n" + again.describe("written.json"));
    }
    if (scenario::write_scenario(*again.scenario) != written) {
        inconsistent("writing a scenario twice gives different files", written);
    }
}

void trace_input(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<sim::TraceRecord> records;
    std::string error;
    if (!scenario::parse_jsonl_trace(text, "fuzz.jsonl", &records, &error)) {
        if (error.empty()) {
            inconsistent("a rejected trace has no reason", std::string(text));
        }
        return;
    }
    size_t chars = 0;
    for (const sim::TraceRecord& r : records) {
        chars += r.to_text().size();
    }
    scenario::TraceModel model = scenario::build_trace_model(records);
    if (model.lane_of.size() != records.size() || chars == 0) {
        inconsistent("the trace model lost records", std::string(text));
    }
}

}  // namespace fuzz
