// String, number and JSON filters, and the filter registry. `tojson` is transformers' version
// (json.dumps with ensure_ascii=False, indent, separators, sort_keys), not Jinja's HTML-safe one.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_ops.hpp"
#include "text/chat/jinja_pystr.hpp"

namespace sy::chat::jinja {
namespace {

int64_t int_arg(const Value& v, std::string_view what) { return to_index(v, what); }

Value f_abs(const Value& v, CallArgs& a) {
    a.check("abs", 0, {});
    if (v.kind() == ValueKind::Float) {
        return Value(std::fabs(v.as_float()));
    }
    if (v.is_number()) {
        return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
    }
    throw EvalError("bad operand type for abs(): '" + type_name(v) + "'");
}

Value f_attr(const Value& v, CallArgs& a) {
    a.check("attr", 1, {});
    const std::string name = to_str(a.get(0, "name"));
    Value method = find_method(v, name);
    if (!method.is_undefined()) {
        return method;
    }
    if (v.kind() == ValueKind::Object) {
        if (const Value* found = v.object().attrs.find(name)) {
            return *found;
        }
    }
    return Value::undefined("'" + type_name(v) + " object' has no attribute '" + name + "'");
}

Value f_capitalize(const Value& v, CallArgs& a) {
    a.check("capitalize", 0, {});
    return Value(py_capitalize(to_str(v)));
}

Value f_default(const Value& v, CallArgs& a) {
    a.check("default", 2, {"default_value", "boolean"});
    const bool boolean = truthy(a.get(1, "boolean", Value(false)));
    if (v.is_undefined() || (boolean && !truthy(v))) {
        return a.get(0, "default_value", Value(""));
    }
    return v;
}

Value f_escape(const Value& v, CallArgs& a) {
    a.check("escape", 0, {});
    std::string out;
    for (const char c : to_str(v)) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return Value(out);
}

// Python float(str): surrounding whitespace allowed, "inf"/"nan" spelled any case.
bool parse_float(std::string text, double& out) {
    text = py_strip(text, std::nullopt, true, true);
    if (text.empty()) {
        return false;
    }
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && text.find_first_of("xX") == std::string::npos;
}

Value f_float(const Value& v, CallArgs& a) {
    a.check("float", 1, {"default"});
    if (v.is_number()) {
        return Value(v.as_float());
    }
    double d = 0.0;
    if (v.is_string() && parse_float(v.as_string(), d)) {
        return Value(d);
    }
    return a.get(0, "default", Value(0.0));
}

Value f_int(const Value& v, CallArgs& a) {
    a.check("int", 2, {"default", "base"});
    if (v.kind() == ValueKind::Float) {
        return Value(static_cast<int64_t>(std::trunc(v.as_float())));
    }
    if (v.is_number()) {
        return Value(v.as_int());
    }
    if (v.is_string()) {
        const std::string text = py_strip(v.as_string(), std::nullopt, true, true);
        const int base = static_cast<int>(int_arg(a.get(1, "base", Value(10)), "base"));
        char* end = nullptr;
        const long long i = std::strtoll(text.c_str(), &end, base);
        if (!text.empty() && end == text.c_str() + text.size()) {
            return Value(static_cast<int64_t>(i));
        }
        double d = 0.0;  // "42.23" | int gives 42
        if (parse_float(text, d) && std::isfinite(d)) {
            return Value(static_cast<int64_t>(std::trunc(d)));
        }
    }
    return a.get(0, "default", Value(0));
}

Value f_indent(const Value& v, CallArgs& a) {
    a.check("indent", 3, {"width", "first", "blank"});
    const Value width = a.get(0, "width", Value(4));
    const std::string indention =
        width.is_string() ? width.as_string() : std::string(static_cast<size_t>(std::max<int64_t>(0, int_arg(width, "width"))), ' ');
    const bool first = truthy(a.get(1, "first", Value(false)));
    const bool blank = truthy(a.get(2, "blank", Value(false)));
    std::vector<std::string> lines = py_splitlines(to_str(v) + "\n");
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            out += "\n";
            if (blank || !lines[i].empty()) {
                out += indention;
            }
        }
        out += lines[i];
    }
    return Value(first ? indention + out : out);
}

Value f_lower(const Value& v, CallArgs& a) {
    a.check("lower", 0, {});
    return Value(py_lower(to_str(v)));
}

Value f_upper(const Value& v, CallArgs& a) {
    a.check("upper", 0, {});
    return Value(py_upper(to_str(v)));
}

