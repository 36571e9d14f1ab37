// Extraction of lanes, spans, blocks and deadlines from trace records; reading JSON Lines.
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "scenario/json_locations.h"
#include "scenario/trace_export.h"

namespace scenario {

namespace {

const char* const k_span_fields[] = {"payment", "htlc", "contract"};
const char* const k_deadline_fields[] = {"timelock", "expiry", "cltv_expiry", "expiry_height"};

std::string field_text(const sim::TraceField& f) {
    if (const auto* i = std::get_if<int64_t>(&f.value)) {
        return std::to_string(*i);
    }
    if (const auto* b = std::get_if<bool>(&f.value)) {
        return *b ? "true" : "false";
    }
    return std::get<std::string>(f.value);
}

bool is_span_field(const std::string& key) {
    for (const char* name : k_span_fields) {
        if (key == name) {
            return true;
        }
    }
    return false;
}

// The span `id` names (a new one if unknown, or, when `link_to` is given, that span: the id
// becomes another name of it), extended to this record; its index.
size_t touch_span(const sim::TraceRecord& r, const sim::TraceField& f,
                  std::optional<size_t> link_to, std::map<std::string, size_t>* span_index,
                  TraceModel* m) {
    const std::string id = f.key + " " + field_text(f);
    auto it = span_index->find(id);
    if (it == span_index->end()) {
        if (link_to.has_value()) {
            it = span_index->emplace(id, *link_to).first;
        } else {
            span_index->emplace(id, m->spans.size());
            m->spans.push_back({f.key, field_text(f), r.at.ns(), r.at.ns(), r.kind});
            return m->spans.size() - 1;
        }
    }
    TraceSpan& s = m->spans[it->second];
    s.end_ns = r.at.ns();
    s.last_kind = r.kind;
    return it->second;
}

// A record carrying a payment and a contract (or HTLC) links them: the contract's own records
// (the gateway's, which name only the contract) extend the payment's span, and its timelock is
// the payment's deadline. Ids first seen without a payment get spans of their own.
std::string note_spans(const sim::TraceRecord& r, std::map<std::string, size_t>* span_index,
                       TraceModel* m) {
    std::optional<size_t> payment;
    for (const sim::TraceField& f : r.fields) {
        if (f.key == "payment") {
            payment = touch_span(r, f, std::nullopt, span_index, m);
        }
    }
    std::optional<size_t> first = payment;
    for (const sim::TraceField& f : r.fields) {
        if (f.key != "payment" && is_span_field(f.key)) {
            const size_t at = touch_span(r, f, payment, span_index, m);
            first = first.value_or(at);
        }
    }
    if (!first.has_value()) {
        return "";
    }
    return m->spans[*first].category + " " + m->spans[*first].key;
}

// What build_trace_model keeps while it reads the records.
struct ModelState {
    std::map<std::string, size_t> lane_index;
    std::map<std::string, size_t> span_index;
    // The deadlines so far by height and label (each is drawn once: every record of one HTLC
    // repeats its expiry), and per deadline the "hash" fields of the records that named it.
    std::map<std::pair<int64_t, std::string>, size_t> deadline_index;
    std::vector<std::set<std::string>> deadline_hashes;
};

// A record's "hash" field (the LN nodes' HTLC records have one), or "".
std::string hash_of(const sim::TraceRecord& r) {
    for (const sim::TraceField& f : r.fields) {
        if (f.key == "hash") {
            return field_text(f);
        }
    }
    return "";
}

void note_deadline(const sim::TraceRecord& r, const std::string& span_label, int64_t height,
                   const std::string& field, ModelState* st, TraceModel* m) {
    const std::string label = (span_label.empty() ? r.kind : span_label) + " " + field;
    auto [it, added] = st->deadline_index.emplace(std::pair{height, label}, m->deadlines.size());
    if (added) {
        m->deadlines.push_back({height, label});
        st->deadline_hashes.emplace_back();
    }
    // A deadline of no span names the HTLCs behind it: different HTLCs can expire at one height.
    if (const std::string hash = hash_of(r); span_label.empty() && !hash.empty()) {
        st->deadline_hashes[it->second].insert(hash);
    }
}

void note_record(const sim::TraceRecord& r, ModelState* st, TraceModel* m) {
    const std::string span_label = note_spans(r, &st->span_index, m);
    for (const sim::TraceField& f : r.fields) {
        const auto* height = std::get_if<int64_t>(&f.value);
        if (height == nullptr) {
            continue;
        }
        if (f.key == "height" && r.kind.find("block") != std::string::npos) {
            m->blocks.push_back({r.at.ns(), *height});
        }
        for (const char* name : k_deadline_fields) {
            if (f.key == name) {
                note_deadline(r, span_label, *height, f.key, st, m);
            }
        }
    }
}

// " (aaaa, bbbb, cccc, +2 more)": the first hashes in sorted order, then how many others.
std::string hash_list(const std::set<std::string>& hashes) {
    constexpr size_t k_named = 3;
    std::string out;
    size_t named = 0;
    for (const std::string& h : hashes) {
        if (named == k_named) {
            out += ", +" + std::to_string(hashes.size() - k_named) + " more";
            break;
        }
        out += (named++ == 0 ? " (" : ", ") + h;
    }
    return hashes.empty() ? out : out + ")";
}

}  // namespace

TraceModel build_trace_model(const std::vector<sim::TraceRecord>& records) {
    TraceModel m;
    ModelState st;
    for (const sim::TraceRecord& r : records) {
        std::string lane = r.actor.empty() || r.actor == "-" ? "(engine)" : r.actor;
        auto it = st.lane_index.find(lane);
        if (it == st.lane_index.end()) {
            it = st.lane_index.emplace(lane, m.lanes.size()).first;
            m.lanes.push_back(lane);
        }
        m.lane_of.push_back(it->second);
        note_record(r, &st, &m);
    }
    for (size_t i = 0; i < m.deadlines.size(); ++i) {
        m.deadlines[i].label += hash_list(st.deadline_hashes[i]);
    }
    return m;
}

namespace {

// One line of a JSON Lines trace; false with a reason (the caller adds the place). Every type
// is checked before it is read: the input is a file a person may have edited or truncated.
bool parse_trace_line(std::string_view line, sim::TraceRecord* r, std::string* why) {
    if (find_excess_nesting(line, 64) != std::string_view::npos) {
        *why = "not a fedsim trace record (nested more than 64 levels deep)";
        return false;
    }
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        *why = "not a fedsim trace record (not a JSON object)";
        return false;
    }
    if (!j.contains("t_ns") || !j["t_ns"].is_number_integer() ||
        (j["t_ns"].is_number_unsigned() &&
         j["t_ns"].get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
        *why = "not a fedsim trace record (\"t_ns\" must be an integer)";
        return false;
    }
    if (!j.contains("kind") || !j["kind"].is_string()) {
        *why = "not a fedsim trace record (\"kind\" must be a string)";
        return false;
    }
    if (j.contains("actor") && !j["actor"].is_string()) {
        *why = "not a fedsim trace record (\"actor\" must be a string)";
        return false;
    }
    if (j.contains("fields") && !j["fields"].is_object()) {
        *why = "not a fedsim trace record (\"fields\" must be an object)";
        return false;
    }
    r->at = sim::SimTime::from_ns(j["t_ns"].get<int64_t>());
    r->actor = j.value("actor", "");
    r->kind = j["kind"].get<std::string>();
    if (!j.contains("fields")) {
        return true;
    }
    for (const auto& [k, v] : j["fields"].items()) {
        if (v.is_boolean()) {
            r->fields.push_back({k, v.get<bool>()});
        } else if (v.is_number_integer() && !v.is_number_unsigned()) {
            r->fields.push_back({k, v.get<int64_t>()});
        } else {
            r->fields.push_back({k, v.is_string() ? v.get<std::string>() : v.dump()});
        }
    }
    return true;
}

}  // namespace

bool parse_jsonl_trace(std::string_view text, const std::string& name,
                       std::vector<sim::TraceRecord>* out, std::string* error) {
    size_t begin = 0;
    for (int number = 1; begin < text.size(); ++number) {
        size_t end = text.find('\n', begin);
        std::string_view line = text.substr(begin, end == std::string_view::npos
                                                       ? std::string_view::npos
                                                       : end - begin);
        begin = end == std::string_view::npos ? text.size() : end + 1;
        if (line.empty()) {
            continue;
        }
        sim::TraceRecord r;
        std::string why;
        if (!parse_trace_line(line, &r, &why)) {
            *error = name + ":" + std::to_string(number) + ": " + why;
            return false;
        }
        out->push_back(std::move(r));
    }
    if (out->empty()) {
        *error = name + ": the trace has no records";
        return false;
    }
    return true;
}

bool read_jsonl_trace(const std::string& path, std::vector<sim::TraceRecord>* out,
                      std::string* error) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        *error = "cannot read trace file '" + path + "': it is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = "cannot read trace file '" + path + "'";
        return false;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse_jsonl_trace(buffer.str(), path, out, error);
}

