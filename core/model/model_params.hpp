// Hyperparameters of the architectures Switchyard runs, read from a GGUF's `<arch>.*` keys.
//
// One struct for both architectures; the deepseek2-only members are zero for llama. Values
// follow ik_llama.cpp's loader (src/llama-hparams.cpp), including its defaults for absent
// optional keys, so the same file gives the same model in both engines. Every missing
// required key or inconsistent value is an sy::Error naming the file and the key.
#pragma once

#include <cstdint>
#include <string>

#include "gguf/gguf_model.hpp"

namespace sy::model {

enum class Arch : uint8_t { Llama, Deepseek2 };

// "llama", "deepseek2".
const char* arch_name(Arch arch);

enum class RopeScaling : uint8_t { None, Linear, Yarn };

// How routed-expert logits become probabilities (deepseek2.expert_gating_func).
enum class Gating : uint8_t { Softmax = 1, Sigmoid = 2 };

struct ModelParams {
    Arch arch = Arch::Llama;
    int64_t n_vocab = 0;
    int64_t n_embd = 0;
    int64_t n_layer = 0;
    int64_t n_head = 0;
    int64_t n_head_kv = 0;
    int64_t head_dim_k = 0;  // key length per head (llama: n_embd / n_head)
    int64_t head_dim_v = 0;  // value length per head
    int64_t n_ff = 0;        // dense FFN width
    int64_t n_ctx_train = 0;
    float rms_eps = 1e-5f;

    // RoPE: rotated dims per head, base, and the scaling of long-context variants.
    int64_t n_rot = 0;
    float rope_freq_base = 10000.0f;
    float rope_freq_scale = 1.0f;  // 1 / rope.scaling.factor
    RopeScaling rope_scaling = RopeScaling::None;
    int64_t rope_n_ctx_orig = 0;   // rope.scaling.original_context_length (default n_ctx_train)
    float rope_attn_factor = 1.0f;
    float yarn_log_multiplier = 0.0f;  // deepseek2: rope.scaling.yarn_log_multiplier
    float yarn_beta_fast = 32.0f;
    float yarn_beta_slow = 1.0f;

    // deepseek2 (MLA + MoE).
    int64_t q_lora_rank = 0;   // 0: the layer has attn_q instead of attn_q_a / attn_q_b
    int64_t kv_lora_rank = 0;
    int64_t qk_nope_dim = 0;   // head_dim_k - n_rot
    int64_t n_dense_lead = 0;  // leading layers with a dense FFN
    int64_t n_expert = 0;
    int64_t n_expert_used = 0;
    int64_t n_expert_shared = 0;
    int64_t n_ff_exp = 0;
    float expert_weights_scale = 1.0f;
    bool expert_weights_norm = false;
    Gating gating = Gating::Softmax;

    bool is_moe_layer(int64_t layer) const {
        return arch == Arch::Deepseek2 && layer >= n_dense_lead && n_expert > 0;
    }
};

// Reads and checks the hyperparameters. `path` is used in messages only.
ModelParams read_model_params(const gguf::GgufModel& model);

}  // namespace sy::model
