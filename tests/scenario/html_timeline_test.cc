// The HTML report's timeline data, read back from the page (the JSON the page's script draws
// from) or from timeline_layout(): the time axis's unit and ticks, the thinned block-height
// labels, labels kept inside the drawing, deadlines drawn once, payments linked to their
// contracts on a real gateway run. No pixel is checked: tests/cli/html_browser_test.cc only
// checks that a browser renders the page without a script error.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "scenario/parser.h"
#include "scenario/runner.h"
#include "scenario/timeline_layout.h"
#include "scenario/trace_export.h"
#include "tests/scenario/built_worlds.h"

namespace {

using nlohmann::json;

sim::TraceRecord record(int64_t at_ns, std::string actor, std::string kind,
                        std::vector<sim::TraceField> fields) {
    sim::TraceRecord r;
    r.at = sim::SimTime::from_ns(at_ns);
    r.actor = std::move(actor);
    r.kind = std::move(kind);
    r.fields = std::move(fields);
    return r;
}

// A report of a run that ended at `end_ns` with the given records.
scenario::RunReport report(int64_t end_ns, std::vector<sim::TraceRecord> records) {
    scenario::RunReport r;
    r.seed = 1;
    r.run.end_time = sim::SimTime::from_ns(end_ns);
    r.records = std::move(records);
    if (r.records.empty()) {
        r.records.push_back(record(0, "a", "start", {}));
    }
    return r;
}

// The page's embedded run data: the text between the script element's tags, which holds no
// '<' at all (html_report escapes each as \u003c, which JSON reads back).
json page_data(const scenario::RunReport& r) {
    const std::string page = scenario::html_report({"t", "t.json", "fedsim replay"}, r);
    const std::string open = "id=\"run-data\">";
    const size_t begin = page.find(open) + open.size();
    const std::string data = page.substr(begin, page.find("</script>", begin) - begin);
    CHECK(data.find('<') == std::string::npos);
    return json::parse(data);
}

std::vector<std::string> tick_texts(const json& d) {
    std::vector<std::string> out;
    for (const json& t : d.at("layout").at("ticks")) {
        out.push_back(t.at(1).get<std::string>());
    }
    return out;
}

// [lo, hi] in px of a label [at_ns, text, anchor], at the page's 7 px per character.
std::pair<double, double> extent(const json& d, const json& label) {
    const json& l = d.at("layout");
    const double x = l.at("left").get<double>() +
                     label.at(0).get<double>() / std::max<double>(d.at("end_ns").get<double>(), 1) *
                         (l.at("right").get<double>() - l.at("left").get<double>());
    const double w = 7.0 * static_cast<double>(label.at(1).get<std::string>().size());
    const std::string anchor = label.at(2).get<std::string>();
    if (anchor == "end") {
        return {x - w, x};
    }
    if (anchor == "start") {
        return {x, x + w};
    }
    return {x - w / 2, x + w / 2};
}

std::vector<sim::TraceRecord> blocks_every(int64_t spacing_ns, int64_t end_ns) {
    std::vector<sim::TraceRecord> out;
    int64_t height = 101;
    for (int64_t t = 0; t <= end_ns; t += spacing_ns) {
        out.push_back(record(t, "miner", "ln_block_mined", {{"height", height++}}));
    }
    return out;
}

constexpr int64_t k_s = 1'000'000'000;
constexpr int64_t k_min = 60 * k_s;
constexpr int64_t k_h = 60 * k_min;

// The layout of a model with these blocks (and no lanes: the narrowest page) for a run that
// ended at `end_ns`.
scenario::TimelineLayout layout(int64_t end_ns, std::vector<scenario::TraceBlock> blocks = {}) {
    scenario::TraceModel m;
    m.blocks = std::move(blocks);
    return scenario::timeline_layout(m, end_ns);
}

std::vector<std::string> texts(const std::vector<scenario::AxisLabel>& labels) {
    std::vector<std::string> out;
    for (const scenario::AxisLabel& a : labels) {
        out.push_back(a.text);
    }
    return out;
}

}  // namespace

