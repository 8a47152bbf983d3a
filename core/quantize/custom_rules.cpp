#include "quantize/custom_rules.hpp"

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

// std::regex compiles and matches recursively: a pathological pattern (thousands of nested
// groups) would exhaust the stack instead of failing. Real recipes are far inside these limits.
constexpr size_t kMaxPatternBytes = 1024;
constexpr int kMaxGroupDepth = 32;
constexpr uint64_t kMaxRepetitionCopies = 4096;

void check_pattern_size(const std::string& item, const std::string& pattern) {
    if (pattern.size() > kMaxPatternBytes)
        throw Error("--custom-q: rule '" + item.substr(0, 80) + "...': regex longer than " +
                    std::to_string(kMaxPatternBytes) + " bytes");
    // Counted repetitions are expanded into copies of their operand when compiled, so their
    // bounds multiply (((a{256}){256}){256} is 16M states): cap the product of all bounds.
    int depth = 0, deepest = 0;
    uint64_t copies = 1;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\') {
            ++i;  // an escaped character is neither a group nor a repetition
        } else if (pattern[i] == '(') {
            deepest = std::max(deepest, ++depth);
        } else if (pattern[i] == ')') {
            --depth;
        } else if (pattern[i] == '{') {
            uint64_t bound = 0;
            for (size_t j = i + 1; j < pattern.size() && pattern[j] != '}'; ++j) {
                if (pattern[j] >= '0' && pattern[j] <= '9') bound = std::min<uint64_t>(bound * 10 + uint64_t(pattern[j] - '0'), 1u << 20);
                else if (pattern[j] == ',') bound = 0;  // {m,n}: the upper bound counts
            }
            copies = std::min<uint64_t>(copies * std::max<uint64_t>(bound, 1), 1u << 30);
        }
    }
    // libstdc++ reads a number in a regex (a repetition bound, a back-reference) into a long
    // without an overflow check: refuse long digit runs rather than feed it one.
    size_t run = 0;
    for (char c : pattern) {
        run = (c >= '0' && c <= '9') ? run + 1 : 0;
        if (run > 6) throw Error("--custom-q: rule '" + item.substr(0, 80) + "': a number in the regex has more than 6 digits");
    }
    // Stacked quantifiers (a?*, a{2}{3}?+, ...) nest repetitions without a group and make
    // libstdc++'s matcher exponential; ECMAScript allows one '?' after a quantifier (lazy).
    bool after_quantifier = false, lazy_taken = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') {
            ++i;
            after_quantifier = false;
            continue;
        }
        const bool quantifier = c == '*' || c == '+' || c == '?' || c == '{';
        if (quantifier && after_quantifier && !(c == '?' && !lazy_taken))
            throw Error("--custom-q: rule '" + item.substr(0, 80) + "': stacked quantifiers at byte " + std::to_string(i) +
                        " of the regex");
        if (c == '?' && after_quantifier) lazy_taken = true;
        else lazy_taken = false;
        if (c == '{') {
            const size_t close = pattern.find('}', i);
            if (close != std::string::npos) i = close;
        }
        after_quantifier = quantifier;
    }
    if (copies > kMaxRepetitionCopies)
        throw Error("--custom-q: rule '" + item.substr(0, 80) + "': counted repetitions expand to " +
                    std::to_string(copies) + " copies (at most " + std::to_string(kMaxRepetitionCopies) + ")");
    if (deepest > kMaxGroupDepth)
        throw Error("--custom-q: rule '" + item.substr(0, 80) + "': regex nests groups " + std::to_string(deepest) +
                    " deep (at most " + std::to_string(kMaxGroupDepth) + ")");
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
