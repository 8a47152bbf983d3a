// Python semantics of template values: truth, str()/repr(), ==, <, arithmetic, `in`,
// iteration, len() and json.dumps. Failures throw EvalError with Python's wording.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/chat/jinja_value.hpp"

namespace sy::chat::jinja {

// Python type name: "str", "int", "dict", "NoneType", "Undefined", ...
std::string type_name(const Value& v);

// Throws the UndefinedError that touching an undefined value raises.
[[noreturn]] void fail_undefined(const Value& v);

bool truthy(const Value& v);
std::string to_str(const Value& v);   // str(v); undefined prints as ""
std::string to_repr(const Value& v);  // repr(v), used inside containers

bool equals(const Value& a, const Value& b);
// a < b for numbers, strings and sequences; TypeError otherwise.
bool less_than(const Value& a, const Value& b);

// Binary arithmetic: op is one of + - * / // % ** .
Value arithmetic(std::string_view op, const Value& a, const Value& b);
Value negate(const Value& v);
// `item in container`.
bool contains(const Value& container, const Value& item);

// The items a for loop visits: list items, dict keys, string characters; undefined is empty.
std::vector<Value> iterate(const Value& v);
// len(v); undefined has length 0.
int64_t length(const Value& v);

// Python integer for an index argument (int or bool); TypeError otherwise.
int64_t to_index(const Value& v, std::string_view what);

struct JsonStyle {
    std::optional<std::string> indent;  // none: one line
    std::string item_separator;         // ", " on one line, "," when indented, unless given
    std::string key_separator = ": ";
    bool sort_keys = false;
};
// json.dumps(v, ensure_ascii=False, ...) as transformers' tojson filter calls it.
std::string to_json(const Value& v, const JsonStyle& style);

}  // namespace sy::chat::jinja
