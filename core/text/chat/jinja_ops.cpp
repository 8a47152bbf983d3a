#include "text/chat/jinja_ops.hpp"

#include <algorithm>
#include <cmath>

#include "text/chat/jinja_pystr.hpp"

namespace sy::chat::jinja {

std::string type_name(const Value& v) {
    switch (v.kind()) {
    case ValueKind::Undefined: return "Undefined";
    case ValueKind::None: return "NoneType";
    case ValueKind::Bool: return "bool";
    case ValueKind::Int: return "int";
    case ValueKind::Float: return "float";
    case ValueKind::String: return "str";
    case ValueKind::List:
        switch (v.list().kind) {
        case ListKind::List: return "list";
        case ListKind::Tuple: return "tuple";
        case ListKind::Generator: return "generator";
        }
        break;
    case ValueKind::Dict: return "dict";
    case ValueKind::Object: return v.object().type_name;
    case ValueKind::Function: return "function";
    }
    return "object";
}

void fail_undefined(const Value& v) {
    throw EvalError(v.undefined_hint().empty() ? std::string("a value is undefined") : v.undefined_hint());
}

bool truthy(const Value& v) {
    switch (v.kind()) {
    case ValueKind::Undefined:
    case ValueKind::None: return false;
    case ValueKind::Bool: return v.as_bool();
    case ValueKind::Int: return v.as_int() != 0;
    case ValueKind::Float: return v.as_float() != 0.0;
    case ValueKind::String: return !v.as_string().empty();
    case ValueKind::List: return v.list().kind == ListKind::Generator || !v.list().items.empty();
    case ValueKind::Dict: return !v.dict().entries.empty();
    case ValueKind::Object:
    case ValueKind::Function: return true;
    }
    return false;
}

namespace {

// repr() of containers; `active` holds the containers being printed, so a list that contains
// itself prints as [...] as in Python instead of recursing forever.
std::string repr_impl(const Value& v, std::vector<const void*>& active);

std::string join_repr(const std::vector<Value>& items, std::vector<const void*>& active) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        out += (i ? ", " : "") + repr_impl(items[i], active);
    }
    return out;
}

std::string dict_repr(const DictData& d, std::vector<const void*>& active) {
    std::string out = "{";
    for (size_t i = 0; i < d.entries.size(); ++i) {
        out += (i ? ", " : "") + py_repr_string(d.entries[i].first) + ": " + repr_impl(d.entries[i].second, active);
    }
    return out + "}";
}

std::string repr_impl(const Value& v, std::vector<const void*>& active) {
    if (v.is_string()) {
        return py_repr_string(v.as_string());
    }
    if (v.is_undefined()) {
        return "Undefined";
    }
    const bool container = v.is_dict() || (v.is_list() && v.list().kind != ListKind::Generator) ||
                           (v.kind() == ValueKind::Object && v.object().assignable);
    if (!container) {
        return v.is_list() ? "<generator object>" : to_str(v);
    }
    if (std::find(active.begin(), active.end(), v.identity()) != active.end()) {
        return v.is_dict() ? "{...}" : v.is_list() ? "[...]" : "<Namespace {...}>";
    }
    active.push_back(v.identity());
    std::string out;
    if (v.is_dict()) {
        out = dict_repr(v.dict(), active);
    } else if (v.kind() == ValueKind::Object) {
        out = "<Namespace " + dict_repr(v.object().attrs, active) + ">";
    } else if (v.list().kind == ListKind::Tuple) {
        out = "(" + join_repr(v.list().items, active) + (v.list().items.size() == 1 ? ",)" : ")");
    } else {
        out = "[" + join_repr(v.list().items, active) + "]";
    }
    active.pop_back();
    return out;
}

}  // namespace

std::string to_str(const Value& v) {
    switch (v.kind()) {
    case ValueKind::Undefined: return "";
    case ValueKind::None: return "None";
    case ValueKind::Bool: return v.as_bool() ? "True" : "False";
    case ValueKind::Int: return std::to_string(v.as_int());
    case ValueKind::Float: return py_repr_float(v.as_float());
    case ValueKind::String: return v.as_string();
    case ValueKind::Object:
        return v.object().assignable ? to_repr(v) : "<" + v.object().type_name + ">";
    case ValueKind::Function: return "<function " + v.function().name + ">";
    case ValueKind::List:
    case ValueKind::Dict: return to_repr(v);
    }
    return "";
}

std::string to_repr(const Value& v) {
    std::vector<const void*> active;
    return repr_impl(v, active);
}

namespace {

// Python compares nested containers recursively; a container that holds itself would
// recurse forever, so past this depth the comparison fails as Python's RecursionError does.
constexpr int kMaxCompareDepth = 500;

void check_depth(int depth) {
    if (depth > kMaxCompareDepth) {
        throw EvalError("maximum recursion depth exceeded in comparison");
    }
}

bool equals_impl(const Value& a, const Value& b, int depth);

}  // namespace

