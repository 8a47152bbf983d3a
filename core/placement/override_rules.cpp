#include "placement/override_rules.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/regex_guard.hpp"

namespace sy::placement {
namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// Comma-separated items; a piece without '=' waits for the rest of its regex (see header).
std::vector<std::string> split_items(std::string_view value) {
    std::vector<std::string> items;
    std::string pending;
    bool has_pending = false;
    for (size_t start = 0; start <= value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        std::string piece(value.substr(start, comma - start));
        if (has_pending) piece = pending + "," + piece;
        has_pending = piece.find('=') == std::string::npos && !trim(piece).empty();
        if (has_pending) pending = std::move(piece);
        else if (!trim(piece).empty()) items.emplace_back(trim(piece));
        start = comma + 1;
    }
    if (has_pending)
        throw Error("-ot: rule '" + std::string(trim(pending)) + "' has no '=DEVICE' (rules are REGEX=DEVICE)");
    return items;
}

std::string device_list(const std::vector<DeviceSlot>& devices) {
    std::string list;
    for (const DeviceSlot& d : devices) list += (list.empty() ? "" : ", ") + d.name;
    return list;
}

// Item text for messages: at most 80 bytes of a possibly huge fuzzed item.
std::string quoted(const std::string& item) {
    return "'" + (item.size() > 80 ? item.substr(0, 80) + "..." : item) + "'";
}

}  // namespace

void parse_override_rules(std::string_view value, const std::vector<DeviceSlot>& devices,
                          std::vector<OverrideRule>& rules) {
    const std::vector<std::string> items = split_items(value);
    if (items.empty()) throw Error("-ot: '" + std::string(trim(value)) + "' contains no REGEX=DEVICE rule");
    for (const std::string& item : items) {
        const size_t eq = item.rfind('=');
        OverrideRule rule;
        rule.text = item;
        rule.pattern = std::string(trim(std::string_view(item).substr(0, eq)));
        rule.device = std::string(trim(std::string_view(item).substr(eq + 1)));
        if (rule.pattern.empty())
            throw Error("-ot: rule " + quoted(item) + " has an empty regex (write '.' to match every tensor)");
        const bool known = std::any_of(devices.begin(), devices.end(),
                                       [&](const DeviceSlot& d) { return d.name == rule.device; });
        if (!known)
            throw Error("-ot: rule " + quoted(item) + ": unknown device '" + rule.device +
                        "' (available: " + device_list(devices) + ")");
        if (const std::optional<std::string> problem = regex_complexity_problem(rule.pattern))
            throw Error("-ot: rule " + quoted(item) + ": " + *problem);
        try {
            rule.regex = std::regex(rule.pattern, std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error& e) {
            throw Error("-ot: rule " + quoted(item) + ": bad regex '" + rule.pattern + "': " + e.what());
        }
        rules.push_back(std::move(rule));
    }
}

const OverrideRule* match_override_rule(const std::vector<OverrideRule>& rules, std::string_view tensor_name) {
    for (const OverrideRule& r : rules)
        if (std::regex_search(tensor_name.begin(), tensor_name.end(), r.regex)) return &r;
    return nullptr;
}

}  // namespace sy::placement
