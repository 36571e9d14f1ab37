// The bad-input catalogue: every kind of broken scenario file, trace file, path and command
// line, run through the real fedsim binary. Each must end with exit code 2 (not 1, and not a
// signal: the shell reports those as 128+N), a message naming the place (file:line:col with
// the JSON pointer, the trace line, or the flag), and no crash report of any kind.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/scenario/built_worlds.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

// A valid echo scenario with `extra` spliced in as further top-level keys.
std::string echo_with(const std::string& extra, const std::string& seeds = "1..5") {
    return R"({"name": "base", "world": "echo", "seeds": ")" + seeds + R"(",
  "topology": {"nodes": [{"name": "server", "role": "server"},
                         {"name": "client", "role": "client", "count": 2}]})" +
           (extra.empty() ? "" : ",\n  " + extra) + "\n}\n";
}

// A lightning or gateway scenario: `a` (lnd) and `b` (cln) with one channel whose props are
// `link_props`; `a_props` goes into node a's props.
std::string channel_world(const std::string& world, const std::string& link_props,
                          const std::string& a_props = "") {
    const std::string gw = world == "gateway" ? R"(, "params": {"gateway_node": "a"})" : "";
    return R"({"name": "x", "world": ")" + world + R"(")" + gw + R"(,
  "topology": {"nodes": [{"name": "a", "role": "node", "props": {"profile": "lnd")" +
           (a_props.empty() ? "" : ", " + a_props) + R"(}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}}],
               "links": [{"kind": "channel", "from": "a", "to": "b",
                          "props": {"capacity_sat": 1000)" +
           (link_props.empty() ? "" : ", " + link_props) + "}}]}}\n";
}

// `channel_world` with node a on LDK: `a_props` go into a's props, `link_props` (with a
// leading comma) after the link's capacity_sat.
std::string ldk_world(const std::string& world, const std::string& a_props,
                      const std::string& link_props) {
    const std::string gw = world == "gateway" ? R"(, "params": {"gateway_node": "a"})" : "";
    return R"({"name": "x", "world": ")" + world + R"(")" + gw + R"(,
  "topology": {"nodes": [{"name": "a", "role": "node", "props": {"profile": "ldk")" +
           (a_props.empty() ? "" : ", " + a_props) + R"(}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}}],
               "links": [{"kind": "channel", "from": "a", "to": "b",
                          "props": {"capacity_sat": 1000)" + link_props + "}}]}}\n";
}

// A gateway scenario that pays `payee` from gateway_node `gw` over one channel `from` -> `to`
// (valid with the defaults; each argument lets a test put a typo in one place).
std::string gateway_pay(const std::string& from = "a", const std::string& to = "b",
                        const std::string& payee = "b", const std::string& gw = "a") {
    return R"({"name": "x", "world": "gateway", "params": {"gateway_node": ")" + gw + R"("},
  "topology": {"nodes": [{"name": "a", "role": "node", "props": {"profile": "lnd"}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}}],
               "links": [{"kind": "channel", "from": ")" + from + R"(", "to": ")" + to + R"(",
                          "props": {"capacity_sat": 1000000}}]},
  "timeline": [{"at": "1m", "action": "pay", "to": ")" + payee + R"("}]}
)";
}

// A lightning or gateway scenario whose three nodes are joined by a generated line with the
// generator arguments `args` (line 3 of the file).
std::string generated_line(const std::string& world, const std::string& args) {
    const std::string gw = world == "gateway" ? R"(, "params": {"gateway_node": "a0"})" : "";
    return R"({"name": "x", "world": ")" + world + R"(")" + gw + R"(,
  "topology": {"nodes": [{"name": "a", "role": "node", "count": 3, "props": {"profile": "lnd"}}],
               "generate": {"kind": "line", )" + args + "}}}\n";
}

// `text`, a scenario object, with `members` (JSON object members) added at its end.
std::string with_members(std::string text, const std::string& members) {
    text.insert(text.rfind('}'), ", " + members);
    return text;
}

// A NUL byte inside a string (sizeof keeps it: strlen would stop there).
constexpr char k_with_nul[] = "{\"name\": \"a\0b\", \"world\": \"echo\"}";

struct BadFile {
    const char* what;
    std::string text;
    std::vector<std::string> expect;  // each must appear in the output
    std::vector<std::string> absent = {};  // none may appear (an error cascading from the first)
};

