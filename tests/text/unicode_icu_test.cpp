// Host-only cross-checks against ICU (built only where ICU is installed; never under qemu):
//
//  1. every code point's general category and White_Space property in the generated tables
//     (unicode_data.cpp) against ICU's, except the 627 code points Unicode 15.1 added, which
//     ICU 72 (Unicode 15.0) does not know and the tables add on purpose;
//  2. every supported pre-tokenizer against ICU's regex engine on thousands of random and
//     edge-case strings, pattern after pattern as llama.cpp applies them.
//
// For 2 the ICU pattern is the engine's pattern with llama.cpp's class semantics spelled out in
// ICU set syntax (pretokenize_regex.hpp explains each): \p{S} without '~'; literal class ranges
// without the non-ASCII White_Space characters; \p{Han} as kimi-k2's fixed ranges; '$' as \z
// (ICU's '$' would also match before a final line terminator).
#include <gtest/gtest.h>

#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "text/pretokenize.hpp"
#include "text/unicode.hpp"

namespace sy::text {
namespace {

using unicode::Category;

// ICU's category enum -> ours.
Category from_icu(int8_t c) {
    switch (c) {
        case U_UPPERCASE_LETTER: return Category::Lu;
        case U_LOWERCASE_LETTER: return Category::Ll;
        case U_TITLECASE_LETTER: return Category::Lt;
        case U_MODIFIER_LETTER: return Category::Lm;
        case U_OTHER_LETTER: return Category::Lo;
        case U_NON_SPACING_MARK: return Category::Mn;
        case U_COMBINING_SPACING_MARK: return Category::Mc;
        case U_ENCLOSING_MARK: return Category::Me;
        case U_DECIMAL_DIGIT_NUMBER: return Category::Nd;
        case U_LETTER_NUMBER: return Category::Nl;
        case U_OTHER_NUMBER: return Category::No;
        case U_CONNECTOR_PUNCTUATION: return Category::Pc;
        case U_DASH_PUNCTUATION: return Category::Pd;
        case U_START_PUNCTUATION: return Category::Ps;
        case U_END_PUNCTUATION: return Category::Pe;
        case U_INITIAL_PUNCTUATION: return Category::Pi;
        case U_FINAL_PUNCTUATION: return Category::Pf;
        case U_OTHER_PUNCTUATION: return Category::Po;
        case U_MATH_SYMBOL: return Category::Sm;
        case U_CURRENCY_SYMBOL: return Category::Sc;
        case U_MODIFIER_SYMBOL: return Category::Sk;
        case U_OTHER_SYMBOL: return Category::So;
        case U_SPACE_SEPARATOR: return Category::Zs;
        case U_LINE_SEPARATOR: return Category::Zl;
        case U_PARAGRAPH_SEPARATOR: return Category::Zp;
        case U_CONTROL_CHAR: return Category::Cc;
        case U_FORMAT_CHAR: return Category::Cf;
        case U_SURROGATE: return Category::Cs;
        case U_PRIVATE_USE_CHAR: return Category::Co;
        default: return Category::Cn;
    }
}

// Code points Unicode 15.1 assigned (Cn in ICU 72) and their 15.1 categories.
std::optional<Category> unicode_15_1_addition(uint32_t cp) {
    if ((cp >= 0x2FFC && cp <= 0x2FFF) || cp == 0x31EF) return Category::So;
    if (cp >= 0x2EBF0 && cp <= 0x2EE5D) return Category::Lo;
    return std::nullopt;
}

uint8_t expected_class(Category c) {
    switch (c) {
        case Category::Lu: case Category::Ll: case Category::Lt: case Category::Lm: case Category::Lo:
            return unicode::kLetter;
        case Category::Nd: case Category::Nl: case Category::No: return unicode::kNumber;
        case Category::Pc: case Category::Pd: case Category::Ps: case Category::Pe: case Category::Pi:
        case Category::Pf: case Category::Po: return unicode::kPunctuation;
        case Category::Sm: case Category::Sc: case Category::Sk: case Category::So: return unicode::kSymbol;
        case Category::Mn: case Category::Mc: case Category::Me: return unicode::kMark;
        case Category::Zs: case Category::Zl: case Category::Zp: return unicode::kSeparator;
        default: return unicode::kOther;
    }
}

TEST(UnicodeTablesVsIcu, EveryCodePoint) {
    int category_mismatches = 0, space_mismatches = 0, additions = 0;
    for (uint32_t cp = 0; cp < unicode::kCodepointLimit; ++cp) {
        Category expected = from_icu(u_charType(static_cast<UChar32>(cp)));
        if (const auto added = unicode_15_1_addition(cp); added && expected == Category::Cn) {
            expected = *added;
            ++additions;
        }
        const Category got = unicode::category(cp);
        if (got != expected && ++category_mismatches <= 10) {
            ADD_FAILURE() << "U+" << std::hex << cp << ": " << unicode::category_name(got) << ", ICU "
                          << unicode::category_name(expected);
        }
        const bool space = u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_WHITE_SPACE);
        if (unicode::is_white_space(cp) != space && ++space_mismatches <= 10) {
            ADD_FAILURE() << "U+" << std::hex << cp << ": White_Space differs from ICU";
        }
        const uint8_t classes = unicode::classes(cp);
        EXPECT_EQ(classes & ~unicode::kWhiteSpace, expected_class(expected)) << std::hex << cp;
    }
    EXPECT_EQ(category_mismatches, 0);
    EXPECT_EQ(space_mismatches, 0);
    // With ICU 72 all 627 additions are needed; a newer ICU (15.1) already has them.
    if (std::string(U_UNICODE_VERSION).rfind("15.0", 0) == 0) {
        EXPECT_EQ(additions, 627);
    }
}

// ---- pre-tokenizers against ICU ----

// kimi-k2's Han ranges (unicode::is_kimi_han) as an ICU set body.
constexpr const char* kHanRanges =
    "\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}\\x{F900}-\\x{FAFF}\\x{20000}-\\x{2A6DF}\\x{2A700}-\\x{2B73F}"
    "\\x{2B740}-\\x{2B81F}\\x{2B820}-\\x{2CEAF}\\x{2CEB0}-\\x{2EBEF}\\x{2F800}-\\x{2FA1F}";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

// The engine's pattern rewritten in ICU syntax with llama.cpp's semantics (see the header).
std::string icu_pattern(std::string p) {
    replace_all(p, "--\\p{Han}", std::string("-[") + kHanRanges + "]");
    replace_all(p, "\\p{Han}", std::string("[") + kHanRanges + "]");
    replace_all(p, "\\p{S}", "[\\p{S}-[~]]");
    if (p.size() >= 2 && p.back() == '$' && p[p.size() - 2] != '\\') p.replace(p.size() - 1, 1, "\\z");
    // Classes with literal non-ASCII items: those never match non-ASCII white space.
    std::string out;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\') {  // copy escapes whole so "\[" is not a class
            out += p.substr(i, 2);
            ++i;
            continue;
        }
        if (p[i] != '[') {
            out += p[i];
            continue;
        }
        size_t j = i + 1;
        while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
        const std::string body = p.substr(i, j - i + 1);
        out += body.find("\\x{") != std::string::npos ? "[" + body + "-[[\\p{White_Space}]-[\\x{0}-\\x{7F}]]]" : body;
        i = j;
    }
    return out;
}

