// Trace: the structured record of a run, and the run's fingerprint.
//
// Every engine and actor event of note is a record: sim time, actor, kind, key=value fields.
// Each record, and each dispatched event, is folded into a running 64-bit hash: the fingerprint.
// Two runs with equal fingerprints made the same decisions in the same order. Records are only
// materialised (strings built) when a sink wants them: a log, a JSON Lines file, or memory; with
// all sinks off a record costs a few multiplies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sim/time.h"

namespace spdlog {
class logger;
}

namespace sim {

enum class TraceLevel : uint8_t { debug = 0, info = 1, warn = 2, error = 3 };

struct TraceField {
    std::string key;
    std::variant<int64_t, std::string, bool> value;
};

struct TraceRecord {
    SimTime at;
    std::string actor;
    std::string kind;
    TraceLevel level = TraceLevel::info;
    std::vector<TraceField> fields;
    uint64_t fingerprint_after = 0;

    // "t=1.5s actor kind k=v k2=v2" (the log and diff format).
    std::string to_text() const;
    // One JSON object: {"t_ns":...,"actor":...,"kind":...,"fields":{...}}.
    std::string to_json() const;
};

// Mixing step for the fingerprint: cheap, order-sensitive, well-distributed.
inline uint64_t fingerprint_mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 31);
}
// FNV-1a over the bytes. Inline and constexpr so that the hash of a literal key folds to a
// constant where the call is inlined: every record hashes its field names.
constexpr uint64_t fnv1a(std::string_view bytes) {
    uint64_t f = 0xcbf29ce484222325ULL;
    for (char c : bytes) {
        f ^= static_cast<uint8_t>(c);
        f *= 0x100000001b3ULL;
    }
    return f;
}
// The word fingerprint_bytes mixes for `bytes`: fingerprint_bytes(h, b) ==
// fingerprint_mix(h, bytes_word(b)).
constexpr uint64_t bytes_word(std::string_view bytes) { return fnv1a(bytes) ^ bytes.size(); }
inline uint64_t fingerprint_bytes(uint64_t h, std::string_view bytes) {
    return fingerprint_mix(h, bytes_word(bytes));
}

// Under g++ a literal's TraceName is an immediate invocation, which makes its word a
// compile-time constant (g++ 12 does not unroll the byte loop of a constexpr call with a literal
// argument). Clang 14 destroys the temporaries of a full-expression that holds an immediate
// invocation only at the end of the enclosing block, so `trace("k").field(...);` committed its
// record after later statements' records (a different fingerprint in the clang CI leg); under
// clang the constructor is constexpr. The word is the same either way.
#if defined(__clang__)
#define SIM_TRACE_NAME_LITERAL constexpr
#else
#define SIM_TRACE_NAME_LITERAL consteval
#endif

// A record's kind, a field's key or a message's kind: its text and its bytes_word. From a
// string literal the word is computed at compile time under g++ (the byte loop is a serial
// multiply chain, and the kinds and keys are hashed on every record); from a runtime string,
// when constructed. A view: valid for the call it is passed to.
class TraceName {
public:
    template <std::size_t N>
    SIM_TRACE_NAME_LITERAL TraceName(const char (&literal)[N])  // NOLINT: implicit by design
        : text_(literal, N - 1), word_(bytes_word(text_)) {}
    constexpr TraceName(std::string_view text)  // NOLINT
        : text_(text), word_(bytes_word(text)) {}
    TraceName(const std::string& text)  // NOLINT
        : TraceName(std::string_view(text)) {}
    constexpr std::string_view text() const { return text_; }
    constexpr uint64_t word() const { return word_; }

private:
    std::string_view text_;
    uint64_t word_;
};

class Trace {
public:
    Trace();
    ~Trace();
    Trace(const Trace&) = delete;
    Trace& operator=(const Trace&) = delete;

    uint64_t fingerprint() const { return hash_; }
    void mix(uint64_t v) { hash_ = fingerprint_mix(hash_, v); }
    uint64_t record_count() const { return records_seen_; }

    // Sinks. Records at or above log_level go to the logger (nullptr: no log output).
    void set_logger(std::shared_ptr<spdlog::logger> logger, TraceLevel log_level);
    // Writes every record as one JSON line. Returns false if the file cannot be opened.
    bool open_jsonl(const std::string& path, std::string* error);
    void keep_in_memory(bool on) { keep_ = on; }
    const std::vector<TraceRecord>& records() const { return memory_; }

