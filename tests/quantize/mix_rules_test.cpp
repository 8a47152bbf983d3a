// The per-tensor types of llama-quantize's mixes (core/quantize/mix_rules.hpp): the rules a
// user can see in a file's tensor types, checked against what ik_llama.cpp's
// llama_tensor_get_type does for the same model facts (cases worked out from its source).
#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "quantize/mix_rules.hpp"
#include "types/type_registry.hpp"

namespace sy::quantize {
namespace {

ModelFacts deepseek2_facts() {
    ModelFacts f;
    f.arch = "deepseek2";
    f.n_layer = 4;
    f.n_expert = 16;
    f.n_head = f.n_head_kv = 4;
    f.n_vocab = 2048;
    f.has_output = true;
    return f;
}

ModelFacts llama_facts(int n_layer, int n_gqa) {
    ModelFacts f;
    f.arch = "llama";
    f.n_layer = n_layer;
    f.n_head = 32;
    f.n_head_kv = 32 / n_gqa;
    f.n_vocab = 32000;
    f.has_output = true;
    f.n_attention_wv = n_layer;
    return f;
}

std::string pick(MixRules& rules, const std::string& name, int64_t ne0 = 4096) {
    return type_name(rules.type_for(name, ne0));
}

TEST(MixRules, Q4KMOnDeepseek2) {
    MixRules r(deepseek2_facts(), *parse_file_type("Q4_K_M"), false, {});
    EXPECT_EQ(pick(r, "output.weight", 256), "Q6_K");
    EXPECT_EQ(pick(r, "token_embd.weight", 256), "Q4_K");
    // "attn_k" matches attn_kv_a_mqa, attn_kv_b and attn_k_b: Q8_0 in MoE models.
    EXPECT_EQ(pick(r, "blk.0.attn_kv_a_mqa.weight"), "Q8_0");
    EXPECT_EQ(pick(r, "blk.0.attn_kv_b.weight"), "Q8_0");
    EXPECT_EQ(pick(r, "blk.0.attn_k_b.weight"), "Q8_0");
    EXPECT_EQ(pick(r, "blk.0.attn_v_b.weight"), "Q4_K");  // not "attn_v.weight"
    EXPECT_EQ(pick(r, "blk.0.attn_q_b.weight"), "Q4_K");
    EXPECT_EQ(pick(r, "blk.0.attn_output.weight"), "Q5_K");
    // ffn_down: layer parsed from the name; more bits on layers 2 and 3 of 4.
    EXPECT_EQ(pick(r, "blk.0.ffn_down.weight"), "Q4_K");
    EXPECT_EQ(pick(r, "blk.1.ffn_down_exps.weight"), "Q4_K");
    EXPECT_EQ(pick(r, "blk.2.ffn_down_exps.weight"), "Q6_K");
    EXPECT_EQ(pick(r, "blk.3.ffn_down_shexp.weight"), "Q6_K");
    EXPECT_EQ(pick(r, "blk.3.ffn_up_exps.weight"), "Q4_K");
    EXPECT_THROW(pick(r, "blk.9.ffn_down_exps.weight"), Error);  // layer out of range
    EXPECT_THROW(pick(r, "ffn_down_exps.weight"), Error);        // no layer
}

TEST(MixRules, Q4KMOnDenseGqaLlama) {
    MixRules r(llama_facts(8, 4), *parse_file_type("Q4_K_M"), false, {});
    std::string attn_v, ffn_down;
    for (int il = 0; il < 8; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        attn_v += pick(r, b + "attn_v.weight") + " ";
        ffn_down += pick(r, b + "ffn_down.weight") + " ";
    }
    // use_more_bits(i, 8): i < 1, i >= 7, or (i - 1) % 3 == 2 -> layers 0, 3, 6, 7.
    // The other layers get the grouped-query bump (n_gqa >= 4): Q4_K -> Q5_K.
    EXPECT_EQ(attn_v, "Q6_K Q5_K Q5_K Q6_K Q5_K Q5_K Q6_K Q6_K ");
    EXPECT_EQ(ffn_down, "Q6_K Q4_K Q4_K Q6_K Q4_K Q4_K Q6_K Q6_K ");
}

TEST(MixRules, VeryLowBitAndIqkMixes) {
    MixRules iq2(deepseek2_facts(), *parse_file_type("IQ2_KS"), true, {});
    EXPECT_EQ(pick(iq2, "blk.0.attn_kv_b.weight"), "Q4_K");  // n_expert >= 8
    EXPECT_EQ(pick(iq2, "blk.0.attn_q_a.weight"), "Q4_K");
    EXPECT_EQ(pick(iq2, "blk.0.attn_output.weight"), "Q5_K");
    EXPECT_EQ(pick(iq2, "blk.1.ffn_up_exps.weight"), "IQ2_KS");
    EXPECT_EQ(pick(iq2, "output.weight", 256), "Q5_K");

    MixRules kl(llama_facts(8, 4), *parse_file_type("IQ2_KL"), true, {});
    EXPECT_EQ(pick(kl, "blk.0.attn_v.weight"), "IQ4_KS");
    EXPECT_EQ(pick(kl, "blk.0.attn_q.weight"), "IQ2_KL");

    MixRules q2k(llama_facts(8, 1), *parse_file_type("Q2_K"), false, {});
    EXPECT_EQ(pick(q2k, "blk.0.attn_v.weight"), "Q3_K");
    EXPECT_EQ(pick(q2k, "blk.0.ffn_down.weight"), "Q3_K");
    EXPECT_EQ(pick(q2k, "blk.0.attn_output.weight"), "Q3_K");

    // Q4_0 with an imatrix guards the first eighth of ffn_down with Q4_1.
    MixRules q40(llama_facts(16, 1), *parse_file_type("Q4_0"), true, {});
    EXPECT_EQ(pick(q40, "blk.0.ffn_down.weight"), "Q4_1");
    EXPECT_EQ(pick(q40, "blk.1.ffn_down.weight"), "Q4_1");
    EXPECT_EQ(pick(q40, "blk.2.ffn_down.weight"), "Q4_0");
}

TEST(MixRules, OutputAndEmbeddingOverridesAndTiedEmbeddings) {
    ModelFacts tied = llama_facts(8, 1);
    tied.has_output = false;  // token_embd doubles as the output matrix
    MixRules r(tied, *parse_file_type("IQ2_K"), true, {});
    EXPECT_EQ(pick(r, "token_embd.weight"), "IQ4_K");
    MixRules o(llama_facts(8, 1), *parse_file_type("Q4_K_M"), false,
               RoleOverrides{TensorType{8, false}, TensorType{14, false}});
    EXPECT_EQ(pick(o, "output.weight"), "Q8_0");
    EXPECT_EQ(pick(o, "token_embd.weight"), "Q6_K");
}

TEST(Fallback, RowsThatDoNotFitTheBlock) {
    EXPECT_EQ(type_name(fallback_type(157, 128, "t")), "IQ4_NL");  // IQ2_KL
    EXPECT_EQ(type_name(fallback_type(12, 128, "t")), "Q5_0");     // Q4_K
    EXPECT_EQ(type_name(fallback_type(139, 64, "t")), "Q5_0");     // IQ4_K
    EXPECT_EQ(type_name(fallback_type(13, 96, "t")), "Q6_0");      // Q5_K
    EXPECT_EQ(type_name(fallback_type(141, 128, "t")), "Q8_0");    // IQ6_K
    EXPECT_EQ(type_name(fallback_type(14, 256, "t")), "Q6_K");     // fits: unchanged
    EXPECT_EQ(type_name(fallback_type(8, 64, "t")), "Q8_0");
    try {
        fallback_type(157, 100, "blk.0.odd.weight");
        FAIL() << "100 fits no type";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("blk.0.odd.weight"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace sy::quantize