Value f_replace(const Value& v, CallArgs& a) {
    a.check("replace", 3, {"old", "new", "count"});
    const Value count = a.get(2, "count", Value::none());
    return Value(py_replace(to_str(v), to_str(a.get(0, "old")), to_str(a.get(1, "new")),
                            count.is_none() ? -1 : int_arg(count, "count")));
}

Value f_round(const Value& v, CallArgs& a) {
    a.check("round", 2, {"precision", "method"});
    const int64_t precision = int_arg(a.get(0, "precision", Value(0)), "precision");
    const std::string method = to_str(a.get(1, "method", Value("common")));
    if (method != "common" && method != "ceil" && method != "floor") {
        throw EvalError("method must be common, ceil or floor");
    }
    if (!v.is_number()) {
        throw EvalError("type " + type_name(v) + " doesn't define __round__ method");
    }
    if (method == "common" && v.kind() != ValueKind::Float) {
        return Value(v.as_int());  // round(int, n) stays an int
    }
    const double x = v.as_float();
    if (method != "common") {
        const double scale = std::pow(10.0, static_cast<double>(precision));
        return Value((method == "ceil" ? std::ceil(x * scale) : std::floor(x * scale)) / scale);
    }
    // Python rounds the exact binary value half-to-even, as printf's %.*f does.
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::clamp<int64_t>(precision, 0, 300)), x);
    return Value(std::strtod(buf, nullptr));
}

Value f_string(const Value& v, CallArgs& a) {
    a.check("string", 0, {});
    return Value(to_str(v));
}

Value f_title(const Value& v, CallArgs& a) {
    a.check("title", 0, {});
    // Jinja's title: words start after runs of whitespace, '-', '(', '{', '[' or '<'.
    std::string s = to_str(v);
    bool word_start = true;
    for (char& c : s) {
        const bool sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' ||
                         std::isspace(static_cast<unsigned char>(c));
        if (!sep) {
            c = word_start ? py_upper(std::string(1, c))[0] : py_lower(std::string(1, c))[0];
        }
        word_start = sep;
    }
    return Value(s);
}

Value f_tojson(const Value& v, CallArgs& a) {
    a.check("tojson", 0, {"indent", "separators", "sort_keys", "ensure_ascii"});
    if (truthy(a.get(99, "ensure_ascii", Value(false)))) {
        throw EvalError("tojson(ensure_ascii=True) is not supported");
    }
    JsonStyle style;
    const Value indent = a.get(99, "indent", Value::none());
    if (indent.is_string()) {
        style.indent = indent.as_string();
    } else if (!indent.is_none()) {
        style.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, int_arg(indent, "indent"))), ' ');
    }
    style.item_separator = style.indent ? "," : ", ";
    const Value separators = a.get(99, "separators", Value::none());
    if (!separators.is_none()) {
        const std::vector<Value> parts = iterate(separators);
        if (parts.size() != 2 || !parts[0].is_string() || !parts[1].is_string()) {
            throw EvalError("separators must be a pair of strings");
        }
        style.item_separator = parts[0].as_string();
        style.key_separator = parts[1].as_string();
    }
    style.sort_keys = truthy(a.get(99, "sort_keys", Value(false)));
    return Value(to_json(v, style));
}

Value f_trim(const Value& v, CallArgs& a) {
    a.check("trim", 1, {"chars"});
    const Value chars = a.get(0, "chars", Value::none());
    return Value(py_strip(to_str(v), chars.is_none() ? std::nullopt : std::optional<std::string>(to_str(chars)),
                          true, true));
}

struct Entry {
    std::string_view name;
    FilterFn fn;
};

constexpr Entry kFilters[] = {
    {"abs", f_abs},         {"attr", f_attr},       {"capitalize", f_capitalize}, {"d", f_default},
    {"default", f_default}, {"e", f_escape},        {"escape", f_escape},         {"float", f_float},
    {"indent", f_indent},   {"int", f_int},         {"lower", f_lower},           {"replace", f_replace},
    {"round", f_round},     {"safe", f_string},     {"string", f_string},         {"title", f_title},
    {"tojson", f_tojson},   {"trim", f_trim},       {"upper", f_upper},
};

}  // namespace

FilterFn find_filter(std::string_view name) {
    for (const Entry& e : kFilters) {
        if (e.name == name) {
            return e.fn;
        }
    }
    return find_sequence_filter(name);
}

}  // namespace sy::chat::jinja