std::vector<BadFile> bad_scenarios() {
    return {
        {"empty file", "", {"f.json:1:1:", "invalid JSON"}},
        {"only whitespace", "  \n\n ", {"f.json:3:", "invalid JSON"}},
        {"malformed JSON", "{\"name\": \"x\",, \"world\": \"echo\"}", {"f.json:1:14:"}},
        {"truncated JSON", echo_with("").substr(0, 60), {"f.json:2:", "invalid JSON"}},
        {"trailing garbage", echo_with("") + "}", {"f.json:5:1:", "invalid JSON"}},
        {"not an object", "[1, 2, 3]", {"f.json:1:1:", "must be an object"}},
        {"wrong type: name", R"({"name": 5, "world": "echo"})", {"f.json:1:2:", "/name"}},
        {"wrong type: topology", echo_with(R"("params": [1, 2])"), {"/params", "object"}},
        {"wrong type: count", echo_with(R"("timeline": {"a": 1})"), {"/timeline", "array"}},
        {"huge integer", echo_with(R"("params": {"pings": 99999999999999999999999})"),
         {"f.json:4:", "/params/pings", "too large"}},
        {"integer past int64", echo_with(R"("params": {"pings": 9223372036854775808})"),
         {"/params/pings", "too large"}},
        {"number past double", echo_with(R"("params": {"pings": 1e400})"),
         {"f.json:4:", "invalid JSON", "1e400"}},
        {"negative number", echo_with(R"("params": {"pings": -5})"),
         {"f.json:4:", "/params/pings", "out of range"}},
        {"fraction for an integer", echo_with(R"("params": {"pings": 2.5})"),
         {"/params/pings", "fractional"}},
        {"negative duration", echo_with(R"("params": {"ping_timeout": "-5s"})"),
         {"f.json:4:", "/params/ping_timeout"}},
        {"absurd duration", echo_with(R"("params": {"ping_timeout": "99999999999h"})"),
         {"/params/ping_timeout", "too large"}},
        {"duration without unit", echo_with(R"("limits": {"max_time": "10"})"),
         {"/limits/max_time"}},
        {"zero wall time", echo_with(R"("limits": {"wall_time": "0s"})"), {"/limits/wall_time"}},
        {"unknown world", R"({"name": "x", "world": "ech0"})", {"f.json:1:15:", "/world"}},
        {"unknown key", echo_with(R"("timelime": [])"), {"f.json:4:", "timelime", "timeline"}},
        {"unknown role", R"({"name": "x", "world": "echo", "topology": {"nodes": [
            {"name": "s", "role": "sevrer"}]}})",
         {"/topology/nodes/0/role", "sevrer"}},
        {"unknown node reference",
         echo_with(R"("timeline": [{"at": "1s", "action": "crash", "node": "nobody"}])"),
         {"f.json:4:", "/timeline/0/node", "nobody"}},
        {"unknown after reference",
         echo_with(R"("timeline": [{"name": "a", "after": "zz", "action": "crash",
                                    "node": "server"}])"),
         {"f.json:4:", "/timeline/0/after", "zz"}},
        {"cyclic after events",
         echo_with(R"("timeline": [
            {"name": "a", "after": "b", "action": "crash", "node": "server"},
            {"name": "b", "after": "a", "action": "restart", "node": "server"}])"),
         {"/timeline/", "cycle", "a -> b -> a"}},
        {"actor count beyond the limit",
         R"({"name": "x", "world": "echo", "topology": {"nodes": [
            {"name": "server", "role": "server"},
            {"name": "client", "role": "client", "count": 100000000}]}})",
         {"f.json:3:", "/topology/nodes/1/count", "out of range"}},
        {"negative actor count",
         R"({"name": "x", "world": "echo", "topology": {"nodes": [
            {"name": "server", "role": "server"},
            {"name": "client", "role": "client", "count": -1}]}})",
         {"/topology/nodes/1/count"}},
        {"empty seed range", echo_with("", "9..3"),
         {"f.json:1:", "/seeds", "9..3"}},
        {"seed range overflow", echo_with("", "1..99999999999999999999"),
         {"/seeds"}},
        {"non-UTF-8 bytes", "{\"name\": \"\xff\xfe\", \"world\": \"echo\"}",
         {"f.json:1:", "UTF-8", "\\xff"}},
        {"NUL byte", std::string(k_with_nul, sizeof k_with_nul - 1),
         {"f.json:1:", "invalid JSON"}},
        {"deep nesting", std::string(100000, '[') + std::string(100000, ']'),
         {"f.json:1:65:", "nested more than 64"}},
        {"deep nesting in a value",
         echo_with("\"params\": " + std::string(5000, '[') + std::string(5000, ']')),
         {"f.json:4:", "nested"}},
        {"duplicate key", R"({"name": "x", "name": "y", "world": "echo"})", {"/name", "twice"}},
        // A wrong value of a closed set says what is accepted when nothing is close.
        {"unknown choice", R"({"name": "x", "world": "escrow", "params": {"mode": "bogus"}})",
         {"f.json:1:", "/params/mode", "(one of: reserve_first, check_then_act)"}},
        {"unknown outcome", echo_with(R"("expect": {"outcome": "okay"})"),
         {"f.json:4:", "/expect/outcome", "(one of: ok, actor_crashed,"}},
        {"unknown action", echo_with(R"("timeline": [{"at": "1s", "action": "zzz"}])"),
         {"f.json:4:", "/timeline/0/action", "fedsim list actions"}},
        {"empty name", R"({"name": "", "world": "echo"})", {"f.json:1:", "/name", "empty"}},
        // Before: a world that declares no fault points (every world but shutdown) took a
        // forced site of any name, and fault points switched on, silently doing nothing.
        {"forced fault point in a world without any",
         echo_with(R"("faults": {"fault_points": {"force": {"echo.drop_pong": true}}})"),
         {"f.json:4:", "/faults/fault_points/force/echo.drop_pong",
          "unknown fault point \"echo.drop_pong\" in world echo, which has none"},
         // Before, also "world echo has no fault points ... switching them on does nothing":
         // an object without "enabled" switches them on; two errors for one mistake.
         {"switching them on"}},
        {"fault points switched on in a world without any",
         echo_with(R"("faults": {"fault_points": true})"),
         {"f.json:4:", "/faults/fault_points", "world echo has no fault points"}},
        // Before: "a latency must be an object, not an integer", though a duration string is
        // what most files write.
        {"latency as a bare number", echo_with(R"("faults": {"network": {"latency": 5}})"),
         {"f.json:4:", "/faults/network/latency",
          "a latency must be a duration like \"20ms\" or {\"min\": ..., \"max\": ...}, not an "
          "integer"}},
        // Before: "expected an array, not a string", with no word of "all" or of the list.
        {"one checker as a string", echo_with(R"("expect": {"checks": "echo.all_answered"})"),
         {"f.json:4:", "/expect/checks",
          "\"checks\" is \"all\" or a list of checker names: write [\"echo.all_answered\"]"}},
        // Before: a typo got "write [\"echo.all_answerd\"]", the typo as a list, which then
        // fails again as an unknown checker.
        {"one misspelt checker as a string",
         echo_with(R"("expect": {"checks": "echo.all_answerd"})"),
         {"f.json:4:", "/expect/checks",
          "unknown checker \"echo.all_answerd\" in world echo (did you mean "
          "\"echo.all_answered\"?); \"checks\" is \"all\" or a list of checker names: write "
          "[\"echo.all_answered\"]"},
         {"[\"echo.all_answerd\"]"}},
        {"\"all\" misspelt", echo_with(R"("expect": {"checks": "al"})"),
         {"f.json:4:", "/expect/checks", "(did you mean \"all\"?)"},
         {"[\"al\"]"}},
        // Before: "unknown role \"server\" in world escrow", and nothing about what it has.
        {"a role in a world without roles",
         R"({"name": "x", "world": "escrow", "topology": {"nodes": [
            {"name": "s", "role": "server"}]}})",
         {"f.json:2:", "/topology/nodes/0/role",
          "unknown role \"server\": world escrow has no roles (its nodes are fixed: ledger, "
          "client)"},
         {"in world escrow: world escrow"}},
        {"a role nothing like the world's", R"({"name": "x", "world": "echo", "topology": {
            "nodes": [{"name": "s", "role": "worker"}]}})",
         {"f.json:2:", "/topology/nodes/0/role", "(one of: server, client)"}},
        {"a link in a world without links",
         R"({"name": "x", "world": "escrow", "topology": {"links": [
            {"kind": "channel", "from": "ledger", "to": "client"}]}})",
         {"f.json:2:", "/topology/links/0/kind", "world escrow has no topology links"}},
        // Before: "(its nodes are fixed: depositor)", though the federation's guardians are
        // declared by role; only a world without roles has nothing but its fixed nodes.
        {"a link in a world with roles but without links",
         R"({"name": "x", "world": "federation", "topology": {"nodes": [
            {"name": "g", "role": "guardian", "count": 2}], "links": [
            {"kind": "channel", "from": "g0", "to": "g1"}]}})",
         {"f.json:3:", "/topology/links/0/kind",
          "unknown link kind \"channel\": world federation has no topology links (declare nodes "
          "with roles: guardian)"},
         {"nodes are fixed"}},
        {"a generator in a world without generators",
         R"({"name": "x", "world": "echo", "topology": {"generate": {"kind": "line"}}})",
         {"f.json:1:", "/topology/generate/kind", "world echo has no topology generators"}},
        // Limits the Lightning model would refuse while building the world: refused when the
        // file is read, naming the field, instead of a failed (or, for the gateway world,
        // crashed) run.
        {"push above the capacity (lightning)",
         channel_world("lightning", R"("push_msat": 1000001)"),
         {"f.json:5:", "/topology/links/0/props/push_msat", "exceeds the channel's capacity"}},
        {"push above the capacity (gateway)", channel_world("gateway", R"("push_msat": 1000001)"),
         {"f.json:5:", "/topology/links/0/props/push_msat", "exceeds the channel's capacity"}},
        {"node delta below its implementation's minimum",
         channel_world("gateway", "", R"("cltv_expiry_delta": 1)"),
         {"/topology/nodes/0", "node 'a'", "cltv_expiry_delta 1 is below the lnd minimum"}},
        {"channel delta below the funder's minimum",
         channel_world("lightning", R"("cltv_expiry_delta": 1)"),
         {"/topology/links/0", "channel a -> b", "below the lnd minimum"}},
        // LDK's invoices never carry a `c` below MIN_FINAL_CLTV_EXPIRY_DELTA (42).
        {"LDK node invoice c below 42",
         ldk_world("gateway", R"("min_final_cltv_expiry_delta": 41)", ""),
         {"/topology/nodes/0", "node 'a'",
          "min_final_cltv_expiry_delta 41 is below the ldk minimum 42"}},
        {"LDK funder's invoice c below 42 on a channel",
         ldk_world("lightning", "", R"(, "min_final_cltv_expiry_delta": 41)"),
         {"/topology/links/0", "channel a -> b", "below the ldk minimum 42"}},
        // A typo in a node name is reported once, at its field, not again as the "no channel
        // path" it leads to.
        {"link from an unknown node (gateway)", gateway_pay("x", "b"),
         {"f.json:4:", "/topology/links/0/from", "node \"x\"", "did you mean"},
         {"no channel path"}},
        {"link to an unknown node (gateway)", gateway_pay("a", "bb"),
         {"f.json:4:", "/topology/links/0/to", "node \"bb\"", "did you mean \"b\""},
         {"no channel path"}},
        {"payee not a topology node (gateway)", gateway_pay("a", "b", "bee"),
         {"f.json:6:", "/timeline/0/to", "node \"bee\""},
         {"no channel path"}},
        {"gateway_node not a topology node", gateway_pay("a", "b", "b", "aa"),
         {"f.json:1:", "/params/gateway_node", "gateway_node \"aa\" is not a topology node"},
         {"no channel path"}},
        // A generator's min/max pair written crossed, by one, would abort the draw
        // (topology.cc): refused at the min, naming the max and its place too. (An end left
        // out follows the other past its default, so only two written ends can cross.)
        {"generator capacity_sat_min above capacity_sat_max",
         generated_line("gateway", R"("capacity_sat_min": 2000000, "capacity_sat_max": 1999999)"),
         {"f.json:3:45: error: /topology/generate/capacity_sat_min",
          "line: capacity_sat_min 2000000 exceeds capacity_sat_max 1999999 "
          "(/topology/generate/capacity_sat_max at 3:74): an empty range to draw from"}},
        {"generator share_percent_min above share_percent_max",
         generated_line("lightning", R"("share_percent_min": 80, "share_percent_max": 79)"),
         {"f.json:3:45: error: /topology/generate/share_percent_min",
          "line: share_percent_min 80 exceeds share_percent_max 79 "
          "(/topology/generate/share_percent_max at 3:70): an empty range to draw from"}},
        // The workload runs `duration` after the channels open: at or past limits.max_time no
        // seed could end ok. Named at the parameter (a range's upper end counts), or at
        // /params/duration when the default is what crosses a lowered limit.
        {"lightning duration range reaching limits.max_time",
         with_members(generated_line("lightning", R"("capacity_sat_min": 1000)"),
                      R"("params": {"duration": {"min": "10m", "max": "1h"}})"),
         {"f.json:3:", "/params/duration",
          "duration 3600s runs after channels_open, so every run reaches limits.max_time (3600s)"}},
        {"gateway default duration past a lowered limits.max_time",
         with_members(generated_line("gateway", R"("capacity_sat_min": 1000)"),
                      R"("limits": {"max_time": "30m"})"),
         {"error: /params/duration", "duration 1800s runs after ready",
          "limits.max_time (1800s) first and ends with time_limit"}},
        {"entry after the time limit",
         echo_with(R"("limits": {"max_time": "10m"},
  "timeline": [{"at": "10m", "action": "stop"}])"),
         {"f.json:5:", "/timeline/0/at", "limits.max_time", "never fire"}},
    };
}

