// The trained tiny deepseek2 model from ../shared (too large to copy into tests/data). Skipped,
// with the reason, only when the shared directory is absent; CI has it.
#include <gtest/gtest.h>

#include <filesystem>

#include "gguf_test_support.hpp"
#include "gguf/gguf_model.hpp"

namespace sy::gguf {
namespace {

std::string tiny_ds2(const char* name) {
    return std::string(SWITCHYARD_SHARED_DIR) + "/models/tiny-ds2/" + name;
}

class GgufTinyDs2 : public ::testing::TestWithParam<const char*> {};

TEST_P(GgufTinyDs2, MatchesTheModelCard) {
    const std::string path = tiny_ds2(GetParam());
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent (needs the shared data directory)";
    const bool f16 = std::string(GetParam()).find("f16") != std::string::npos;
    const GgufModel m = GgufModel::open(path);
    EXPECT_EQ(m.total_file_size(), f16 ? 27326912u : 54524352u);
    EXPECT_EQ(m.kvs().size(), 38u);
    ASSERT_EQ(m.tensors().size(), 74u);  // model card: "13,614,896 elements in 74 tensors"
    EXPECT_EQ(m.shards()[0].data_offset(), 64768u);
    EXPECT_EQ(m.get("general.architecture").as_string(), "deepseek2");
    EXPECT_EQ(m.get("deepseek2.block_count").as_u64(), 4u);
    EXPECT_EQ(m.get("deepseek2.attention.kv_lora_rank").as_u64(), 256u);
    EXPECT_EQ(m.get("deepseek2.expert_count").as_u64(), 16u);
    EXPECT_DOUBLE_EQ(m.get("deepseek2.expert_weights_scale").as_f64(), 2.5);
    EXPECT_TRUE(m.get("deepseek2.expert_weights_norm").as_bool());
    EXPECT_EQ(m.get("tokenizer.ggml.tokens").value.size(), 2048u);
    EXPECT_EQ(m.get("tokenizer.ggml.merges").value.size(), 1790u);
    EXPECT_EQ(m.get("tokenizer.ggml.bos_token_id").as_u64(), 2046u);

    int64_t elements = 0;
    uint64_t bytes = 0;
    int n_f16 = 0;
    for (const TensorInfo& t : m.tensors()) {
        elements += t.n_elements();
        bytes += t.nbytes;
        n_f16 += t.type == 1;
    }
    EXPECT_EQ(elements, 13614896);
    EXPECT_EQ(bytes, f16 ? 27262144u : 54459584u);
    EXPECT_EQ(n_f16, f16 ? 51 : 0);

    const TensorInfo* exps = m.find_tensor("blk.1.ffn_gate_exps.weight");
    ASSERT_NE(exps, nullptr);
    EXPECT_EQ(exps->n_dims, 3u);
    EXPECT_EQ(exps->ne[2], 16);
    EXPECT_EQ(exps->offset, f16 ? 4185152u : 8346688u);
    const TensorInfo* k_b = m.find_tensor("blk.0.attn_k_b.weight");
    ASSERT_NE(k_b, nullptr);
    EXPECT_EQ(k_b->ne[0], 64);
    EXPECT_EQ(k_b->ne[1], 1024);
    EXPECT_EQ(m.find_tensor("blk.1.exp_probs_b.bias")->type, 0);
}

INSTANTIATE_TEST_SUITE_P(Both, GgufTinyDs2, ::testing::Values("tiny-ds2-f16.gguf", "tiny-ds2-f32.gguf"),
                         [](const auto& test_info) {
                             return std::string(test_info.param).find("f16") != std::string::npos ? "f16" : "f32";
                         });

}  // namespace
}  // namespace sy::gguf
