// Pre-tokenizers of byte-level BPE vocabularies (tokenizer.ggml.pre): the regex patterns that
// cut text into words before BPE merges, applied in sequence as ik_llama.cpp does (each pattern
// splits every piece the previous one produced, keeping unmatched text as pieces too), then
// each word spelled in GPT-2's byte encoding (byte_encoding.hpp).
//
// Supported: the families named in llama.cpp's llama_vocab loader whose patterns this engine
// runs exactly (gpt-2, llama3, deepseek-llm, deepseek-coder, deepseek-v3, kimi-k2, qwen2,
// falcon, starcoder, default) and every tokenizer.ggml.pre name llama.cpp maps onto one of them
// (pretokenize.cpp lists them). Others are refused by name rather than tokenized differently.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text/pretokenize_regex.hpp"

namespace sy::text {

struct PreTokenizerInfo {
    std::string_view family;                       // "gpt-2", "llama3", "deepseek-v3", ...
    std::span<const std::string_view> patterns;    // applied in order
    bool ignore_merges = false;  // a word that is itself a token skips the merges (llama3)
    bool add_bos = false;        // default of tokenizer.ggml.add_bos_token for this family
    bool no_bos_token = false;   // the family has no default BOS id (chatglm)
};

// The pre-tokenizer for a tokenizer.ggml.pre value ("" = absent = "default"); nullptr when the
// name is unknown or its family is not supported.
const PreTokenizerInfo* find_pre_tokenizer(std::string_view name);

class PreTokenizer {
public:
    // Compiles the family's patterns (throws sy::Error only on a bug in the built-in patterns).
    explicit PreTokenizer(const PreTokenizerInfo& info);

    const PreTokenizerInfo& info() const { return *info_; }

    // Cuts `text` (UTF-8; invalid bytes become U+FFFD as in llama.cpp) into words, each spelled
    // in the byte encoding. Appends to `out_words`.
    void split(std::string_view text, std::vector<std::string>& out_words) const;

    // The same cut on decoded text: the lengths, in code points, of the successive words.
    std::vector<size_t> word_lengths(std::span<const uint32_t> cps) const;

private:
    const PreTokenizerInfo* info_;
    std::vector<SplitPattern> patterns_;
};

}  // namespace sy::text