void check_refused(const Result& r, const std::vector<std::string>& expect,
                   const std::vector<std::string>& absent = {}) {
    INFO(r.out);
    CHECK(r.code == 2);
    for (const std::string& s : expect) {
        CHECK(r.has(s));
    }
    for (const std::string& s : absent) {
        CHECK_FALSE(r.has(s));
    }
    for (const char* crash : {"terminate called", "Sanitizer", "runtime error", "Assertion",
                              "segmentation fault", "stack overflow"}) {
        CHECK_FALSE(r.has(crash));
    }
}

}  // namespace

TEST_CASE("every bad scenario file is refused with its place and exit code 2",
          "[cli][bad_input]") {
    Scratch s;
    size_t tried = 0;
    size_t left_out = 0;
    for (const BadFile& bad : bad_scenarios()) {
        if (test_worlds::text_world_left_out(bad.text)) {
            ++left_out;
            continue;
        }
        s.write("f.json", bad.text);
        for (const char* command : {"validate f.json", "run f.json", "sweep f.json --jobs 1",
                                    "check-determinism f.json --seeds 1..2"}) {
            INFO(bad.what << ": fedsim " << command);
            check_refused(s.fedsim(command), bad.expect, bad.absent);
            ++tried;
        }
    }
    CHECK(tried == 4 * (bad_scenarios().size() - left_out));
}

