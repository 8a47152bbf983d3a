#include "quantize/custom_rules.hpp"

#include <optional>

#include "common/regex_guard.hpp"
#include "common/rule_list.hpp"

#include <algorithm>
#include <cstdint>

#include "common/error.hpp"

namespace sy::quantize {
namespace {

std::vector<std::string> split_items(std::string_view arg) {
    RuleItems split = split_rule_items(arg);
    if (!split.dangling.empty()) throw Error("--custom-q: '" + split.dangling + "' has no '=TYPE'");
    return std::move(split.items);
}

void check_pattern_size(const std::string& item, const std::string& pattern) {
    if (const std::optional<std::string> problem = regex_complexity_problem(pattern)) {
        throw Error("--custom-q: rule '" + item.substr(0, 80) + "': " + *problem);
    }
}

}  // namespace

void parse_custom_rules(std::string_view arg, std::vector<CustomRule>& rules) {
    for (const std::string& item : split_items(arg)) {
        const size_t eq = item.rfind('=');
        const std::string pattern(trim_space(std::string_view(item).substr(0, eq)));
        const std::string type_text(trim_space(std::string_view(item).substr(eq + 1)));
        if (pattern.empty()) throw Error("--custom-q: rule '" + item + "' has an empty regex");
        const std::optional<TensorType> type = parse_tensor_type(type_text);
        if (!type)
            throw Error("--custom-q: rule '" + item + "': unknown or unsupported type '" + type_text +
                        "' (known: " + quantizable_type_names() + ")");
        check_pattern_size(item, pattern);
        CustomRule rule{pattern, {}, *type};
        try {
            rule.regex = std::regex(pattern, std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error& e) {
            throw Error("--custom-q: rule '" + item + "': bad regex '" + pattern + "': " + e.what());
        }
        rules.push_back(std::move(rule));
    }
}

const CustomRule* match_custom_rule(const std::vector<CustomRule>& rules, std::string_view tensor_name) {
    for (const CustomRule& r : rules)
        if (std::regex_search(tensor_name.begin(), tensor_name.end(), r.regex)) return &r;
    return nullptr;
}

}  // namespace sy::quantize
