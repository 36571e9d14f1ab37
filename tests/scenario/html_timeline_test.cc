// The HTML report's timeline data, read back from the page (the JSON the page's script draws
// from): the time axis's unit and ticks, the thinned block-height labels, labels kept inside
// the drawing, deadlines drawn once. Pixels are checked by tests/cli/html_browser_test.cc.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "scenario/trace_export.h"

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

// The page's embedded run data.
json page_data(const scenario::RunReport& r) {
    const std::string page = scenario::html_report({"t", "t.json", "fedsim replay"}, r);
    const std::string open = "id=\"run-data\">";
    const size_t begin = page.find(open) + open.size();
    std::string data = page.substr(begin, page.find("</script>", begin) - begin);
    for (size_t at = data.find("<\\/"); at != std::string::npos; at = data.find("<\\/", at)) {
        data.replace(at, 3, "</");
    }
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
        // The run's last tick is labelled even when it sits at the right border.
        CHECK(!d.at("layout").at("ticks").empty());
    }
}

TEST_CASE("a deadline repeated by several records is drawn once", "[html]") {
    // Every hop's record of one HTLC carries its expiry.
    std::vector<sim::TraceRecord> records;
    for (const char* event : {"add", "committed", "fulfill", "settled"}) {
        records.push_back(record(1000, "ln.a", "htlc", {{"event", std::string(event)},
                                                        {"expiry", int64_t{309}}}));
    }
    records.push_back(record(2000, "ln.b", "htlc", {{"expiry", int64_t{223}}}));
    const json d = page_data(report(10'000, records));
    CHECK(d.at("deadlines") == json::parse(R"([[309, "htlc expiry"], [223, "htlc expiry"]])"));
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