// The edge of the duration check: one second inside limits.max_time is valid, at it is not;
// a scenario that expects time_limit may run past it; and the lightning world's default
// duration (30 min after channels_open) ends ok inside the default 1 h limit.
TEST_CASE("a workload duration inside limits.max_time, or expecting time_limit, is valid",
          "[cli][bad_input]") {
    NEEDS_WORLDS("lightning");
    Scratch s;
    const std::string line = generated_line("lightning", R"("capacity_sat_min": 1000)");
    s.write("f.json", with_members(line, R"("limits": {"max_time": "10m"},
                                         "params": {"duration": "599s"})"));
    CHECK(s.fedsim("validate f.json").code == 0);
    s.write("f.json", with_members(line, R"("limits": {"max_time": "10m"},
                                         "params": {"duration": "10m"})"));
    check_refused(s.fedsim("validate f.json"),
                  {"f.json:4:", "/params/duration", "duration 600s runs after channels_open"});
    s.write("f.json", with_members(line, R"("params": {"duration": "1h"},
                                         "expect": {"outcome": "time_limit"})"));
    CHECK(s.fedsim("validate f.json").code == 0);
    s.write("f.json", with_members(line, R"("timeline": [{"after": "channels_open",
        "action": "pay", "from": "a0", "to": "a2", "amount_msat": 10000000}])"));
    const Result r = s.fedsim("run f.json --seed 1");
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.out.find("duration=1800s") != std::string::npos);
}

// The chain and federation worlds run `duration` from 0, and the scheduler still runs an
// event at exactly limits.max_time: a duration equal to the limit can end ok (here the default
// instant propagation leaves nothing to converge), one second more cannot and is refused. The
// federation's default (2 min) is what crosses a lowered limit.
TEST_CASE("a chain or federation workload may run up to limits.max_time, not past it",
          "[cli][bad_input]") {
    NEEDS_WORLDS("chain", "federation");
    Scratch s;
    const std::string chain = R"({"name": "x", "world": "chain",
  "topology": {"nodes": [{"name": "a", "role": "bitcoind"}, {"name": "b", "role": "bitcoind"}]},
  "params": {"propagation_min": "0s", "propagation_max": "0s", "duration": )";
    s.write("f.json", chain + R"("1h"}})");
    const Result ok = s.fedsim("run f.json --seed 1");
    INFO(ok.out);
    CHECK(ok.code == 0);
    s.write("f.json", chain + R"("3601s"}})");
    check_refused(s.fedsim("validate f.json"),
                  {"f.json:3:", "/params/duration",
                   "duration 3601s runs past limits.max_time (3600s), so every run ends with "
                   "time_limit"});
    s.write("f.json", chain + R"("3601s"}, "expect": {"outcome": "time_limit"}})");
    CHECK(s.fedsim("validate f.json").code == 0);
    const std::string fed = R"({"name": "x", "world": "federation", "limits": {"max_time": )";
    s.write("f.json", fed + R"("120s"}})");
    CHECK(s.fedsim("run f.json --seed 1").code == 0);
    s.write("f.json", fed + R"("119s"}})");
    check_refused(s.fedsim("validate f.json"),
                  {"error: /params/duration", "duration 120s runs past limits.max_time (119s)"});
}

// A chain world left at its default duration ends ok on every seed though its last block may
// still be propagating at the end: the default leaves converge_within its window inside the
// default limits.max_time (at 1 h, 16 of these 50 seeds ended time_limit).
TEST_CASE("a chain world at its default duration has time to converge", "[cli][bad_input]") {
    NEEDS_WORLDS("chain");
    Scratch s;
    s.write("f.json", R"({"name": "x", "world": "chain", "seeds": "1..50",
  "topology": {"nodes": [{"name": "a", "role": "bitcoind"}, {"name": "b", "role": "bitcoind"}]},
  "params": {"propagation_max": "50s", "mining": "poisson", "block_interval": "1m"}})");
    const Result r = s.fedsim("sweep f.json --jobs 1");
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.has("50 passed, 0 failed"));
}

