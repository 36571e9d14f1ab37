// Callback: a move-only `void()` callable stored inline (no heap allocation).
//
// Scheduled events hold one of these. Captures must fit k_capacity bytes; a larger capture is
// a compile error, which keeps the hot path allocation-free by construction.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace sim {

class Callback {
public:
    static constexpr std::size_t k_capacity = 48;

    Callback() = default;

    template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Callback>>>
    Callback(F&& fn) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
        using Fn = std::decay_t<F>;
        static_assert(sizeof(Fn) <= k_capacity, "callback capture too large for inline storage");
        static_assert(alignof(Fn) <= alignof(std::max_align_t));
        static_assert(std::is_nothrow_move_constructible_v<Fn>);
        new (storage_) Fn(std::forward<F>(fn));
        ops_ = &k_ops<Fn>;
    }

    Callback(Callback&& other) noexcept { move_from(other); }
    Callback& operator=(Callback&& other) noexcept {
        if (this != &other) {
            reset();
            move_from(other);
        }
        return *this;
    }
    Callback(const Callback&) = delete;
    Callback& operator=(const Callback&) = delete;
    ~Callback() { reset(); }

    explicit operator bool() const { return ops_ != nullptr; }
    void operator()() { ops_->call(storage_); }

    void reset() {
        if (ops_ != nullptr) {
            ops_->destroy(storage_);
            ops_ = nullptr;
        }
    }

private:
    struct Ops {
        void (*call)(void*);
        void (*move)(void* dst, void* src);
        void (*destroy)(void*);
    };

    template <typename Fn>
    static constexpr Ops k_ops{
        [](void* p) { (*static_cast<Fn*>(p))(); },
        [](void* dst, void* src) { new (dst) Fn(std::move(*static_cast<Fn*>(src))); },
        [](void* p) { static_cast<Fn*>(p)->~Fn(); },
    };

    void move_from(Callback& other) {
        if (other.ops_ != nullptr) {
            other.ops_->move(storage_, other.storage_);
            ops_ = other.ops_;
            other.reset();
        }
    }

    alignas(std::max_align_t) unsigned char storage_[k_capacity];
    const Ops* ops_ = nullptr;
};

}  // namespace sim
