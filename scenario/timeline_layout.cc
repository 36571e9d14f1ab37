// The HTML timeline's layout (see timeline_layout.h): a time unit that fits the run, round
// ticks, and labels that neither overlap nor run past the drawing's edges.
#include "scenario/timeline_layout.h"

#include <algorithm>

namespace scenario {

namespace {

constexpr int64_t k_us = 1000;
constexpr int64_t k_ms = 1000 * k_us;
constexpr int64_t k_s = 1000 * k_ms;
constexpr int64_t k_min = 60 * k_s;
constexpr int64_t k_h = 60 * k_min;

// Tick steps a reader counts in: 1-2-5 below a second, then the clock's own divisions.
constexpr int64_t k_steps[] = {
    1 * k_us,   2 * k_us,   5 * k_us,   10 * k_us,  20 * k_us,  50 * k_us,  100 * k_us,
    200 * k_us, 500 * k_us, 1 * k_ms,   2 * k_ms,   5 * k_ms,   10 * k_ms,  20 * k_ms,
    50 * k_ms,  100 * k_ms, 200 * k_ms, 500 * k_ms, 1 * k_s,    2 * k_s,    5 * k_s,
    10 * k_s,   15 * k_s,   30 * k_s,   1 * k_min,  2 * k_min,  5 * k_min,  10 * k_min,
    15 * k_min, 30 * k_min, 1 * k_h,    2 * k_h,    3 * k_h,    6 * k_h,    12 * k_h,
    24 * k_h};

// At most this many intervals on the axis: ~100 px each on the narrowest page.
constexpr int64_t k_max_intervals = 8;
constexpr int k_gap_px = 6;  // between two block labels

int64_t tick_step(int64_t end_ns) {
    for (int64_t step : k_steps) {
        if (step * k_max_intervals >= end_ns) {
            return step;
        }
    }
    const int64_t day = 24 * k_h;
    return (end_ns / k_max_intervals / day + 1) * day;
}

// The unit the step is a whole (or, below 1 ms, a decimal) number of.
std::pair<std::string, int64_t> unit_of(int64_t step) {
    if (step >= k_h) {
        return {"h", k_h};
    }
    if (step >= k_min) {
        return {"min", k_min};
    }
    if (step >= k_s) {
        return {"s", k_s};
    }
    return {"ms", k_ms};
}

// `ns` in `unit_ns` units, with the decimals it needs (at most 3): 1.5, 20, 0.005.
std::string in_unit(int64_t ns, int64_t unit_ns) {
    std::string out = std::to_string(ns / unit_ns);
    int64_t rest = ns % unit_ns;
    if (rest == 0) {
        return out;
    }
    out += '.';
    for (int digits = 0; rest != 0 && digits < 3; ++digits) {
        rest *= 10;
        out += static_cast<char>('0' + rest / unit_ns);
        rest %= unit_ns;
    }
    return out;
}

int label_px(const std::string& text) { return static_cast<int>(text.size()) * k_label_char_px; }

// Anchors a label at x so that it stays inside [left - some, width]: "end" near the right border.
AxisLabel place(const TimelineLayout& l, int64_t at_ns, std::string text, double x) {
    const int half = label_px(text) / 2;
    std::string anchor = "middle";
    if (x + half > l.width - 2) {
        anchor = "end";
    } else if (x - half < l.left - 20) {
        anchor = "start";
    }
    return {at_ns, std::move(text), anchor};
}

// The label's horizontal extent [lo, hi] in px for its anchor.
std::pair<double, double> extent(const AxisLabel& a, double x) {
    const int w = label_px(a.text);
    if (a.anchor == "end") {
        return {x - w, x};
    }
    if (a.anchor == "start") {
        return {x, x + w};
    }
    return {x - w / 2.0, x + w / 2.0};
}

}  // namespace

double timeline_x(const TimelineLayout& l, int64_t t_ns, int64_t end_ns) {
    const int64_t end = std::max<int64_t>(end_ns, 1);
    return l.left + static_cast<double>(t_ns) / static_cast<double>(end) * (l.right - l.left);
}

TimelineLayout timeline_layout(const TraceModel& m, int64_t end_ns) {
    TimelineLayout l;
    l.left = 190;
    l.width = std::max(900, std::min(4000, 40 * static_cast<int>(m.lanes.size()) + 900));
    l.right = l.width - 40;
    const int64_t end = std::max<int64_t>(end_ns, 1);
    const int64_t step = tick_step(end);
    const auto [unit, unit_ns] = unit_of(step);
    l.unit = unit;
    for (int64_t t = 0; t <= end; t += step) {
        l.ticks.push_back(place(l, t, in_unit(t, unit_ns), timeline_x(l, t, end)));
    }
    // Blocks in time order; a height is written only where it clears the last one written
    // (blocks mined together, or faster than a label's width, keep their tick mark only).
    double last_hi = -1e9;
    for (size_t i = 0; i < m.blocks.size(); ++i) {
        const double x = timeline_x(l, m.blocks[i].at_ns, end);
        AxisLabel a = place(l, m.blocks[i].at_ns, std::to_string(m.blocks[i].height), x);
        const auto [lo, hi] = extent(a, x);
        if (lo < last_hi + k_gap_px) {
            continue;
        }
        last_hi = hi;
        l.labelled_blocks.push_back(i);
        l.block_labels.push_back(std::move(a));
    }
    return l;
}

}  // namespace scenario
