// Trace exports: JSON Lines input, Chrome Trace Event JSON (Perfetto) and the HTML report.
//
// All three work from a run's trace records. A small model is extracted first: one lane per
// actor, spans for every payment, HTLC and contract (records carrying a "payment", "htlc" or
// "contract" field, from the first such record to the last), block instants (records whose
// kind mentions "block" with a "height"), and timelock/expiry heights (fields "timelock",
// "expiry", "cltv_expiry", "expiry_height"; each height and label once, labelled with the
// record's span, else its kind and the "hash" fields of its records). A record carrying a
// "payment" and a "contract" (or "htlc") links them: later records naming only that contract
// extend the payment's span, and their deadlines are labelled with the payment. Models that
// name their fields this way show up in the timeline without further work.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/runner.h"
#include "sim/trace.h"

namespace scenario {

struct TraceSpan {
    std::string category;  // "payment", "htlc", "contract"
    std::string key;       // the field's value
    int64_t begin_ns = 0;
    int64_t end_ns = 0;
    std::string last_kind;
};

struct TraceBlock {
    int64_t at_ns = 0;
    int64_t height = 0;
};

struct TraceDeadline {
    int64_t height = 0;
    std::string label;  // "payment 3 timelock"
};

struct TraceModel {
    std::vector<std::string> lanes;  // actor names, in order of first appearance
    std::vector<size_t> lane_of;     // per record
    std::vector<TraceSpan> spans;
    std::vector<TraceBlock> blocks;
    std::vector<TraceDeadline> deadlines;
};

TraceModel build_trace_model(const std::vector<sim::TraceRecord>& records);

// Reads a JSON Lines trace written by --trace; false with a reason (naming the line) otherwise.
bool read_jsonl_trace(const std::string& path, std::vector<sim::TraceRecord>* out,
                      std::string* error);
// The same from text already in memory (`name` is used in messages): what the fuzzer feeds.
bool parse_jsonl_trace(std::string_view text, const std::string& name,
                       std::vector<sim::TraceRecord>* out, std::string* error);

// Chrome Trace Event JSON: one thread per actor, spans as complete events, blocks as instants.
std::string chrome_trace_json(const std::vector<sim::TraceRecord>& records);

struct ReportContext {
    std::string scenario_name;
    std::string file;
    std::string replay;
};

// A self-contained HTML page: summary, checks, and an SVG timeline drawn by an inline script.
std::string html_report(const ReportContext& ctx, const RunReport& report);

// Escapes <, >, & and " for HTML text and attributes (and XML, e.g. JUnit reports).
std::string escape_markup(const std::string& s);

}  // namespace scenario
