// Progress: a sweep's progress — a redrawn bar with rate and ETA on a terminal, a plain line
// every tenth of the way otherwise (CI logs). Reads the OS clock for rates only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "tools/wall_clock.h"

namespace tools {

enum class ProgressMode : uint8_t { bar, lines, off };

// bar when stderr is a terminal, lines otherwise; "always"/"never"/"auto" from the command line.
ProgressMode progress_mode(const std::string& setting);

class Progress {
public:
    Progress(uint64_t total, ProgressMode mode) : total_(total), mode_(mode) {}

    // failed: seeds that failed or crashed; bad_input: seeds whose draw was bad input (shown
    // only when there are some).
    void update(uint64_t done, uint64_t failed, uint64_t bad_input = 0);
    // Prints a line above the bar (a failing seed) without garbling it.
    void print_line(const std::string& line);
    void finish();
    double seconds() const { return timer_.seconds(); }

private:
    std::string status(uint64_t done, uint64_t failed, uint64_t bad_input) const;

    uint64_t total_;
    ProgressMode mode_;
    WallTimer timer_;
    double last_draw_ = -1;
    uint64_t last_tenth_ = 0;
    uint64_t done_ = 0;
    uint64_t failed_ = 0;
    uint64_t bad_input_ = 0;
};

}  // namespace tools
