// What templates can call: filters (x | name), tests (x is name), the methods Python objects
// expose (str.split, dict.get, list.append, ...), attribute and item lookup with the fallbacks
// of Jinja2's sandbox, and the globals range(), namespace(), dict(), raise_exception() and
// strftime_now() (the last two are transformers' additions).
#pragma once

#include <string>
#include <string_view>

#include "text/chat/jinja_value.hpp"

namespace sy::chat::jinja {

using FilterFn = Value (*)(const Value& input, CallArgs& args);
using TestFn = bool (*)(const Value& input, CallArgs& args);

// nullptr when there is no such filter / test.
FilterFn find_filter(std::string_view name);
TestFn find_test(std::string_view name);
// The sequence filters (map, select, sort, ...; jinja_filters_seq.cpp), consulted by find_filter.
FilterFn find_sequence_filter(std::string_view name);

// The bound method `name` of obj (a Function value), or undefined if obj has none.
Value find_method(const Value& obj, const std::string& name);

// obj.name: a method first, then obj["name"] (dict key, object attribute); undefined if
// neither. Looking into an undefined value throws.
Value get_attribute(const Value& obj, const std::string& name);
// obj[key]: list/string index (negative from the end), dict key; then, for a string key, the
// attribute. Undefined if absent.
Value get_item(const Value& obj, const Value& key);
// obj[start:stop:step] on lists, tuples and strings (any of the three may be undefined/none).
Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step);

// Adds the global functions to `globals`.
void install_globals(DictData& globals);

}  // namespace sy::chat::jinja