TEST_CASE("the time axis counts in a unit that fits the run, at round values", "[html]") {
    // The audit's 20-minute gateway run: minutes, not "1114212.600ms".
    json d = page_data(report(1238 * k_s + 14'000'000, {}));
    CHECK(d.at("layout").at("unit") == "min");
    CHECK(tick_texts(d) == std::vector<std::string>{"0", "5", "10", "15", "20"});
    d = page_data(report(342 * k_s + 14'000'000, {}));
    CHECK(d.at("layout").at("unit") == "min");
    CHECK(tick_texts(d) == std::vector<std::string>{"0", "1", "2", "3", "4", "5"});
    d = page_data(report(90 * k_s, {}));
    CHECK(d.at("layout").at("unit") == "s");
    CHECK(tick_texts(d) == std::vector<std::string>{"0", "15", "30", "45", "60", "75", "90"});
    d = page_data(report(208'385'000, {}));  // the escrow race: milliseconds
    CHECK(d.at("layout").at("unit") == "ms");
    CHECK(tick_texts(d) == std::vector<std::string>{"0", "50", "100", "150", "200"});
    d = page_data(report(5 * 3600 * k_s, {}));
    CHECK(d.at("layout").at("unit") == "h");
    CHECK(tick_texts(d) == std::vector<std::string>{"0", "1", "2", "3", "4", "5"});
    d = page_data(report(4'000, {}));  // 4 µs: decimals of a millisecond, still round
    CHECK(d.at("layout").at("unit") == "ms");
    CHECK(tick_texts(d) == std::vector<std::string>{"0", "0.001", "0.002", "0.003", "0.004"});
}

TEST_CASE("block heights are thinned so that no two labels overlap", "[html]") {
    // A block every 2 s for 20 minutes, then 20 mined at one instant: 640 blocks on ~700 px.
    const int64_t end = 1238 * k_s;
    std::vector<sim::TraceRecord> records = blocks_every(2 * k_s, 1200 * k_s);
    for (int64_t h = 0; h < 20; ++h) {
        records.push_back(record(1210 * k_s, "miner", "ln_block_mined", {{"height", 800 + h}}));
    }
    const json d = page_data(report(end, records));
    REQUIRE(d.at("blocks").size() == 621);
    const json& labels = d.at("layout").at("block_labels");
    CHECK(labels.size() >= 8);    // still a readable scale
    CHECK(labels.size() <= 60);   // not one per block
    CHECK(labels.at(0).at(1) == "101");
    for (size_t i = 1; i < labels.size(); ++i) {
        INFO("labels " << labels.at(i - 1).dump() << " and " << labels.at(i).dump());
        CHECK(extent(d, labels.at(i - 1)).second < extent(d, labels.at(i)).first);
    }
}

TEST_CASE("no axis label runs past the drawing's edges", "[html]") {
    for (int64_t end : {1238 * k_s + 14'000'000, int64_t{208'385'000}, 59 * k_s + 999'000'000,
                        int64_t{1}}) {
        const json d = page_data(report(end, blocks_every(std::max<int64_t>(end / 37, 1), end)));
        const double width = d.at("layout").at("width").get<double>();
        const double left = d.at("layout").at("left").get<double>();
        for (const char* axis : {"ticks", "block_labels"}) {
            for (const json& label : d.at("layout").at(axis)) {
                INFO("end " << end << " " << axis << " " << label.dump());
                CHECK(extent(d, label).first >= left - 20);  // clear of the lane names
                CHECK(extent(d, label).second <= width);
            }
        }
    }
}

TEST_CASE("a label at the plot's left edge starts there, one at its right edge ends there",
          "[html]") {
    // The narrowest page: time 0 at x 190, the end at 860; a label may reach 20 px into the
    // lane names (x 170) and to 2 px before the right border (x 898), at 7 px per character.
    const int64_t end = 8 * k_s;
    scenario::TimelineLayout l = layout(end, {{0, 123456}, {end, 12345678901}});
    REQUIRE(l.width == 900);
    REQUIRE(l.left == 190);
    REQUIRE(l.right == 860);
    REQUIRE(l.block_labels.size() == 2);
    CHECK(l.block_labels[0].anchor == "start");  // 42 px centred at 190 would begin at 169
    CHECK(l.block_labels[1].anchor == "end");    // 77 px centred at 860 would end at 898.5
    l = layout(end, {{0, 12345}, {end, 1234567890}});
    REQUIRE(l.block_labels.size() == 2);
    CHECK(l.block_labels[0].anchor == "middle");  // 35 px: begins at 172.5
    CHECK(l.block_labels[1].anchor == "middle");  // 70 px: ends at 895
    // The ticks run to the end itself when it is a multiple of the step.
    CHECK(texts(l.ticks) == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8"});
    CHECK(l.ticks.back().at_ns == end);
    CHECK(l.ticks.back().anchor == "middle");
}

TEST_CASE("the tick step is the smallest round one with at most 8 intervals, at the exact edge",
          "[html]") {
    struct Case {
        int64_t end_ns;
        std::string unit;
        std::vector<std::string> ticks;
    };
    const std::vector<Case> cases = {
        {4 * k_s, "ms", {"0", "500", "1000", "1500", "2000", "2500", "3000", "3500", "4000"}},
        {4 * k_s + 1, "s", {"0", "1", "2", "3", "4"}},
        {8 * k_s, "s", {"0", "1", "2", "3", "4", "5", "6", "7", "8"}},
        {8 * k_s + 1, "s", {"0", "2", "4", "6", "8"}},
        {4 * k_min, "s", {"0", "30", "60", "90", "120", "150", "180", "210", "240"}},
        {4 * k_min + 1, "min", {"0", "1", "2", "3", "4"}},
        {8 * k_min, "min", {"0", "1", "2", "3", "4", "5", "6", "7", "8"}},
        {4 * k_h, "min", {"0", "30", "60", "90", "120", "150", "180", "210", "240"}},
        {4 * k_h + 1, "h", {"0", "1", "2", "3", "4"}},
        {8 * k_h, "h", {"0", "1", "2", "3", "4", "5", "6", "7", "8"}},
        {8 * k_h + 1, "h", {"0", "2", "4", "6", "8"}},
        // A step of a day (the table's largest) counts in days, from its first end on.
        {96 * k_h, "h", {"0", "12", "24", "36", "48", "60", "72", "84", "96"}},
        {96 * k_h + 1, "d", {"0", "1", "2", "3", "4"}},
        // Past the table: whole days.
        {192 * k_h, "d", {"0", "1", "2", "3", "4", "5", "6", "7", "8"}},
        {192 * k_h + 1, "d", {"0", "2", "4", "6", "8"}},
    };
    for (const Case& c : cases) {
        INFO("end " << c.end_ns);
        const scenario::TimelineLayout l = layout(c.end_ns);
        CHECK(l.unit == c.unit);
        CHECK(texts(l.ticks) == c.ticks);
    }
}

TEST_CASE("the axis counts in days from a step of exactly one day", "[html]") {
    const int64_t day = 24 * k_h;
    CHECK(scenario::axis_unit(day - 1) == std::pair<std::string, int64_t>{"h", k_h});
    CHECK(scenario::axis_unit(day) == std::pair<std::string, int64_t>{"d", day});
    CHECK(scenario::axis_unit(k_h - 1).first == "min");
    CHECK(scenario::axis_unit(k_h).first == "h");
    // The audit's INT64_MAX axis: 13344 days a step, not 320256 h.
    const scenario::TimelineLayout l = layout(INT64_MAX);
    CHECK(l.unit == "d");
    REQUIRE(l.ticks.size() >= 2);
    CHECK(l.ticks[1].text == "13344");
}

TEST_CASE("a run ending near INT64_MAX gets at most 9 ticks, the last within a step of its end",
          "[html]") {
    // limits.max_time accepts up to 9223372036854775807ns, and a time-limited run ends there.
    for (int64_t end : {INT64_MAX, 106751 * 24 * k_h}) {
        INFO("end " << end);
        const scenario::TimelineLayout l = layout(end);
        REQUIRE(l.ticks.size() >= 2);
        CHECK(l.ticks.size() <= 9);
        const int64_t step = l.ticks[1].at_ns;
        for (size_t i = 0; i < l.ticks.size(); ++i) {
            CHECK(l.ticks[i].at_ns == static_cast<int64_t>(i) * step);
        }
        CHECK(l.ticks.back().at_ns <= end);
        CHECK(end - l.ticks.back().at_ns < step);
    }
}

TEST_CASE("a string that opens a comment and a script in the page's data ends nothing early",
          "[html]") {
    // In a <script> element "<!--<script>" makes the parser skip the next "</script>", and the
    // page renders nothing: every '<' of the data is escaped (page_data checks none is left).
    const std::string evil = "<!--<script>x</script>";
    scenario::RunReport r = report(10'000, {record(1000, "a", "timeline", {{"entry", evil}})});
    r.passed = false;
    r.reason = "reason " + evil;
    const json d = page_data(r);
    CHECK(d.at("reason") == r.reason);
    CHECK(d.at("events").at(0).at(3).get<std::string>().find(json(evil).dump()) !=
          std::string::npos);
}

TEST_CASE("the page draws at most 20000 each of events, spans, blocks and deadlines", "[html]") {
    // One past the cap, each record its own payment, block and deadline.
    std::vector<sim::TraceRecord> records;
    for (int64_t i = 0; i <= 20000; ++i) {
        records.push_back(record(i, "miner", "block", {{"payment", std::to_string(i)},
                                                       {"height", i}, {"timelock", i}}));
    }
    const json d = page_data(report(20001, records));
    for (const char* part : {"events", "spans", "blocks", "deadlines"}) {
        INFO(part);
        CHECK(d.at(part).size() == 20000);
    }
    CHECK(d.at("blocks").back() == json::parse("[19999, 19999]"));  // the first ones
}

TEST_CASE("a deadline repeated by several records is drawn once, naming each HTLC", "[html]") {
    // Every record of an HTLC (lightning_node.cc's trace_htlc) carries its hash and expiry;
    // two HTLCs expire at 309, five at 400.
    std::vector<sim::TraceRecord> records;
    auto htlc = [&](const std::string& hash, int64_t expiry) {
        for (const char* event : {"add", "committed", "fulfill", "settled"}) {
            records.push_back(record(1000, "ln.a", "htlc",
                                     {{"event", std::string(event)}, {"hash", hash},
                                      {"expiry", expiry}}));
        }
    };
    htlc("bbbb", 309);
    htlc("aaaa", 309);
    for (const char* hash : {"e5", "e1", "e4", "e2", "e3"}) {
        htlc(hash, 400);
    }
    records.push_back(record(2000, "ln.b", "htlc", {{"expiry", int64_t{223}}}));
    const json d = page_data(report(10'000, records));
    CHECK(d.at("deadlines") == json::parse(R"j([[309, "htlc expiry (aaaa, bbbb)"],
        [400, "htlc expiry (e1, e2, e3, +2 more)"], [223, "htlc expiry"]])j"));
}

TEST_CASE("a payment's records and its contract's are one span; the contract's timelock is the "
          "payment's deadline", "[html]") {
    // The gateway world's records (client.cc, gateway_payments.cc): the client names the
    // payment, its funding record links the contract, the gateway names only the contract.
    const std::string pay = "client0.pay.77";
    const std::vector<sim::TraceRecord> records = {
        record(10 * k_s, "pay.p", "client_payment_start",
               {{"client", std::string("client0")}, {"payment", pay}}),
        record(12 * k_s, "pay.p", "client_contract_funded",
               {{"client", std::string("client0")}, {"payment", pay},
                {"contract", int64_t{-28}}, {"timelock", int64_t{689}}}),
        record(13 * k_s, "gateway.pay", "gateway_pay_decision",
               {{"contract", int64_t{-28}}, {"timelock", int64_t{689}}}),
        record(20 * k_s, "gateway.pay", "gateway_cancel", {{"contract", int64_t{-28}}}),
        record(25 * k_s, "pay.p", "client_payment",
               {{"client", std::string("client0")}, {"payment", pay},
                {"state", std::string("refunded")}}),
        // A contract no payment named keeps a span of its own.
        record(30 * k_s, "gateway.pay", "gateway_claim", {{"contract", int64_t{5}}}),
    };
    const json d = page_data(report(40 * k_s, records));
    REQUIRE(d.at("spans").size() == 2);
    const json& s = d.at("spans").at(0);
    CHECK(s.at("cat") == "payment");
    CHECK(s.at("key") == pay);
    CHECK(s.at("b") == 10 * k_s);
    CHECK(s.at("e") == 25 * k_s);
    CHECK(s.at("last") == "client_payment");
    CHECK(d.at("spans").at(1).at("cat") == "contract");
    CHECK(d.at("spans").at(1).at("key") == "5");
    CHECK(d.at("deadlines") == json::parse(R"([[689, "payment client0.pay.77 timelock"]])"));
}

TEST_CASE("the failure line is drawn at the failure the verdict names: the first violation when "
          "the outcome failed, the end when a later check did",
          "[html][keep-going]") {
    // A keep-going run: a violation at 2 s, the run went on to 10 s.
    scenario::RunReport r = report(10'000'000'000, {});
    r.keep_going = true;
    r.passed = false;
    r.run.outcome = sim::Outcome::check_failed;
    r.run.failures.push_back(
        {sim::SimTime::from_ns(2'000'000'000), sim::Outcome::check_failed, "x", "broke"});
    r.checks = {{"outcome", false, "check_failed: broke (expected ok)"}};
    CHECK(page_data(r).at("fail_ns") == 2'000'000'000);
    // The outcome was expected; a checker judged at the end failed.
    r.checks = {{"outcome", true, "check_failed: broke"}, {"c", false, "off at the end"}};
    CHECK(page_data(r).at("fail_ns") == 10'000'000'000);
}

TEST_CASE("on a gateway run, a payment's bar starts at the pay and its contract has no bar of its "
          "own", "[html]") {
    // The records of client.cc and gateway_payments.cc as a run writes them (the case "a
    // payment's records and its contract's are one span" writes them by hand).
    scenario::LoadResult loaded = scenario::load_scenario_file(
        std::string(FEDSIM_SOURCE_DIR "/scenarios/gateway/timelock-refund.json"));
    REQUIRE(loaded.ok());
    if (test_worlds::left_out(loaded.scenario->world)) {
        return;
    }
    const scenario::RunReport r =
        scenario::run_scenario(*loaded.scenario, {.seed = 1, .keep_records = true});
    REQUIRE(r.passed);
    const sim::TraceRecord* start = nullptr;
    const sim::TraceRecord* funded = nullptr;
    for (const sim::TraceRecord& rec : r.records) {
        if (rec.kind == "client_payment_start" && start == nullptr) {
            start = &rec;
        } else if (rec.kind == "client_contract_funded" && funded == nullptr) {
            funded = &rec;
        }
    }
    REQUIRE(start != nullptr);
    REQUIRE(funded != nullptr);
    auto field = [](const sim::TraceRecord& rec,
                    const std::string& key) -> decltype(sim::TraceField::value) {
        for (const sim::TraceField& f : rec.fields) {
            if (f.key == key) {
                return f.value;
            }
        }
        FAIL("no field " << key << " in " << rec.kind);
        return {};
    };
    const std::string pay = std::get<std::string>(field(*start, "payment"));
    CHECK(pay.rfind("client0.pay.", 0) == 0);
    REQUIRE(std::get<std::string>(field(*funded, "payment")) == pay);
    const std::string contract = std::to_string(std::get<int64_t>(field(*funded, "contract")));
    const int64_t timelock = std::get<int64_t>(field(*funded, "timelock"));
    REQUIRE(funded->at > start->at);  // so a bar from the funding would start late

    const scenario::TraceModel m = scenario::build_trace_model(r.records);
    const scenario::TraceSpan* bar = nullptr;
    for (const scenario::TraceSpan& s : m.spans) {
        CHECK_FALSE((s.category == "contract" && s.key == contract));
        if (s.category == "payment" && s.key == pay) {
            bar = &s;
        }
    }
    REQUIRE(bar != nullptr);
    CHECK(bar->begin_ns == start->at.ns());
    CHECK(bar->end_ns > funded->at.ns());  // the refund's records extend it
    bool drawn = false;
    for (const scenario::TraceDeadline& dl : m.deadlines) {
        drawn = drawn || (dl.height == timelock && dl.label == "payment " + pay + " timelock");
    }
    CHECK(drawn);
}
