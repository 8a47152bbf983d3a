#include "quantize/custom_rules.hpp"

#include <optional>

#include "common/regex_guard.hpp"

#include <algorithm>
#include <cstdint>

#include "common/error.hpp"

namespace sy::quantize {
namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::vector<std::string> split_items(std::string_view arg) {
    std::vector<std::string> items;
    std::string pending;  // a piece without '=' waiting for the rest of its regex
    bool has_pending = false;
    size_t start = 0;
    while (start <= arg.size()) {
        size_t comma = arg.find(',', start);
        if (comma == std::string_view::npos) comma = arg.size();
        std::string piece(arg.substr(start, comma - start));
        if (has_pending) piece = pending + "," + piece;
        if (piece.find('=') == std::string::npos && !trim(piece).empty()) {
            pending = piece;
            has_pending = true;
        } else {
            has_pending = false;
            if (!trim(piece).empty()) items.emplace_back(trim(piece));
        }
        start = comma + 1;
    }
    if (has_pending) throw Error("--custom-q: '" + std::string(trim(pending)) + "' has no '=TYPE'");
    return items;
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
        const std::string pattern(trim(std::string_view(item).substr(0, eq)));
        const std::string type_text(trim(std::string_view(item).substr(eq + 1)));
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
