// The faucet is sized to what a scenario declares (scenario/worlds/faucet_plan.h): every channel
// and the gateway world's peg-ins are paid from it, so a valid scenario that needs more than the
// default 100 BTC runs, and one that needs more than regtest can ever mint (1,494,999,998,350
// sat) is refused with exit 2 at the field whose payment crossed that supply, for `run` and
// `sweep` alike — never the faucet's "faucet exhausted" abort.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "tests/cli/cli_helpers.h"
#include "tests/scenario/built_worlds.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

constexpr uint64_t k_supply = 1'494'999'998'350;  // actors::lightning::faucet_supply()

// A lightning world a (lnd) -> b (cln) -> c (lnd) whose two channels have these capacities; a
// pays c 100,000 sat across both once they are open, and must succeed.
std::string two_channels(uint64_t first, uint64_t second) {
    return R"({"name": "x", "world": "lightning", "params": {"duration": "10m"},
  "topology": {"nodes": [{"name": "a", "role": "node", "props": {"profile": "lnd"}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}},
                         {"name": "c", "role": "node", "props": {"profile": "lnd"}}],
               "links": [{"kind": "channel", "from": "a", "to": "b",
                          "props": {"capacity_sat": )" + std::to_string(first) + R"(}},
                         {"kind": "channel", "from": "b", "to": "c",
                          "props": {"capacity_sat": )" + std::to_string(second) + R"(}}]},
  "timeline": [{"after": "channels_open", "delay": "5s", "action": "pay", "from": "a",
                "to": "c", "amount_msat": 100000000}],
  "expect": {"outcome": "ok", "checks": "all", "conditions": ["ln.payments_succeeded == 1"]}}
)";
}

// A gateway world on a (lnd, the gateway's node) -> b (cln), one channel of `capacity_sat`, with
// `clients` clients that (with the gateway) each peg in `peg_in_sat`.
std::string gateway_peg_ins(uint64_t clients, uint64_t peg_in_sat,
                            uint64_t capacity_sat = 1'000'000) {
    return R"({"name": "x", "world": "gateway",
  "params": {"gateway_node": "a", "clients": )" + std::to_string(clients) + R"(,
             "peg_in_sat": )" + std::to_string(peg_in_sat) + R"(},
  "topology": {"nodes": [{"name": "a", "role": "node", "props": {"profile": "lnd"}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}}],
               "links": [{"kind": "channel", "from": "a", "to": "b",
                          "props": {"capacity_sat": )" + std::to_string(capacity_sat) +
           R"(}}]},
  "expect": {"outcome": "ok", "checks": "all"}}
)";
}

void check_runs(const Result& r) {
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has("PASS seed 1"));
    CHECK_FALSE(r.has("faucet"));
}

// Exit 2 naming `pointer` and `message`, for run and for sweep, and no crash of any kind.
void check_refused(const Scratch& s, const std::string& pointer, const std::string& message) {
    for (const char* command : {"run f.json", "sweep f.json --seeds 1..2 --jobs 1"}) {
        INFO(command);
        const Result r = s.fedsim(command);
        INFO(r.out);
        CHECK(r.code == 2);
        CHECK(r.has(pointer));
        CHECK(r.has(message));
        for (const char* crash : {"faucet exhausted", "terminate called", "Sanitizer",
                                  "runtime error", "Assertion", "segmentation fault"}) {
            CHECK_FALSE(r.has(crash));
        }
    }
}

}  // namespace

