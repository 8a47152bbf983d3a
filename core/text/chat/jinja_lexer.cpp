#include "text/chat/jinja_lexer.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/error.hpp"
#include "text/chat/jinja_pystr.hpp"

namespace sy::chat::jinja {

void throw_template_error(SourcePos pos, const std::string& message) {
    throw Error("chat template, line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " +
                message);
}

namespace {

// Longest first, so "**" wins over "*".
constexpr std::array<std::string_view, 26> kOperators = {
    "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
    "]",  "(",  ")",  "{",  "}",  ">",  "<", "=", ".", ":", "|", ",", ";"};

std::string normalize_newlines(std::string_view source) {
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n') {
                ++i;
            }
        } else {
            out += source[i];
        }
    }
    if (!out.empty() && out.back() == '\n') {
        out.pop_back();  // keep_trailing_newline=False
    }
    return out;
}

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
    explicit Lexer(std::string_view source) : src_(normalize_newlines(source)) {
        line_starts_.push_back(0);
        for (size_t i = 0; i < src_.size(); ++i) {
            if (src_[i] == '\n') {
                line_starts_.push_back(i + 1);
            }
        }
    }

    std::vector<Token> run() {
        while (pos_ < src_.size()) {
            const size_t open = find_tag_open(pos_);
            if (open == std::string::npos) {
                emit(TokenType::Data, src_.substr(pos_), pos_);
                break;
            }
            const char kind = src_[open + 1];
            const char sign = sign_at(open + 2);
            const size_t text_start = pos_;
            std::string text = strip_before_tag(src_.substr(pos_, open - pos_), sign, kind != '{');
            emit(TokenType::Data, std::move(text), text_start);
            line_starting_ = false;
            size_t raw_body = 0;
            if (kind == '%' && is_raw_begin(open, raw_body)) {
                lex_raw(open, raw_body);
                continue;
            }
            pos_ = open + 2 + (sign ? 1 : 0);
            if (kind == '#') {
                lex_comment(open);
            } else {
                lex_tag(kind, open);
            }
        }
        tokens_.push_back({TokenType::End, "", pos_at(src_.size())});
        return std::move(tokens_);
    }

