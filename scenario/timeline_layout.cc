// The HTML timeline's layout (see timeline_layout.h): a time unit that fits the run, round
// ticks, and labels that neither overlap nor run past the drawing's edges.
#include "scenario/timeline_layout.h"

#include <algorithm>
#include <optional>

namespace scenario {

namespace {

constexpr int64_t k_us = 1000;
constexpr int64_t k_ms = 1000 * k_us;
constexpr int64_t k_s = 1000 * k_ms;
constexpr int64_t k_min = 60 * k_s;
constexpr int64_t k_h = 60 * k_min;
constexpr int64_t k_day = 24 * k_h;

// Tick steps a reader counts in: 1-2-5 below a second, then the clock's own divisions.
constexpr int64_t k_steps[] = {
    1 * k_us,   2 * k_us,   5 * k_us,   10 * k_us,  20 * k_us,  50 * k_us,  100 * k_us,
    200 * k_us, 500 * k_us, 1 * k_ms,   2 * k_ms,   5 * k_ms,   10 * k_ms,  20 * k_ms,
    50 * k_ms,  100 * k_ms, 200 * k_ms, 500 * k_ms, 1 * k_s,    2 * k_s,    5 * k_s,
    10 * k_s,   15 * k_s,   30 * k_s,   1 * k_min,  2 * k_min,  5 * k_min,  10 * k_min,
    15 * k_min, 30 * k_min, 1 * k_h,    2 * k_h,    3 * k_h,    6 * k_h,    12 * k_h,
    k_day};

// At most this many intervals on the axis: ~100 px each on the narrowest page.
constexpr int64_t k_max_intervals = 8;

// The page's geometry, px. The SVG is k_min_width_px wide plus k_width_per_lane_px per lane, at
// most k_max_width_px; time runs from k_left_px (the lane names are drawn left of it) to
// k_right_margin_px before the right border.
constexpr int k_left_px = 190;
constexpr int k_right_margin_px = 40;
constexpr int k_min_width_px = 900;
constexpr int k_max_width_px = 4000;
constexpr int k_width_per_lane_px = 40;
// How far a label may reach into the lane-name column, and how close to the right border.
constexpr int k_label_overhang_left_px = 20;
constexpr int k_label_margin_right_px = 2;
constexpr int k_gap_px = 6;  // between two block labels

// Positions and widths in thousandths of a px: integers, so the layout's decisions never
// depend on floating-point rounding.
constexpr int64_t k_mpx = 1000;

int64_t tick_step(int64_t end_ns) {
    for (int64_t step : k_steps) {
        if (step * k_max_intervals >= end_ns) {
            return step;
        }
    }
    return (end_ns / k_max_intervals / k_day + 1) * k_day;
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

// x of time `t_ns` in mpx, as the page's script places it (a time outside [0, end], which only
// a hand-edited trace has, at the nearer edge).
int64_t x_mpx(const TimelineLayout& l, int64_t t_ns, int64_t end) {
    __extension__ using Int128 = __int128;
    const int64_t t = std::clamp<int64_t>(t_ns, 0, end);
    return l.left * k_mpx + static_cast<int64_t>(Int128{t} * (l.right - l.left) * k_mpx / end);
}

// The label's horizontal extent [lo, hi] in mpx, drawn at x with its anchor.
std::pair<int64_t, int64_t> extent(const AxisLabel& a, int64_t x) {
    const int64_t w = static_cast<int64_t>(a.text.size()) * k_label_char_px * k_mpx;
    if (a.anchor == "end") {
        return {x - w, x};
    }
    if (a.anchor == "start") {
        return {x, x + w};
    }
    return {x - w / 2, x + w / 2};
}

// The label centred at x, unless that runs past the right border ("end": it ends at x) or into
// the lane names ("start": it begins at x).
AxisLabel place(const TimelineLayout& l, int64_t at_ns, std::string text, int64_t x) {
    AxisLabel a{at_ns, std::move(text), "middle"};
    const auto [lo, hi] = extent(a, x);
    if (hi > (l.width - k_label_margin_right_px) * k_mpx) {
        a.anchor = "end";
    } else if (lo < (l.left - k_label_overhang_left_px) * k_mpx) {
        a.anchor = "start";
    }
    return a;
}

}  // namespace

TimelineLayout timeline_layout(const TraceModel& m, int64_t end_ns) {
    TimelineLayout l;
    l.left = k_left_px;
    const size_t lanes = std::min<size_t>(m.lanes.size(), k_max_width_px / k_width_per_lane_px);
    l.width = std::min(k_max_width_px,
                       k_min_width_px + k_width_per_lane_px * static_cast<int>(lanes));
    l.right = l.width - k_right_margin_px;
    const int64_t end = std::max<int64_t>(end_ns, 1);
    const int64_t step = tick_step(end);
    const auto [unit, unit_ns] = axis_unit(step);
    l.unit = unit;
    // By index: `t += step` past the last tick overflows for a run ending near INT64_MAX.
    for (int64_t i = 0, n = end / step; i <= n; ++i) {
        const int64_t t = i * step;
        l.ticks.push_back(place(l, t, in_unit(t, unit_ns), x_mpx(l, t, end)));
    }
    // Blocks in time order; a height is written only where it clears the last one written
    // (blocks mined together, or faster than a label's width, keep their tick mark only).
    std::optional<int64_t> last_hi;
    for (size_t i = 0; i < m.blocks.size(); ++i) {
        const int64_t x = x_mpx(l, m.blocks[i].at_ns, end);
        AxisLabel a = place(l, m.blocks[i].at_ns, std::to_string(m.blocks[i].height), x);
        const auto [lo, hi] = extent(a, x);
        if (last_hi.has_value() && lo < *last_hi + k_gap_px * k_mpx) {
            continue;
        }
        last_hi = hi;
        l.labelled_blocks.push_back(i);
        l.block_labels.push_back(std::move(a));
    }
    return l;
}

// A step of a day or more counts in days: an INT64_MAX axis reads 0, 13344, ... d, not
// 0, 320256, ... h (every step from a day up is a whole number of days: tick_step).
std::pair<std::string, int64_t> axis_unit(int64_t step_ns) {
    if (step_ns >= k_day) {
        return {"d", k_day};
    }
    if (step_ns >= k_h) {
        return {"h", k_h};
    }
    if (step_ns >= k_min) {
        return {"min", k_min};
    }
    if (step_ns >= k_s) {
        return {"s", k_s};
    }
    return {"ms", k_ms};
}

}  // namespace scenario