std::string chrome_trace_json(const std::vector<sim::TraceRecord>& records) {
    using OJson = nlohmann::ordered_json;
    TraceModel m = build_trace_model(records);
    OJson events = OJson::array();
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1},
                      {"args", {{"name", "actors"}}}});
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 2},
                      {"args", {{"name", "payments, HTLCs, contracts"}}}});
    for (size_t i = 0; i < m.lanes.size(); ++i) {
        events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", i + 1},
                          {"args", {{"name", m.lanes[i]}}}});
    }
    auto us = [](int64_t ns) { return static_cast<double>(ns) / 1000.0; };
    for (size_t i = 0; i < records.size(); ++i) {
        const sim::TraceRecord& r = records[i];
        OJson args = OJson::object();
        for (const sim::TraceField& f : r.fields) {
            args[f.key] = field_text(f);
        }
        events.push_back({{"name", r.kind}, {"ph", "i"}, {"s", "t"}, {"ts", us(r.at.ns())},
                          {"pid", 1}, {"tid", m.lane_of[i] + 1}, {"args", args}});
    }
    std::map<std::string, int> category_tid;
    for (const TraceSpan& s : m.spans) {
        int tid = category_tid.emplace(s.category, static_cast<int>(category_tid.size()) + 1)
                      .first->second;
        events.push_back({{"name", s.category + " " + s.key}, {"cat", s.category}, {"ph", "X"},
                          {"ts", us(s.begin_ns)}, {"dur", us(s.end_ns - s.begin_ns)},
                          {"pid", 2}, {"tid", tid}, {"args", {{"last", s.last_kind}}}});
    }
    for (const TraceBlock& b : m.blocks) {
        events.push_back({{"name", "block " + std::to_string(b.height)}, {"ph", "i"}, {"s", "g"},
                          {"ts", us(b.at_ns)}, {"pid", 1}, {"tid", 0}});
    }
    OJson doc = {{"traceEvents", events}, {"displayTimeUnit", "ns"}};
    return doc.dump() + "\n";
}

}  // namespace scenario
