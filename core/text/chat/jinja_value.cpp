#include "text/chat/jinja_value.hpp"

#include <algorithm>

namespace sy::chat::jinja {

namespace {
thread_local MutationLog* t_active_log = nullptr;
}  // namespace

MutationLog::MutationLog() : previous_(t_active_log) {
    t_active_log = this;
}

MutationLog::~MutationLog() {
    t_active_log = previous_;
    for (Value& v : containers_) {
        switch (v.kind()) {
        case ValueKind::List: v.list().items.clear(); break;
        case ValueKind::Dict: v.dict().entries.clear(); break;
        case ValueKind::Object: v.object().attrs.entries.clear(); break;
        default: break;
        }
    }
}

void MutationLog::note(const Value& container) {
    MutationLog* log = t_active_log;
    if (log && container.identity() && log->seen_.insert(container.identity()).second) {
        log->containers_.push_back(container);
    }
}

const Value* DictData::find(std::string_view key) const {
    for (const auto& [k, v] : entries) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

Value* DictData::find(std::string_view key) {
    for (auto& [k, v] : entries) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

void DictData::set(const std::string& key, Value value) {
    if (Value* slot = find(key)) {
        *slot = std::move(value);
    } else {
        entries.emplace_back(key, std::move(value));
    }
}

bool DictData::erase(std::string_view key) {
    const auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
    if (it == entries.end()) {
        return false;
    }
    entries.erase(it);
    return true;
}

Value Value::undefined(std::string hint) {
    Value v;
    v.str_ = std::move(hint);
    return v;
}

Value Value::none() {
    Value v;
    v.kind_ = ValueKind::None;
    return v;
}

Value Value::list(std::vector<Value> items, ListKind kind) {
    Value v;
    v.kind_ = ValueKind::List;
    v.list_ = std::make_shared<ListData>(ListData{std::move(items), kind});
    return v;
}

Value Value::dict(DictData data) {
    Value v;
    v.kind_ = ValueKind::Dict;
    v.dict_ = std::make_shared<DictData>(std::move(data));
    return v;
}

Value Value::object(std::string type_name, DictData attrs, bool assignable) {
    Value v;
    v.kind_ = ValueKind::Object;
    v.object_ = std::make_shared<ObjectData>(ObjectData{std::move(type_name), std::move(attrs), assignable});
    return v;
}

Value Value::function(std::string name, NativeFunction call) {
    Value v;
    v.kind_ = ValueKind::Function;
    v.function_ = std::make_shared<FunctionData>(FunctionData{std::move(name), std::move(call)});
    return v;
}

Value Value::from_json(const nlohmann::ordered_json& j) {
    using T = nlohmann::ordered_json::value_t;
    switch (j.type()) {
    case T::null:
        return none();
    case T::boolean:
        return Value(j.get<bool>());
    case T::number_integer:
        return Value(j.get<int64_t>());
    case T::number_unsigned: {
        // Python ints are unbounded; values past int64 are rare enough to go through double.
        const uint64_t u = j.get<uint64_t>();
        if (u <= static_cast<uint64_t>(INT64_MAX)) {
            return Value(static_cast<int64_t>(u));
        }
        return Value(static_cast<double>(u));
    }
    case T::number_float:
        return Value(j.get<double>());
    case T::string:
        return Value(j.get<std::string>());
    case T::array: {
        std::vector<Value> items;
        items.reserve(j.size());
        for (const auto& item : j) {
            items.push_back(from_json(item));
        }
        return list(std::move(items));
    }
    case T::object: {
        DictData d;
        for (const auto& [key, item] : j.items()) {
            d.entries.emplace_back(key, from_json(item));
        }
        return dict(std::move(d));
    }
    case T::binary:
    case T::discarded:
        break;
    }
    throw EvalError("cannot use a JSON value of this type in a template");
}

const void* Value::identity() const {
    switch (kind_) {
    case ValueKind::List:
        return list_.get();
    case ValueKind::Dict:
        return dict_.get();
    case ValueKind::Object:
        return object_.get();
    case ValueKind::Function:
        return function_.get();
    default:
        return nullptr;
    }
}

Value CallArgs::get(size_t index, std::string_view name, Value fallback) const {
    if (index < positional.size()) {
        return positional[index];
    }
    for (const auto& [k, v] : keyword) {
        if (k == name) {
            return v;
        }
    }
    return fallback;
}

void CallArgs::check(std::string_view callee, size_t max, std::initializer_list<std::string_view> keywords) const {
    if (positional.size() > max) {
        throw EvalError(std::string(callee) + "() takes at most " + std::to_string(max) + " positional argument" +
                        (max == 1 ? "" : "s") + " (" + std::to_string(positional.size()) + " given)");
    }
    for (const auto& [k, v] : keyword) {
        if (std::find(keywords.begin(), keywords.end(), k) == keywords.end()) {
            throw EvalError(std::string(callee) + "() got an unexpected keyword argument '" + k + "'");
        }
    }
}

}  // namespace sy::chat::jinja
