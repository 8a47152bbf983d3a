// The weight tensors of a model, found by name and checked against the hyperparameters.
//
// Every tensor the forward pass reads is looked up here once; a missing tensor or one with
// an unexpected shape is an sy::Error naming the tensor, the expected and the found shape.
// Weights point into the GGUF file (mapped or read), except those derived at load time:
// deepseek2's attn_k_b / attn_v_b when a file stores only attn_kv_b (they are split out of
// it in F32, as ik_llama.cpp derives them).
//
// Shapes in ggml order (ne0 = row length). Thread safety: immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "gguf/gguf_model.hpp"
#include "model/model_params.hpp"

namespace sy::model {

struct Weight {
    std::string name;
    int32_t type = 0;  // GGML type id
    int n_dims = 1;
    std::array<int64_t, 4> ne = {1, 1, 1, 1};
    std::span<const uint8_t> bytes;  // rows * row_bytes, in the file or in derived storage
    int layer = -1;                  // blk.N index, -1 for the global tensors
};

using WeightId = int32_t;
inline constexpr WeightId kNoWeight = -1;

struct LayerWeights {
    WeightId attn_norm = kNoWeight;  // [n_embd]
    // llama attention
    WeightId wq = kNoWeight, wk = kNoWeight, wv = kNoWeight;  // [n_embd, H*hd] / [n_embd, Hkv*hd]
    WeightId wo = kNoWeight;                                  // [H*hd_v, n_embd]
    // deepseek2 MLA
    WeightId q_a = kNoWeight;       // [n_embd, q_lora]
    WeightId q_a_norm = kNoWeight;  // [q_lora]
    WeightId q_b = kNoWeight;       // [q_lora, H*(nope+rope)]
    WeightId kv_a_mqa = kNoWeight;  // [n_embd, kv_lora + rope]
    WeightId kv_a_norm = kNoWeight; // [kv_lora]
    WeightId k_b = kNoWeight;       // [nope, kv_lora, H] (2-D files: [nope, kv_lora*H])
    WeightId v_b = kNoWeight;       // [kv_lora, v, H]    (2-D files: [kv_lora, v*H])
    // FFN
    WeightId ffn_norm = kNoWeight;                                       // [n_embd]
    WeightId ffn_gate = kNoWeight, ffn_up = kNoWeight, ffn_down = kNoWeight;  // dense
    WeightId gate_inp = kNoWeight;     // [n_embd, E] router
    WeightId exp_probs_b = kNoWeight;  // [E] selection bias (optional)
    WeightId gate_exps = kNoWeight, up_exps = kNoWeight;  // [n_embd, n_ff_exp, E]
    WeightId down_exps = kNoWeight;                       // [n_ff_exp, n_embd, E]
    WeightId gate_shexp = kNoWeight, up_shexp = kNoWeight, down_shexp = kNoWeight;
};

class ModelWeights {
public:
    ModelWeights(const gguf::GgufModel& file, const ModelParams& params);
    ModelWeights(const ModelWeights&) = delete;
    ModelWeights& operator=(const ModelWeights&) = delete;

    const Weight& operator[](WeightId id) const { return all_[size_t(id)]; }
    std::span<const Weight> all() const { return all_; }

    WeightId token_embd = kNoWeight;   // [n_embd, n_vocab]
    WeightId output_norm = kNoWeight;  // [n_embd]
    WeightId output = kNoWeight;       // [n_embd, n_vocab]; token_embd's bytes when tied
    WeightId rope_freqs = kNoWeight;   // [n_rot/2] optional frequency factors (llama 3)
    std::vector<LayerWeights> layers;

private:
    const gguf::GgufModel& file_;
    const ModelParams& params_;
    std::vector<Weight> all_;
    std::deque<std::vector<uint8_t>> derived_;  // storage of derived tensors (stable addresses)

    WeightId require(const std::string& name, std::initializer_list<int64_t> shape, int layer);
    WeightId optional(const std::string& name, std::initializer_list<int64_t> shape, int layer);
    WeightId add_file_tensor(const gguf::TensorInfo& info, std::initializer_list<int64_t> shape, int layer);
    void load_llama_layer(int il, LayerWeights& lw);
    void load_deepseek2_layer(int il, LayerWeights& lw);
    void derive_k_b_v_b(int il, LayerWeights& lw);
};

// Bytes of weights the model reads (every tensor once; tied output counted once).
uint64_t total_weight_bytes(const ModelWeights& weights);

}  // namespace sy::model
