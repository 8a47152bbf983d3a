// --custom-q "REGEX=TYPE,REGEX=TYPE,...": per-tensor type rules, as llama-quantize has them.
//
// Each rule is an ECMAScript regex searched (std::regex_search, not a full match) in the
// tensor name; the first rule that matches decides the type; unmatched tensors keep the
// mix's type. The flag may be given several times; rules keep their order across flags.
//
// Parsing follows the anchor (split at commas, then at the last '=' (type names have none, regexes may)), with two
// forgivenesses that never change the meaning of a list the anchor accepts: whitespace and
// empty items (from a recipe pasted with newlines, or a trailing comma) are ignored, and a
// piece without '=' is joined to the next one, so a regex such as `blk\.[0-9]{1,2}\.` keeps
// its comma.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "quantize/file_types.hpp"

namespace sy::quantize {

struct CustomRule {
    std::string pattern;  // as written
    std::regex regex;
    TensorType type;
};

// Appends the rules of one --custom-q argument. Throws sy::Error naming the item for a
// missing '=', an empty regex, a regex that does not compile, or an unknown type (listing
// the known ones).
void parse_custom_rules(std::string_view arg, std::vector<CustomRule>& rules);

// The first rule whose regex is found in `tensor_name`, or nullptr.
const CustomRule* match_custom_rule(const std::vector<CustomRule>& rules, std::string_view tensor_name);

}  // namespace sy::quantize
