#include "text/chat/jinja_pystr.hpp"

#include "text/unicode.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace sy::chat::jinja {

char32_t next_code_point(std::string_view s, size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    char32_t cp = b0;
    if (b0 >= 0xC2 && b0 < 0xE0) {
        extra = 1;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 < 0xF0) {
        extra = 2;
        cp = b0 & 0x0Fu;
    } else if (b0 >= 0xF0 && b0 < 0xF5) {
        extra = 3;
        cp = b0 & 0x07u;
    }
    if (extra == 0 || i + extra >= s.size()) {
        ++i;
        return b0;
    }
    for (size_t k = 1; k <= extra; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0u) != 0x80u) {
            ++i;
            return b0;
        }
        cp = (cp << 6) | (b & 0x3Fu);
    }
    i += extra + 1;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) { text::unicode::append_utf8(out, static_cast<uint32_t>(cp)); }

std::vector<size_t> code_point_offsets(std::string_view s) {
    std::vector<size_t> offsets;
    size_t i = 0;
    while (i < s.size()) {
        offsets.push_back(i);
        next_code_point(s, i);
    }
    offsets.push_back(s.size());
    return offsets;
}

size_t code_point_count(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size();) {
        next_code_point(s, i);
        ++n;
    }
    return n;
}

bool py_isspace(char32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

namespace {

struct Decoded {
    std::vector<char32_t> cps;
    std::vector<size_t> offsets;  // byte offset of each code point, plus the end
};

Decoded decode(std::string_view s) {
    Decoded d;
    size_t i = 0;
    while (i < s.size()) {
        d.offsets.push_back(i);
        d.cps.push_back(next_code_point(s, i));
    }
    d.offsets.push_back(s.size());
    return d;
}

std::vector<char32_t> decode_set(const std::string& chars) {
    return decode(chars).cps;
}

}  // namespace

std::string py_strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right) {
    const Decoded d = decode(s);
    const std::vector<char32_t> set = chars ? decode_set(*chars) : std::vector<char32_t>{};
    auto strip_it = [&](char32_t cp) {
        return chars ? std::find(set.begin(), set.end(), cp) != set.end() : py_isspace(cp);
    };
    size_t b = 0;
    size_t e = d.cps.size();
    while (left && b < e && strip_it(d.cps[b])) {
        ++b;
    }
    while (right && e > b && strip_it(d.cps[e - 1])) {
        --e;
    }
    return std::string(s.substr(d.offsets[b], d.offsets[e] - d.offsets[b]));
}

std::vector<std::string> py_split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
    std::vector<std::string> out;
    int64_t budget = maxsplit < 0 ? INT64_MAX : maxsplit;
    if (sep) {
        size_t start = 0;
        while (budget-- > 0) {
            const size_t hit = s.find(*sep, start);
            if (hit == std::string_view::npos) {
                break;
            }
            out.emplace_back(s.substr(start, hit - start));
            start = hit + sep->size();
        }
        out.emplace_back(s.substr(start));
        return out;
    }
    const Decoded d = decode(s);
    const size_t n = d.cps.size();
    size_t i = 0;
    while (budget-- > 0) {
        while (i < n && py_isspace(d.cps[i])) {
            ++i;
        }
        if (i == n) {
            break;
        }
        const size_t j = i++;
        while (i < n && !py_isspace(d.cps[i])) {
            ++i;
        }
        out.emplace_back(s.substr(d.offsets[j], d.offsets[i] - d.offsets[j]));
    }
    while (i < n && py_isspace(d.cps[i])) {
        ++i;
    }
    if (i < n) {
        out.emplace_back(s.substr(d.offsets[i]));
    }
    return out;
}

std::vector<std::string> py_rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
    std::vector<std::string> out;
    int64_t budget = maxsplit < 0 ? INT64_MAX : maxsplit;
    if (sep) {
        size_t end = s.size();
        while (budget-- > 0 && end >= sep->size()) {
            const size_t hit = s.rfind(*sep, end - sep->size());
            if (hit == std::string_view::npos) {
                break;
            }
            out.emplace_back(s.substr(hit + sep->size(), end - hit - sep->size()));
            end = hit;
        }
        out.emplace_back(s.substr(0, end));
        std::reverse(out.begin(), out.end());
        return out;
    }
    const Decoded d = decode(s);
    auto i = static_cast<int64_t>(d.cps.size()) - 1;
    auto space_at = [&](int64_t k) { return py_isspace(d.cps[static_cast<size_t>(k)]); };
    auto piece = [&](int64_t from, int64_t to) {  // code points [from, to)
        const size_t b = d.offsets[static_cast<size_t>(from)];
        return std::string(s.substr(b, d.offsets[static_cast<size_t>(to)] - b));
    };
    while (budget-- > 0) {
        while (i >= 0 && space_at(i)) {
            --i;
        }
        if (i < 0) {
            break;
        }
        const int64_t j = i--;
        while (i >= 0 && !space_at(i)) {
            --i;
        }
        out.push_back(piece(i + 1, j + 1));
    }
    while (i >= 0 && space_at(i)) {
        --i;
    }
    if (i >= 0) {
        out.push_back(piece(0, i + 1));
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<std::string> py_splitlines(std::string_view s) {
    std::vector<std::string> out;
    const Decoded d = decode(s);
    size_t start = 0;
    for (size_t k = 0; k < d.cps.size(); ++k) {
        const char32_t c = d.cps[k];
        const bool brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D ||
                         c == 0x1E || c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!brk) {
            continue;
        }
        out.emplace_back(s.substr(d.offsets[start], d.offsets[k] - d.offsets[start]));
        if (c == '\r' && k + 1 < d.cps.size() && d.cps[k + 1] == '\n') {
            ++k;
        }
        start = k + 1;
    }
    if (start < d.cps.size()) {
        out.emplace_back(s.substr(d.offsets[start]));
    }
    return out;
}

