// Trace sinks, record formatting and the fingerprint fold.
#include "sim/trace.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace sim {

namespace {

std::string value_text(const TraceField& f) {
    if (const auto* i = std::get_if<int64_t>(&f.value)) {
        return std::to_string(*i);
    }
    if (const auto* b = std::get_if<bool>(&f.value)) {
        return *b ? "true" : "false";
    }
    const std::string& s = std::get<std::string>(f.value);
    bool needs_quotes = s.empty() || s.find_first_of(" =\"") != std::string::npos;
    return needs_quotes ? nlohmann::json(s).dump() : s;
}

spdlog::level::level_enum to_spdlog(TraceLevel level) {
    switch (level) {
        case TraceLevel::debug:
            return spdlog::level::debug;
        case TraceLevel::info:
            return spdlog::level::info;
        case TraceLevel::warn:
            return spdlog::level::warn;
        case TraceLevel::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

}  // namespace

std::string TraceRecord::to_text() const {
    std::string out = "t=" + to_string(at) + " " + actor + " " + kind;
    for (const TraceField& f : fields) {
        out += " " + f.key + "=" + value_text(f);
    }
    return out;
}

std::string TraceRecord::to_json() const {
    nlohmann::ordered_json j;
    j["t_ns"] = at.ns();
    j["actor"] = actor;
    j["kind"] = kind;
    nlohmann::ordered_json fj = nlohmann::ordered_json::object();
    for (const TraceField& f : fields) {
        std::visit([&](const auto& v) { fj[f.key] = v; }, f.value);
    }
    j["fields"] = std::move(fj);
    return j.dump();
}

Trace::Trace() = default;

Trace::~Trace() {
    if (jsonl_ != nullptr) {
        std::fclose(jsonl_);
    }
}

void Trace::set_logger(std::shared_ptr<spdlog::logger> logger, TraceLevel log_level) {
    logger_ = std::move(logger);
    log_level_ = log_level;
}

bool Trace::open_jsonl(const std::string& path, std::string* error) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) {
        *error = "cannot open trace file '" + path + "' for writing";
        return false;
    }
    if (jsonl_ != nullptr) {
        std::fclose(jsonl_);
    }
    jsonl_ = f;
    return true;
}

void Trace::commit(TraceRecord&& record, uint64_t record_hash) {
    commit_hash_only(record_hash);
    record.fingerprint_after = hash_;
    if (logger_ != nullptr && record.level >= log_level_) {
        logger_->log(to_spdlog(record.level), "{}", record.to_text());
    }
    if (jsonl_ != nullptr) {
        std::string line = record.to_json();
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), jsonl_);
    }
    if (keep_) {
        memory_.push_back(std::move(record));
    }
}

void Trace::flush() {
    if (jsonl_ != nullptr) {
        std::fflush(jsonl_);
    }
    if (logger_ != nullptr) {
        logger_->flush();
    }
}

void TraceEvent::start_record(SimTime at, std::string_view actor, std::string_view kind,
                              TraceLevel level) {
    record_.at = at;
    record_.actor = std::string(actor);
    record_.kind = std::string(kind);
    record_.level = level;
}

void TraceEvent::add_field(std::string_view key, int64_t v) {
    record_.fields.push_back({std::string(key), v});
}

void TraceEvent::add_field(std::string_view key, bool v) {
    record_.fields.push_back({std::string(key), v});
}

void TraceEvent::add_field(std::string_view key, std::string_view v) {
    record_.fields.push_back({std::string(key), std::string(v)});
}

}  // namespace sim
