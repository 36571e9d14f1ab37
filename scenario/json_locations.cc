// The pointer-to-position scanner over well-formed JSON text.
#include "scenario/json_locations.h"

#include "scenario/diagnostics.h"

namespace scenario {

namespace {

class Scanner {
public:
    Scanner(std::string_view text, LocationMap* out) : text_(text), out_(out) {}

    void scan_value(const std::string& pointer) {
        skip_ws();
        out_->values[pointer] = here();
        if (at_end()) {
            return;
        }
        char c = text_[pos_];
        if (c == '{') {
            scan_object(pointer);
        } else if (c == '[') {
            scan_array(pointer);
        } else if (c == '"') {
            read_string();
        } else {
            while (!at_end() && std::string_view(",]} \t\r\n").find(text_[pos_]) ==
                                    std::string_view::npos) {
                advance();
            }
        }
    }

private:
    bool at_end() const { return pos_ >= text_.size(); }
    TextPosition here() const { return {line_, column_}; }

    void advance() {
        if (text_[pos_] == '\n') {
            ++line_;
            column_ = 1;
        } else {
            ++column_;
        }
        ++pos_;
    }

    void skip_ws() {
        while (!at_end() && std::string_view(" \t\r\n").find(text_[pos_]) != std::string_view::npos) {
            advance();
        }
    }

    void scan_object(const std::string& pointer) {
        advance();  // '{'
        std::map<std::string, bool> seen;
        for (;;) {
            skip_ws();
            if (at_end() || text_[pos_] == '}') {
                break;
            }
            TextPosition key_at = here();
            std::string key = read_string();
            std::string child = pointer + "/" + pointer_token(key);
            if (seen[key]) {
                out_->duplicate_keys.push_back(child);
            }
            seen[key] = true;
            out_->keys[child] = key_at;
            skip_ws();
            advance();  // ':'
            scan_value(child);
            skip_ws();
            if (!at_end() && text_[pos_] == ',') {
                advance();
            }
        }
        if (!at_end()) {
            advance();
        }
    }

    void scan_array(const std::string& pointer) {
        advance();  // '['
        for (size_t index = 0;; ++index) {
            skip_ws();
            if (at_end() || text_[pos_] == ']') {
                break;
            }
            scan_value(pointer + "/" + std::to_string(index));
            skip_ws();
            if (!at_end() && text_[pos_] == ',') {
                advance();
            }
        }
        if (!at_end()) {
            advance();
        }
    }

    // Reads a string token and returns its content; escapes other than \uXXXX are decoded,
    // \uXXXX is kept as written (keys with such escapes are not expected in scenarios).
    std::string read_string() {
        std::string out;
        advance();  // opening quote
        while (!at_end() && text_[pos_] != '"') {
            if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
                advance();
                char e = text_[pos_];
                if (e == 'u') {
                    out += "\\u";
                } else {
                    out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
                }
            } else {
                out += text_[pos_];
            }
            advance();
        }
        if (!at_end()) {
            advance();
        }
        return out;
    }

    std::string_view text_;
    LocationMap* out_;
    size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
};

}  // namespace

TextPosition LocationMap::find(const std::string& pointer) const {
    std::string p = pointer;
    for (;;) {
        auto key = keys.find(p);
        if (key != keys.end()) {
            return key->second;
        }
        auto value = values.find(p);
        if (value != values.end()) {
            return value->second;
        }
        size_t slash = p.rfind('/');
        if (slash == std::string::npos) {
            return {};
        }
        p = p.substr(0, slash);
    }
}

LocationMap map_locations(std::string_view text) {
    LocationMap out;
    Scanner(text, &out).scan_value("");
    return out;
}

TextPosition position_of(std::string_view text, size_t offset) {
    TextPosition p{1, 1};
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

size_t find_excess_nesting(std::string_view text, int max_depth) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;  // an escaped quote does not end the string
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                return i;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

}  // namespace scenario
