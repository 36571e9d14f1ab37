// Progress bar and plain progress lines.
#include "tools/progress.h"

#include <unistd.h>

namespace tools {

ProgressMode progress_mode(const std::string& setting) {
    if (setting == "never") {
        return ProgressMode::off;
    }
    if (setting == "always") {
        return ProgressMode::bar;
    }
    return isatty(STDERR_FILENO) != 0 ? ProgressMode::bar : ProgressMode::lines;
}

namespace {

std::string clock_text(double seconds) {
    auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) {
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s / 60) % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
    }
    return buf;
}

}  // namespace

std::string Progress::status(uint64_t done, uint64_t failed, uint64_t bad_input) const {
    double elapsed = timer_.seconds();
    double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu/%llu seeds  %.1f seeds/s  ETA %s  failed %llu",
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                  rate, clock_text(eta).c_str(), static_cast<unsigned long long>(failed));
    std::string text = buf;
    return bad_input > 0 ? text + "  bad input " + std::to_string(bad_input) : text;
}

void Progress::update(uint64_t done, uint64_t failed, uint64_t bad_input) {
    done_ = done;
    failed_ = failed;
    bad_input_ = bad_input;
    if (mode_ == ProgressMode::bar) {
        double now = timer_.seconds();
        if (now - last_draw_ < 0.1 && done != total_) {
            return;
        }
        last_draw_ = now;
        constexpr uint64_t k_width = 30;
        uint64_t filled = total_ == 0 ? k_width : done * k_width / total_;
        std::string bar(filled, '#');
        bar += std::string(k_width - filled, '.');
        std::fprintf(stderr, "\r\033[K[%s] %s", bar.c_str(),
                     status(done, failed, bad_input).c_str());
        std::fflush(stderr);
    } else if (mode_ == ProgressMode::lines && total_ > 0) {
        uint64_t tenth = done * 10 / total_;
        if (tenth > last_tenth_) {
            last_tenth_ = tenth;
            std::printf("progress: %s\n", status(done, failed, bad_input).c_str());
            std::fflush(stdout);
        }
    }
}

void Progress::print_line(const std::string& line) {
    if (mode_ == ProgressMode::bar) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    if (mode_ == ProgressMode::bar) {
        last_draw_ = -1;
        update(done_, failed_, bad_input_);
    }
}

void Progress::finish() {
    if (mode_ == ProgressMode::bar) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    }
}

}  // namespace tools