// Splits like PreTokenizer::word_lengths, with ICU's engine.
std::vector<size_t> icu_word_lengths(const std::vector<std::unique_ptr<icu::RegexPattern>>& patterns,
                                     const std::vector<uint32_t>& cps) {
    std::vector<size_t> pieces;
    if (cps.empty()) return pieces;
    pieces.push_back(cps.size());
    for (const auto& pattern : patterns) {
        std::vector<size_t> refined;
        size_t offset = 0;
        for (const size_t len : pieces) {
            icu::UnicodeString piece;
            for (size_t i = offset; i < offset + len; ++i) piece.append(static_cast<UChar32>(cps[i]));
            UErrorCode status = U_ZERO_ERROR;
            std::unique_ptr<icu::RegexMatcher> m(pattern->matcher(piece, status));
            EXPECT_TRUE(U_SUCCESS(status));
            int32_t done = 0;  // UTF-16 offsets
            while (m->find(status)) {
                const int32_t start = m->start(status), end = m->end(status);
                if (start > done) refined.push_back(static_cast<size_t>(piece.countChar32(done, start - done)));
                refined.push_back(static_cast<size_t>(piece.countChar32(start, end - start)));
                done = end;
            }
            if (done < piece.length()) refined.push_back(static_cast<size_t>(piece.countChar32(done, piece.length() - done)));
            offset += len;
        }
        pieces.swap(refined);
    }
    return pieces;
}

