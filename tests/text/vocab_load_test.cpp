// Vocab::from_gguf on small vocabularies written in memory: the defaults and rules llama.cpp's
// loader applies (read from its llama_vocab::impl::load), and a clear sy::Error naming file and
// key for every missing or malformed key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "gguf/gguf_file.hpp"
#include "gguf/gguf_writer.hpp"
#include "text/tokenizer.hpp"

namespace sy::text {
namespace {

using gguf::GgufFile;
using gguf::GgufWriter;
using gguf::Value;

// A byte-level BPE vocabulary: the 256 byte spellings, "ab", and a few specials.
GgufWriter bpe_writer(std::string_view pre = "gpt-2") {
    GgufWriter w;
    w.set("tokenizer.ggml.model", Value::string("gpt2"));
    w.set("tokenizer.ggml.pre", Value::string(pre));
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    for (const char* t : {"a", "b", "ab", "\xC4\xA0", "<|im_end|>", "<|user|>", "<fim_pad>"}) {
        tokens.emplace_back(t);
        types.push_back(1);
    }
    types[4] = 3;  // control
    types[5] = 4;  // user-defined
    w.set("tokenizer.ggml.tokens", Value::string_array(tokens));
    w.set("tokenizer.ggml.token_type", Value::array(types));
    w.set("tokenizer.ggml.merges", Value::string_array({"a b"}));
    return w;
}

Vocab load(const GgufWriter& w) {
    const std::vector<uint8_t> bytes = w.to_bytes();
    const GgufFile f = GgufFile::from_memory(bytes, "mem.gguf");
    return Vocab::from_gguf(f);  // Vocab copies what it needs
}

std::string load_error(const GgufWriter& w) {
    try {
        (void)load(w);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(VocabLoad, BpeDefaultsFollowLlamaCpp) {
    const Vocab v = load(bpe_writer());
    EXPECT_EQ(v.kind(), VocabKind::Bpe);
    EXPECT_EQ(v.n_tokens(), 7);
    // BPE's default BOS/EOS id is 11 (here out of range, but still the default llama.cpp uses).
    EXPECT_EQ(v.bos(), 11);
    EXPECT_EQ(v.eos(), 11);
    EXPECT_FALSE(v.add_bos());
    EXPECT_FALSE(v.add_space_prefix());
    // "<|im_end|>" is an end-of-generation text, "<fim_pad>" a FIM pad text (also EOG), both
    // made control tokens; EOS 11 is EOG too.
    EXPECT_EQ(v.eog_ids(), (std::vector<int32_t>{4, 6, 11}));
    EXPECT_EQ(v.eot(), 4);
    EXPECT_TRUE(v.token_attr(6) & kAttrControl);
    EXPECT_EQ(v.token_to_piece(6, false), "");
    EXPECT_EQ(v.token_to_piece(3, false), " ");  // 'Ġ' decodes to a space
}

TEST(VocabLoad, SpecialTokensAreCutOutBeforeBpe) {
    const Vocab v = load(bpe_writer());
    // Merge "a b" applies; control text is a token only with parse_special; user-defined always.
    EXPECT_EQ(v.tokenize("ab<|im_end|>", false, true), (std::vector<int32_t>{2, 4}));
    EXPECT_EQ(v.tokenize("ab<|user|>ba", false, false), (std::vector<int32_t>{2, 5, 1, 0}));
    // Without parse_special, "<|im_end|>" is text; '<', '|', ... are no tokens and are dropped
    // byte by byte, as llama.cpp drops bytes it has no token for.
    EXPECT_EQ(v.tokenize("a<|im_end|>", false, false), (std::vector<int32_t>{0}));
}

TEST(VocabLoad, KeysOverrideDefaults) {
    GgufWriter w = bpe_writer("llama-bpe");
    w.set("tokenizer.ggml.bos_token_id", Value::scalar<uint32_t>(5));
    w.set("tokenizer.ggml.eos_token_id", Value::scalar<uint32_t>(4));
    w.set("tokenizer.ggml.padding_token_id", Value::scalar<uint32_t>(4294967295u));  // ignored
    w.set("tokenizer.ggml.add_eos_token", Value::scalar<bool>(true));
    const Vocab v = load(w);
    EXPECT_TRUE(v.add_bos());  // the llama3 family adds BOS unless the key says otherwise
    EXPECT_TRUE(v.add_eos());
    EXPECT_EQ(v.bos(), 5);
    EXPECT_EQ(v.eos(), 4);
    EXPECT_EQ(v.pad(), kNoToken);
    EXPECT_EQ(v.tokenize("ab", true, true), (std::vector<int32_t>{5, 2, 4}));
    EXPECT_EQ(v.tokenize("ab", false, true), (std::vector<int32_t>{2}));
}

TEST(VocabLoad, SpmDefaults) {
    GgufWriter w;
    w.set("tokenizer.ggml.model", Value::string("llama"));
    w.set("tokenizer.ggml.tokens", Value::string_array({"<unk>", "<s>", "</s>", "\xE2\x96\x81" "a", "a"}));
    w.set("tokenizer.ggml.scores", Value::array(std::vector<float>{0, 0, 0, -1, -2}));
    w.set("tokenizer.ggml.token_type", Value::array(std::vector<int32_t>{2, 3, 3, 1, 1}));
    const Vocab v = load(w);
    EXPECT_EQ(v.kind(), VocabKind::Spm);
    EXPECT_EQ(v.bos(), 1);
    EXPECT_EQ(v.eos(), 2);
    EXPECT_EQ(v.unk(), 0);
    EXPECT_TRUE(v.add_bos());
    EXPECT_TRUE(v.add_space_prefix());
    EXPECT_EQ(v.tokenize("a", true, true), (std::vector<int32_t>{1, 3}));  // " a" -> "▁a"
    EXPECT_EQ(v.token_to_piece(3, true), " a");
    // No byte tokens and no token for 'b': an SPM vocabulary must spell every byte somehow.
    EXPECT_THROW((void)v.tokenize("b", false, false), Error);
}

TEST(VocabLoad, ErrorsNameTheFileAndKey) {
    {
        GgufWriter w;
        EXPECT_NE(load_error(w).find("mem.gguf: key 'tokenizer.ggml.model' is missing"), std::string::npos);
    }
    {
        GgufWriter w = bpe_writer();
        w.set("tokenizer.ggml.model", Value::scalar<uint32_t>(2));
        EXPECT_NE(load_error(w).find("key 'tokenizer.ggml.model' is u32, expected string"), std::string::npos)
            << load_error(w);
    }
    {
        GgufWriter w = bpe_writer();
        w.set("tokenizer.ggml.model", Value::string("bert"));
        EXPECT_NE(load_error(w).find("tokenizer 'bert' is not supported"), std::string::npos);
    }
    {
        GgufWriter w = bpe_writer("gpt-4o");
        EXPECT_NE(load_error(w).find("pre-tokenizer 'gpt-4o' is not supported"), std::string::npos);
    }
    {
        GgufWriter w = bpe_writer();
        w.remove("tokenizer.ggml.merges");
        EXPECT_NE(load_error(w).find("key 'tokenizer.ggml.merges' is missing"), std::string::npos);
        w.set("tokenizer.ggml.pre", Value::string("kimi-k2"));  // kimi-k2 needs no merges
        EXPECT_EQ(load_error(w), "(no error)");
    }
    {
        GgufWriter w = bpe_writer();
        w.remove("tokenizer.ggml.tokens");
        EXPECT_NE(load_error(w).find("key 'tokenizer.ggml.tokens' is missing"), std::string::npos);
    }
    {
        GgufWriter w = bpe_writer();
        w.set("tokenizer.ggml.token_type", Value::array(std::vector<int32_t>{1, 1}));
        EXPECT_NE(load_error(w).find("key 'tokenizer.ggml.token_type' has 2 entries for 7 tokens"), std::string::npos);
    }
    {
        GgufWriter w = bpe_writer();
        w.set("tokenizer.ggml.scores", Value::array(std::vector<int32_t>{1, 2, 3, 4, 5, 6, 7}));
        EXPECT_NE(load_error(w).find("key 'tokenizer.ggml.scores' is array of i32, expected array of f32"),
                  std::string::npos)
            << load_error(w);
    }
    {
        GgufWriter w = bpe_writer();
        w.set("tokenizer.ggml.tokens", Value::string_array({"a", "b", "a"}));
        w.remove("tokenizer.ggml.token_type");
        EXPECT_NE(load_error(w).find("token 2 repeats the text of token 0"), std::string::npos);
    }
    {
        GgufWriter w = bpe_writer();
        w.set("tokenizer.ggml.add_bos_token", Value::scalar<uint32_t>(1));
        EXPECT_NE(load_error(w).find("key 'tokenizer.ggml.add_bos_token' is u32, expected bool"), std::string::npos);
    }
    {
        GgufWriter w = bpe_writer();
        w.set("tokenizer.ggml.model", Value::string("none"));
        EXPECT_NE(load_error(w).find("has no vocabulary"), std::string::npos);
    }
}

TEST(VocabLoad, AddingBosWithoutABosTokenFails) {
    GgufWriter w = bpe_writer("chatglm-bpe");  // no default BOS in this family
    w.set("tokenizer.ggml.add_bos_token", Value::scalar<bool>(true));
    const Vocab v = load(w);
    EXPECT_EQ(v.bos(), kNoToken);
    EXPECT_THROW((void)v.tokenize("ab", true, true), Error);
    EXPECT_EQ(v.tokenize("ab", false, true), (std::vector<int32_t>{2}));
}

}  // namespace
}  // namespace sy::text
