// The values a chat template computes with, modelled on the Python objects Jinja2 hands around:
// lists and dicts are shared by reference (a namespace holding a list sees its .append()),
// strings are UTF-8 and indexed by code point, and "undefined" is a value of its own that prints
// as nothing but fails when used in arithmetic or looked into.
//
// Dicts keep insertion order (Python dicts do, and tojson must reproduce it); their keys are
// strings, which is all a JSON conversation can hold.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sy::chat::jinja {

// A Python-level failure (TypeError, UndefinedError, ...). The interpreter adds the template
// position and turns it into sy::Error.
class EvalError : public std::runtime_error {
public:
    explicit EvalError(const std::string& message) : std::runtime_error(message) {}
};

enum class ValueKind { Undefined, None, Bool, Int, Float, String, List, Dict, Object, Function };

// Tuple prints as "(a, b)"; Generator is the lazy result of map/select/items: iterable, but
// tojson and length refuse it as Python does.
enum class ListKind { List, Tuple, Generator };

class Value;
struct CallArgs;
using NativeFunction = std::function<Value(CallArgs&)>;

struct ListData {
    std::vector<Value> items;
    ListKind kind = ListKind::List;
};

struct DictData {
    std::vector<std::pair<std::string, Value>> entries;  // insertion order

    const Value* find(std::string_view key) const;
    Value* find(std::string_view key);
    void set(const std::string& key, Value value);  // replaces in place or appends
    bool erase(std::string_view key);
};

// Attribute bags: Jinja's Namespace (attributes assignable with {% set ns.x = ... %}) and the
// loop variable.
struct ObjectData {
    std::string type_name;  // "Namespace", "LoopContext"
    DictData attrs;
    bool assignable = false;
};

struct FunctionData {
    std::string name;
    NativeFunction call;
};

class Value {
public:
    Value() = default;  // undefined
    Value(bool b) : kind_(ValueKind::Bool), bool_(b) {}
    Value(int64_t i) : kind_(ValueKind::Int), int_(i) {}
    Value(int i) : kind_(ValueKind::Int), int_(i) {}
    Value(double f) : kind_(ValueKind::Float), float_(f) {}
    Value(std::string s) : kind_(ValueKind::String), str_(std::move(s)) {}
    Value(const char* s) : kind_(ValueKind::String), str_(s) {}

    // `hint` is the message an operation on it fails with ("'x' is undefined").
    static Value undefined(std::string hint);
    static Value none();
    static Value list(std::vector<Value> items, ListKind kind = ListKind::List);
    static Value dict(DictData data);
    static Value object(std::string type_name, DictData attrs, bool assignable);
    static Value function(std::string name, NativeFunction call);
    static Value from_json(const nlohmann::ordered_json& j);

    ValueKind kind() const { return kind_; }
    bool is_undefined() const { return kind_ == ValueKind::Undefined; }
    bool is_none() const { return kind_ == ValueKind::None; }
    bool is_string() const { return kind_ == ValueKind::String; }
    bool is_number() const {
        return kind_ == ValueKind::Int || kind_ == ValueKind::Float || kind_ == ValueKind::Bool;
    }
    bool is_list() const { return kind_ == ValueKind::List; }  // any ListKind
    bool is_dict() const { return kind_ == ValueKind::Dict; }

    bool as_bool() const { return bool_; }
    int64_t as_int() const { return kind_ == ValueKind::Bool ? (bool_ ? 1 : 0) : int_; }
    double as_float() const { return kind_ == ValueKind::Float ? float_ : static_cast<double>(as_int()); }
    const std::string& as_string() const { return str_; }
    const std::string& undefined_hint() const { return str_; }
    ListData& list() const { return *list_; }
    DictData& dict() const { return *dict_; }
    ObjectData& object() const { return *object_; }
    FunctionData& function() const { return *function_; }
    // Identity of the shared payload (Python's `is` for containers).
    const void* identity() const;

private:
    ValueKind kind_ = ValueKind::Undefined;
    bool bool_ = false;
    int64_t int_ = 0;
    double float_ = 0.0;
    std::string str_;  // String payload, or the undefined hint
    std::shared_ptr<ListData> list_;
    std::shared_ptr<DictData> dict_;
    std::shared_ptr<ObjectData> object_;
    std::shared_ptr<FunctionData> function_;
};

// Arguments of a call, filter or test: positional first, then keywords, as written.
struct CallArgs {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keyword;

    // Positional argument `index`, else keyword `name`, else `fallback`.
    Value get(size_t index, std::string_view name, Value fallback = Value()) const;
    // Throws EvalError when more positional arguments than `max` or unknown keywords were given.
    void check(std::string_view callee, size_t max, std::initializer_list<std::string_view> keywords) const;
};

// Reference counting cannot free containers that hold themselves (a list appended to itself, a
// namespace stored in its own attribute), which list.append / dict.update / {% set ns.x %} can
// build. Each container mutated during a render is noted in the thread's active MutationLog;
// the log empties them all when the render ends, which breaks every such cycle (a cycle needs a
// mutated container, and nothing of a render survives it but its text).
class MutationLog {
public:
    MutationLog();   // becomes this thread's active log
    ~MutationLog();  // empties the noted containers, restores the previously active log
    MutationLog(const MutationLog&) = delete;
    MutationLog& operator=(const MutationLog&) = delete;

    // Notes a list, dict or object that had a value stored into it; no-op without an active log.
    static void note(const Value& container);

private:
    std::vector<Value> containers_;
    std::unordered_set<const void*> seen_;
    MutationLog* previous_;
};

}  // namespace sy::chat::jinja
