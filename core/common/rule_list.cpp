#include "common/rule_list.hpp"

namespace sy {

std::string_view trim_space(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

RuleItems split_rule_items(std::string_view value) {
    RuleItems out;
    std::string pending;  // a piece without '=' waiting for the rest of its regex
    for (size_t start = 0; start <= value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        std::string piece(value.substr(start, comma - start));
        if (!pending.empty()) piece = pending + "," + piece;
        pending.clear();
        if (piece.find('=') == std::string::npos && !trim_space(piece).empty()) {
            pending = std::move(piece);
        } else if (!trim_space(piece).empty()) {
            out.items.emplace_back(trim_space(piece));
        }
        start = comma + 1;
    }
    out.dangling = std::string(trim_space(pending));
    return out;
}

}  // namespace sy
