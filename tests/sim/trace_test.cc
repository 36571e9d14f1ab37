// Trace: record formatting, the JSON Lines sink, the log sink's sim-time prefix, and the
// fingerprint's sensitivity to every part of a record.
#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sim/scheduler.h"
#include "sim/this_actor.h"

using sim::SimDuration;
using sim::Trace;
using sim::TraceEvent;

namespace {

uint64_t one_record(std::string_view kind, int64_t value, std::string_view text) {
    Trace t;
    { TraceEvent(&t, sim::SimTime::from_ns(5), 1, "a", kind, sim::TraceLevel::info)
          .field("n", value)
          .field("s", text); }
    return t.fingerprint();
}

}  // namespace

TEST_CASE("every part of a record moves the fingerprint", "[trace]") {
    uint64_t base = one_record("k", 1, "x");
    CHECK(one_record("k", 1, "x") == base);
    CHECK(one_record("j", 1, "x") != base);
    CHECK(one_record("k", 2, "x") != base);
    CHECK(one_record("k", 1, "y") != base);
}

// A literal's word can be computed at compile time (under g++ it always is: see TraceName).
static_assert(sim::TraceName("net_send").word() == sim::bytes_word("net_send"));
static_assert(sim::TraceName("net_send").text() == "net_send");

// A record commits when its statement ends, before the next statement's record. Clang 14 with
// a consteval TraceName destroyed the builder only at the end of the block, which put the
// first record last (and moved fingerprints between the g++ and clang builds).
TEST_CASE("a record commits at the end of its statement", "[trace]") {
    Trace t;
    t.keep_in_memory(true);
    {
        TraceEvent(&t, sim::SimTime::from_ns(1), 1, "a", "first", sim::TraceLevel::info)
            .field("n", int64_t{1});
        TraceEvent(&t, sim::SimTime::from_ns(2), 1, "a", "second", sim::TraceLevel::info)
            .field("n", int64_t{2});
        CHECK(t.records().size() == 2);
    }
    REQUIRE(t.records().size() == 2);
    CHECK(t.records()[0].kind == "first");
    CHECK(t.records()[1].kind == "second");
}

TEST_CASE("a record hashes the same from literal and runtime names", "[trace]") {
    // The fold spelled out: time and actor, the kind's word, then each key's and value's word.
    auto by_hand = [](std::string_view kind, std::string_view key, int64_t v) {
        uint64_t h = sim::fingerprint_mix(sim::fingerprint_mix(5, 1),
                                          sim::fnv1a(kind) ^ kind.size());
        h = sim::fingerprint_mix(sim::fingerprint_mix(h, sim::fnv1a(key) ^ key.size()),
                                 static_cast<uint64_t>(v));
        return sim::fingerprint_mix(0x6a09e667f3bcc909ULL, h);
    };
    Trace literal;
    { TraceEvent(&literal, sim::SimTime::from_ns(5), 1, "a", "fed_round", sim::TraceLevel::info)
          .field("round", int64_t{42}); }
    const std::string kind = "fed_round";
    const std::string key = "round";
    Trace runtime;
    { TraceEvent(&runtime, sim::SimTime::from_ns(5), 1, "a", kind, sim::TraceLevel::info)
          .field(key, int64_t{42}); }
    CHECK(literal.fingerprint() == by_hand("fed_round", "round", 42));
    CHECK(runtime.fingerprint() == literal.fingerprint());
}

TEST_CASE("records format as text and JSON", "[trace]") {
    Trace t;
    t.keep_in_memory(true);
    { TraceEvent(&t, sim::SimTime::from_ns(1500000000), 3, "gateway", "pay", sim::TraceLevel::info)
          .field("amount", int64_t{1000})
          .field("ok", true)
          .field("note", "two words")
          .field("delay", SimDuration::millis(250)); }
    REQUIRE(t.records().size() == 1);
    const sim::TraceRecord& r = t.records()[0];
    CHECK(r.to_text() == "t=1.5s gateway pay amount=1000 ok=true note=\"two words\" delay=250ms");
    nlohmann::json j = nlohmann::json::parse(r.to_json());
    CHECK(j["t_ns"] == 1500000000);
    CHECK(j["actor"] == "gateway");
    CHECK(j["fields"]["ok"] == true);
    CHECK(j["fields"]["note"] == "two words");
}

TEST_CASE("the JSON Lines sink writes one parseable record per line", "[trace]") {
    std::string path = "trace_test_out.jsonl";
    {
        sim::Scheduler s({.seed = 4});
        std::string error;
        REQUIRE(s.trace().open_jsonl(path, &error));
        s.spawn("a", [] {
            sim::this_actor::sleep_for(SimDuration::seconds(1));
            sim::this_actor::trace("tick").field("n", 1);
        });
        REQUIRE(s.run().ok());
    }
    std::ifstream in(path);
    std::string line;
    int lines = 0;
    bool saw_tick = false;
    while (std::getline(in, line)) {
        nlohmann::json j = nlohmann::json::parse(line);
        saw_tick = saw_tick || (j["kind"] == "tick" && j["t_ns"] == 1000000000);
        ++lines;
    }
    CHECK(saw_tick);
    CHECK(lines >= 3);  // spawn, tick, exit, run_end
    std::remove(path.c_str());
    sim::Scheduler s({.seed = 4});
    std::string error;
    CHECK_FALSE(s.trace().open_jsonl("/nonexistent-dir/x.jsonl", &error));
    CHECK(error.find("/nonexistent-dir/x.jsonl") != std::string::npos);
}

TEST_CASE("log output carries the sim time and respects the level", "[trace]") {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    auto logger = std::make_shared<spdlog::logger>("trace-test", sink);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    sim::Scheduler s({.seed = 4});
    s.trace().set_logger(logger, sim::TraceLevel::info);
    s.spawn("miner", [] {
        sim::this_actor::sleep_for(SimDuration::millis(2500));
        sim::this_actor::trace("block").field("height", 101);
    });
    REQUIRE(s.run().ok());
    std::string text = out.str();
    CHECK(text.find("t=2.5s miner block height=101") != std::string::npos);
    CHECK(text.find(" spawn ") == std::string::npos);  // debug level, filtered out
}
