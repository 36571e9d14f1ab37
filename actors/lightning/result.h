// Result<T>: a value or an error message naming what was wrong, for operating errors (bad
// names, bad scenario input, no route). Programmer errors use SIM_ASSERT instead.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "sim/assert.h"

namespace actors::lightning {

template <typename T>
class Result {
public:
    static Result success(T value) {
        Result r;
        r.value_ = std::move(value);
        return r;
    }
    static Result failure(std::string message) {
        Result r;
        r.error_ = std::move(message);
        return r;
    }

    bool ok() const { return value_.has_value(); }
    const T& value() const {
        SIM_ASSERT_MSG(value_.has_value(), error_);
        return *value_;
    }
    T& value() {
        SIM_ASSERT_MSG(value_.has_value(), error_);
        return *value_;
    }
    const std::string& error() const { return error_; }

private:
    Result() = default;
    std::optional<T> value_;
    std::string error_;
};

}  // namespace actors::lightning
