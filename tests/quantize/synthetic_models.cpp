#include "synthetic_models.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "types/quants/quantize.hpp"

namespace sy::test {
namespace {

using gguf::GgufWriter;
using gguf::Value;

class TensorMaker {
public:
    TensorMaker(GgufWriter& w, uint32_t seed, bool f16) : w_(w), rng_(seed), f16_(f16) {}

    // A weight matrix ne0 x ne1 [x ne2] of N(0, 0.02^2), every 7th column scaled up so that
    // the importance weights and the outlier handling of the quantizers have work to do.
    void matrix(const std::string& name, std::vector<int64_t> ne) {
        int64_t n = 1;
        for (int64_t d : ne) n *= d;
        std::vector<float> v(static_cast<size_t>(n));
        std::normal_distribution<float> normal(0.f, 0.02f);
        for (int64_t i = 0; i < n; ++i) v[size_t(i)] = normal(rng_) * ((i % ne[0]) % 7 == 0 ? 4.f : 1.f);
        store(name, ne, v, f16_);
    }
    void vector(const std::string& name, int64_t n, float center) {
        std::vector<float> v(static_cast<size_t>(n));
        std::normal_distribution<float> normal(center, 0.1f);
        for (float& x : v) x = normal(rng_);
        store(name, {n}, v, false);
    }

private:
    void store(const std::string& name, const std::vector<int64_t>& ne, const std::vector<float>& v, bool f16) {
        std::vector<uint8_t> bytes(v.size() * (f16 ? 2 : 4));
        if (f16) quants::quantize_row_f16(v.data(), bytes.data(), int64_t(v.size()), nullptr);
        else std::memcpy(bytes.data(), v.data(), bytes.size());
        w_.add_tensor(name, f16 ? 1 : 0, ne, bytes);
    }