// The edge of the check above: a pair whose ends meet, written or at a default, is a valid
// one-value range; and an end written alone, on either side of the other's default, is valid
// (the other end stays at its default or follows it: tests/scenario/generator_range_test.cc).
TEST_CASE("a generator min/max pair that meets, or has one end written, is valid",
          "[cli][bad_input]") {
    Scratch s;
    for (const char* args : {R"("capacity_sat_max": 1000000)", R"("capacity_sat_min": 1000000)",
                             R"("capacity_sat_min": 1000001)", R"("capacity_sat_max": 999999)",
                             R"("capacity_sat_min": 999999)", R"("capacity_sat_max": 1000001)",
                             R"("share_percent_max": 50)", R"("share_percent_min": 50)",
                             R"("share_percent_min": 51)", R"("share_percent_max": 49)",
                             R"("capacity_sat_min": 1500000, "capacity_sat_max": 1500000)"}) {
        for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
            s.write("f.json", generated_line(world, args));
            const Result r = s.fedsim("validate f.json");
            INFO(world << " " << args << "\n" << r.out);
            CHECK(r.code == 0);
        }
    }
}

// Validation passing is not enough: a lone capacity_sat_max of 999,999 once passed it and
// aborted on the draw's SIM_ASSERT. Each lone end past the other's default runs a seed.
TEST_CASE("a generator end written alone past the other's default runs", "[cli][bad_input]") {
    Scratch s;
    for (const char* args : {R"("capacity_sat_max": 999999)", R"("capacity_sat_min": 1000001)",
                             R"("share_percent_max": 49)", R"("share_percent_min": 51)"}) {
        for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
            std::string text = generated_line(world, args);
            if (world == "lightning") {  // a workload, so the run ends ok
                text = with_members(text, R"("timeline": [{"after": "channels_open",
                    "action": "pay", "from": "a0", "to": "a2", "amount_msat": 10000000}])");
            }
            s.write("f.json", text);
            const Result r = s.fedsim("run f.json --seed 1");
            INFO(world << " " << args << "\n" << r.out);
            CHECK(r.code == 0);
            CHECK(r.out.find("Assertion") == std::string::npos);
        }
    }
}

