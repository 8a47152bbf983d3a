// Internals of Vocab (tokenizer.hpp), shared by the tokenizer_*.cpp files. Not a public header.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/pretokenize.hpp"
#include "text/tokenizer.hpp"
#include "text/unicode.hpp"

namespace sy::text {

// Hash maps keyed by std::string that can be searched with a std::string_view.
struct TransparentStringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIndex = std::unordered_map<std::string, int32_t, TransparentStringHash, std::equal_to<>>;

struct TokenData {
    std::string text;
    float score = 0.0f;
    uint16_t attr = kAttrNormal;
};

// A piece of the input after special tokens were cut out: either a token or a byte range of
// the text.
struct Fragment {
    int32_t token = kNoToken;  // kNoToken: text
    size_t offset = 0;
    size_t length = 0;
};

struct Vocab::Impl {
    std::string path;   // for messages
    std::string model;  // tokenizer.ggml.model
    std::string pre;    // tokenizer.ggml.pre
    VocabKind kind = VocabKind::Spm;

    std::vector<TokenData> tokens;
    StringIndex id_by_text;
    StringIndex merge_rank;  // "left right" (the merges line) -> rank, BPE only
    std::optional<PreTokenizer> pre_tokenizer;  // BPE only

    bool ignore_merges = false;
    bool add_space_prefix = false;
    bool add_bos = false;
    bool add_eos = false;

    int32_t bos = kNoToken, eos = kNoToken, eot = kNoToken, eom = kNoToken, unk = kNoToken;
    int32_t sep = kNoToken, pad = kNoToken, mask = kNoToken;
    int32_t fim_pre = kNoToken, fim_suf = kNoToken, fim_mid = kNoToken;
    int32_t fim_pad = kNoToken, fim_rep = kNoToken, fim_sep = kNoToken;
    std::vector<int32_t> eog;  // ascending

    std::vector<int32_t> special_order;  // tokens cut out of text, longest text first
    // SPM: ASCII bytes found in no token longer than one byte. Such a byte can never take part
    // in a merge, so the SPM merge loop may run separately on the text between them (same
    // result, and a 1 MB text does not become one 1M-entry priority queue).
    std::array<bool, 128> spm_never_merged{};
    std::vector<std::string> pieces;     // token_to_piece(id, special = true)

    int32_t find(std::string_view text) const {
        const auto it = id_by_text.find(text);
        return it == id_by_text.end() ? kNoToken : it->second;
    }
    void check_id(int32_t id) const;  // throws sy::Error when out of range

    // tokenizer_special.cpp: cuts special tokens out of `text`.
    std::vector<Fragment> cut_special_tokens(std::string_view text, bool parse_special) const;
    // tokenizer_spm.cpp: one run of text, already prefixed and with spaces escaped as '▁'.
    void tokenize_spm(std::string_view escaped, std::vector<int32_t>& out) const;
    // tokenizer_bpe.cpp: one run of text (pre-tokenized inside).
    void tokenize_bpe(std::string_view text, std::vector<int32_t>& out) const;
    // tokenizer.cpp: the piece of one token, from its text and attributes.
    std::string make_piece(int32_t id) const;
};

// One UTF-8 character of a word: the unit both BPE and SPM start merging from. The symbols
// form a linked list so a merge only relinks its neighbours.
struct Symbol {
    size_t start = 0;  // byte offset in the merged text
    size_t size = 0;   // 0 once merged into its left neighbour
    int prev = -1;
    int next = -1;
};

// `text` cut into one symbol per UTF-8 character (a truncated last sequence is one symbol).
inline void split_into_symbols(std::string_view text, std::vector<Symbol>& symbols) {
    symbols.clear();
    for (size_t offset = 0; offset < text.size();) {
        const size_t len = std::min(unicode::utf8_sequence_length(static_cast<uint8_t>(text[offset])),
                                    text.size() - offset);
        Symbol s;
        s.start = offset;
        s.size = len;
        s.prev = static_cast<int>(symbols.size()) - 1;
        offset += len;
        s.next = offset == text.size() ? -1 : static_cast<int>(symbols.size()) + 1;
        symbols.push_back(s);
    }
}

}  // namespace sy::text
