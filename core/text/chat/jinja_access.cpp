// Attribute and item lookup with the fallbacks of Jinja2's sandbox (obj.x tries the attribute,
// then obj['x']; obj['x'] tries the item, then the attribute; a miss is undefined, not an
// error), Python slicing, and the global functions.
#include <ctime>

#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_ops.hpp"
#include "text/chat/jinja_pystr.hpp"

namespace sy::chat::jinja {
namespace {

// Jinja's object_type_repr: "dict object", "None", ...
std::string object_repr(const Value& v) {
    return v.is_none() ? "None" : type_name(v) + " object";
}

Value no_attribute(const Value& obj, const std::string& name) {
    return Value::undefined("'" + object_repr(obj) + "' has no attribute '" + name + "'");
}

}  // namespace

Value get_attribute(const Value& obj, const std::string& name) {
    if (obj.is_undefined()) {
        fail_undefined(obj);
    }
    Value method = find_method(obj, name);
    if (!method.is_undefined()) {
        return method;
    }
    if (obj.is_dict()) {
        if (const Value* v = obj.dict().find(name)) {
            return *v;
        }
    } else if (obj.kind() == ValueKind::Object) {
        if (const Value* v = obj.object().attrs.find(name)) {
            return *v;
        }
    }
    return no_attribute(obj, name);
}

Value get_item(const Value& obj, const Value& key) {
    if (obj.is_undefined()) {
        fail_undefined(obj);
    }
    const bool int_key = key.kind() == ValueKind::Int || key.kind() == ValueKind::Bool;
    if (obj.is_dict() && key.is_string()) {
        if (const Value* v = obj.dict().find(key.as_string())) {
            return *v;
        }
    } else if (int_key && ((obj.is_list() && obj.list().kind != ListKind::Generator) || obj.is_string())) {
        int64_t i = key.as_int();
        if (obj.is_list()) {
            const auto n = static_cast<int64_t>(obj.list().items.size());
            i = i < 0 ? i + n : i;
            if (i >= 0 && i < n) {
                return obj.list().items[static_cast<size_t>(i)];
            }
        } else {
            const std::vector<size_t> offsets = code_point_offsets(obj.as_string());
            const auto n = static_cast<int64_t>(offsets.size()) - 1;
            i = i < 0 ? i + n : i;
            if (i >= 0 && i < n) {
                const auto k = static_cast<size_t>(i);
                return Value(obj.as_string().substr(offsets[k], offsets[k + 1] - offsets[k]));
            }
        }
    }
    if (key.is_string()) {
        // Python raised KeyError/TypeError; Jinja then tries the attribute of that name.
        Value method = find_method(obj, key.as_string());
        if (!method.is_undefined()) {
            return method;
        }
        if (obj.kind() == ValueKind::Object) {
            if (const Value* v = obj.object().attrs.find(key.as_string())) {
                return *v;
            }
        }
        return no_attribute(obj, key.as_string());
    }
    return Value::undefined(object_repr(obj) + " has no element " + to_repr(key));
}

Value slice(const Value& obj, const Value& start_v, const Value& stop_v, const Value& step_v) {
    if (obj.is_undefined()) {
        fail_undefined(obj);
    }
    const bool sequence = obj.is_string() || (obj.is_list() && obj.list().kind != ListKind::Generator);
    auto given = [](const Value& v) { return !v.is_undefined() && !v.is_none(); };
    auto integer = [](const Value& v) { return v.kind() == ValueKind::Int || v.kind() == ValueKind::Bool; };
    if (!sequence || (given(start_v) && !integer(start_v)) || (given(stop_v) && !integer(stop_v)) ||
        (given(step_v) && !integer(step_v))) {
        return Value::undefined(object_repr(obj) + " cannot be sliced that way");
    }
    const std::vector<size_t> offsets = obj.is_string() ? code_point_offsets(obj.as_string()) : std::vector<size_t>{};
    const int64_t n = obj.is_string() ? static_cast<int64_t>(offsets.size()) - 1
                                      : static_cast<int64_t>(obj.list().items.size());
    const int64_t step = given(step_v) ? step_v.as_int() : 1;
    if (step == 0) {
        throw EvalError("slice step cannot be zero");
    }
    // CPython's PySlice_AdjustIndices.
    auto clamp = [&](const Value& v, int64_t fallback) {
        if (!given(v)) {
            return fallback;
        }
        int64_t i = v.as_int();
        if (i < 0) {
            i += n;
            if (i < 0) {
                i = step < 0 ? -1 : 0;
            }
        } else if (i >= n) {
            i = step < 0 ? n - 1 : n;
        }
        return i;
    };
    const int64_t start = clamp(start_v, step < 0 ? n - 1 : 0);
    const int64_t stop = clamp(stop_v, step < 0 ? -1 : n);
    std::string text;
    std::vector<Value> items;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        const auto k = static_cast<size_t>(i);
        if (obj.is_string()) {
            text += obj.as_string().substr(offsets[k], offsets[k + 1] - offsets[k]);
        } else {
            items.push_back(obj.list().items[k]);
        }
    }
    return obj.is_string() ? Value(text) : Value::list(std::move(items), obj.list().kind);
}

void install_globals(DictData& globals) {
    globals.set("range", Value::function("range", [](CallArgs& a) {
                    a.check("range", 3, {});
                    if (a.positional.empty()) {
                        throw EvalError("range expected at least 1 argument, got 0");
                    }
                    const bool one = a.positional.size() == 1;
                    const int64_t start = one ? 0 : to_index(a.positional[0], "range() argument");
                    const int64_t stop = to_index(a.positional[one ? 0 : 1], "range() argument");
                    const int64_t step = a.positional.size() == 3 ? to_index(a.positional[2], "range() argument") : 1;
                    if (step == 0) {
                        throw EvalError("range() arg 3 must not be zero");
                    }
                    std::vector<Value> out;
                    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
                        if (out.size() >= 100000) {  // the sandbox's MAX_RANGE
                            throw EvalError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
                        }
                        out.emplace_back(i);
                    }
                    return Value::list(std::move(out));
                }));
    auto mapping_from_args = [](CallArgs& a, std::string_view callee) {
        if (a.positional.size() > 1) {
            throw EvalError(std::string(callee) + "() takes at most 1 positional argument");
        }
        DictData d;
        if (!a.positional.empty()) {
            if (!a.positional[0].is_dict()) {
                throw EvalError(std::string(callee) + "() takes a mapping or keyword arguments");
            }
            d = a.positional[0].dict();
        }
        for (const auto& [k, v] : a.keyword) {
            d.set(k, v);
        }
        return d;
    };
    globals.set("namespace", Value::function("namespace", [mapping_from_args](CallArgs& a) {
                    return Value::object("Namespace", mapping_from_args(a, "namespace"), true);
                }));
    globals.set("dict", Value::function("dict", [mapping_from_args](CallArgs& a) {
                    return Value::dict(mapping_from_args(a, "dict"));
                }));
    globals.set("raise_exception", Value::function("raise_exception", [](CallArgs& a) -> Value {
                    throw EvalError(to_str(a.get(0, "message")));
                }));
    globals.set("strftime_now", Value::function("strftime_now", [](CallArgs& a) {
                    a.check("strftime_now", 1, {});
                    const std::time_t now = std::time(nullptr);
                    std::tm local{};
                    localtime_r(&now, &local);
                    char buf[256];
                    const size_t n = std::strftime(buf, sizeof buf, to_str(a.get(0, "format")).c_str(), &local);
                    return Value(std::string(buf, n));
                }));
}

}  // namespace sy::chat::jinja
