// A deliberately plain forward pass for checking the runtime: every weight dequantized to
// float once, then textbook loops in double, one token at a time, with no KV cache and no
// shared code with core/runtime or core/model (hyperparameters are read from the GGUF keys
// here, with ik_llama.cpp's defaults for the absent ones).
//
//   llama      pre-norm blocks: GQA attention with RoPE in ggml's NORM mode (adjacent pairs,
//              theta_i = pos * base^(-2i/n_rot)), optional linear or YaRN scaling and
//              rope_freqs divisors, then a SwiGLU FFN.
//   deepseek2  MLA in its original, non-absorbed form: per head the latent is decompressed
//              into a key (k_nope) and a value, scores are q_nope.k_nope + q_rope.k_rope, and
//              softmax runs over every earlier position. Then a dense FFN (leading layers) or
//              routed experts: top-k on probs (+ selection bias), weights from the unbiased
//              probs, optionally normalized, times expert_weights_scale, plus the shared expert.
//
// YaRN follows ggml: angles ramp between interpolated (pos * freq_scale) and extrapolated
// ones over the correction dims, and the magnitude gains 1 + 0.1 ln(1/freq_scale). deepseek2
// (as ik_llama.cpp builds it) cancels that gain on the RoPE part and instead multiplies the
// attention scale by mscale^2, mscale = attn_factor * (1 + yarn_log_multiplier ln(1/freq_scale)).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "gguf/gguf_model.hpp"

namespace sy::test {

class NaiveModel {
public:
    explicit NaiveModel(const gguf::GgufModel& file);

    // Logits of every position for tokens at positions 0..n-1: [n][n_vocab], row-major.
    std::vector<double> forward(std::span<const int32_t> tokens) const;

    int64_t n_vocab() const { return n_vocab_; }
    // Smallest gap, over the last forward()'s tokens and MoE layers, between the k-th and the
    // (k+1)-th selection score: how far numeric noise must move the router to change a choice.
    double min_routing_margin() const { return min_routing_margin_; }

private:
    struct Tensor {
        std::vector<int64_t> ne;
        std::vector<float> values;  // dequantized, ggml order (ne0 fastest)
    };
    const Tensor& get(const std::string& name) const;
    const Tensor* find(const std::string& name) const;
    // y = W x for a matrix stored [n_in, n_out] (rows of n_in); `slice` selects ne2 index.
    std::vector<double> matvec(const Tensor& w, const std::vector<double>& x, int64_t slice = 0) const;
    std::vector<double> norm(const std::vector<double>& x, const std::string& weight) const;
    std::vector<double> swiglu(const std::vector<double>& x, const std::string& gate, const std::string& up,
                               const std::string& down) const;
    // Rotates the first n_rot values of `v` for position `pos` with magnitude `magnitude`.
    void rope(double* v, int64_t pos, double magnitude) const;
    std::vector<double> output_logits(const std::vector<double>& x) const;

    std::vector<double> forward_llama(std::span<const int32_t> tokens) const;
    std::vector<double> forward_deepseek2(std::span<const int32_t> tokens) const;
    std::vector<double> moe(int il, const std::vector<double>& x) const;

    std::map<std::string, Tensor> tensors_;
    bool deepseek2_ = false;
    int64_t n_vocab_ = 0, n_embd_ = 0, n_layer_ = 0, n_head_ = 0, n_head_kv_ = 0;
    int64_t head_k_ = 0, head_v_ = 0, n_rot_ = 0;
    double rms_eps_ = 1e-5;
    // RoPE
    double freq_base_ = 10000.0, freq_scale_ = 1.0, attn_factor_ = 1.0;
    bool yarn_ = false;
    int64_t n_ctx_orig_ = 0;
    double yarn_log_mul_ = 0.0;
    // deepseek2
    int64_t kv_lora_ = 0, nope_ = 0, n_dense_lead_ = 0;
    int64_t n_expert_ = 0, n_expert_used_ = 0;
    bool sigmoid_gating_ = false, weights_norm_ = false;
    double weights_scale_ = 1.0;
    mutable double min_routing_margin_ = 0.0;
};

struct NaivePerplexity {
    int64_t count = 0;  // scored tokens
    double nll = 0.0;   // sum of -log p
    double ppl() const;
};

// The llama-perplexity protocol: chunks of n_ctx tokens, each chunk's first token replaced by
// `bos`, logits at positions n_ctx/2 .. n_ctx-2 scoring the next token.
NaivePerplexity naive_perplexity(const NaiveModel& model, std::span<const int32_t> tokens, int64_t n_ctx,
                                 int32_t bos);

}  // namespace sy::test
