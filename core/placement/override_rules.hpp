// -ot / --override-tensor values: "REGEX=DEVICE[,REGEX=DEVICE...]"; the flag is repeatable and
// rules keep their order across flags. A rule applies to a tensor when its ECMAScript regex is
// found anywhere in the name (std::regex_search, not a full match); the first rule that applies
// wins.
//
// Splitting follows ik_llama.cpp's -ot parser (commas, then '='), with differences that never
// change the meaning of a value it accepts:
//   - the item is split at its LAST '=' (ik: the first). Device names contain no '=', so both
//     agree whenever ik accepts the item, and a regex with '=' (a lookahead "(?=...)") works;
//   - a piece without '=' is joined to the next one with its comma, so `blk\.[0-9]{1,2}\.=CPU`
//     keeps the comma of its counted repetition (ik rejects it);
//   - whitespace around items, regexes and device names is trimmed and empty items (a trailing
//     comma, a recipe pasted with newlines turned into commas) are skipped, the same
//     forgiveness as --custom-q.
// Refused (sy::Error naming the rule): an empty regex (write "." to match every tensor), a
// regex that does not compile or exceeds the limits of common/regex_guard.hpp, a device not in the list
// (the message lists the available devices), a trailing piece without '=', a value with no rule.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "placement/placement.hpp"

namespace sy::placement {

struct OverrideRule {
    std::string text;    // the item as written (trimmed): "exps=CPU"; quoted in reasons and errors
    std::string pattern;
    std::regex regex;
    std::string device;  // a name from the device list
};

// Appends the rules of one -ot value.
void parse_override_rules(std::string_view value, const std::vector<DeviceSlot>& devices,
                          std::vector<OverrideRule>& rules);

// The first rule whose regex is found in `tensor_name`, or nullptr.
const OverrideRule* match_override_rule(const std::vector<OverrideRule>& rules, std::string_view tensor_name);

}  // namespace sy::placement
