// Limits on user-written regexes before they reach std::regex.
//
// libstdc++'s std::regex compiles and matches by recursion and expands counted repetitions
// into copies of their operand, so a hostile or mistyped pattern (thousands of nested groups,
// ((a{256}){256}){256}, a?*+ stacks, a 20-digit bound) exhausts the stack or runs for minutes
// instead of failing. Real -ot and --custom-q recipes are far inside these limits.
//
// Shared by -ot (core/placement) and --custom-q (core/quantize).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sy {

inline constexpr size_t kRegexMaxPatternBytes = 1024;
inline constexpr int kRegexMaxGroupDepth = 32;
inline constexpr unsigned long long kRegexMaxRepetitionCopies = 4096;
inline constexpr size_t kRegexMaxDigitRun = 6;

// Why `pattern` is refused, as a clause the caller puts after its own context
// ("regex nests groups 40 deep (at most 32)"), or nullopt when it is within the limits.
// Conservative: '(' and '{' inside a bracket expression count as well.
std::optional<std::string> regex_complexity_problem(std::string_view pattern);

}  // namespace sy