    bool wants_records() const { return logger_ != nullptr || jsonl_ != nullptr || keep_; }

    // Called by TraceEvent.
    void commit(TraceRecord&& record, uint64_t record_hash);
    void commit_hash_only(uint64_t record_hash) {
        hash_ = fingerprint_mix(hash_, record_hash);
        ++records_seen_;
    }
    void flush();

private:
    uint64_t hash_ = 0x6a09e667f3bcc909ULL;
    uint64_t records_seen_ = 0;
    std::shared_ptr<spdlog::logger> logger_;
    TraceLevel log_level_ = TraceLevel::info;
    std::FILE* jsonl_ = nullptr;
    bool keep_ = false;
    std::vector<TraceRecord> memory_;
};

// Builder for one record; commits when it goes out of scope (end of the full expression):
//   sched.trace("block_mined").field("height", h).field("node", name);
class TraceEvent {
public:
    TraceEvent(Trace* trace, SimTime at, uint32_t actor_id, std::string_view actor,
               TraceName kind, TraceLevel level)
        : trace_(trace),
          hash_(fingerprint_mix(fingerprint_mix(static_cast<uint64_t>(at.ns()), actor_id),
                                kind.word())),
          build_(trace->wants_records()) {
        if (build_) [[unlikely]] {
            start_record(at, actor, kind.text(), level);
        }
    }
    ~TraceEvent() {
        if (build_) [[unlikely]] {
            trace_->commit(std::move(record_), hash_);
        } else {
            trace_->commit_hash_only(hash_);
        }
    }
    TraceEvent(const TraceEvent&) = delete;
    TraceEvent& operator=(const TraceEvent&) = delete;

    // The hashing is inline (it runs for every record); building the text record is not.
    TraceEvent& field(TraceName key, int64_t v) {
        hash_ = fingerprint_mix(mix_key(key), static_cast<uint64_t>(v));
        if (build_) [[unlikely]] {
            add_field(key.text(), v);
        }
        return *this;
    }
    TraceEvent& field(TraceName key, uint64_t v) { return field(key, static_cast<int64_t>(v)); }
    TraceEvent& field(TraceName key, int v) { return field(key, static_cast<int64_t>(v)); }
    TraceEvent& field(TraceName key, uint32_t v) { return field(key, static_cast<int64_t>(v)); }
    TraceEvent& field(TraceName key, bool v) {
        hash_ = fingerprint_mix(mix_key(key), v ? 0xB1 : 0xB0);
        if (build_) [[unlikely]] {
            add_field(key.text(), v);
        }
        return *this;
    }
    TraceEvent& field(TraceName key, std::string_view v) {
        return field_with_word(key, v, bytes_word(v));
    }
    TraceEvent& field(TraceName key, const char* v) { return field(key, std::string_view(v)); }
    TraceEvent& field(TraceName key, const std::string& v) {
        return field(key, std::string_view(v));
    }
    // field(key, v) for a string whose bytes_word(v) the caller keeps (a node's name).
    TraceEvent& field_with_word(TraceName key, std::string_view v, uint64_t v_word) {
        hash_ = fingerprint_mix(mix_key(key), v_word);
        if (build_) [[unlikely]] {
            add_field(key.text(), v);
        }
        return *this;
    }
    TraceEvent& field(TraceName key, SimDuration v) {
        hash_ = fingerprint_mix(mix_key(key), static_cast<uint64_t>(v.ns()));
        if (build_) [[unlikely]] {
            add_field(key.text(), to_string(v));
        }
        return *this;
    }
    TraceEvent& field(TraceName key, SimTime v) {
        hash_ = fingerprint_mix(mix_key(key), static_cast<uint64_t>(v.ns()));
        if (build_) [[unlikely]] {
            add_field(key.text(), to_string(v));
        }
        return *this;
    }

private:
    uint64_t mix_key(TraceName key) const { return fingerprint_mix(hash_, key.word()); }
    void start_record(SimTime at, std::string_view actor, std::string_view kind,
                      TraceLevel level);
    void add_field(std::string_view key, int64_t v);
    void add_field(std::string_view key, bool v);
    void add_field(std::string_view key, std::string_view v);

    Trace* trace_;
    uint64_t hash_;
    bool build_;
    TraceRecord record_;
};

}  // namespace sim