TEST_CASE("unreadable scenario paths are refused with exit code 2", "[cli][bad_input]") {
    Scratch s;
    s.write("plain.json", "{}");
    std::system(("mkdir '" + s.path("folder.json") + "'").c_str());
    check_refused(s.fedsim("validate missing.json"), {"missing.json", "cannot read"});
    check_refused(s.fedsim("run folder.json"), {"folder.json", "directory"});
    check_refused(s.fedsim("sweep plain.json/inner.json"),
                  {"plain.json/inner.json", "cannot read"});
    check_refused(s.fedsim("replay '' --seed 1"), {"cannot read"});
}

TEST_CASE("unwritable output paths are refused before any seed runs", "[cli][bad_input]") {
    Scratch s;
    s.write("ok.json", echo_with(""));
    std::system(("mkdir '" + s.path("dir") + "'").c_str());
    struct BadOut {
        std::string args;
        std::vector<std::string> expect;
        const char* work;  // printed once the work starts: must not appear
    };
    // Before: sweep ran every seed and shrink did every reduction, then failed to write.
    std::vector<BadOut> cases = {
        {"sweep ok.json --jobs 1 --junit nodir/r.xml", {"--junit", "nodir/r.xml"}, "sweeping"},
        {"sweep ok.json --jobs 1 --json dir", {"--json", "'dir' is a directory"}, "sweeping"},
        {"shrink ok.json --seed 1 -o nodir/min.json", {"--output", "nodir/min.json"},
         "shrinking"},
        {"run ok.json --html nodir/r.html", {"--html", "nodir/r.html"}, "scenario base"},
        {"replay ok.json --seed 1 --chrome-trace dir", {"--chrome-trace", "directory"},
         "replaying"},
        {"demo --seed 3 --trace-file nodir/t.jsonl", {"--trace-file", "nodir/t.jsonl"},
         "replaying"},
    };
    for (const BadOut& c : cases) {
        INFO("fedsim " << c.args);
        Result r = s.fedsim(c.args);
        check_refused(r, c.expect);
        CHECK_FALSE(r.has(c.work));
    }
    // An existing results file is probed, not truncated; a probe file is not left behind.
    s.write("keep.xml", "old");
    REQUIRE(s.fedsim("sweep ok.json --jobs 1 --junit keep.xml --json new.json").code == 0);
    CHECK(s.read("keep.xml").find("<testsuites") != std::string::npos);
    s.write("keep.xml", "old");
    CHECK(s.fedsim("sweep ok.json --jobs 1 --junit keep.xml --json nodir/x.json").code == 2);
    CHECK(s.read("keep.xml") == "old");
}

TEST_CASE("a sweep's results file or journal given as a scenario names the scenario",
          "[cli][bad_input]") {
    Scratch s;
    s.write("ok.json", echo_with(""));
    REQUIRE(s.fedsim("sweep ok.json --jobs 1 --json r.json").code == 0);
    // Before: one "unknown key" error per results field, and never the scenario's name.
    check_refused(s.fedsim("replay r.json --seed 3"),
                  {"r.json: error: this is a results file of fedsim sweep, not a scenario; its "
                   "scenario is ok.json (e.g. fedsim replay ok.json --seed N)"});
    s.write("r.json.partial", "{\"fedsim_journal\":1,\"scenario\":\"base\",\"seeds\":\"1..5\"}\n"
                              "{\"seed\":1}\n");
    check_refused(s.fedsim("run r.json.partial"), {"journal of a fedsim sweep", "\"base\""});
    // Look-alikes with the wrong types get the ordinary diagnostics, not a crash.
    s.write("odd.json", R"({"fedsim_results": 1, "file": 5, "scenario": []})");
    check_refused(s.fedsim("validate odd.json"), {"odd.json:1:", "fedsim_results"});
}

