#include "placement/override_rules.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/regex_guard.hpp"
#include "common/rule_list.hpp"

namespace sy::placement {
namespace {

// Comma-separated items; a piece without '=' waits for the rest of its regex (see header).
std::vector<std::string> split_items(std::string_view value) {
    RuleItems split = split_rule_items(value);
    if (!split.dangling.empty()) {
        throw Error("-ot: rule '" + split.dangling + "' has no '=DEVICE' (rules are REGEX=DEVICE)");
    }
    return std::move(split.items);
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
    if (items.empty()) throw Error("-ot: '" + std::string(trim_space(value)) + "' contains no REGEX=DEVICE rule");
    for (const std::string& item : items) {
        const size_t eq = item.rfind('=');
        OverrideRule rule;
        rule.text = item;
        rule.pattern = std::string(trim_space(std::string_view(item).substr(0, eq)));
        rule.device = std::string(trim_space(std::string_view(item).substr(eq + 1)));
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
