#include "gguf/split_naming.hpp"

#include <cstdio>

namespace sy::gguf {

namespace {

// Parses the decimal digits that end at `end` (exclusive); returns where they start.
std::optional<size_t> digits_before(std::string_view s, size_t end, uint32_t& value) {
    size_t begin = end;
    while (begin > 0 && s[begin - 1] >= '0' && s[begin - 1] <= '9') --begin;
    if (begin == end || end - begin > 9) return std::nullopt;  // none, or too many for u32
    value = 0;
    for (size_t i = begin; i < end; ++i) value = value * 10 + static_cast<uint32_t>(s[i] - '0');
    return begin;
}

}  // namespace

std::optional<SplitName> parse_split_path(std::string_view path) {
    constexpr std::string_view kSuffix = ".gguf";
    constexpr std::string_view kOf = "-of-";
    if (!path.ends_with(kSuffix)) return std::nullopt;
    SplitName out;
    const auto count_begin = digits_before(path, path.size() - kSuffix.size(), out.count);
    if (!count_begin || *count_begin < kOf.size() || path.substr(*count_begin - kOf.size(), kOf.size()) != kOf)
        return std::nullopt;
    const auto number_begin = digits_before(path, *count_begin - kOf.size(), out.number);
    if (!number_begin || *number_begin < 2 || path[*number_begin - 1] != '-') return std::nullopt;  // prefix non-empty
    out.prefix = std::string(path.substr(0, *number_begin - 1));
    return out;
}

std::string split_path(std::string_view prefix, uint32_t number, uint32_t count) {
    char tail[48];
    std::snprintf(tail, sizeof tail, "-%05u-of-%05u.gguf", number, count);
    return std::string(prefix) + tail;
}

}  // namespace sy::gguf