TEST_CASE("bad command lines and seed ranges are refused naming the flag", "[cli][bad_input]") {
    Scratch s;
    s.write("ok.json", echo_with(""));
    struct BadArgs {
        std::string args;
        std::string expect;
    };
    std::vector<BadArgs> cases = {
        {"sweep ok.json --seeds 9..3", "--seeds"},
        {"sweep ok.json --seeds abc", "--seeds"},
        {"sweep ok.json --seeds -1..5", "--seeds"},
        {"sweep ok.json --seeds 1..99999999999999999999", "--seeds"},
        {"sweep ok.json --seeds 0..18446744073709551615", "--seeds"},
        {"sweep ok.json --seeds ..", "--seeds"},
        {"sweep ok.json --jobs 0", "--jobs"},
        {"sweep ok.json --jobs many", "--jobs"},
        {"sweep ok.json --shard 0/2", "--shard"},
        {"sweep ok.json --shard 3/2", "--shard"},
        {"sweep ok.json --wall-limit -1", "--wall-limit"},
        {"sweep ok.json --progress sometimes", "--progress"},
        {"sweep ok.json --resume", "--resume"},
        {"sweep ok.json --frobnicate", "--frobnicate"},
        {"sweep", "FILE"},
        {"check-determinism ok.json --seeds 5..1", "--seeds"},
        {"replay ok.json --seed -1", "--seed"},
        {"replay ok.json --seed twelve", "--seed"},
        {"run ok.json --seed 99999999999999999999", "--seed"},
        {"shrink ok.json --seed 1", "--output"},
        {"shrink ok.json --seed 99999999999999999999 -o m.json", "--seed"},
        // Before: an unknown --bug silently left its row out (all unknown: an empty table, exit
        // 0), and an unwritable --doc was found after every sweep.
        {"catalogue --bug gateway-stop-deadlok", "did you mean \"gateway-stop-deadlock\""},
        {"catalogue --bug nosuch --doc -", "--bug \"nosuch\" is not a catalogued bug"},
        {"catalogue --bug blocking-drop --doc nodir/c.md", "--doc 'nodir/c.md'"},
        // Before: a missing --regressions directory was found only at the write, after the
        // sweeps, and the table still linked the file it could not write.
        {"catalogue --bug blocking-drop --regressions nodir --doc -",
         "--regressions 'nodir' is not a directory"},
        {"catalogue --bug blocking-drop --jobs 0 --doc -", "--jobs"},
        {"catalogue --bug blocking-drop --sweeps 0 --doc -", "--sweeps"},
        {"catalogue --bug blocking-drop --max-seeds 0 --doc -", "--max-seeds"},
        {"catalogue --bug blocking-drop --proof-seeds 0 --doc -", "--proof-seeds"},
        {"list scenarios --dir nodir", "'nodir' is not a readable directory"},
        {"diff a.jsonl b.jsonl --context -1", "--context"},
        {"frobnicate", "subcommand"},
        {"", "subcommand"},
    };
    for (const BadArgs& c : cases) {
        INFO("fedsim " << c.args);
        check_refused(s.fedsim(c.args), {c.expect});
    }
    // Before: CLI11's bare "not expected" for run's flag given to sweep; "not a complete fedsim
    // results file" for a file that is not there; a refused --resume first announced a sweep.
    check_refused(s.fedsim("sweep ok.json --seed 3"),
                  {"--seeds 3", "fedsim run FILE --seed 3"}, {"not expected"});
    check_refused(s.fedsim("merge out.json missing.json"), {"cannot read missing.json"},
                  {"not a complete"});
    check_refused(s.fedsim("sweep ok.json --json none.json --resume"), {"nothing to resume"},
                  {"sweeping"});
}

TEST_CASE("bad trace files given to diff are refused naming the line", "[cli][bad_input]") {
    Scratch s;
    Result made = s.fedsim(
        "run " FEDSIM_SOURCE_DIR "/scenarios/network/echo-partition-heals.json --trace good.jsonl");
    REQUIRE(made.code == 0);
    std::string good = s.read("good.jsonl");
    REQUIRE(good.size() > 100);
    struct BadTrace {
        std::string text;
        std::string expect;
    };
    std::vector<BadTrace> cases = {
        {"", "no records"},
        {good.substr(0, good.size() / 2 + 7), "t.jsonl:"},
        {"{\"t_ns\": \"soon\", \"kind\": \"x\"}\n", "t.jsonl:1:"},
        {"{\"t_ns\": 1, \"kind\": 7}\n", "t.jsonl:1:"},
        {"{\"t_ns\": 1, \"kind\": \"x\", \"actor\": []}\n", "t.jsonl:1:"},
        {"{\"t_ns\": 1, \"kind\": \"x\", \"fields\": 3}\n", "t.jsonl:1:"},
        {"{\"t_ns\": 18446744073709551615, \"kind\": \"x\"}\n", "t.jsonl:1:"},
        {"{\"t_ns\": 1e400, \"kind\": \"x\"}\n", "t.jsonl:1:"},
        {good + "\xff\xfe\n", "t.jsonl:"},
        {"[1]\n", "t.jsonl:1:"},
        {std::string(5000, '[') + "\n", "t.jsonl:1:"},
    };
    for (const BadTrace& c : cases) {
        s.write("t.jsonl", c.text);
        INFO("trace: " << c.text.substr(0, 80));
        check_refused(s.fedsim("diff good.jsonl t.jsonl"), {c.expect});
    }
    std::system(("mkdir '" + s.path("dir.jsonl") + "'").c_str());
    check_refused(s.fedsim("diff good.jsonl dir.jsonl"), {"dir.jsonl", "directory"});
    check_refused(s.fedsim("diff good.jsonl missing.jsonl"), {"missing.jsonl"});
}