// Random strings weighted towards what the patterns distinguish.
class TextGenerator {
public:
    explicit TextGenerator(uint32_t seed) : rng_(seed) {
        const std::u32string interesting =
            U" \t\n\r\v\f\u0085\u00A0\u1680\u2000\u2007\u200A\u2028\u2029\u202F\u205F\u3000\u200B\uFEFF"
            U"'''sStTmMdDrReEvVlL~~$+<=>^`|!?.,:;-_()[]{}\"#%&*/@\\"
            U"0123456789\u0660\u0966\uFF10\u2160\u00B2\u00BD"
            U"\u00B5\u00C0\u00D6\u00D7\u00E9\u00F7\u01BB\u01C5\u0294\u037E\u0386\u0387\u03CE\u1F7D\u1FBE\u2126\u212A"
            U"\u0410\u0430\u05D0\u0627\u0E01\u1100\u0300\u0301\u0903\u093F\u20DD"
            U"\u4E00\u4E8C\u9FA5\u9FA6\u9FFF\u3400\u3005\u3007\uF900\u2E80\u3041\u30A2\u30FC\uAC00\uD7A3\uD7FF\u0800"
            U"\uFF01\uFF0F\uFF1A\uFF5E\u2018\u201C\u201F\u3001\u3002\u2014\u2026\u00A1\u00BF"
            U"\u00A2\u00A9\u2192\u2705\u200D\uFE0F\U0001F600\U0001F999\U00020000\U0002A6DF\U0002EBE0\U0002F800"
            U"\u0378\uE000\U0010FFFF\U000E0001\U0001E900\U0001D7CE\u0001\u001C\u001F\u007F";
        interesting_.assign(interesting.begin(), interesting.end());
    }

    std::vector<uint32_t> next() {
        std::vector<uint32_t> out;
        const size_t n = pick(40);
        while (out.size() < n) {
            const size_t kind = pick(10);
            if (kind < 5) {
                out.push_back(interesting_[pick(interesting_.size())]);
            } else if (kind < 7) {
                out.push_back(static_cast<uint32_t>('a' + pick(26)));
            } else if (kind == 7) {
                out.insert(out.end(), 2 + pick(5), ' ');
            } else {
                out.push_back(any_code_point());
            }
        }
        return out;
    }

private:
    size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    uint32_t any_code_point() {
        while (true) {
            const uint32_t cp = pick(4) == 0 ? static_cast<uint32_t>(pick(unicode::kCodepointLimit))
                                             : static_cast<uint32_t>(pick(0x10000));
            // Surrogates would pair up in UTF-16; 15.1 additions are unknown to ICU 72.
            if ((cp >= 0xD800 && cp <= 0xDFFF) || unicode_15_1_addition(cp)) continue;
            return cp;
        }
    }

    std::mt19937 rng_;
    std::vector<uint32_t> interesting_;
};

class PreTokenizerVsIcu : public ::testing::TestWithParam<const char*> {};

TEST_P(PreTokenizerVsIcu, RandomStrings) {
    const PreTokenizerInfo* info = find_pre_tokenizer(GetParam());
    ASSERT_NE(info, nullptr);
    const PreTokenizer ours(*info);
    std::vector<std::unique_ptr<icu::RegexPattern>> patterns;
    for (const std::string_view p : info->patterns) {
        const std::string rewritten = icu_pattern(std::string(p));
        UParseError where;
        UErrorCode status = U_ZERO_ERROR;
        patterns.emplace_back(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(rewritten), 0, where, status));
        ASSERT_TRUE(U_SUCCESS(status)) << "ICU rejects " << rewritten << ": " << u_errorName(status);
    }
    TextGenerator gen(12345u + static_cast<uint32_t>(std::string(GetParam()).size()));
    int mismatches = 0;
    constexpr int kStrings = 4000;
    for (int i = 0; i < kStrings; ++i) {
        const std::vector<uint32_t> cps = gen.next();
        const std::vector<size_t> got = ours.word_lengths(cps);
        const std::vector<size_t> want = icu_word_lengths(patterns, cps);
        if (got != want && ++mismatches <= 5) {
            std::string hex;
            for (const uint32_t cp : cps) hex += " " + std::to_string(cp);
            ADD_FAILURE() << GetParam() << ": code points" << hex << " split differently from ICU";
        }
    }
    EXPECT_EQ(mismatches, 0) << "of " << kStrings;
}

INSTANTIATE_TEST_SUITE_P(Families, PreTokenizerVsIcu,
                         ::testing::Values("gpt-2", "llama3", "qwen2", "deepseek-llm", "deepseek-coder",
                                           "deepseek-v3", "falcon", "starcoder", "default", "kimi-k2"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                             std::string n = param_info.param;
                             for (char& ch : n) ch = (ch == '-') ? '_' : ch;
                             return n;
                         });

}  // namespace
}  // namespace sy::text
