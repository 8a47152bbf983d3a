// Jinja2's tests (`x is name`), with Python's notion of each type: bool counts as a number but
// not as an integer, an undefined value is iterable and a sequence, a string is both too.
#include <cctype>

#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_ops.hpp"

namespace sy::chat::jinja {
namespace {

const Value& only_arg(CallArgs& a, std::string_view test) {
    if (a.positional.size() != 1 || !a.keyword.empty()) {
        throw EvalError("test '" + std::string(test) + "' takes exactly one argument");
    }
    return a.positional[0];
}

void no_args(CallArgs& a, std::string_view test) { a.check(test, 0, {}); }

bool t_defined(const Value& v, CallArgs& a) { no_args(a, "defined"); return !v.is_undefined(); }
bool t_undefined(const Value& v, CallArgs& a) { no_args(a, "undefined"); return v.is_undefined(); }
bool t_none(const Value& v, CallArgs& a) { no_args(a, "none"); return v.is_none(); }
bool t_boolean(const Value& v, CallArgs& a) { no_args(a, "boolean"); return v.kind() == ValueKind::Bool; }
bool t_true(const Value& v, CallArgs& a) { no_args(a, "true"); return v.kind() == ValueKind::Bool && v.as_bool(); }
bool t_false(const Value& v, CallArgs& a) { no_args(a, "false"); return v.kind() == ValueKind::Bool && !v.as_bool(); }
bool t_integer(const Value& v, CallArgs& a) { no_args(a, "integer"); return v.kind() == ValueKind::Int; }
bool t_float(const Value& v, CallArgs& a) { no_args(a, "float"); return v.kind() == ValueKind::Float; }
bool t_number(const Value& v, CallArgs& a) { no_args(a, "number"); return v.is_number(); }
bool t_string(const Value& v, CallArgs& a) { no_args(a, "string"); return v.is_string(); }
bool t_mapping(const Value& v, CallArgs& a) { no_args(a, "mapping"); return v.is_dict(); }
bool t_callable(const Value& v, CallArgs& a) {
    no_args(a, "callable");
    // Undefined counts: it has a __call__ (that raises).
    return v.is_undefined() || v.kind() == ValueKind::Function ||
           (v.kind() == ValueKind::Object && !v.object().assignable);
}

bool t_iterable(const Value& v, CallArgs& a) {
    no_args(a, "iterable");
    return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict() ||
           (v.kind() == ValueKind::Object && !v.object().assignable);
}

bool t_sequence(const Value& v, CallArgs& a) {
    no_args(a, "sequence");
    return v.is_undefined() || v.is_string() || v.is_dict() || (v.is_list() && v.list().kind != ListKind::Generator);
}

bool t_odd(const Value& v, CallArgs& a) { no_args(a, "odd"); return to_index(v, "odd test value") % 2 != 0; }
bool t_even(const Value& v, CallArgs& a) { no_args(a, "even"); return to_index(v, "even test value") % 2 == 0; }

bool t_divisibleby(const Value& v, CallArgs& a) {
    const Value& n = only_arg(a, "divisibleby");
    const Value rem = arithmetic("%", v, n);
    return rem.as_float() == 0.0;
}

bool t_eq(const Value& v, CallArgs& a) { return equals(v, only_arg(a, "eq")); }
bool t_ne(const Value& v, CallArgs& a) { return !equals(v, only_arg(a, "ne")); }
bool t_lt(const Value& v, CallArgs& a) { return less_than(v, only_arg(a, "lt")); }
bool t_gt(const Value& v, CallArgs& a) { return less_than(only_arg(a, "gt"), v); }
bool t_le(const Value& v, CallArgs& a) {
    const Value& o = only_arg(a, "le");
    return less_than(v, o) || equals(v, o);
}
bool t_ge(const Value& v, CallArgs& a) {
    const Value& o = only_arg(a, "ge");
    return less_than(o, v) || equals(v, o);
}
bool t_in(const Value& v, CallArgs& a) { return contains(only_arg(a, "in"), v); }

bool t_sameas(const Value& v, CallArgs& a) {
    const Value& o = only_arg(a, "sameas");
    if (v.kind() != o.kind()) {
        return false;
    }
    if (v.identity() || o.identity()) {
        return v.identity() == o.identity();
    }
    return equals(v, o);  // None, booleans and small values are singletons in CPython
}

bool has_cased(const std::string& s) {
    for (const char c : s) {
        if (std::isalpha(static_cast<unsigned char>(c))) {
            return true;
        }
    }
    return false;
}

bool t_lower(const Value& v, CallArgs& a) {
    no_args(a, "lower");
    const std::string s = to_str(v);
    for (const char c : s) {
        if (std::isupper(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return has_cased(s);
}

bool t_upper(const Value& v, CallArgs& a) {
    no_args(a, "upper");
    const std::string s = to_str(v);
    for (const char c : s) {
        if (std::islower(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return has_cased(s);
}

bool t_escaped(const Value&, CallArgs& a) { no_args(a, "escaped"); return false; }
bool t_filter(const Value& v, CallArgs& a) { no_args(a, "filter"); return v.is_string() && find_filter(v.as_string()); }
bool t_test(const Value& v, CallArgs& a) { no_args(a, "test"); return v.is_string() && find_test(v.as_string()); }

struct Entry {
    std::string_view name;
    TestFn fn;
};

constexpr Entry kTests[] = {
    {"!=", t_ne},          {"<", t_lt},           {"<=", t_le},          {"==", t_eq},
    {">", t_gt},           {">=", t_ge},          {"boolean", t_boolean}, {"callable", t_callable},
    {"defined", t_defined}, {"divisibleby", t_divisibleby}, {"eq", t_eq}, {"equalto", t_eq},
    {"escaped", t_escaped}, {"even", t_even},     {"false", t_false},    {"filter", t_filter},
    {"float", t_float},    {"ge", t_ge},          {"greaterthan", t_gt}, {"gt", t_gt},
    {"in", t_in},          {"integer", t_integer}, {"iterable", t_iterable}, {"le", t_le},
    {"lessthan", t_lt},    {"lower", t_lower},    {"lt", t_lt},          {"mapping", t_mapping},
    {"ne", t_ne},          {"none", t_none},      {"number", t_number},  {"odd", t_odd},
    {"sameas", t_sameas},  {"sequence", t_sequence}, {"string", t_string}, {"test", t_test},
    {"true", t_true},      {"undefined", t_undefined}, {"upper", t_upper},
};

}  // namespace

TestFn find_test(std::string_view name) {
    for (const Entry& e : kTests) {
        if (e.name == name) {
            return e.fn;
        }
    }
    return nullptr;
}

}  // namespace sy::chat::jinja