// The gateway's profile is a parameter (a seed may choose it), so overrides it breaks are found
// only when the world is built. That is bad input, as a federation reorg deeper than the chain
// is: exit 2 naming the parameter to fix (its JSON pointer, line and column) and the node,
// with nothing later reading the gateway that was never built.
TEST_CASE("a gateway world whose set-up fails on a drawn parameter is bad input, not a crash",
          "[cli][bad_input]") {
    NEEDS_WORLDS("gateway");
    Scratch s;
    // Node a is CLN (cltv_expiry_delta 18 is valid there); as the gateway it is made LND.
    const std::string with_profile = R"({"name": "x", "world": "gateway",
  "params": {"gateway_node": "a", "gateway_profile": {"one_of": ["lnd", "cln"]}},
  "topology": {"nodes": [{"name": "a", "role": "node",
                          "props": {"profile": "cln", "cltv_expiry_delta": 18}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}}],
               "links": [{"kind": "channel", "from": "a", "to": "b",
                          "props": {"capacity_sat": 1000}}]}}
)";
    s.write("f.json", with_profile);
    Result sweep = s.fedsim("sweep f.json --seeds 1..12 --jobs 2 --progress never --json r.json");
    INFO(with_profile << "\n" << sweep.out);
    // Each seed's status follows its draw: lnd is bad input, cln builds (and runs).
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    uint64_t lnd_seed = 0;
    for (const auto& run : j["runs"]) {
        const std::string params = " " + run["params"].get<std::string>() + " ";
        const bool lnd = params.find(" gateway_profile=lnd ") != std::string::npos;
        INFO(run.dump());
        CHECK((run["status"] == "input_error") == lnd);
        if (lnd && lnd_seed == 0) {
            lnd_seed = run["seed"].get<uint64_t>();
        }
    }
    REQUIRE(lnd_seed != 0);
    CHECK(sweep.has("BAD INPUT seed " + std::to_string(lnd_seed) + ": f.json:2:"));
    Result r = s.fedsim("run f.json --seed " + std::to_string(lnd_seed));
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(r.has("f.json:2:"));
    CHECK(r.has("/params/gateway_profile: gateway world setup: node 'a': cltv_expiry_delta 18 is "
                "below the lnd minimum"));
    CHECK(r.has("gateway_profile drew \"lnd\" for the gateway's node"));
    for (const char* crash : {"terminate called", "Sanitizer", "runtime error", "Assertion",
                              "segmentation fault"}) {
        CHECK_FALSE(r.has(crash));
    }
}

// A channel the faucet cannot fund (more than regtest's whole supply, ~14,950 BTC: the faucet is
// sized to the scenario's channels and peg-ins, tests/cli/faucet_test.cc) passes the schema
// (capacity_sat up to 21e6 BTC) but cannot be built: bad input naming the capacity, not an abort
// in the faucet.
TEST_CASE("a channel larger than the faucet holds is bad input naming its capacity_sat",
          "[cli][bad_input]") {
    Scratch s;
    for (const std::string& world : test_worlds::built_of({"lightning", "gateway"})) {
        const std::string gw =
            std::string(world) == "gateway" ? R"(, "params": {"gateway_node": "a"})" : "";
        const std::string text = R"({"name": "x", "world": ")" + std::string(world) + "\"" +
                                 gw + R"(,
  "topology": {"nodes": [{"name": "a", "role": "node", "props": {"profile": "lnd"}},
                         {"name": "b", "role": "node", "props": {"profile": "cln"}}],
               "links": [{"kind": "channel", "from": "a", "to": "b",
                          "props": {"capacity_sat": 1000000000000000}}]}}
)";
        s.write("f.json", text);
        INFO(world);
        CHECK(s.fedsim("validate f.json").code == 0);  // valid by the schema
        for (const char* command : {"run f.json", "sweep f.json --seeds 1..2 --jobs 1"}) {
            INFO(command);
            check_refused(s.fedsim(command),
                          {"f.json:5:", "/topology/links/0/props/capacity_sat",
                           "capacity_sat 1000000000000000 takes the faucet's payments to "
                           "1000000000000000 sat, more than regtest's whole supply "
                           "(1494999998350 sat)"});
        }
    }
}
