// The "REGEX=VALUE[,REGEX=VALUE...]" lists of --custom-q and -ot: split at commas, where a
// piece without '=' belongs to the next one (the comma was part of its regex, as in
// `blk\.[0-9]{1,2}\.=q8_0`); blanks around items are trimmed and empty items skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sy {

// s without leading and trailing spaces, tabs, CR and LF.
std::string_view trim_space(std::string_view s);

struct RuleItems {
    std::vector<std::string> items;  // trimmed, each containing '='
    std::string dangling;            // a trailing piece without '=' (trimmed), "" if none
};

RuleItems split_rule_items(std::string_view value);

}  // namespace sy