    GgufWriter& w_;
    std::mt19937 rng_;
    bool f16_;
};

void add_vocab(GgufWriter& w, int n_vocab) {
    std::vector<std::string> tokens;
    for (int i = 0; i < n_vocab; ++i) tokens.push_back("<t" + std::to_string(i) + ">");
    w.set("tokenizer.ggml.model", Value::string("gpt2"));
    w.set("tokenizer.ggml.tokens", Value::string_array(tokens));
}

}  // namespace

GgufWriter make_deepseek2(const SyntheticDeepseek2& s) {
    // tiny-ds2's geometry: n_embd 256, 4 heads, q_lora 128, kv_lora 256, nope 64 + rope 32,
    // v 64, expert width 256, dense FFN 512.
    constexpr int64_t kEmbd = 256, kHeads = 4, kQLora = 128, kKvLora = 256, kNope = 64, kRope = 32, kV = 64;
    constexpr int64_t kExpertFf = 256, kDenseFf = 512;
    GgufWriter w;
    w.set("general.architecture", Value::string("deepseek2"));
    w.set("general.name", Value::string("synthetic-ds2"));
    w.set("general.file_type", Value::scalar<uint32_t>(s.f16 ? 1 : 0));
    w.set("deepseek2.block_count", Value::scalar<uint32_t>(uint32_t(s.n_layer)));
    w.set("deepseek2.embedding_length", Value::scalar<uint32_t>(kEmbd));
    w.set("deepseek2.feed_forward_length", Value::scalar<uint32_t>(kDenseFf));
    w.set("deepseek2.attention.head_count", Value::scalar<uint32_t>(kHeads));
    w.set("deepseek2.attention.head_count_kv", Value::scalar<uint32_t>(kHeads));
    w.set("deepseek2.attention.q_lora_rank", Value::scalar<uint32_t>(kQLora));
    w.set("deepseek2.attention.kv_lora_rank", Value::scalar<uint32_t>(kKvLora));
    w.set("deepseek2.attention.key_length", Value::scalar<uint32_t>(kNope + kRope));
    w.set("deepseek2.attention.value_length", Value::scalar<uint32_t>(kV));
    w.set("deepseek2.rope.dimension_count", Value::scalar<uint32_t>(kRope));
    w.set("deepseek2.leading_dense_block_count", Value::scalar<uint32_t>(1));
    w.set("deepseek2.expert_count", Value::scalar<uint32_t>(uint32_t(s.n_expert)));
    w.set("deepseek2.expert_used_count", Value::scalar<uint32_t>(2));
    w.set("deepseek2.expert_shared_count", Value::scalar<uint32_t>(1));
    w.set("deepseek2.expert_feed_forward_length", Value::scalar<uint32_t>(kExpertFf));
    add_vocab(w, s.n_vocab);

    TensorMaker t(w, s.seed, s.f16);
    t.matrix("token_embd.weight", {kEmbd, s.n_vocab});
    for (int il = 0; il < s.n_layer; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        t.vector(b + "attn_norm.weight", kEmbd, 1.f);
        t.matrix(b + "attn_q_a.weight", {kEmbd, kQLora});
        t.vector(b + "attn_q_a_norm.weight", kQLora, 1.f);
        t.matrix(b + "attn_q_b.weight", {kQLora, kHeads * (kNope + kRope)});
        t.matrix(b + "attn_kv_a_mqa.weight", {kEmbd, kKvLora + kRope});
        t.vector(b + "attn_kv_a_norm.weight", kKvLora, 1.f);
        t.matrix(b + "attn_kv_b.weight", {kKvLora, kHeads * (kNope + kV)});
        t.matrix(b + "attn_k_b.weight", {kNope, kHeads * kKvLora});
        t.matrix(b + "attn_v_b.weight", {kKvLora, kHeads * kV});
        t.matrix(b + "attn_output.weight", {kHeads * kV, kEmbd});
        t.vector(b + "ffn_norm.weight", kEmbd, 1.f);
        if (il == 0) {
            t.matrix(b + "ffn_gate.weight", {kEmbd, kDenseFf});
            t.matrix(b + "ffn_up.weight", {kEmbd, kDenseFf});
            t.matrix(b + "ffn_down.weight", {kDenseFf, kEmbd});
            continue;
        }
        // The router and its bias stay F32, as the converter leaves them.
        TensorMaker(w, s.seed + uint32_t(il), false).matrix(b + "ffn_gate_inp.weight", {kEmbd, s.n_expert});
        t.vector(b + "exp_probs_b.bias", s.n_expert, 0.f);
        t.matrix(b + "ffn_gate_exps.weight", {kEmbd, kExpertFf, s.n_expert});
        t.matrix(b + "ffn_up_exps.weight", {kEmbd, kExpertFf, s.n_expert});
        t.matrix(b + "ffn_down_exps.weight", {kExpertFf, kEmbd, s.n_expert});
        t.matrix(b + "ffn_gate_shexp.weight", {kEmbd, kExpertFf});
        t.matrix(b + "ffn_up_shexp.weight", {kEmbd, kExpertFf});
        t.matrix(b + "ffn_down_shexp.weight", {kExpertFf, kEmbd});
    }
    t.vector("output_norm.weight", kEmbd, 1.f);
    t.matrix("output.weight", {kEmbd, s.n_vocab});
    return w;
}

GgufWriter make_llama(const SyntheticLlama& s) {
    GgufWriter w;
    w.set("general.architecture", Value::string("llama"));
    w.set("llama.block_count", Value::scalar<uint32_t>(uint32_t(s.n_layer)));
    w.set("llama.embedding_length", Value::scalar<uint32_t>(uint32_t(s.n_embd)));
    w.set("llama.feed_forward_length", Value::scalar<uint32_t>(uint32_t(s.n_ff)));
    w.set("llama.attention.head_count", Value::scalar<uint32_t>(uint32_t(s.n_head)));
    w.set("llama.attention.head_count_kv", Value::scalar<uint32_t>(uint32_t(s.n_head_kv)));
    add_vocab(w, s.n_vocab);
    TensorMaker t(w, s.seed, false);
    const int64_t head_dim = s.n_embd / s.n_head;
    t.matrix("token_embd.weight", {s.n_embd, s.n_vocab});
    for (int il = 0; il < s.n_layer; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        t.vector(b + "attn_norm.weight", s.n_embd, 1.f);
        t.matrix(b + "attn_q.weight", {s.n_embd, s.n_embd});
        t.matrix(b + "attn_k.weight", {s.n_embd, head_dim * s.n_head_kv});
        t.matrix(b + "attn_v.weight", {s.n_embd, head_dim * s.n_head_kv});
        t.matrix(b + "attn_output.weight", {s.n_embd, s.n_embd});
        t.vector(b + "ffn_norm.weight", s.n_embd, 1.f);
        t.matrix(b + "ffn_gate.weight", {s.n_embd, s.n_ff});
        t.matrix(b + "ffn_up.weight", {s.n_embd, s.n_ff});
        t.matrix(b + "ffn_down.weight", {s.n_ff, s.n_embd});
    }
    t.vector("output_norm.weight", s.n_embd, 1.f);
    t.matrix("output.weight", {s.n_embd, s.n_vocab});
    return w;
}

std::string temp_dir_for_test() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : name)
        if (c == '/') c = '_';
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("switchyard-quantize-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

}  // namespace sy::test