private:
    SourcePos pos_at(size_t offset) const {
        const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - 1;
        const size_t start = *it;
        const std::string_view line(src_.data() + start, offset - start);
        return {static_cast<int>(it - line_starts_.begin()) + 1, static_cast<int>(code_point_count(line)) + 1};
    }

    [[noreturn]] void fail(size_t offset, const std::string& message) const {
        throw_template_error(pos_at(offset), message);
    }

    void emit(TokenType type, std::string value, size_t offset) {
        if (type == TokenType::Data && value.empty()) {
            return;
        }
        tokens_.push_back({type, std::move(value), pos_at(offset)});
    }

    bool starts_with(size_t at, std::string_view s) const { return src_.compare(at, s.size(), s) == 0; }

    char sign_at(size_t at) const {
        return at < src_.size() && (src_[at] == '-' || src_[at] == '+') ? src_[at] : '\0';
    }

    size_t find_tag_open(size_t from) const {
        for (size_t i = src_.find('{', from); i != std::string::npos; i = src_.find('{', i + 1)) {
            if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
                return i;
            }
        }
        return std::string::npos;
    }

    // Advances pos_ over whitespace (Unicode, as Python's regex \s).
    void skip_whitespace() {
        while (pos_ < src_.size()) {
            size_t next = pos_;
            if (!py_isspace(next_code_point(src_, next))) {
                break;
            }
            pos_ = next;
        }
    }

    bool all_whitespace(std::string_view s) const {
        for (size_t i = 0; i < s.size();) {
            if (!py_isspace(next_code_point(s, i))) {
                return false;
            }
        }
        return true;
    }

    // The "-" sign strips every trailing space; otherwise lstrip_blocks removes the indentation
    // of a line that holds nothing else before a block or comment tag.
    std::string strip_before_tag(std::string text, char sign, bool lstrip_eligible) const {
        if (sign == '-') {
            return py_strip(text, std::nullopt, false, true);
        }
        if (sign == '+' || !lstrip_eligible) {
            return text;
        }
        const size_t nl = text.rfind('\n');
        const size_t line_start = nl == std::string::npos ? 0 : nl + 1;
        if ((line_start > 0 || line_starting_) && line_start < text.size() &&
            all_whitespace(std::string_view(text).substr(line_start))) {
            text.resize(line_start);
        }
        return text;
    }

    // After a closing tag: "-" eats all whitespace, "+" nothing, plain trims one newline when
    // `trim` (block and comment tags). Records whether the consumed text ended a line.
    void after_tag_end(size_t end_offset, char sign, bool trim) {
        pos_ = end_offset;
        if (sign == '-') {
            skip_whitespace();
        } else if (sign != '+' && trim && pos_ < src_.size() && src_[pos_] == '\n') {
            ++pos_;
        }
        line_starting_ = pos_ > end_offset && src_[pos_ - 1] == '\n';
    }

    void lex_comment(size_t open) {
        const size_t body = pos_;
        const size_t close = src_.find("#}", body);
        if (close == std::string::npos) {
            fail(open, "missing end of comment tag '#}'");
        }
        const char sign = close > body ? sign_at(close - 1) : '\0';
        after_tag_end(close + 2, sign, true);
    }

    bool is_raw_begin(size_t open, size_t& body) const {
        size_t i = open + 2 + (sign_at(open + 2) ? 1 : 0);
        while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) {
            ++i;
        }
        if (!starts_with(i, "raw")) {
            return false;
        }
        i += 3;
        while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) {
            ++i;
        }
        if (starts_with(i, "-%}")) {
            i += 3;
            while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) {
                ++i;
            }
        } else if (starts_with(i, "%}")) {
            i += 2;
        } else {
            return false;
        }
        body = i;
        return true;
    }

    void lex_raw(size_t open, size_t body) {
        line_starting_ = body > 0 && src_[body - 1] == '\n';
        for (size_t tag = src_.find("{%", body); tag != std::string::npos; tag = src_.find("{%", tag + 1)) {
            const char sign = sign_at(tag + 2);
            size_t i = tag + 2 + (sign ? 1 : 0);
            while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) {
                ++i;
            }
            if (!starts_with(i, "endraw")) {
                continue;
            }
            i += 6;
            while (i < src_.size() && std::isspace(static_cast<unsigned char>(src_[i]))) {
                ++i;
            }
            const char end_sign = sign_at(i);
            if (!starts_with(i + (end_sign ? 1 : 0), "%}")) {
                continue;
            }
            emit(TokenType::Data, strip_before_tag(src_.substr(body, tag - body), sign, true), body);
            after_tag_end(i + (end_sign ? 3 : 2), end_sign, true);
            return;
        }
        fail(open, "missing end of raw directive '{% endraw %}'");
    }

    void lex_tag(char kind, size_t open) {
        const bool block = kind == '%';
        emit(block ? TokenType::BlockBegin : TokenType::VariableBegin, block ? "{%" : "{{", open);
        std::vector<char> closers;  // brackets open inside the tag
        while (pos_ < src_.size()) {
            if (closers.empty() && close_tag(block)) {
                return;
            }
            const char c = src_[pos_];
            size_t next = pos_;
            if (py_isspace(next_code_point(src_, next))) {
                pos_ = next;
            } else if (is_digit(c)) {
                lex_number();
            } else if (is_name_start(c)) {
                const size_t start = pos_;
                while (pos_ < src_.size() && is_name_char(src_[pos_])) {
                    ++pos_;
                }
                emit(TokenType::Name, src_.substr(start, pos_ - start), start);
            } else if (c == '\'' || c == '"') {
                lex_string();
            } else {
                lex_operator(closers);
            }
        }
        // End of input inside a tag: the parser reports what it was waiting for.
    }

    bool close_tag(bool block) {
        const size_t at = pos_;
        if (block) {
            const char sign = sign_at(at);
            if (!starts_with(at + (sign ? 1 : 0), "%}")) {
                return false;
            }
            emit(TokenType::BlockEnd, "%}", at);
            after_tag_end(at + (sign ? 3 : 2), sign, true);
            return true;
        }
        const bool strip = starts_with(at, "-}}");
        if (!strip && !starts_with(at, "}}")) {
            return false;
        }
        emit(TokenType::VariableEnd, "}}", at);
        after_tag_end(at + (strip ? 3 : 2), strip ? '-' : '\0', false);
        return true;
    }

    void lex_number() {
        const size_t start = pos_;
        auto digits = [&] {
            while (pos_ < src_.size() && (is_digit(src_[pos_]) || src_[pos_] == '_')) {
                ++pos_;
            }
        };
        digits();
        bool is_float = false;
        if (pos_ + 1 < src_.size() && src_[pos_] == '.' && is_digit(src_[pos_ + 1])) {
            ++pos_;
            digits();
            is_float = true;
        }
        if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
            size_t k = pos_ + 1;
            if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) {
                ++k;
            }
            if (k < src_.size() && is_digit(src_[k])) {
                pos_ = k;
                digits();
                is_float = true;
            }
        }
        std::string text = src_.substr(start, pos_ - start);
        text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
        emit(is_float ? TokenType::Float : TokenType::Integer, std::move(text), start);
    }

    void lex_string();
    void lex_operator(std::vector<char>& closers);

    std::string src_;
    std::vector<size_t> line_starts_;
    std::vector<Token> tokens_;
    size_t pos_ = 0;
    bool line_starting_ = true;  // the last consumed text ended a line (or nothing consumed yet)
};