// The repro: 1,000,000 sat of channel, then five 20 BTC peg-ins (the gateway's and four
// clients'): 100.01 BTC from a 100 BTC faucet aborted the run at the last peg-in.
TEST_CASE("a gateway world whose peg-ins need more than 100 BTC runs", "[cli][faucet]") {
    NEEDS_WORLDS("gateway");
    Scratch s;
    s.write("f.json", gateway_peg_ins(4, 2'000'000'000));
    check_runs(s.fedsim("run f.json"));
}

// Two 60 BTC channels: the second was refused as "more than the faucet holds" (40 BTC left).
TEST_CASE("a lightning world whose channels sum past 100 BTC runs", "[cli][faucet]") {
    Scratch s;
    s.write("f.json", two_channels(6'000'000'000, 6'000'000'000));
    check_runs(s.fedsim("run f.json"));
}

TEST_CASE("channels summing to regtest's whole supply run; one sat more is refused at the "
          "channel that crossed it",
          "[cli][faucet]") {
    Scratch s;
    // The first channel alone is more than the old 100 BTC faucet.
    const uint64_t first = 20'000'000'000;
    s.write("f.json", two_channels(first, k_supply - first));
    check_runs(s.fedsim("run f.json"));
    s.write("f.json", two_channels(first, k_supply - first + 1));
    check_refused(s, "f.json:8:",
                  "/topology/links/1/props/capacity_sat: lightning setup: capacity_sat " +
                      std::to_string(k_supply - first + 1) +
                      " takes the faucet's payments to " + std::to_string(k_supply + 1) +
                      " sat, more than regtest's whole supply (" + std::to_string(k_supply) +
                      " sat)");
}

TEST_CASE("a channel and peg-ins summing to regtest's whole supply run; one sat more is refused "
          "at peg_in_sat",
          "[cli][faucet]") {
    NEEDS_WORLDS("gateway");
    Scratch s;
    // A channel, then 2 peg-ins (the gateway's, one client's): the last peg-in crosses.
    const uint64_t peg_in = (k_supply - 1'000'000) / 2;
    REQUIRE(1'000'000 + 2 * peg_in == k_supply);
    s.write("f.json", gateway_peg_ins(1, peg_in));
    check_runs(s.fedsim("run f.json"));
    s.write("f.json", gateway_peg_ins(1, peg_in, 1'000'001));
    check_refused(s, "f.json:3:",
                  "/params/peg_in_sat: gateway world setup: peg_in_sat " +
                      std::to_string(peg_in) +
                      " (a peg-in for the gateway and each of 1 clients) takes the faucet's "
                      "payments to " + std::to_string(k_supply + 1) + " sat");
}

TEST_CASE("a generated graph beyond regtest's supply is refused at its capacity_sat_max",
          "[cli][faucet]") {
    Scratch s;
    for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
        INFO(world);
        const std::string gw =
            std::string(world) == "gateway" ? R"(, "params": {"gateway_node": "a0"})" : "";
        s.write("f.json", R"({"name": "x", "world": ")" + std::string(world) + "\"" + gw + R"(,
  "topology": {"nodes": [{"name": "a", "role": "node", "count": 3, "props": {"profile": "lnd"}}],
               "generate": {"kind": "line", "capacity_sat_min": 1000000000000,
                            "capacity_sat_max": 1000000000000}}}
)");
        check_refused(s, "/topology/generate/capacity_sat_max",
                      "a generated channel of 1000000000000 sat takes the faucet's payments to "
                      "2000000000000 sat");
    }
}

// capacity_sat_min written alone above the default max draws every capacity at it (the max
// follows it), so that is the field the refusal names.
TEST_CASE("a generated graph beyond regtest's supply from a lone capacity_sat_min is refused "
          "there",
          "[cli][faucet]") {
    Scratch s;
    for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
        INFO(world);
        const std::string gw =
            std::string(world) == "gateway" ? R"(, "params": {"gateway_node": "a0"})" : "";
        s.write("f.json", R"({"name": "x", "world": ")" + std::string(world) + "\"" + gw + R"(,
  "topology": {"nodes": [{"name": "a", "role": "node", "count": 3, "props": {"profile": "lnd"}}],
               "generate": {"kind": "line", "capacity_sat_min": 1000000000000}}}
)");
        check_refused(s, "/topology/generate/capacity_sat_min",
                      "a generated channel of 1000000000000 sat takes the faucet's payments to "
                      "2000000000000 sat");
    }
}

// peg_in_sat left at its default (10,000,000 sat) has no place in the file: the refusal still
// names the parameter to set, /params/peg_in_sat. A channel of supply - 10,000,000 sat, then the
// gateway's peg-in reaches the supply exactly and the one client's crosses it.
TEST_CASE("a defaulted peg_in_sat that crosses regtest's supply is refused at /params/peg_in_sat",
          "[cli][faucet]") {
    NEEDS_WORLDS("gateway");
    Scratch s;
    const uint64_t peg_in = 10'000'000;  // the gateway world's default
    s.write("f.json", R"({"name": "x", "world": "gateway", "params": {"gateway_node": "a"},
  "topology": {"nodes": [{"name": "a", "role": "node", "props": {"profile": "lnd"}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}}],
               "links": [{"kind": "channel", "from": "a", "to": "b",
                          "props": {"capacity_sat": )" + std::to_string(k_supply - peg_in) +
                          R"(}}]}}
)");
    check_refused(s,
                  "f.json: error: /params/peg_in_sat: gateway world setup: peg_in_sat 10000000 "
                  "(a peg-in for the gateway and each of 1 clients) takes the faucet's payments "
                  "to " + std::to_string(k_supply + peg_in) + " sat",
                  "more than regtest's whole supply");
}

// A generated graph past the old 100 BTC faucet but within the supply runs: a line of 3 nodes,
// two channels of 60 BTC (plus, in the gateway world, the peg-ins), written as min == max or as
// the min alone (the max follows it).
TEST_CASE("a generated graph over 100 BTC but under regtest's supply runs", "[cli][faucet]") {
    Scratch s;
    for (const char* args : {R"("capacity_sat_min": 6000000000, "capacity_sat_max": 6000000000)",
                             R"("capacity_sat_min": 6000000000)"}) {
        for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
            INFO(world << " " << args);
            const std::string params = std::string(world) == "gateway"
                                           ? R"("gateway_node": "a0")"
                                           : R"("duration": "10m")";
            s.write("f.json", R"({"name": "x", "world": ")" + std::string(world) +
                                  R"(", "params": {)" + params + R"(},
  "topology": {"nodes": [{"name": "a", "role": "node", "count": 3, "props": {"profile": "lnd"}}],
               "generate": {"kind": "line", )" + args + R"(}},
  "expect": {"outcome": "ok", "checks": "all"}}
)");
            check_runs(s.fedsim("run f.json"));
        }
    }
}