bool equals(const Value& a, const Value& b) {
    return equals_impl(a, b, 0);
}

namespace {

bool equals_impl(const Value& a, const Value& b, int depth) {
    check_depth(depth);
    if (a.identity() && a.identity() == b.identity()) {
        return true;  // the same container (Python's identity shortcut)
    }
    if (a.is_number() && b.is_number()) {
        if (a.kind() == ValueKind::Float || b.kind() == ValueKind::Float) {
            return a.as_float() == b.as_float();
        }
        return a.as_int() == b.as_int();
    }
    if (a.kind() != b.kind()) {
        return false;
    }
    switch (a.kind()) {
    case ValueKind::Undefined:
    case ValueKind::None: return true;
    case ValueKind::String: return a.as_string() == b.as_string();
    case ValueKind::List: {
        const ListData& x = a.list();
        const ListData& y = b.list();
        if (x.kind != y.kind || x.kind == ListKind::Generator) {
            return a.identity() == b.identity();
        }
        if (x.items.size() != y.items.size()) {
            return false;
        }
        for (size_t i = 0; i < x.items.size(); ++i) {
            if (!equals_impl(x.items[i], y.items[i], depth + 1)) {
                return false;
            }
        }
        return true;
    }
    case ValueKind::Dict: {
        const DictData& x = a.dict();
        const DictData& y = b.dict();
        if (x.entries.size() != y.entries.size()) {
            return false;
        }
        for (const auto& [k, val] : x.entries) {
            const Value* other = y.find(k);
            if (!other || !equals_impl(val, *other, depth + 1)) {
                return false;
            }
        }
        return true;
    }
    default: return a.identity() == b.identity();
    }
}

bool less_than_impl(const Value& a, const Value& b, int depth) {
    check_depth(depth);
    if (a.is_undefined()) {
        fail_undefined(a);
    }
    if (b.is_undefined()) {
        fail_undefined(b);
    }
    if (a.is_number() && b.is_number()) {
        if (a.kind() == ValueKind::Float || b.kind() == ValueKind::Float) {
            return a.as_float() < b.as_float();
        }
        return a.as_int() < b.as_int();
    }
    if (a.is_string() && b.is_string()) {
        return a.as_string() < b.as_string();  // UTF-8 byte order is code point order
    }
    if (a.is_list() && b.is_list() && a.list().kind == b.list().kind && a.list().kind != ListKind::Generator) {
        const auto& x = a.list().items;
        const auto& y = b.list().items;
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (!equals_impl(x[i], y[i], depth + 1)) {
                return less_than_impl(x[i], y[i], depth + 1);
            }
        }
        return x.size() < y.size();
    }
    throw EvalError("'<' not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

}  // namespace

bool less_than(const Value& a, const Value& b) {
    return less_than_impl(a, b, 0);
}

namespace {

[[noreturn]] void unsupported(std::string_view op, const Value& a, const Value& b) {
    throw EvalError("unsupported operand type(s) for " + std::string(op) + ": '" + type_name(a) + "' and '" +
                    type_name(b) + "'");
}

Value repeat(const Value& seq, int64_t times) {
    // Python would try to allocate anything; a template asking for gigabytes is broken.
    constexpr int64_t kMaxRepeatedSize = int64_t{1} << 26;
    const auto unit = static_cast<int64_t>(seq.is_string() ? seq.as_string().size() : seq.list().items.size());
    if (times > 0 && unit > 0 && times > kMaxRepeatedSize / unit) {
        throw EvalError("repetition result too large");
    }
    if (seq.is_string()) {
        std::string out;
        for (int64_t i = 0; i < times; ++i) {
            out += seq.as_string();
        }
        return Value(out);
    }
    std::vector<Value> out;
    for (int64_t i = 0; i < times; ++i) {
        out.insert(out.end(), seq.list().items.begin(), seq.list().items.end());
    }
    return Value::list(std::move(out), seq.list().kind);
}

bool is_sequence(const Value& v) {
    return v.is_string() || (v.is_list() && v.list().kind != ListKind::Generator);
}

int64_t floor_div(int64_t a, int64_t b) {
    const int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

Value numeric(std::string_view op, const Value& a, const Value& b) {
    const bool ints = a.kind() != ValueKind::Float && b.kind() != ValueKind::Float;
    const double x = a.as_float();
    const double y = b.as_float();
    if ((op == "/" || op == "//" || op == "%") && y == 0.0) {
        throw EvalError(ints ? "division by zero" : "float division by zero");
    }
    if (op == "/") {
        return Value(x / y);
    }
    if (ints) {
        const int64_t i = a.as_int();
        const int64_t j = b.as_int();
        if (op == "+") return Value(static_cast<int64_t>(static_cast<uint64_t>(i) + static_cast<uint64_t>(j)));
        if (op == "-") return Value(static_cast<int64_t>(static_cast<uint64_t>(i) - static_cast<uint64_t>(j)));
        if (op == "*") return Value(static_cast<int64_t>(static_cast<uint64_t>(i) * static_cast<uint64_t>(j)));
        if (op == "//") return Value(floor_div(i, j));
        if (op == "%") return Value(i - floor_div(i, j) * j);
        if (op == "**" && j >= 0 && j < 64) {  // beyond that Python has big ints; we go to double
            int64_t r = 1;
            for (int64_t k = 0; k < j; ++k) {
                r *= i;
            }
            return Value(r);
        }
    }
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if (op == "//") return Value(std::floor(x / y));
    if (op == "%") {
        const double r = std::fmod(x, y);
        return Value(r != 0.0 && ((r < 0) != (y < 0)) ? r + y : r);
    }
    return Value(std::pow(x, y));  // "**"
}

}  // namespace

Value arithmetic(std::string_view op, const Value& a, const Value& b) {
    if (a.is_undefined()) {
        fail_undefined(a);
    }
    if (b.is_undefined()) {
        fail_undefined(b);
    }
    if (a.is_number() && b.is_number()) {
        return numeric(op, a, b);
    }
    if (op == "+") {
        if (a.is_string()) {
            if (!b.is_string()) {
                throw EvalError("can only concatenate str (not \"" + type_name(b) + "\") to str");
            }
            return Value(a.as_string() + b.as_string());
        }
        if (a.is_list() && a.list().kind != ListKind::Generator) {
            if (!b.is_list() || b.list().kind != a.list().kind) {
                throw EvalError("can only concatenate " + type_name(a) + " (not \"" + type_name(b) + "\") to " +
                                type_name(a));
            }
            std::vector<Value> items = a.list().items;
            items.insert(items.end(), b.list().items.begin(), b.list().items.end());
            return Value::list(std::move(items), a.list().kind);
        }
    }
    if (op == "*") {
        if (is_sequence(a) && (b.kind() == ValueKind::Int || b.kind() == ValueKind::Bool)) {
            return repeat(a, b.as_int());
        }
        if (is_sequence(b) && (a.kind() == ValueKind::Int || a.kind() == ValueKind::Bool)) {
            return repeat(b, a.as_int());
        }
    }
    if (op == "%" && a.is_string()) {
        throw EvalError("printf-style string formatting (str % value) is not supported");
    }
    unsupported(op, a, b);
}

Value negate(const Value& v) {
    if (v.is_undefined()) {
        fail_undefined(v);
    }
    if (v.kind() == ValueKind::Float) {
        return Value(-v.as_float());
    }
    if (v.is_number()) {
        return Value(-v.as_int());
    }
    throw EvalError("bad operand type for unary -: '" + type_name(v) + "'");
}

bool contains(const Value& container, const Value& item) {
    switch (container.kind()) {
    case ValueKind::Undefined: return false;
    case ValueKind::String:
        if (!item.is_string()) {
            throw EvalError("'in <string>' requires string as left operand, not " + type_name(item));
        }
        return container.as_string().find(item.as_string()) != std::string::npos;
    case ValueKind::List:
        for (const Value& v : container.list().items) {
            if (equals(v, item)) {
                return true;
            }
        }
        return false;
    case ValueKind::Dict: return item.is_string() && container.dict().find(item.as_string()) != nullptr;
    default: throw EvalError("argument of type '" + type_name(container) + "' is not iterable");
    }
}

std::vector<Value> iterate(const Value& v) {
    switch (v.kind()) {
    case ValueKind::Undefined: return {};
    case ValueKind::List: return v.list().items;
    case ValueKind::Dict: {
        std::vector<Value> keys;
        for (const auto& e : v.dict().entries) {
            keys.emplace_back(e.first);
        }
        return keys;
    }
    case ValueKind::String: {
        std::vector<Value> chars;
        const std::string& s = v.as_string();
        const std::vector<size_t> offsets = code_point_offsets(s);
        for (size_t k = 0; k + 1 < offsets.size(); ++k) {
            chars.emplace_back(s.substr(offsets[k], offsets[k + 1] - offsets[k]));
        }
        return chars;
    }
    default: throw EvalError("'" + type_name(v) + "' object is not iterable");
    }
}

int64_t length(const Value& v) {
    switch (v.kind()) {
    case ValueKind::Undefined: return 0;
    case ValueKind::String: return static_cast<int64_t>(code_point_count(v.as_string()));
    case ValueKind::List:
        if (v.list().kind != ListKind::Generator) {
            return static_cast<int64_t>(v.list().items.size());
        }
        break;
    case ValueKind::Dict: return static_cast<int64_t>(v.dict().entries.size());
    default: break;
    }
    throw EvalError("object of type '" + type_name(v) + "' has no len()");
}

int64_t to_index(const Value& v, std::string_view what) {
    if (v.kind() == ValueKind::Int || v.kind() == ValueKind::Bool) {
        return v.as_int();
    }
    if (v.is_undefined()) {
        fail_undefined(v);
    }
    throw EvalError(std::string(what) + " must be an integer, not '" + type_name(v) + "'");
}

}  // namespace sy::chat::jinja
