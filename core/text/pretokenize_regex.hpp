// A small backtracking regex engine over code points, for the pre-tokenizer patterns of
// byte-level BPE vocabularies. It supports exactly what those patterns use:
//
//   literals and escapes    a  '  \r \n \t  \x{1F7D}  \\ \[ \] \- \$ \+ \^ \| ...  (UTF-8 in the pattern)
//   classes                 [abc] [^...] [a-z] with \s \S \p{X} inside; [\p{L}--\p{Han}]
//   shorthands              \s \S \p{L} \p{N} \p{P} \p{S} \p{M} \p{Han}
//   groups                  (?:a|b) (a|b)  (no captures kept), optional: (?:...)?
//   quantifiers on a class  ? * + {n} {n,} {n,m}  (greedy)
//   lookahead               (?=...) (?!...)
//   anchor                  $  (end of the piece being split)
//
// Class membership follows what ik_llama.cpp's splitter really does, which is not always the
// textbook meaning of the pattern (unicode.hpp has the tables):
//   - \s is the White_Space property; \p{X} are general categories (Unicode 15.1);
//   - \p{S} does not contain '~' (llama.cpp's ASCII symbol list omits it);
//   - literal characters and ranges never match a non-ASCII white-space character (llama.cpp
//     rewrites those to U+000B before std::regex sees them);
//   - \p{Han} is kimi-k2's fixed list of CJK ideograph ranges (unicode::is_kimi_han).
//
// Matching is ECMAScript/Perl style: leftmost match, alternatives tried in order, greedy
// quantifiers backtracking one step at a time. A quantified class counts its run once per piece
// position (cached), and `X+$` checks the end directly, so the supported patterns split in
// linear time.
//
// Thread safety: a compiled SplitPattern is immutable; split() may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sy::text {

class SplitPattern {
public:
    // Compiles `pattern` (UTF-8). Throws sy::Error naming the pattern and the byte offset of an
    // unsupported or malformed construct, or a pattern that can match the empty string.
    static SplitPattern compile(std::string_view pattern);

    SplitPattern(SplitPattern&&) noexcept;
    SplitPattern& operator=(SplitPattern&&) noexcept;
    ~SplitPattern();

    // Splits `piece` into its matches and the text between them, in order (llama.cpp keeps the
    // unmatched text as pieces of its own). Appends piece lengths to `out_lengths`.
    void split(std::span<const uint32_t> piece, std::vector<size_t>& out_lengths) const;

    const std::string& source() const { return source_; }

    struct Program;  // the compiled form (pretokenize_regex.cpp)

private:
    SplitPattern();
    std::string source_;
    std::unique_ptr<Program> program_;
};

}  // namespace sy::text
