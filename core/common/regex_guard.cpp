#include "common/regex_guard.hpp"

#include <algorithm>
#include <cstdint>

namespace sy {
namespace {

using Count = unsigned long long;

// Deepest group nesting; an escaped character is never a group.
int deepest_group(std::string_view pattern) {
    int depth = 0, deepest = 0;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\') ++i;
        else if (pattern[i] == '(') deepest = std::max(deepest, ++depth);
        else if (pattern[i] == ')') --depth;
    }
    return deepest;
}

// Product of all counted-repetition bounds ({n}, {m,n}: the upper bound), saturated. The
// compiler expands each bound into that many copies, so nested bounds multiply.
Count repetition_copies(std::string_view pattern) {
    Count copies = 1;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\') {
            ++i;
            continue;
        }
        if (pattern[i] != '{') continue;
        Count bound = 0;
        for (size_t j = i + 1; j < pattern.size() && pattern[j] != '}'; ++j) {
            if (pattern[j] >= '0' && pattern[j] <= '9') bound = std::min<Count>(bound * 10 + Count(pattern[j] - '0'), Count{1} << 20);
            else if (pattern[j] == ',') bound = 0;
        }
        copies = std::min<Count>(copies * std::max<Count>(bound, 1), Count{1} << 30);
    }
    return copies;
}

// Longest run of decimal digits: libstdc++ parses bounds and back-references into a long
// without an overflow check.
size_t longest_digit_run(std::string_view pattern) {
    size_t run = 0, longest = 0;
    for (char c : pattern) {
        run = (c >= '0' && c <= '9') ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

// Byte offset of a quantifier that directly follows another (a?*, a{2}{3}), which nests
// repetitions without a group and makes the matcher exponential. One '?' after a quantifier
// is ECMAScript's lazy marker and is allowed.
std::optional<size_t> stacked_quantifier(std::string_view pattern) {
    bool after_quantifier = false, lazy_taken = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') {
            ++i;
            after_quantifier = false;
            continue;
        }
        const bool quantifier = c == '*' || c == '+' || c == '?' || c == '{';
        if (quantifier && after_quantifier && !(c == '?' && !lazy_taken)) return i;
        lazy_taken = c == '?' && after_quantifier;
        if (c == '{') {
            const size_t close = pattern.find('}', i);
            if (close != std::string_view::npos) i = close;
        }
        after_quantifier = quantifier;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> regex_complexity_problem(std::string_view pattern) {
    if (pattern.size() > kRegexMaxPatternBytes)
        return "regex longer than " + std::to_string(kRegexMaxPatternBytes) + " bytes";
    if (longest_digit_run(pattern) > kRegexMaxDigitRun)
        return "a number in the regex has more than " + std::to_string(kRegexMaxDigitRun) + " digits";
    if (const std::optional<size_t> at = stacked_quantifier(pattern))
        return "stacked quantifiers at byte " + std::to_string(*at) + " of the regex";
    if (const Count copies = repetition_copies(pattern); copies > kRegexMaxRepetitionCopies)
        return "counted repetitions expand to " + std::to_string(copies) + " copies (at most " +
               std::to_string(kRegexMaxRepetitionCopies) + ")";
    if (const int depth = deepest_group(pattern); depth > kRegexMaxGroupDepth)
        return "regex nests groups " + std::to_string(depth) + " deep (at most " + std::to_string(kRegexMaxGroupDepth) + ")";
    return std::nullopt;
}

}  // namespace sy
