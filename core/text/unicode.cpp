#include "text/unicode.hpp"

#include <algorithm>
#include <array>

#include "text/unicode_data.hpp"

namespace sy::text::unicode {

namespace {

using unicode_data::CategoryRun;

uint8_t category_class(Category c) {
    switch (c) {
        case Category::Lu: case Category::Ll: case Category::Lt: case Category::Lm: case Category::Lo:
            return kLetter;
        case Category::Nd: case Category::Nl: case Category::No:
            return kNumber;
        case Category::Pc: case Category::Pd: case Category::Ps: case Category::Pe: case Category::Pi:
        case Category::Pf: case Category::Po:
            return kPunctuation;
        case Category::Sm: case Category::Sc: case Category::Sk: case Category::So:
            return kSymbol;
        case Category::Mn: case Category::Mc: case Category::Me:
            return kMark;
        case Category::Zs: case Category::Zl: case Category::Zp:
            return kSeparator;
        default:
            return kOther;
    }
}

// One byte per code point (1.1 MB): the ClassBit mask. Built once from the run table, so a
// lookup in the tokenizer's inner loops is a single load.
const std::vector<uint8_t>& class_table() {
    static const std::vector<uint8_t> table = [] {
        std::vector<uint8_t> t(kCodepointLimit, kOther);
        const CategoryRun* runs = unicode_data::kCategoryRuns;
        const size_t n = unicode_data::kCategoryRunCount;
        for (size_t i = 0; i < n; ++i) {
            const uint32_t end = i + 1 < n ? runs[i + 1].start : kCodepointLimit;
            std::fill(t.begin() + runs[i].start, t.begin() + end, category_class(runs[i].category));
        }
        for (size_t i = 0; i < unicode_data::kWhiteSpaceCount; ++i) {
            t[unicode_data::kWhiteSpace[i]] |= kWhiteSpace;
        }
        return t;
    }();
    return table;
}

}  // namespace

const char* category_name(Category c) {
    static constexpr std::array<const char*, kCategoryCount> kNames = {
        "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps",
        "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co",
    };
    const auto i = static_cast<size_t>(c);
    return i < kNames.size() ? kNames[i] : "??";
}

Category category(uint32_t cp) {
    if (cp >= kCodepointLimit) return Category::Cn;
    const CategoryRun* first = unicode_data::kCategoryRuns;
    const CategoryRun* last = first + unicode_data::kCategoryRunCount;
    // The last run whose start is <= cp (the first run starts at 0).
    const CategoryRun* it =
        std::upper_bound(first, last, cp, [](uint32_t v, const CategoryRun& r) { return v < r.start; });
    return (it - 1)->category;
}

uint8_t classes(uint32_t cp) {
    return cp < kCodepointLimit ? class_table()[cp] : static_cast<uint8_t>(kOther);
}

bool is_kimi_han(uint32_t cp) {
    struct Range {
        uint32_t first, last;
    };
    static constexpr Range kRanges[] = {
        {0x3400, 0x4DBF},    // extension A
        {0x4E00, 0x9FFF},    // unified ideographs
        {0xF900, 0xFAFF},    // compatibility ideographs
        {0x20000, 0x2A6DF},  // extension B
        {0x2A700, 0x2B73F},  // extension C
        {0x2B740, 0x2B81F},  // extension D
        {0x2B820, 0x2CEAF},  // extension E
        {0x2CEB0, 0x2EBEF},  // extension F
        {0x2F800, 0x2FA1F},  // compatibility supplement
    };
    for (const Range& r : kRanges) {
        if (cp >= r.first && cp <= r.last) return true;
    }
    return false;
}

std::vector<uint32_t> decode_utf8(std::string_view text) {
    std::vector<uint32_t> out;
    out.reserve(text.size());
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    const auto is_continuation = [&](size_t i) { return (byte(i) & 0xC0) == 0x80; };
    size_t i = 0;
    while (i < text.size()) {
        const uint8_t b0 = byte(i);
        if (b0 < 0x80) {
            out.push_back(b0);
            i += 1;
            continue;
        }
        // The sequence length comes from the lead byte; all its continuation bytes must be
        // present and well-formed, otherwise this one byte becomes U+FFFD.
        size_t length = 0;
        uint32_t cp = 0;
        if ((b0 & 0xE0) == 0xC0) {
            length = 2;
            cp = b0 & 0x1Fu;
        } else if ((b0 & 0xF0) == 0xE0) {
            length = 3;
            cp = b0 & 0x0Fu;
        } else if ((b0 & 0xF8) == 0xF0) {
            length = 4;
            cp = b0 & 0x07u;
        }
        bool ok = length != 0 && i + length <= text.size();
        for (size_t k = 1; ok && k < length; ++k) {
            ok = is_continuation(i + k);
            cp = (cp << 6) | (byte(i + k) & 0x3Fu);
        }
        if (!ok) {
            out.push_back(kReplacementChar);
            i += 1;
            continue;
        }
        out.push_back(cp < kCodepointLimit ? cp : kReplacementChar);
        i += length;
    }
    return out;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | ((cp >> 18) & 0x07));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string encode_utf8(uint32_t cp) {
    std::string s;
    append_utf8(s, cp);
    return s;
}

}  // namespace sy::text::unicode
