// The methods of Python's str, list and dict that templates call (message.get('name'),
// content.split('</think>'), ns.ids.append(x), ...), bound to their object. List and dict
// methods act on the shared container, so mutations are seen through every reference.
#include <algorithm>
#include <cctype>
#include <optional>

#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_ops.hpp"
#include "text/chat/jinja_pystr.hpp"

namespace sy::chat::jinja {
namespace {

std::optional<std::string> optional_string(const Value& v, std::string_view what) {
    if (v.is_undefined() || v.is_none()) {
        return std::nullopt;
    }
    if (!v.is_string()) {
        throw EvalError(std::string(what) + " must be str or None, not " + type_name(v));
    }
    return v.as_string();
}

std::string string_arg(const Value& v, std::string_view what) {
    if (!v.is_string()) {
        throw EvalError(std::string(what) + " must be str, not " + type_name(v));
    }
    return v.as_string();
}

Value string_list(const std::vector<std::string>& parts) {
    std::vector<Value> items(parts.begin(), parts.end());
    return Value::list(std::move(items));
}

// Code-point index of byte offset `byte` in `s` (find() results are code-point indices).
int64_t cp_index(const std::string& s, size_t byte) {
    return static_cast<int64_t>(code_point_count(std::string_view(s).substr(0, byte)));
}

bool affix_matches(const std::string& s, const Value& affix, bool prefix) {
    auto one = [&](const std::string& a) {
        return a.size() <= s.size() && (prefix ? s.compare(0, a.size(), a) == 0
                                               : s.compare(s.size() - a.size(), a.size(), a) == 0);
    };
    if (affix.is_list() && affix.list().kind == ListKind::Tuple) {
        return std::any_of(affix.list().items.begin(), affix.list().items.end(),
                           [&](const Value& a) { return one(string_arg(a, "tuple item")); });
    }
    return one(string_arg(affix, prefix ? "startswith first arg" : "endswith first arg"));
}

bool all_chars(const std::string& s, bool (*pred)(char32_t)) {
    if (s.empty()) {
        return false;
    }
    for (size_t i = 0; i < s.size();) {
        if (!pred(next_code_point(s, i))) {
            return false;
        }
    }
    return true;
}

bool ascii_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool ascii_alpha(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c > 0x7F; }
bool ascii_alnum(char32_t c) { return ascii_digit(c) || ascii_alpha(c); }

Value string_method(const std::string& s, const std::string& name) {
    using Fn = NativeFunction;
    Fn fn;
    if (name == "split" || name == "rsplit") {
        const bool right = name == "rsplit";
        fn = [s, right](CallArgs& a) {
            a.check(right ? "rsplit" : "split", 2, {"sep", "maxsplit"});
            const std::optional<std::string> sep = optional_string(a.get(0, "sep"), "sep");
            const Value max = a.get(1, "maxsplit", Value(-1));
            if (sep && sep->empty()) {
                throw EvalError("empty separator");
            }
            const int64_t n = to_index(max, "maxsplit");
            return string_list(right ? py_rsplit(s, sep, n) : py_split(s, sep, n));
        };
    } else if (name == "strip" || name == "lstrip" || name == "rstrip") {
        const bool left = name != "rstrip";
        const bool right = name != "lstrip";
        fn = [s, left, right](CallArgs& a) {
            a.check("strip", 1, {"chars"});
            return Value(py_strip(s, optional_string(a.get(0, "chars"), "chars"), left, right));
        };
    } else if (name == "startswith" || name == "endswith") {
        const bool prefix = name == "startswith";
        fn = [s, prefix](CallArgs& a) {
            a.check(prefix ? "startswith" : "endswith", 1, {});
            return Value(affix_matches(s, a.get(0, ""), prefix));
        };
    } else if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
        fn = [s, name](CallArgs& a) {
            a.check(name, 0, {});
            return Value(name == "upper" ? py_upper(s) : name == "lower" ? py_lower(s)
                         : name == "title" ? py_title(s) : py_capitalize(s));
        };
    } else if (name == "replace") {
        fn = [s](CallArgs& a) {
            a.check("replace", 3, {"count"});
            return Value(py_replace(s, string_arg(a.get(0, ""), "replace() arg 1"),
                                    string_arg(a.get(1, ""), "replace() arg 2"),
                                    to_index(a.get(2, "count", Value(-1)), "count")));
        };
    } else if (name == "find" || name == "rfind" || name == "index" || name == "rindex") {
        fn = [s, name](CallArgs& a) {
            a.check(name, 1, {});
            const std::string sub = string_arg(a.get(0, ""), "substring");
            const size_t at = name[0] == 'r' ? s.rfind(sub) : s.find(sub);
            if (at == std::string::npos && (name == "index" || name == "rindex")) {
                throw EvalError("substring not found");
            }
            return Value(at == std::string::npos ? int64_t{-1} : cp_index(s, at));
        };
    } else if (name == "count") {
        fn = [s](CallArgs& a) {
            a.check("count", 1, {});
            const std::string sub = string_arg(a.get(0, ""), "substring");
            if (sub.empty()) {
                return Value(static_cast<int64_t>(code_point_count(s)) + 1);
            }
            int64_t n = 0;
            for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) {
                ++n;
            }
            return Value(n);
        };
    } else if (name == "join") {
        fn = [s](CallArgs& a) {
            a.check("join", 1, {});
            std::string out;
            const std::vector<Value> items = iterate(a.get(0, ""));
            for (size_t i = 0; i < items.size(); ++i) {
                if (!items[i].is_string()) {
                    throw EvalError("sequence item " + std::to_string(i) + ": expected str instance, " +
                                    type_name(items[i]) + " found");
                }
                out += (i ? s : "") + items[i].as_string();
            }
            return Value(out);
        };
    } else if (name == "splitlines") {
        fn = [s](CallArgs& a) {
            a.check("splitlines", 0, {});
            return string_list(py_splitlines(s));
        };
    } else if (name == "isdigit" || name == "isalpha" || name == "isalnum" || name == "isspace") {
        bool (*pred)(char32_t) = name == "isdigit" ? ascii_digit : name == "isalpha" ? ascii_alpha
                                 : name == "isalnum" ? ascii_alnum : py_isspace;
        fn = [s, pred](CallArgs&) { return Value(all_chars(s, pred)); };
    } else if (name == "isupper" || name == "islower") {
        const bool upper = name == "isupper";
        fn = [s, upper](CallArgs&) {
            const bool has_cased = std::any_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
            return Value(has_cased && (upper ? py_upper(s) == s : py_lower(s) == s));
        };
    } else {
        return Value();
    }
    return Value::function("str." + name, std::move(fn));
}

