// The self-contained HTML run report: data as embedded JSON, the SVG drawn by inline script.
//
// The page needs nothing from the network. The script marks <body data-rendered="ok"> when the
// timeline is drawn and counts script errors in data-script-errors, which the browser test
// reads back from the rendered DOM.
#include <nlohmann/json.hpp>

#include "scenario/timeline_layout.h"
#include "scenario/trace_export.h"

namespace scenario {

namespace {

// Past this many records the timeline shows the first ones only (the page stays responsive);
// the same for spans, blocks and deadlines, each.
constexpr size_t k_max_events = 20000;

template <typename T>
void keep_first(std::vector<T>* v) {
    if (v->size() > k_max_events) {
        v->erase(v->begin() + k_max_events, v->end());
    }
}

const char* const k_style = R"CSS(
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
.banner { padding: 10px 14px; border-radius: 6px; margin-bottom: 12px; }
.banner.fail { background: #fde2e1; border: 2px solid #d93025; }
.banner.pass { background: #e6f4ea; border: 2px solid #1e8e3e; }
code { background: #f1f3f4; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; margin: 8px 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; font-size: 13px; }
.timeline text { font-size: 11px; }
#timeline-box { overflow-x: auto; border: 1px solid #ddd; }
)CSS";

const char* const k_script = R"JS(
(function () {
  var body = document.body;
  body.dataset.scriptErrors = '0';
  window.addEventListener('error', function () {
    body.dataset.scriptErrors = String(Number(body.dataset.scriptErrors) + 1);
  });
  var NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, parent, title) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (title) { var t = document.createElementNS(NS, 'title'); t.textContent = title; e.appendChild(t); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  // Tooltips keep the precision; the axis (d.layout, computed by the C++ side) is round.
  function fmt(ns) {
    return ns < 1e9 ? (ns / 1e6).toFixed(3) + ' ms' : (ns / 1e9).toFixed(3) + ' s';
  }
  function render(d) {
    var L = d.layout, left = L.left, width = L.width;
    var end = Math.max(d.end_ns, 1);
    function x(t) { return left + (t / end) * (L.right - left); }
    var rows = [], rowEnd = [];
    d.spans.forEach(function (s) {
      var r = 0;
      while (r < rowEnd.length && rowEnd[r] > s.b) { r++; }
      rowEnd[r] = s.e + end * 0.01; rows.push(r);
    });
    var axisTop = 20, spanTop = 70, laneTop = spanTop + Math.max(1, rowEnd.length) * 14 + 20;
    var height = laneTop + d.lanes.length * 22 + 20;
    var svg = el('svg', {'class': 'timeline', width: width, height: height,
                         'data-lanes': d.lanes.length, 'data-events': d.events.length});
    el('text', {x: 4, y: axisTop + 4}, svg).textContent = 'block height';
    el('line', {x1: left, x2: L.right, y1: axisTop, y2: axisTop, stroke: '#888'}, svg);
    d.blocks.forEach(function (b) {
      el('line', {x1: x(b[0]), x2: x(b[0]), y1: axisTop - 6, y2: axisTop + 6, stroke: '#555'},
         svg, 'block ' + b[1] + ' at ' + fmt(b[0]));
    });
    L.block_labels.forEach(function (a) {
      el('text', {x: x(a[0]), y: axisTop - 8, 'text-anchor': a[2], 'class': 'block-label'},
         svg).textContent = a[1];
    });
    el('text', {x: 4, y: axisTop + 34}, svg).textContent = 'sim time (' + L.unit + ')';
    el('line', {x1: left, x2: L.right, y1: axisTop + 30, y2: axisTop + 30, stroke: '#888'}, svg);
    L.ticks.forEach(function (a) {
      el('line', {x1: x(a[0]), x2: x(a[0]), y1: axisTop + 26, y2: height, stroke: '#eee'}, svg);
      el('text', {x: x(a[0]), y: axisTop + 44, 'text-anchor': a[2], 'class': 'tick-label'},
         svg).textContent = a[1];
    });
    el('text', {x: 4, y: spanTop + 10}, svg).textContent = 'payments / HTLCs';
    var colors = {payment: '#1a73e8', htlc: '#e37400', contract: '#9334e6'};
    d.spans.forEach(function (s, i) {
      var y = spanTop + rows[i] * 14;
      el('rect', {x: x(s.b), y: y, width: Math.max(2, x(s.e) - x(s.b)), height: 11,
                  fill: colors[s.cat] || '#5f6368', 'class': 'span'},
         svg, s.cat + ' ' + s.key + ': ' + fmt(s.b) + ' .. ' + fmt(s.e) + ' (last: ' + s.last + ')');
    });
    d.lanes.forEach(function (name, i) {
      var y = laneTop + i * 22;
      el('rect', {x: 0, y: y, width: width, height: 22, fill: i % 2 ? '#fafafa' : '#fff'}, svg);
      el('text', {x: 4, y: y + 15, 'class': 'lane-label'}, svg).textContent = name;
    });
    var levelColor = ['#9aa0a6', '#1a73e8', '#f29900', '#d93025'];
    d.events.forEach(function (e) {
      el('circle', {cx: x(e[0]), cy: laneTop + e[1] * 22 + 11, r: e[4] >= 2 ? 4 : 2.5,
                    fill: levelColor[e[4]] || '#000', 'class': 'event'},
         svg, fmt(e[0]) + ' ' + d.lanes[e[1]] + ' ' + e[2] + ' ' + e[3]);
    });
    d.deadlines.forEach(function (dl) {
      var reached = d.blocks.filter(function (b) { return b[1] >= dl[0]; });
      var at = reached.length ? x(reached[0][0]) : L.right;
      el('line', {x1: at, x2: at, y1: axisTop, y2: height, stroke: '#9334e6',
                  'stroke-dasharray': '4 3', 'class': 'deadline'},
         svg, dl[1] + ' at height ' + dl[0] + (reached.length ? '' : ' (not reached in this run)'));
    });
    // With --keep-going the run went on past its violations: each is marked where it happened.
    (d.violations || []).forEach(function (v) {
      el('line', {x1: x(v[0]), x2: x(v[0]), y1: axisTop, y2: height, stroke: '#d93025',
                  'stroke-dasharray': '2 2', 'class': 'violation'}, svg,
         'violation at ' + fmt(v[0]) + ': ' + v[1]);
    });
    if (!d.passed) {
      el('line', {x1: x(d.fail_ns), x2: x(d.fail_ns), y1: axisTop, y2: height,
                  stroke: '#d93025', 'stroke-width': 3, 'class': 'failure'}, svg,
         'failure: ' + d.reason);
      el('text', {x: Math.max(left, x(d.fail_ns) - 160), y: laneTop - 6, fill: '#d93025'},
         svg).textContent = 'failure (seed ' + d.seed + ')';
    }
    document.getElementById('timeline-box').appendChild(svg);
  }
  try {
    render(JSON.parse(document.getElementById('run-data').textContent));
    body.dataset.rendered = 'ok';
  } catch (err) {
    body.dataset.rendered = 'error';
    document.getElementById('render-error').textContent = 'timeline failed: ' + err;
  }
})();
)JS";

// Where the timeline draws the verdict's failure: when the outcome check failed, at the run's
// first failure (with --keep-going the run went on past it); otherwise (a checker, a condition,
// a fatal ending after the violation) at the end, where it was judged.
int64_t failure_ns(const RunReport& r) {
    const bool outcome_failed =
        !r.checks.empty() && r.checks.front().checker == "outcome" && !r.checks.front().passed;
    return outcome_failed && !r.run.failures.empty() ? r.run.failures.front().at.ns()
                                                     : r.run.end_time.ns();
}

nlohmann::ordered_json report_data(const ReportContext& ctx, const RunReport& r) {
    using OJson = nlohmann::ordered_json;
    TraceModel m = build_trace_model(r.records);
    OJson d = {{"seed", r.seed}, {"passed", r.passed}, {"reason", r.reason},
               {"end_ns", r.run.end_time.ns()}, {"fail_ns", failure_ns(r)},
               {"replay", ctx.replay}, {"lanes", m.lanes}};
    OJson events = OJson::array();
    for (size_t i = 0; i < r.records.size() && i < k_max_events; ++i) {
        const sim::TraceRecord& rec = r.records[i];
        std::string text;
        for (const sim::TraceField& f : rec.fields) {
            std::visit([&](const auto& v) { text += f.key + "=" + OJson(v).dump() + " "; },
                       f.value);
        }
        events.push_back({rec.at.ns(), m.lane_of[i], rec.kind, text,
                          static_cast<int>(rec.level)});
    }
    d["events"] = events;
    keep_first(&m.spans);
    keep_first(&m.blocks);
    keep_first(&m.deadlines);
    d["spans"] = OJson::array();
    for (const TraceSpan& s : m.spans) {
        d["spans"].push_back({{"cat", s.category}, {"key", s.key}, {"b", s.begin_ns},
                              {"e", s.end_ns}, {"last", s.last_kind}});
    }
    d["blocks"] = OJson::array();
    for (const TraceBlock& b : m.blocks) {
        d["blocks"].push_back({b.at_ns, b.height});
    }
    if (r.keep_going) {
        d["violations"] = OJson::array();
        for (const sim::RunFailure& v : r.run.failures) {
            d["violations"].push_back({v.at.ns(), v.message});
        }
    }
    d["deadlines"] = OJson::array();
    for (const TraceDeadline& dl : m.deadlines) {
        d["deadlines"].push_back({dl.height, dl.label});
    }
    const TimelineLayout l = timeline_layout(m, r.run.end_time.ns());
    OJson ticks = OJson::array();
    for (const AxisLabel& a : l.ticks) {
        ticks.push_back({a.at_ns, a.text, a.anchor});
    }
    OJson block_labels = OJson::array();
    for (const AxisLabel& a : l.block_labels) {
        block_labels.push_back({a.at_ns, a.text, a.anchor});
    }
    d["layout"] = {{"width", l.width},   {"left", l.left},   {"right", l.right},
                   {"unit", l.unit},     {"ticks", ticks},   {"block_labels", block_labels}};
    return d;
}

std::string checks_table(const RunReport& r) {
    std::string out = "<table><tr><th>check</th><th>result</th><th>detail</th></tr>";
    for (const CheckResult& c : r.checks) {
        out += "<tr><td>" + escape_markup(c.checker) + "</td><td>" + (c.passed ? "pass" : "FAIL") +
               "</td><td>" + escape_markup(c.message) + "</td></tr>";
    }
    return out + "</table>";
}

// With --keep-going: every failure the run recorded, in order (the first is the outcome's).
std::string violations_table(const RunReport& r) {
    if (!r.keep_going || r.run.failures.empty()) {
        return "";
    }
    std::string out = "\n<p>violations (the run went on to its end, --keep-going):</p><table "
                      "id=\"violations\"><tr><th>sim time</th><th>outcome</th><th>source</th>"
                      "<th>detail</th></tr>";
    for (const sim::RunFailure& v : r.run.failures) {
        out += "<tr><td>" + sim::to_string(v.at) + "</td><td>" + sim::to_string(v.outcome) +
               "</td><td>" + escape_markup(v.source) + "</td><td>" + escape_markup(v.message) +
               "</td></tr>";
    }
    return out + "</table>";
}

}  // namespace

std::string escape_markup(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}


std::string html_report(const ReportContext& ctx, const RunReport& r) {
    // Inside <script> no '<' is safe: "</" closes the element early, and "<!--" followed by
    // "<script" puts the parser in the "script data double escaped" state, where the real
    // "</script>" no longer ends it (a --set value or a reason can hold either). JSON's own
    // escape keeps the data the same for JSON.parse.
    std::string data;
    for (char c : report_data(ctx, r).dump()) {
        if (c == '<') {
            data += "\\u003c";
        } else {
            data += c;
        }
    }
    char fp[17];
    std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(r.run.fingerprint));
    std::string banner = r.passed ? "<div class=\"banner pass\"><b>PASS</b> seed " +
                                        std::to_string(r.seed) + "</div>"
                                  : "<div class=\"banner fail\" id=\"failure\"><b>FAIL</b> seed " +
                                        std::to_string(r.seed) + ": " + escape_markup(r.reason) +
                                        "<br>replay: <code>" + escape_markup(ctx.replay) +
                                        "</code></div>";
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>fedsim: " +
           escape_markup(ctx.scenario_name) + " seed " + std::to_string(r.seed) +
           "</title><style>" + k_style + "</style></head><body>\n<h1>" +
           escape_markup(ctx.scenario_name) + "</h1>\n" + banner + "\n<p>file <code>" +
           escape_markup(ctx.file) + "</code> · outcome <b>" + sim::to_string(r.run.outcome) +
           "</b> · fingerprint <code>" + fp + "</code> · events " +
           std::to_string(r.run.events) + " · end " + sim::to_string(r.run.end_time) +
           "</p>\n<p>params: <code>" + escape_markup(describe_params(r.params)) + "</code></p>\n" +
           checks_table(r) + violations_table(r) +
           "\n<div id=\"render-error\"></div><div id=\"timeline-box\"></div>\n" +
           "<script type=\"application/json\" id=\"run-data\">" + data + "</script>\n<script>" +
           k_script + "</script>\n</body></html>\n";
}

}  // namespace scenario
