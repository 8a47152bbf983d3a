// Per-tensor types of a file-type mix (llama-quantize without --pure).
//
// A mix such as Q4_K_M is a default type plus adjustments by tensor role and layer: more
// bits for output.weight, attn_v, the first and last ffn_down layers, the attention of MoE
// models, and so on. These rules reproduce ik_llama.cpp's llama_tensor_get_type
// (src/llama-quantize.cpp) for every file type in file_types.hpp, so `switchyard quantize
// in.gguf Q4_K_M` gives the tensor types `llama-quantize in.gguf Q4_K_M` gives. The rules
// match substrings of tensor names as the anchor does ("attn_k" also matches deepseek2's
// attn_kv_a_mqa, attn_kv_b and attn_k_b, which is why MoE models get them at Q8_0).
//
// Not reproduced: the anchor's model-size checks (its MODEL_8B / MODEL_70B special cases
// for llama-3 vocabularies) are approximated from n_layer (32 -> 8B, 80 -> 70B), and the
// Falcon-only rules are kept only where they change a result for arch "falcon".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "quantize/file_types.hpp"

namespace sy::quantize {

// What the rules need to know about the model (from its GGUF metadata).
struct ModelFacts {
    std::string arch;         // general.architecture
    int n_layer = 0;          // <arch>.block_count
    int n_expert = 0;         // <arch>.expert_count (0 for dense models)
    int n_head = 0;           // <arch>.attention.head_count
    int n_head_kv = 0;        // <arch>.attention.head_count_kv
    int64_t n_vocab = 0;      // tokenizer.ggml.tokens length, or <arch>.vocab_size
    bool has_output = false;  // output.weight exists (else token_embd is the output matrix)
    int n_attention_wv = 0;   // tensors named *attn_v.weight / *attn_qkv.weight
    int n_gqa() const { return (n_head > 0 && n_head_kv > 0) ? n_head / n_head_kv : 1; }
};

// Types a user fixed on the command line for single tensors (override the mix).
struct RoleOverrides {
    std::optional<TensorType> output;           // --output-tensor-type
    std::optional<TensorType> token_embedding;  // --token-embedding-type
};

// Stateful, like the anchor: some rules count the tensors of a role seen so far (attn_v
// and ffn_down in dense models), so tensors must be presented in file order, each once.
class MixRules {
public:
    MixRules(ModelFacts facts, FileType file_type, bool has_imatrix, RoleOverrides overrides);

    // The mix's type for a quantizable tensor `name` with row length ne0. Throws sy::Error
    // when a MoE tensor name has no (valid) "blk.N." layer.
    int32_t type_for(std::string_view name, int64_t ne0);

private:
    int32_t output_type(int64_t ne0, int32_t current) const;
    int32_t token_embd_type(int32_t current) const;
    int32_t iq2_kt_rules(std::string_view name, int32_t current);
    int32_t very_low_bit_rules(std::string_view name, int32_t current);
    int32_t attn_v_type(int32_t current);
    int32_t attn_k_type(int32_t current) const;
    int32_t attn_q_type(int32_t current) const;
    int32_t ffn_down_type(std::string_view name, int32_t current);
    int32_t attn_output_type(int32_t current) const;
    int32_t attn_qkv_type(int32_t current) const;
    int32_t ffn_gate_up_type(std::string_view name, int32_t current, int& counter);
    // The layer of a tensor: parsed from "blk.N." in MoE models (whose expert tensors are
    // not one per layer in order), else the running count of that role.
    int layer_of(std::string_view name, int counter) const;
    bool is(std::string_view file_type_name) const { return file_type_.name == file_type_name; }
    bool model_is_8b() const;
    bool model_is_70b() const;

    ModelFacts facts_;
    FileType file_type_;
    bool has_imatrix_;
    RoleOverrides overrides_;
    int i_attention_wv_ = 0;
    int i_ffn_down_ = 0;
    int i_ffn_gate_ = 0;
    int i_ffn_up_ = 0;
};

// The anchor's fallback when a row does not fit the type's block (ne0 % 256 != 0 for the
// 256-element types): IQ4_NL for the types up to ~4 bpw, Q5_0 for the 4.5-5 bpw ones, Q6_0
// for 5.5 bpw, Q8_0 for 6-bit. Returns `type` unchanged when it fits. Throws sy::Error when
// even the fallback does not fit (ne0 not a multiple of 32).
int32_t fallback_type(int32_t type, int64_t ne0, std::string_view tensor_name);

}  // namespace sy::quantize