int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Python's "unicode-escape" decoding, which Jinja applies to string literals.
bool unescape(std::string_view raw, std::string& out, std::string& error) {
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\' || i + 1 >= raw.size()) {
            out += raw[i];
            continue;
        }
        const char e = raw[++i];
        switch (e) {
        case '\n': break;  // line continuation
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case 'x':
        case 'u':
        case 'U': {
            const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            char32_t cp = 0;
            for (size_t k = 1; k <= n; ++k) {
                const int h = i + k < raw.size() ? hex_value(raw[i + k]) : -1;
                if (h < 0) {
                    error = std::string("truncated \\") + e + " escape";
                    return false;
                }
                cp = cp * 16 + static_cast<char32_t>(h);
            }
            i += n;
            append_utf8(out, cp);
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                char32_t cp = static_cast<char32_t>(e - '0');
                for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++k) {
                    cp = cp * 8 + static_cast<char32_t>(raw[++i] - '0');
                }
                append_utf8(out, cp);
            } else {
                out += '\\';  // unknown escapes stay as written
                out += e;
            }
        }
    }
    return true;
}

void Lexer::lex_string() {
    const size_t start = pos_;
    const char quote = src_[pos_];
    size_t i = pos_ + 1;
    while (i < src_.size() && src_[i] != quote) {
        i += src_[i] == '\\' ? size_t{2} : size_t{1};
    }
    if (i >= src_.size()) {
        fail(start, "unterminated string literal");
    }
    std::string value;
    std::string error;
    if (!unescape(std::string_view(src_).substr(start + 1, i - start - 1), value, error)) {
        fail(start, error);
    }
    pos_ = i + 1;
    emit(TokenType::String, std::move(value), start);
}

void Lexer::lex_operator(std::vector<char>& closers) {
    for (const std::string_view op : kOperators) {
        if (!starts_with(pos_, op)) {
            continue;
        }
        const char c = op[0];
        if (op.size() == 1 && (c == '(' || c == '[' || c == '{')) {
            closers.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
        } else if (op.size() == 1 && (c == ')' || c == ']' || c == '}')) {
            if (closers.empty()) {
                fail(pos_, std::string("unexpected '") + c + "'");
            }
            if (closers.back() != c) {
                fail(pos_, std::string("unexpected '") + c + "', expected '" + closers.back() + "'");
            }
            closers.pop_back();
        }
        emit(TokenType::Operator, std::string(op), pos_);
        pos_ += op.size();
        return;
    }
    size_t next = pos_;
    std::string ch;
    append_utf8(ch, next_code_point(src_, next));
    fail(pos_, "unexpected character '" + ch + "'");
}

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
    return Lexer(source).run();
}

}  // namespace sy::chat::jinja
