// Real GGUF files from tests/data (made by llama.cpp's and ik_llama.cpp's own tools). Expected
// counts and values come from an independent struct-based parser, not from this reader.
#include <gtest/gtest.h>

#include <map>

#include "gguf_test_support.hpp"
#include "gguf/gguf_model.hpp"
#include "types/type_registry.hpp"

namespace sy::gguf {
namespace {

std::string data_file(const char* name) { return std::string(SWITCHYARD_TEST_DATA_DIR) + "/" + name; }

// Tensor data is contiguous and in bounds: the end of the last tensor (padded) is the file end.
void expect_tensors_fill_the_data_section(const GgufFile& f) {
    uint64_t end = 0;
    for (const TensorInfo& t : f.tensors()) {
        EXPECT_EQ(t.offset % f.alignment(), 0u) << t.name;
        EXPECT_EQ(t.nbytes, static_cast<uint64_t>(t.n_rows()) * row_bytes(t.type, t.ne[0], t.name)) << t.name;
        end = std::max(end, t.offset + (t.nbytes + f.alignment() - 1) / f.alignment() * f.alignment());
    }
    if (!f.tensors().empty()) {
        EXPECT_EQ(f.data_offset() + end, f.file_size());
    }
}

TEST(GgufRealFiles, Stories260K) {
    const GgufFile f = GgufFile::open(data_file("stories260K.gguf"));
    EXPECT_EQ(f.version(), 3u);
    EXPECT_EQ(f.file_size(), 1185376u);
    EXPECT_EQ(f.kvs().size(), 19u);
    EXPECT_EQ(f.tensors().size(), 48u);
    EXPECT_EQ(f.data_offset(), 14176u);
    EXPECT_EQ(f.kvs()[0].key, "tokenizer.ggml.tokens");
    EXPECT_EQ(f.get("general.architecture").as_string(), "llama");
    EXPECT_EQ(f.get("llama.embedding_length").as_u64(), 64u);
    EXPECT_EQ(f.get("llama.feed_forward_length").as_u64(), 172u);
    EXPECT_EQ(f.get("tokenizer.ggml.seperator_token_id").value.get<uint32_t>(), 4294967295u);
    EXPECT_FLOAT_EQ(static_cast<float>(f.get("llama.attention.layer_norm_rms_epsilon").as_f64()), 1e-5f);
    const Value& tokens = f.get("tokenizer.ggml.tokens").value;
    ASSERT_EQ(tokens.size(), 512u);
    EXPECT_EQ(tokens.string_at(0), "<unk>");
    EXPECT_EQ(tokens.string_at(2), "</s>");
    EXPECT_EQ(f.get("tokenizer.ggml.scores").value.span<float>().size(), 512u);
    EXPECT_EQ(f.get("tokenizer.ggml.token_type").value.span<int32_t>()[0], 2);
    const TensorInfo& first = f.tensors()[0];
    EXPECT_EQ(first.name, "token_embd.weight");
    EXPECT_EQ(first.type, 0);
    EXPECT_EQ(first.ne[0], 64);
    EXPECT_EQ(first.ne[1], 512);
    EXPECT_EQ(first.offset, 0u);
    const TensorInfo* up = f.find_tensor("blk.4.ffn_up.weight");
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(up->offset, 1126912u);
    EXPECT_EQ(up->ne[1], 172);
    for (const TensorInfo& t : f.tensors()) EXPECT_EQ(t.type, 0) << t.name;
    expect_tensors_fill_the_data_section(f);
}

TEST(GgufRealFiles, Llama2TinyRandom) {
    const GgufFile f = GgufFile::open(data_file("llama-2-tiny-random.gguf"), {.use_mmap = false});
    EXPECT_EQ(f.kvs().size(), 18u);
    EXPECT_EQ(f.tensors().size(), 12u);
    EXPECT_EQ(f.data_offset(), 724416u);
    EXPECT_EQ(f.get("general.name").as_string(), "LLaMA v2");
    EXPECT_EQ(f.get("llama.context_length").as_u64(), 4096u);
    EXPECT_EQ(f.get("tokenizer.ggml.tokens").value.size(), 32000u);
    const TensorInfo* embd = f.find_tensor("token_embd.weight");
    ASSERT_NE(embd, nullptr);
    EXPECT_EQ(embd->type, 1);  // F16
    EXPECT_EQ(embd->ne[0], 8);
    EXPECT_EQ(embd->ne[1], 32000);
    EXPECT_EQ(embd->nbytes, 8u * 32000u * 2u);
    EXPECT_EQ(f.find_tensor("output.weight")->offset, 514144u);
    int f16 = 0;
    for (const TensorInfo& t : f.tensors()) f16 += t.type == 1;
    EXPECT_EQ(f16, 9);
    expect_tensors_fill_the_data_section(f);
}

struct VocabCase {
    const char* file;
    size_t n_kv;
    const char* model;
    uint64_t n_tokens;
    int64_t n_merges;  // -1: no merges key
    const char* token0;
};

class GgufVocabFiles : public ::testing::TestWithParam<VocabCase> {};

TEST_P(GgufVocabFiles, CountsAndFirstToken) {
    const VocabCase& c = GetParam();
    const GgufFile f = GgufFile::open(data_file(c.file));
    EXPECT_EQ(f.kvs().size(), c.n_kv);
    EXPECT_TRUE(f.tensors().empty());
    EXPECT_GE(f.data_offset(), f.file_size());  // vocab-only files end before the padding
    EXPECT_EQ(f.get("tokenizer.ggml.model").as_string(), c.model);
    const Value& tokens = f.get("tokenizer.ggml.tokens").value;
    EXPECT_EQ(tokens.size(), c.n_tokens);
    EXPECT_EQ(tokens.string_at(0), c.token0);
    EXPECT_EQ(f.get("tokenizer.ggml.token_type").value.size(), c.n_tokens);
    if (c.n_merges >= 0) {
        EXPECT_EQ(f.get("tokenizer.ggml.merges").value.size(), static_cast<uint64_t>(c.n_merges));
    } else {
        EXPECT_EQ(f.find("tokenizer.ggml.merges"), nullptr);
    }
}

INSTANTIATE_TEST_SUITE_P(
    All, GgufVocabFiles,
    ::testing::Values(VocabCase{"ggml-vocab-deepseek-llm.gguf", 23, "gpt2", 102400, 99757, "!"},
                      VocabCase{"ggml-vocab-falcon.gguf", 18, "gpt2", 65024, 64784, ">>TITLE<<"},
                      VocabCase{"ggml-vocab-gpt-2.gguf", 16, "gpt2", 50257, 50000, "!"},
                      VocabCase{"ggml-vocab-llama-spm.gguf", 22, "llama", 32000, -1, "<unk>"},
                      VocabCase{"ggml-vocab-starcoder.gguf", 19, "gpt2", 49152, 48872, "<|endoftext|>"}),
    [](const auto& test_info) {
        std::string name = test_info.param.file + 11;  // drop "ggml-vocab-"
        name = name.substr(0, name.size() - 5);
        for (char& ch : name)
            if (ch == '-') ch = '_';
        return name;
    });

struct GoldenCase {
    const char* file;
    int32_t type;
    uint64_t file_type;
    uint64_t output_norm_offset;  // = bytes of token_embd (256 rows), row headers included
    uint64_t file_size;
};

class GgufGoldenQuants : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GgufGoldenQuants, RowHeaderTypesSizeCorrectly) {
    const GoldenCase& c = GetParam();
    const GgufModel m = GgufModel::open(data_file(c.file));
    const GgufFile& f = m.shards()[0];
    EXPECT_EQ(f.file_size(), c.file_size);
    EXPECT_EQ(m.kvs().size(), 22u);
    EXPECT_EQ(m.tensors().size(), 12u);
    EXPECT_EQ(f.data_offset(), 5152u);
    EXPECT_EQ(m.get("general.file_type").as_u64(), c.file_type);
    EXPECT_EQ(m.get("quantize.imatrix.entries_count").value.get<int32_t>(), 9);
    std::map<int32_t, int> types;
    for (const TensorInfo& t : m.tensors()) ++types[t.type];
    EXPECT_EQ(types, (std::map<int32_t, int>{{0, 3}, {c.type, 9}}));
    const TensorInfo* embd = m.find_tensor("token_embd.weight");
    ASSERT_NE(embd, nullptr);
    EXPECT_EQ(embd->type, c.type);
    EXPECT_EQ(embd->nbytes, c.output_norm_offset);
    EXPECT_EQ(m.find_tensor("output_norm.weight")->offset, c.output_norm_offset);
    const TensorInfo* down = m.find_tensor("blk.0.ffn_down.weight");
    ASSERT_NE(down, nullptr);
    EXPECT_EQ(down->ne[0], 512);
    EXPECT_EQ(down->ne[1], 256);
    expect_tensors_fill_the_data_section(f);
}

INSTANTIATE_TEST_SUITE_P(All, GgufGoldenQuants,
                         ::testing::Values(GoldenCase{"golden-IQ2_KS.gguf", 145, 147, 256 * (2 + 70), 228896},
                                           GoldenCase{"golden-IQ4_KSS.gguf", 146, 148, 256 * (4 + 128), 412704},
                                           GoldenCase{"golden-IQ1_KT.gguf", 158, 156, 256 * (4 + 56), 191520},
                                           GoldenCase{"golden-Q8_0.gguf", 8, 7, 256 * 8 * 34, 843808}),
                         [](const auto& test_info) { return std::string(find_type(test_info.param.type)->name); });

}  // namespace
}  // namespace sy::gguf