std::string py_replace(std::string_view s, std::string_view old, std::string_view repl, int64_t count) {
    std::string out;
    int64_t budget = count < 0 ? INT64_MAX : count;
    if (old.empty()) {
        const std::vector<size_t> offsets = code_point_offsets(s);
        for (size_t k = 0; k + 1 < offsets.size(); ++k) {
            if (budget-- > 0) {
                out += repl;
            }
            out += s.substr(offsets[k], offsets[k + 1] - offsets[k]);
        }
        if (budget > 0) {
            out += repl;
        }
        return out;
    }
    size_t start = 0;
    while (budget-- > 0) {
        const size_t hit = s.find(old, start);
        if (hit == std::string_view::npos) {
            break;
        }
        out += s.substr(start, hit - start);
        out += repl;
        start = hit + old.size();
    }
    out += s.substr(start);
    return out;
}

namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
char to_upper(char c) { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string py_upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), to_upper);
    return out;
}

std::string py_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), to_lower);
    return out;
}

std::string py_capitalize(std::string_view s) {
    std::string out = py_lower(s);
    if (!out.empty()) {
        out[0] = to_upper(out[0]);
    }
    return out;
}

std::string py_title(std::string_view s) {
    std::string out(s);
    bool previous_cased = false;
    for (char& c : out) {
        const bool cased = is_lower(c) || is_upper(c);
        c = cased ? (previous_cased ? to_lower(c) : to_upper(c)) : c;
        previous_cased = cased;
    }
    return out;
}

namespace {

// Code points CPython's repr() escapes beyond ASCII controls: C1 controls, non-space
// separators and the common format characters (str.isprintable() is false for them).
bool repr_escapes(char32_t c) {
    return (c >= 0x80 && c <= 0xA0) || c == 0xAD || c == 0x1680 || (c >= 0x2000 && c <= 0x200F) ||
           (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) ||
           c == 0x3000 || c == 0xFEFF || (c >= 0xE000 && c <= 0xF8FF);
}

void append_hex(std::string& out, const char* prefix, char32_t c, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, static_cast<unsigned>(c));
    out += buf;
}

}  // namespace

std::string py_repr_string(std::string_view s) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote);
    for (size_t i = 0; i < s.size();) {
        const size_t start = i;
        const char32_t c = next_code_point(s, i);
        if (c == static_cast<char32_t>(quote) || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7F || repr_escapes(c)) {
            append_hex(out, c <= 0xFF ? "\\x" : "\\u", c, c <= 0xFF ? 2 : 4);
        } else {
            out += s.substr(start, i - start);
        }
    }
    out += quote;
    return out;
}

std::string py_repr_float(double f) {
    if (std::isnan(f)) {
        return "nan";
    }
    if (std::isinf(f)) {
        return f < 0 ? "-inf" : "inf";
    }
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // "-d.ddde+XX"
    const size_t e_pos = sci.find('e');
    std::string sign;
    std::string digits;
    for (size_t k = 0; k < e_pos; ++k) {
        if (sci[k] == '-') {
            sign = "-";
        } else if (sci[k] != '.') {
            digits += sci[k];
        }
    }
    int exp10 = 0;
    std::from_chars(sci.data() + e_pos + (sci[e_pos + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp10);
    if (exp10 < -4 || exp10 >= 16) {
        std::string out = sign + digits.substr(0, 1);
        if (digits.size() > 1) {
            out += "." + digits.substr(1);
        }
        char e[16];
        std::snprintf(e, sizeof e, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
        return out + e;
    }
    if (exp10 < 0) {
        return sign + "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
    }
    const auto int_len = static_cast<size_t>(exp10) + 1;
    if (digits.size() <= int_len) {
        return sign + digits + std::string(int_len - digits.size(), '0') + ".0";
    }
    return sign + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                append_hex(out, "\\u", c, 4);
            } else {
                out += ch;
            }
        }
    }
    return out + "\"";
}

}  // namespace sy::chat::jinja