size_t list_position(const ListData& l, const Value& index) {
    const auto n = static_cast<int64_t>(l.items.size());
    int64_t i = to_index(index, "list index");
    if (i < 0) {
        i += n;
    }
    if (i < 0 || i >= n) {
        throw EvalError("pop index out of range");
    }
    return static_cast<size_t>(i);
}

Value list_method(const Value& self, const std::string& name) {
    ListData& l = self.list();
    const bool mutable_list = l.kind == ListKind::List;
    NativeFunction fn;
    if (name == "append" && mutable_list) {
        fn = [self](CallArgs& a) {
            a.check("append", 1, {});
            MutationLog::note(self);
            self.list().items.push_back(a.get(0, ""));
            return Value::none();
        };
    } else if (name == "extend" && mutable_list) {
        fn = [self](CallArgs& a) {
            a.check("extend", 1, {});
            MutationLog::note(self);
            for (Value& v : iterate(a.get(0, ""))) {
                self.list().items.push_back(std::move(v));
            }
            return Value::none();
        };
    } else if (name == "insert" && mutable_list) {
        fn = [self](CallArgs& a) {
            a.check("insert", 2, {});
            MutationLog::note(self);
            auto& items = self.list().items;
            const auto n = static_cast<int64_t>(items.size());
            int64_t i = to_index(a.get(0, ""), "insert index");
            i = i < 0 ? std::max<int64_t>(0, i + n) : std::min(i, n);
            items.insert(items.begin() + i, a.get(1, ""));
            return Value::none();
        };
    } else if (name == "pop" && mutable_list) {
        fn = [self](CallArgs& a) {
            a.check("pop", 1, {});
            auto& items = self.list().items;
            if (items.empty()) {
                throw EvalError("pop from empty list");
            }
            const size_t at = list_position(self.list(), a.get(0, "", Value(-1)));
            Value out = items[at];
            items.erase(items.begin() + static_cast<std::ptrdiff_t>(at));
            return out;
        };
    } else if ((name == "index" || name == "count") && l.kind != ListKind::Generator) {
        const bool index = name == "index";
        fn = [self, index](CallArgs& a) {
            a.check(index ? "index" : "count", 1, {});
            const Value x = a.get(0, "");
            int64_t n = 0;
            const auto& items = self.list().items;
            for (size_t i = 0; i < items.size(); ++i) {
                if (equals(items[i], x)) {
                    if (index) {
                        return Value(static_cast<int64_t>(i));
                    }
                    ++n;
                }
            }
            if (index) {
                throw EvalError(to_repr(x) + " is not in list");
            }
            return Value(n);
        };
    } else if (name == "copy" && mutable_list) {
        fn = [self](CallArgs&) { return Value::list(self.list().items); };
    } else if (name == "reverse" && mutable_list) {
        fn = [self](CallArgs&) {
            std::reverse(self.list().items.begin(), self.list().items.end());
            return Value::none();
        };
    } else if (name == "clear" && mutable_list) {
        fn = [self](CallArgs&) {
            self.list().items.clear();
            return Value::none();
        };
    } else {
        return Value();
    }
    return Value::function("list." + name, std::move(fn));
}

