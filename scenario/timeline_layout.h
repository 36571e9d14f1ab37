// The HTML timeline's layout: the sim-time axis (unit, round ticks, label anchors), which block
// heights are written, and the page's geometry. Computed here, not in the page's script, so the
// tests can read what the page will draw (tests/scenario/html_timeline_test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scenario/trace_export.h"

namespace scenario {

// Where a label sits relative to its x: "middle" normally, "start"/"end" at the plot's edges
// so no label is cut off by the page's left column or right border.
struct AxisLabel {
    int64_t at_ns = 0;
    std::string text;
    std::string anchor;
};

struct TimelineLayout {
    int width = 0;           // the SVG's width in px
    int left = 0;            // x of time 0 (the lane names are drawn left of it)
    int right = 0;           // x of the run's end
    std::string unit;        // the time axis's unit: "ms", "s", "min", "h" or "d"
    std::vector<AxisLabel> ticks;          // round times, 0 first, none past the end
    std::vector<size_t> labelled_blocks;   // indexes into TraceModel::blocks whose height is written
    std::vector<AxisLabel> block_labels;   // their labels, the same order
};

// Label widths are estimated at this many px per character (the page's 11px font).
constexpr int k_label_char_px = 7;

// The layout of `m`'s timeline for a run that ended at `end_ns` (taken as 1 ns if smaller):
// the page's width (grows with the lanes), at most 9 ticks at round multiples of a step from
// 0 to the end, and the block heights that can be written without overlapping the one written
// before. Every decision is made in integer thousandths of a px (the page's script draws at
// left + t / end * (right - left)), so the same model gives the same layout on every machine.
TimelineLayout timeline_layout(const TraceModel& m, int64_t end_ns);

// The axis unit for ticks `step_ns` apart, and its length in ns: the largest of d, h, min, s
// whose length is at most the step (ms below a second), so every tick is a whole number of it
// (or, below 1 ms, a decimal one).
std::pair<std::string, int64_t> axis_unit(int64_t step_ns);

}  // namespace scenario
