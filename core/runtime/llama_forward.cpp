// The llama forward pass: pre-norm blocks of grouped-query attention with RoPE (ggml "NORM"
// mode: adjacent pairs; the GGUF converter permutes Q/K so) and a SwiGLU FFN.
#include <cmath>
#include <cstring>

#include "common/error.hpp"
#include "runtime/forward_builder.hpp"

namespace sy::runtime {
namespace {

constexpr int32_t kRopeNorm = 0;

std::vector<float> freq_factors(const model::ModelWeights& weights) {
    if (weights.rope_freqs == model::kNoWeight) return {};
    const model::Weight& w = weights[weights.rope_freqs];
    if (w.type != 0) throw Error("rope_freqs.weight must be F32");
    std::vector<float> out(size_t(w.ne[0]));
    std::memcpy(out.data(), w.bytes.data(), out.size() * sizeof(float));
    return out;
}

}  // namespace

TensorId build_llama_forward(ForwardBuilder& b) {
    Graph& g = b.graph();
    const model::ModelParams& p = b.params();
    const int64_t T = b.n_tokens(), H = p.n_head, Hkv = p.n_head_kv, hd = p.head_dim_k, hdv = p.head_dim_v;
    const int64_t n_past = b.request().n_past, n_ctx = b.request().n_ctx, n_kv = n_past + T;

    const std::vector<float> factors = freq_factors(b.weights());
    RopeParams rope;
    rope.n_rot = int32_t(p.n_rot);
    rope.freq_base = p.rope_freq_base;
    rope.freq_scale = p.rope_freq_scale;
    rope.ext_factor = p.rope_scaling == model::RopeScaling::Yarn ? 1.0f : 0.0f;
    rope.attn_factor = p.rope_attn_factor;
    rope.n_ctx_orig = int32_t(p.rope_n_ctx_orig);
    rope.freq_factors = factors;
    const TensorId table = b.rope_table_input(rope);
    const float kq_scale = 1.0f / std::sqrt(float(hd));

    TensorId x = b.embed_tokens();  // [n_embd, T]
    for (int il = 0; il < int(p.n_layer); ++il) {
        const model::LayerWeights& lw = b.weights().layers[size_t(il)];
        const TensorId h = b.norm(x, lw.attn_norm);
        TensorId q = g.reshape(g.mul_mat(b.w(lw.wq), h), {hd, H, T});
        TensorId k = g.reshape(g.mul_mat(b.w(lw.wk), h), {hd, Hkv, T});
        const TensorId v = g.reshape(g.mul_mat(b.w(lw.wv), h), {hdv, Hkv, T});
        q = g.rope(q, table, int32_t(p.n_rot), kRopeNorm);
        k = g.rope(k, table, int32_t(p.n_rot), kRopeNorm);

        // Cache rows [hd, Hkv] per position; this ubatch writes positions n_past..n_past+T-1.
        const TensorId kc = b.cache_k(il, {hd, Hkv, n_ctx});
        const TensorId vc = b.cache_v(il, {hdv, Hkv, n_ctx});
        const auto& kn = g.tensor(kc).nb;
        const auto& vn = g.tensor(vc).nb;
        g.cpy(k, g.view(kc, {hd, Hkv, T}, {kn[0], kn[1], kn[2]}, uint64_t(n_past) * kn[2]));
        g.cpy(v, g.view(vc, {hdv, Hkv, T}, {vn[0], vn[1], vn[2]}, uint64_t(n_past) * vn[2]));
        const TensorId keys = g.view(kc, {hd, Hkv, n_kv}, {kn[0], kn[1], kn[2]}, 0);
        const TensorId values = g.view(vc, {hdv, Hkv, n_kv}, {vn[0], vn[1], vn[2]}, 0);
        const TensorId att = g.attention(q, keys, values, int32_t(n_past), kq_scale, 0.0f);  // [hdv, H, T]

        x = g.add(x, g.mul_mat(b.w(lw.wo), g.reshape(att, {hdv * H, T})));
        x = g.add(x, b.swiglu_ffn(b.norm(x, lw.ffn_norm), lw.ffn_gate, lw.ffn_up, lw.ffn_down));
    }
    return b.output_head(x);
}

}  // namespace sy::runtime