Value dict_method(const Value& self, const std::string& name) {
    NativeFunction fn;
    if (name == "get") {
        fn = [self](CallArgs& a) {
            a.check("get", 2, {});
            const Value key = a.get(0, "");
            const Value* v = key.is_string() ? self.dict().find(key.as_string()) : nullptr;
            return v ? *v : a.get(1, "", Value::none());
        };
    } else if (name == "items" || name == "keys" || name == "values") {
        fn = [self, name](CallArgs& a) {
            a.check(name, 0, {});
            std::vector<Value> out;
            for (const auto& [k, v] : self.dict().entries) {
                out.push_back(name == "keys" ? Value(k) : name == "values" ? v
                                                         : Value::list({Value(k), v}, ListKind::Tuple));
            }
            return Value::list(std::move(out));
        };
    } else if (name == "pop" || name == "setdefault") {
        const bool pop = name == "pop";
        fn = [self, pop](CallArgs& a) {
            a.check(pop ? "pop" : "setdefault", 2, {});
            const std::string key = string_arg(a.get(0, ""), "key");
            if (const Value* v = self.dict().find(key)) {
                Value out = *v;
                if (pop) {
                    self.dict().erase(key);
                }
                return out;
            }
            if (!pop) {
                MutationLog::note(self);
                self.dict().set(key, a.get(1, "", Value::none()));
                return a.get(1, "", Value::none());
            }
            if (a.positional.size() < 2) {
                throw EvalError("KeyError: " + py_repr_string(key));
            }
            return a.positional[1];
        };
    } else if (name == "update") {
        fn = [self](CallArgs& a) {
            a.check("update", 1, {});
            MutationLog::note(self);
            if (a.positional.size() == 1) {
                if (!a.positional[0].is_dict()) {
                    throw EvalError("dict.update() needs a mapping");
                }
                for (const auto& [k, v] : a.positional[0].dict().entries) {
                    self.dict().set(k, v);
                }
            }
            for (const auto& [k, v] : a.keyword) {
                self.dict().set(k, v);
            }
            return Value::none();
        };
    } else if (name == "copy") {
        fn = [self](CallArgs&) { return Value::dict(self.dict()); };
    } else {
        return Value();
    }
    return Value::function("dict." + name, std::move(fn));
}

}  // namespace

Value find_method(const Value& obj, const std::string& name) {
    switch (obj.kind()) {
    case ValueKind::String: return string_method(obj.as_string(), name);
    case ValueKind::List: return list_method(obj, name);
    case ValueKind::Dict: return dict_method(obj, name);
    default: return Value();
    }
}

}  // namespace sy::chat::jinja
