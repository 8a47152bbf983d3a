// What the architecture graphs (llama_forward.cpp, deepseek2_forward.cpp) share: weight
// leaves, the token and RoPE inputs, the KV cache views, and the common blocks (RMS norm with
// its weight, the SwiGLU FFN, the output head).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/model_params.hpp"
#include "model/model_weights.hpp"
#include "runtime/graph.hpp"
#include "runtime/rope_table.hpp"

namespace sy::runtime {

// One layer's KV cache on its device. deepseek2 keeps only k: per token the normalized
// latent and the roped shared key, [kv_lora + n_rot]; llama keeps k [hd_k, Hkv] and v [hd_v, Hkv].
struct LayerCache {
    DeviceTensor k, v;
    int32_t type_k = 1, type_v = 1;  // GGML type ids (F16 default)
};

struct ForwardRequest {
    std::span<const int32_t> tokens;  // this ubatch
    int64_t n_past = 0;               // position of tokens[0]
    int64_t n_ctx = 0;                // cache rows
    bool all_logits = false;          // logits of every token, else of the last one only
};

class ForwardBuilder {
public:
    ForwardBuilder(const model::ModelParams& params, const model::ModelWeights& weights,
                   std::span<const DeviceTensor> weight_place, std::span<const LayerCache> caches,
                   const ForwardRequest& request);

    Graph& graph() { return g_; }
    const model::ModelParams& params() const { return params_; }
    const model::ModelWeights& weights() const { return weights_; }
    const ForwardRequest& request() const { return request_; }
    int64_t n_tokens() const { return int64_t(request_.tokens.size()); }
    const LayerCache& cache(int layer) const { return caches_[size_t(layer)]; }

    // The graph leaf of a weight (added on first use).
    TensorId w(model::WeightId id);
    // Token ids [T] (I32) and the embedding lookup [n_embd, T].
    TensorId embed_tokens();
    // RoPE table [n_rot, T] for the request's positions.
    TensorId rope_table_input(const RopeParams& rope);
    // rms_norm(x) * weight
    TensorId norm(TensorId x, model::WeightId weight);
    // down( silu(gate x) * up x )
    TensorId swiglu_ffn(TensorId x, model::WeightId gate, model::WeightId up, model::WeightId down);
    // Final norm and output head over the last token (or all), marked as the graph's output.
    TensorId output_head(TensorId x);
    // A cache tensor for layer il of shape ne (whole cache; views are taken by the callers).
    TensorId cache_k(int il, std::initializer_list<int64_t> ne);
    TensorId cache_v(int il, std::initializer_list<int64_t> ne);

private:
    const model::ModelParams& params_;
    const model::ModelWeights& weights_;
    std::span<const DeviceTensor> weight_place_;
    std::span<const LayerCache> caches_;
    ForwardRequest request_;
    Graph g_;
    std::vector<TensorId> weight_leaf_;
    std::vector<float> rope_storage_;
};

// The architectures. Each returns the logits tensor ([n_vocab, T] or [n_vocab, 1]).
TensorId build_llama_forward(ForwardBuilder& b);
TensorId build_deepseek2_forward(ForwardBuilder& b);

}  // namespace sy::runtime
