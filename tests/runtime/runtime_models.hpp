// Tiny generated models for the runtime tests: llama (grouped-query attention, tied or untied
// output, optional RoPE scaling) and deepseek2 (MLA with or without q-LoRA, attn_k_b/attn_v_b
// or only attn_kv_b, sigmoid or softmax routing, optional YaRN). Written as GGUF through
// gguf::GgufWriter, the way a converter lays them out.
//
// Unlike tests/quantize/synthetic_models (whose tiny N(0, 0.02) weights give near-uniform
// attention), weights here are scaled by 1/sqrt(fan_in) so that activations stay O(1), the
// attention scores spread over several units (a misplaced key or a wrong RoPE angle changes
// the logits visibly) and the router's logits separate the experts.
//
// Every matrix's storage type comes from `matrix_type` (F32 when unset); norms, the router and
// the selection bias stay F32 as the converter keeps them. `edit` lets a test rename, reshape
// or drop a tensor to build a malformed file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gguf/gguf_writer.hpp"

namespace sy::test {

constexpr int32_t kTypeF32 = 0, kTypeF16 = 1, kTypeQ8_0 = 8, kTypeQ4_K = 12;

// Storage type of a matrix, by name and ggml shape.
using MatrixTypeFn = std::function<int32_t(const std::string& name, const std::vector<int64_t>& ne)>;
// Called before each tensor is added: may change the name or the shape; false drops it.
using TensorEditFn = std::function<bool(std::string& name, std::vector<int64_t>& ne)>;

enum class RopeScalingKind { None, Linear, Yarn };

struct LlamaSpec {
    int n_layer = 2;
    int n_embd = 64;
    int n_head = 4;
    int n_head_kv = 2;  // grouped-query attention: 2 query heads per kv head
    int n_ff = 96;
    int n_vocab = 96;
    bool tied_output = false;  // no output.weight: the head reuses token_embd
    float rope_freq_base = 10000.0f;
    RopeScalingKind rope_scaling = RopeScalingKind::None;
    float rope_scaling_factor = 4.0f;
    int rope_orig_ctx = 64;
    int context_length = 256;
    bool rope_freqs = false;  // llama-3 style rope_freqs.weight: per-pair divisors of theta
    uint32_t seed = 11;
    MatrixTypeFn matrix_type;  // empty: F32
    TensorEditFn edit;
};

gguf::GgufWriter make_llama_model(const LlamaSpec& spec);

// How a deepseek2 file stores the per-head decompression of the KV latent.
enum class KvBLayout {
    SplitOnly,  // attn_k_b [nope, kv_lora, H] and attn_v_b [kv_lora, v, H]; no attn_kv_b
    KvbOnly,    // attn_kv_b [kv_lora, H*(nope+v)] only: the runtime derives the split halves
    Both,       // attn_kv_b plus consistent 2-D attn_k_b / attn_v_b (ik's converter layout)
};

struct Deepseek2Spec {
    int n_layer = 3;  // layer 0 dense, the rest MoE
    int n_embd = 64;
    int n_head = 4;
    int q_lora_rank = 64;  // 0: attn_q instead of attn_q_a / attn_q_a_norm / attn_q_b
    int kv_lora_rank = 64;
    int nope = 32;
    int rope = 32;
    int v_dim = 32;
    int n_ff = 96;      // dense layer
    int n_ff_exp = 32;  // per expert
    int n_expert = 6;
    int n_expert_used = 2;
    int n_expert_shared = 1;
    int n_vocab = 96;
    bool sigmoid_gating = true;  // else softmax (expert_gating_func 1)
    bool selection_bias = true;  // exp_probs_b.bias
    // A bias of 2 on n_expert_used experts per layer (others 0): as probabilities lie in
    // (0, 1), those experts win every selection whatever the router says, so small numeric
    // differences (quantized weights or caches) cannot flip a top-k choice.
    bool decisive_routing = false;
    bool weights_norm = true;
    float weights_scale = 2.5f;
    bool yarn = false;  // rope.scaling.type yarn, factor 4, original context 64, log multiplier 0.1
    KvBLayout kv_b_layout = KvBLayout::SplitOnly;
    int context_length = 256;
    uint32_t seed = 21;
    MatrixTypeFn matrix_type;  // empty: F32
    TensorEditFn edit;
};

gguf::GgufWriter make_deepseek2_model(const Deepseek2Spec& spec);

// Quantizes matrices whose rows fit the type's blocks: `preferred` where ne0 is a multiple of
// its block, else Q8_0 where ne0 % 32 == 0, else F32.
MatrixTypeFn quantized_matrices(int32_t preferred);

// A fresh folder under the system temp folder, removed with its contents at scope end.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }
    // Writes the model to <dir>/<name> and returns the path.
    std::string write(const gguf::GgufWriter& writer, const std::string& name) const;

private:
    std::string path_;
};

}  // namespace sy::test
