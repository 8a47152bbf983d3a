// Unicode facts the tokenizers need, with no dependency (no ICU, no PCRE2): UTF-8 decoding and
// encoding with llama.cpp's rules for bad input, and per-code-point classes for the
// pre-tokenizer patterns.
//
// The classes come from unicode_data.cpp, generated from ICU by gen/gen_unicode_data.cpp.
// They follow the Unicode version llama.cpp's own table was built from (15.1), so a code point
// is a letter here exactly when it is one for ik_llama.cpp.
//
// Thread safety: everything here is safe to call concurrently (the lookup table is built once,
// on first use, by a function-local static).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sy::text::unicode {

// One past the largest code point.
inline constexpr uint32_t kCodepointLimit = 0x110000;
inline constexpr uint32_t kReplacementChar = 0xFFFD;

// Unicode general categories (the two-letter values of UnicodeData.txt).
enum class Category : uint8_t {
    Cn, Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po,
    Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co,
};
inline constexpr int kCategoryCount = 30;
// "Lu", "Nd", ...
const char* category_name(Category c);

// Class bits of one code point, as the pre-tokenizer patterns test them.
enum ClassBit : uint8_t {
    kLetter = 1 << 0,       // \p{L}
    kNumber = 1 << 1,       // \p{N}
    kPunctuation = 1 << 2,  // \p{P}
    kSymbol = 1 << 3,       // \p{S}
    kMark = 1 << 4,         // \p{M}
    kSeparator = 1 << 5,    // \p{Z}
    kOther = 1 << 6,        // \p{C}, unassigned code points included
    kWhiteSpace = 1 << 7,   // \s: the White_Space property
};

// The general category of a code point (Cn above the limit).
Category category(uint32_t cp);
// ClassBit mask of a code point: exactly one of the seven category bits, plus kWhiteSpace.
// Above the limit: kOther.
uint8_t classes(uint32_t cp);
inline bool is_white_space(uint32_t cp) { return (classes(cp) & kWhiteSpace) != 0; }

// The fixed code point ranges llama.cpp treats as Han in the kimi-k2 pre-tokenizer (CJK
// unified ideographs A-F and the compatibility ideographs). Not the Unicode Script=Han set.
bool is_kimi_han(uint32_t cp);

// ---- UTF-8 ----

// Bytes of the UTF-8 sequence that starts with `lead`, judged from its top four bits alone:
// 1 for ASCII and for stray continuation bytes, 2 for 0xC0-0xDF, 3 for 0xE0-0xEF, 4 for
// 0xF0-0xFF. The SPM and BPE tokenizers cut their symbols with this.
inline size_t utf8_sequence_length(uint8_t lead) {
    static constexpr uint8_t kByHighNibble[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kByHighNibble[lead >> 4];
}

// Decodes UTF-8 as llama.cpp does: a lead byte with the right number of continuation bytes
// decodes without further checks (overlong forms and surrogates pass; F5-F7 leads give values
// above U+10FFFF, which are mapped to U+FFFD here because llama.cpp cannot re-encode them);
// anything else yields one U+FFFD and skips one byte.
std::vector<uint32_t> decode_utf8(std::string_view text);

// Appends the UTF-8 form of `cp` (1-4 bytes; surrogates are encoded like any other value).
// `cp` must be below kCodepointLimit.
void append_utf8(std::string& out, uint32_t cp);
std::string encode_utf8(uint32_t cp);

}  // namespace sy::text::unicode
