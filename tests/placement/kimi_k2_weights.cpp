#include "kimi_k2_weights.hpp"

#include <cstdint>
#include <string>

namespace sy::placement::test {
namespace {

constexpr uint64_t f32(uint64_t elements) { return elements * 4; }
constexpr uint64_t q8_0(uint64_t elements) { return elements / 32 * 34; }     // 32 weights: 2 + 32 bytes
constexpr uint64_t iq3_ks(uint64_t elements) { return elements / 256 * 102; }  // per 256 weights
constexpr uint64_t iq4_ks(uint64_t elements) { return elements / 256 * 136; }

constexpr uint64_t kEmbd = 7168, kVocab = 163840, kFf = 18432, kFfExp = 2048, kExperts = 384;
constexpr uint64_t kQLora = 1536, kKvLora = 512, kHeads = 64;

}  // namespace

std::vector<WeightInfo> kimi_k2_weights() {
    std::vector<WeightInfo> w;
    w.push_back({"token_embd.weight", q8_0(kEmbd * kVocab), -1});
    for (int l = 0; l < kKimiK2Layers; ++l) {
        const std::string blk = "blk." + std::to_string(l) + ".";
        const auto add = [&](const char* name, uint64_t bytes) { w.push_back({blk + name, bytes, l}); };
        add("attn_norm.weight", f32(kEmbd));
        add("attn_q_a_norm.weight", f32(kQLora));
        add("attn_kv_a_norm.weight", f32(kKvLora));
        add("attn_q_a.weight", q8_0(kEmbd * kQLora));
        add("attn_q_b.weight", q8_0(kQLora * kHeads * 192));
        add("attn_kv_a_mqa.weight", q8_0(kEmbd * (kKvLora + 64)));
        add("attn_kv_b.weight", q8_0(kKvLora * kHeads * 256));
        add("attn_k_b.weight", q8_0(128 * kKvLora * kHeads));
        add("attn_v_b.weight", q8_0(kKvLora * 128 * kHeads));
        add("attn_output.weight", q8_0(kHeads * 128 * kEmbd));
        add("ffn_norm.weight", f32(kEmbd));
        if (l == 0) {  // leading_dense_block_count = 1
            add("ffn_gate.weight", q8_0(kEmbd * kFf));
            add("ffn_up.weight", q8_0(kEmbd * kFf));
            add("ffn_down.weight", q8_0(kFf * kEmbd));
            continue;
        }
        add("ffn_gate_inp.weight", f32(kEmbd * kExperts));
        add("exp_probs_b.bias", f32(kExperts));
        add("ffn_gate_exps.weight", iq3_ks(kEmbd * kFfExp * kExperts));
        add("ffn_up_exps.weight", iq3_ks(kEmbd * kFfExp * kExperts));
        add("ffn_down_exps.weight", iq4_ks(kFfExp * kEmbd * kExperts));
        add("ffn_gate_shexp.weight", q8_0(kEmbd * kFfExp));
        add("ffn_up_shexp.weight", q8_0(kEmbd * kFfExp));
        add("ffn_down_shexp.weight", q8_0(kFfExp * kEmbd));
    }
    w.push_back({"output_norm.weight", f32(kEmbd), -1});
    w.push_back({"output.weight", q8_0(kEmbd * kVocab), -1});
    return w;
}

}  // namespace sy::placement::test
