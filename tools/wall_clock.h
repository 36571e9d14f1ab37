// The one place the tools read the OS clock: run budgets and progress rates. Nothing here may
// influence a simulated decision; sim/ and actors/ never include this file.
#pragma once

#include <chrono>
#include <functional>

namespace tools {

class WallTimer {
public:
    WallTimer() : start_(std::chrono::steady_clock::now()) {}
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    // A predicate for sim::RunLimits::wall_clock_exceeded.
    std::function<bool()> exceeded_after(double budget_s) const {
        auto start = start_;
        return [start, budget_s] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                       .count() > budget_s;
        };
    }

private:
    std::chrono::steady_clock::time_point start_;
};

}  // namespace tools
