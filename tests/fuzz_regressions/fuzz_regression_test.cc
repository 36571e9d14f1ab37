// Replays every saved fuzzer crash input (inputs/scenario/, inputs/trace/) and every bundled
// scenario through the fuzz entry points: each must return normally. A regression shows up
// here as a crash or sanitizer report naming the input file (printed before it is fed).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_entries.h"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_under(const fs::path& dir, const std::string& ext) {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && (ext.empty() || e.path().extension() == ext)) {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void feed(const fs::path& p, void (*entry)(const uint8_t*, size_t)) {
    std::string bytes = read_bytes(p);
    // Printed first so a crash (which Catch cannot report) still names its input.
    std::fprintf(stderr, "fuzz regression: %s\n", p.c_str());
    entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_CASE("saved scenario crash inputs parse without crashing", "[fuzz]") {
    std::vector<fs::path> inputs = files_under(FUZZ_INPUTS_DIR "/scenario", "");
    REQUIRE_FALSE(inputs.empty());
    for (const fs::path& p : inputs) {
        feed(p, fuzz::scenario_input);
    }
}

TEST_CASE("saved trace crash inputs are read without crashing", "[fuzz]") {
    std::vector<fs::path> inputs = files_under(FUZZ_INPUTS_DIR "/trace", "");
    REQUIRE_FALSE(inputs.empty());
    for (const fs::path& p : inputs) {
        feed(p, fuzz::trace_input);
    }
}

TEST_CASE("every bundled scenario survives the parse-write-parse round trip", "[fuzz]") {
    std::vector<fs::path> inputs = files_under(FEDSIM_SOURCE_DIR "/scenarios", ".json");
    REQUIRE(inputs.size() >= 10);
    for (const fs::path& p : inputs) {
        feed(p, fuzz::scenario_input);
    }
}
