// Internals of Vocab (tokenizer.hpp), shared by the tokenizer_*.cpp files. Not a public header.
#pragma once

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

}  // namespace sy::text
