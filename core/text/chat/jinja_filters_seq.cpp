// Sequence filters. Like Jinja2, map/select/reject/selectattr/rejectattr/items/unique/reverse
// return lazy iterators (ListKind::Generator): they loop and join fine, but `| tojson` or
// `| length` on them fails until `| list` materializes them.
#include <algorithm>
#include <charconv>

#include "text/chat/jinja_builtins.hpp"
#include "text/chat/jinja_ops.hpp"
#include "text/chat/jinja_pystr.hpp"

namespace sy::chat::jinja {
namespace {

Value generator(std::vector<Value> items) { return Value::list(std::move(items), ListKind::Generator); }

// Jinja's make_attrgetter: "a.b.0" looks up item a, then b, then index 0 (getitem rules).
Value lookup_path(Value item, const Value& attribute) {
    if (!attribute.is_string()) {
        return get_item(item, attribute);
    }
    for (const std::string& part : py_split(attribute.as_string(), std::string("."), -1)) {
        int64_t index = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
        const bool digits = !part.empty() && part[0] != '-' && ec == std::errc() && end == part.data() + part.size();
        item = get_item(item, digits ? Value(index) : Value(part));
    }
    return item;
}

Value ignore_case(const Value& v, bool case_sensitive) {
    return !case_sensitive && v.is_string() ? Value(py_lower(v.as_string())) : v;
}

// Sort key of one item: the item, or the (comma-separated) attributes of it as a list.
Value sort_key(const Value& item, const Value& attribute, bool case_sensitive) {
    if (attribute.is_undefined() || attribute.is_none()) {
        return ignore_case(item, case_sensitive);
    }
    if (!attribute.is_string() || attribute.as_string().find(',') == std::string::npos) {
        return ignore_case(lookup_path(item, attribute), case_sensitive);
    }
    std::vector<Value> keys;
    for (const std::string& part : py_split(attribute.as_string(), std::string(","), -1)) {
        keys.push_back(ignore_case(lookup_path(item, Value(part)), case_sensitive));
    }
    return Value::list(std::move(keys));
}

Value f_first(const Value& v, CallArgs& a) {
    a.check("first", 0, {});
    const std::vector<Value> items = iterate(v);
    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value f_last(const Value& v, CallArgs& a) {
    a.check("last", 0, {});
    if (v.is_list() && v.list().kind == ListKind::Generator) {
        throw EvalError("'generator' object is not reversible");
    }
    const std::vector<Value> items = iterate(v);
    return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

Value f_length(const Value& v, CallArgs& a) {
    a.check("length", 0, {});
    return Value(length(v));
}

Value f_list(const Value& v, CallArgs& a) {
    a.check("list", 0, {});
    return Value::list(iterate(v));
}

Value f_items(const Value& v, CallArgs& a) {
    a.check("items", 0, {});
    if (v.is_undefined()) {
        return generator({});
    }
    if (!v.is_dict()) {
        throw EvalError("Can only get item pairs from a mapping.");
    }
    std::vector<Value> pairs;
    for (const auto& [k, val] : v.dict().entries) {
        pairs.push_back(Value::list({Value(k), val}, ListKind::Tuple));
    }
    return generator(std::move(pairs));
}

Value f_join(const Value& v, CallArgs& a) {
    a.check("join", 2, {"d", "attribute"});
    const std::string sep = to_str(a.get(0, "d", Value("")));
    const Value attribute = a.get(1, "attribute", Value::none());
    std::string out;
    bool first = true;
    for (const Value& item : iterate(v)) {
        out += (first ? "" : sep) + to_str(attribute.is_none() ? item : lookup_path(item, attribute));
        first = false;
    }
    return Value(out);
}

Value f_map(const Value& v, CallArgs& a) {
    std::vector<Value> out;
    if (a.positional.empty()) {
        const Value attribute = a.get(99, "attribute");
        if (attribute.is_undefined()) {
            throw EvalError("map requires a filter argument");
        }
        a.check("map", 0, {"attribute", "default"});
        const Value fallback = a.get(99, "default", Value::none());
        for (const Value& item : iterate(v)) {
            Value got = lookup_path(item, attribute);
            out.push_back(got.is_undefined() && !fallback.is_none() ? fallback : got);
        }
        return generator(std::move(out));
    }
    const std::string name = to_str(a.positional.front());
    const FilterFn filter = find_filter(name);
    if (!filter) {
        throw EvalError("no filter named '" + name + "'");
    }
    CallArgs rest{std::vector<Value>(a.positional.begin() + 1, a.positional.end()), a.keyword};
    for (const Value& item : iterate(v)) {
        CallArgs call = rest;
        out.push_back(filter(item, call));
    }
    return generator(std::move(out));
}

// select / reject / selectattr / rejectattr.
Value select_or_reject(const Value& v, CallArgs& a, bool keep_matches, bool by_attribute) {
    std::vector<Value> out;
    if (!truthy(v)) {
        return generator({});
    }
    size_t off = 0;
    Value attribute;
    if (by_attribute) {
        if (a.positional.empty()) {
            throw EvalError("Missing parameter for attribute name");
        }
        attribute = a.positional[0];
        off = 1;
    }
    TestFn test = nullptr;
    CallArgs rest;
    if (a.positional.size() > off) {
        const std::string name = to_str(a.positional[off]);
        test = find_test(name);
        if (!test) {
            throw EvalError("no test named '" + name + "'");
        }
        rest.positional.assign(a.positional.begin() + static_cast<std::ptrdiff_t>(off) + 1, a.positional.end());
        rest.keyword = a.keyword;
    }
    for (const Value& item : iterate(v)) {
        const Value probe = by_attribute ? lookup_path(item, attribute) : item;
        CallArgs call = rest;
        const bool hit = test ? test(probe, call) : truthy(probe);
        if (hit == keep_matches) {
            out.push_back(item);
        }
    }
    return generator(std::move(out));
}

Value f_select(const Value& v, CallArgs& a) { return select_or_reject(v, a, true, false); }
Value f_reject(const Value& v, CallArgs& a) { return select_or_reject(v, a, false, false); }
Value f_selectattr(const Value& v, CallArgs& a) { return select_or_reject(v, a, true, true); }
Value f_rejectattr(const Value& v, CallArgs& a) { return select_or_reject(v, a, false, true); }

// Stable merge sort of item indices by key, as Python's sorted() (stable also with
// reverse=True). Hand-written: a comparator that is not a strict weak order (NaN keys) must not
// become undefined behaviour, and libstdc++'s stable_sort is deprecation-noisy under clang.
std::vector<Value> sorted_by_key(const std::vector<Value>& items, const std::vector<Value>& keys, bool reverse) {
    auto before = [&](size_t x, size_t y) { return reverse ? less_than(keys[y], keys[x]) : less_than(keys[x], keys[y]); };
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::vector<size_t> merged(order.size());
    for (size_t width = 1; width < order.size(); width *= 2) {
        for (size_t lo = 0; lo < order.size(); lo += 2 * width) {
            const size_t mid = std::min(lo + width, order.size());
            const size_t hi = std::min(lo + 2 * width, order.size());
            size_t a = lo;
            size_t b = mid;
            size_t out = lo;
            while (a < mid && b < hi) {
                merged[out++] = before(order[b], order[a]) ? order[b++] : order[a++];  // ties keep a first
            }
            while (a < mid) {
                merged[out++] = order[a++];
            }
            while (b < hi) {
                merged[out++] = order[b++];
            }
        }
        order.swap(merged);
    }
    std::vector<Value> out;
    for (const size_t i : order) {
        out.push_back(items[i]);
    }
    return out;
}

Value f_sort(const Value& v, CallArgs& a) {
    a.check("sort", 3, {"reverse", "case_sensitive", "attribute"});
    const bool reverse = truthy(a.get(0, "reverse", Value(false)));
    const bool case_sensitive = truthy(a.get(1, "case_sensitive", Value(false)));
    const Value attribute = a.get(2, "attribute", Value::none());
    std::vector<Value> items = iterate(v);
    std::vector<Value> keys;
    for (const Value& item : items) {
        keys.push_back(sort_key(item, attribute, case_sensitive));
    }
    return Value::list(sorted_by_key(items, keys, reverse));
}

Value f_dictsort(const Value& v, CallArgs& a) {
    a.check("dictsort", 3, {"case_sensitive", "by", "reverse"});
    if (!v.is_dict()) {
        throw EvalError("dictsort needs a mapping");
    }
    const bool case_sensitive = truthy(a.get(0, "case_sensitive", Value(false)));
    const std::string by = to_str(a.get(1, "by", Value("key")));
    if (by != "key" && by != "value") {
        throw EvalError("You can only sort by either \"key\" or \"value\"");
    }
    std::vector<Value> items;
    std::vector<Value> keys;
    for (const auto& [k, val] : v.dict().entries) {
        items.push_back(Value::list({Value(k), val}, ListKind::Tuple));
        keys.push_back(ignore_case(by == "key" ? Value(k) : val, case_sensitive));
    }
    return Value::list(sorted_by_key(items, keys, truthy(a.get(2, "reverse", Value(false)))));
}

Value f_unique(const Value& v, CallArgs& a) {
    a.check("unique", 2, {"case_sensitive", "attribute"});
    const bool case_sensitive = truthy(a.get(0, "case_sensitive", Value(false)));
    const Value attribute = a.get(1, "attribute", Value::none());
    std::vector<Value> out;
    std::vector<Value> seen;
    for (const Value& item : iterate(v)) {
        const Value key = sort_key(item, attribute, case_sensitive);
        if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, key); })) {
            seen.push_back(key);
            out.push_back(item);
        }
    }
    return generator(std::move(out));
}

