// The vocabulary of a GGUF model and its tokenizer: text -> token ids and token id -> text, with
// ik_llama.cpp's results (llama_tokenize / llama_token_to_piece) for the two tokenizer models
// the supported models use:
//
//   "llama"  SentencePiece BPE (SPM): scores, byte fallback tokens <0xXX>, '▁' for spaces and a
//            leading space ("add_space_prefix") before each run of text.
//   "gpt2"   byte-level BPE: a pre-tokenizer (pretokenize.hpp) cuts words, merges by rank.
//
// Special tokens (control, user-defined, unknown) are cut out of the text before either runs:
// longest first, each at its every occurrence; control and unknown tokens only when
// parse_special is set, user-defined ones always (as llama.cpp). BOS/EOS are added per
// tokenizer.ggml.add_bos_token / add_eos_token when add_special is set.
//
// Loading reads the tokenizer.ggml.* keys (tokenizer_load.cpp lists them and their defaults).
//
// Thread safety: a Vocab is immutable after loading; all const members may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sy::gguf {
class GgufFile;
class GgufModel;
}  // namespace sy::gguf

namespace sy::text {

inline constexpr int32_t kNoToken = -1;

enum class VocabKind : uint8_t {
    Spm,  // tokenizer.ggml.model = "llama"
    Bpe,  // tokenizer.ggml.model = "gpt2"
};

// Token attributes (bit set), derived from tokenizer.ggml.token_type and the loader's rules.
enum TokenAttr : uint16_t {
    kAttrUndefined = 0,
    kAttrUnknown = 1 << 0,
    kAttrUnused = 1 << 1,
    kAttrNormal = 1 << 2,
    kAttrControl = 1 << 3,
    kAttrUserDefined = 1 << 4,
    kAttrByte = 1 << 5,
    kAttrLStrip = 1 << 7,  // white space before the token is dropped when it is cut out
    kAttrRStrip = 1 << 8,  // white space after it is dropped
};

class Vocab {
public:
    // Reads the tokenizer.ggml.* keys. Throws sy::Error naming the file and key when a key is
    // missing or malformed, the tokenizer model or pre-tokenizer is not supported, or the token
    // list is inconsistent (duplicate texts, too few scores or types).
    static Vocab from_gguf(const gguf::GgufFile& file);
    static Vocab from_gguf(const gguf::GgufModel& model);  // metadata of the first shard

    Vocab(Vocab&&) noexcept;
    Vocab& operator=(Vocab&&) noexcept;
    ~Vocab();

    // `add_special`: BOS first / EOS last when the vocabulary asks for them. `parse_special`:
    // control tokens written in the text ("<|eos|>") become those tokens.
    std::vector<int32_t> tokenize(std::string_view text, bool add_special, bool parse_special) const;

    // The text a token stands for (bytes, not necessarily valid UTF-8 on its own). Control and
    // unknown tokens give their text only when `special`, "" otherwise. Throws sy::Error for an
    // id outside [0, n_tokens()).
    const std::string& token_to_piece(int32_t id, bool special) const;

    int32_t n_tokens() const;
    VocabKind kind() const;
    const std::string& model_name() const;      // tokenizer.ggml.model
    const std::string& pre_tokenizer() const;   // tokenizer.ggml.pre as written ("" if absent)
    const std::string& token_text(int32_t id) const;  // the stored text ('▁', 'Ġ' spellings)
    float token_score(int32_t id) const;
    uint16_t token_attr(int32_t id) const;
    int32_t token_id(std::string_view text) const;  // kNoToken when absent

    int32_t bos() const;  // kNoToken when the vocabulary has none
    int32_t eos() const;
    int32_t eot() const;
    int32_t unk() const;
    int32_t pad() const;
    bool add_bos() const;
    bool add_eos() const;
    bool add_space_prefix() const;
    // End of generation: EOS, EOT, EOM, FIM pad/repo/separator and the end-of-turn texts
    // llama.cpp recognizes ("<|im_end|>", "<|endoftext|>", "<｜end▁of▁sentence｜>", ...).
    bool is_eog(int32_t id) const;
    const std::vector<int32_t>& eog_ids() const;  // ascending

    struct Impl;

private:
    explicit Vocab(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sy::text