Value f_reverse(const Value& v, CallArgs& a) {
    a.check("reverse", 0, {});
    std::vector<Value> items = iterate(v);
    std::reverse(items.begin(), items.end());
    if (v.is_string()) {
        std::string out;
        for (const Value& c : items) {
            out += c.as_string();
        }
        return Value(out);
    }
    return generator(std::move(items));
}

Value f_sum(const Value& v, CallArgs& a) {
    a.check("sum", 2, {"attribute", "start"});
    const Value attribute = a.get(0, "attribute", Value::none());
    Value total = a.get(1, "start", Value(0));
    for (const Value& item : iterate(v)) {
        total = arithmetic("+", total, attribute.is_none() ? item : lookup_path(item, attribute));
    }
    return total;
}

Value min_or_max(const Value& v, CallArgs& a, bool want_max) {
    a.check(want_max ? "max" : "min", 2, {"case_sensitive", "attribute"});
    const bool case_sensitive = truthy(a.get(0, "case_sensitive", Value(false)));
    const Value attribute = a.get(1, "attribute", Value::none());
    const std::vector<Value> items = iterate(v);
    if (items.empty()) {
        return Value::undefined("No aggregated item, sequence was empty.");
    }
    size_t best = 0;
    Value best_key = sort_key(items[0], attribute, case_sensitive);
    for (size_t i = 1; i < items.size(); ++i) {
        Value key = sort_key(items[i], attribute, case_sensitive);
        if (want_max ? less_than(best_key, key) : less_than(key, best_key)) {
            best = i;
            best_key = std::move(key);
        }
    }
    return items[best];
}

Value f_min(const Value& v, CallArgs& a) { return min_or_max(v, a, false); }
Value f_max(const Value& v, CallArgs& a) { return min_or_max(v, a, true); }

struct Entry {
    std::string_view name;
    FilterFn fn;
};

constexpr Entry kSequenceFilters[] = {
    {"count", f_length},   {"dictsort", f_dictsort},     {"first", f_first},   {"items", f_items},
    {"join", f_join},      {"last", f_last},             {"length", f_length}, {"list", f_list},
    {"map", f_map},        {"max", f_max},               {"min", f_min},       {"reject", f_reject},
    {"rejectattr", f_rejectattr}, {"reverse", f_reverse}, {"select", f_select}, {"selectattr", f_selectattr},
    {"sort", f_sort},      {"sum", f_sum},               {"unique", f_unique},
};

}  // namespace

FilterFn find_sequence_filter(std::string_view name) {
    for (const Entry& e : kSequenceFilters) {
        if (e.name == name) {
            return e.fn;
        }
    }
    return nullptr;
}

}  // namespace sy::chat::jinja
