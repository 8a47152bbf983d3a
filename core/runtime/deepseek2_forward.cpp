// The deepseek2 forward pass (DeepSeek-V2/V3/R1, Kimi-K2): multi-head latent attention (MLA)
// with a latent KV cache, then a dense FFN (leading layers) or a routed mixture of experts
// plus shared experts.
//
// MLA, absorbed form (what ik_llama.cpp's -mla modes compute; exact in real arithmetic):
//   q      = W_qb · rmsnorm(W_qa · h)            per head [nope | rope]   (or W_q · h)
//   kv     = W_kva · h                           [kv_lora | rope], one for all heads
//   cache  = [rmsnorm(kv_lora part) | rope(rope part)]          per token: the memory saving
//   q_lat  = W_kb[h] · q_nope[h]                 [kv_lora] per head: keys stay latent
//   attn   = softmax(scale · [q_lat | rope(q_rope)] · cache^T) · cache[:kv_lora]
//   out[h] = W_vb[h] · attn[h]                   [v] per head, then W_o
// scale = mscale^2 / sqrt(nope + rope) with YaRN's mscale (1 without YaRN).
#include <cmath>

#include "common/error.hpp"
#include "types/type_registry.hpp"
#include "runtime/forward_builder.hpp"

namespace sy::runtime {
namespace {

constexpr int32_t kRopeNorm = 0;

struct Dims {
    int64_t T, H, nope, rope, kv, v, n_embd;
};

TensorId mla_attention(ForwardBuilder& b, int il, TensorId h, TensorId table, const Dims& d, float kq_scale) {
    Graph& g = b.graph();
    const model::LayerWeights& lw = b.weights().layers[size_t(il)];
    const int64_t n_past = b.request().n_past, n_ctx = b.request().n_ctx, n_kv = n_past + d.T;
    const int64_t qk = d.nope + d.rope;

    TensorId q;  // [H*(nope+rope), T]
    if (lw.q_a != model::kNoWeight) {
        q = g.mul_mat(b.w(lw.q_b), b.norm(g.mul_mat(b.w(lw.q_a), h), lw.q_a_norm));
    } else {
        q = g.mul_mat(b.w(lw.wq), h);
    }
    const uint64_t f = sizeof(float);
    // q as [nope | rope] per head: head stride qk floats, token stride H*qk floats.
    const TensorId q_nope_by_head = g.view(q, {d.nope, d.T, d.H}, {f, uint64_t(d.H * qk) * f, uint64_t(qk) * f}, 0);
    const TensorId q_rope = g.view(q, {d.rope, d.H, d.T}, {f, uint64_t(qk) * f, uint64_t(d.H * qk) * f},
                                   uint64_t(d.nope) * f);

    const TensorId kv_a = g.mul_mat(b.w(lw.kv_a_mqa), h);  // [kv + rope, T]
    const uint64_t kv_row = uint64_t(d.kv + d.rope) * f;
    const TensorId latent = b.norm(g.view(kv_a, {d.kv, d.T}, {f, kv_row}, 0), lw.kv_a_norm);
    const TensorId k_rope = g.rope(g.view(kv_a, {d.rope, 1, d.T}, {f, kv_row, kv_row}, uint64_t(d.kv) * f), table,
                                   int32_t(d.rope), kRopeNorm);

    // The cache row of a token: [latent (kv) | k_rope (rope)] in the cache type.
    const TensorId cache = b.cache_k(il, {d.kv + d.rope, n_ctx});
    const auto& cn = g.tensor(cache).nb;
    // Byte offset of k_rope in a cache row (the cache type's blocks divide kv: checked at load).
    const uint64_t rope_offset = row_bytes(g.tensor(cache).type, d.kv, "kv cache");
    g.cpy(latent, g.view(cache, {d.kv, d.T}, {cn[0], cn[1]}, uint64_t(n_past) * cn[1]));
    g.cpy(k_rope, g.view(cache, {d.rope, 1, d.T}, {cn[0], cn[1], cn[1]}, uint64_t(n_past) * cn[1] + rope_offset));

    // Absorb W_kb into the query: q_lat[h] = W_kb[h] · q_nope[h]  -> [kv, T, H]
    const TensorId q_lat = g.mul_mat(b.w(lw.k_b), q_nope_by_head);
    const TensorId q_rope_r = g.rope(q_rope, table, int32_t(d.rope), kRopeNorm);  // [rope, H, T]
    // The attention query per head: [q_lat | roped q_rope]  -> [kv + rope, H, T]
    const TensorId qcat = g.empty("q_mla", 0, {d.kv + d.rope, d.H, d.T});
    const uint64_t q_row = uint64_t(d.kv + d.rope) * f;
    g.cpy(q_lat, g.view(qcat, {d.kv, d.T, d.H}, {f, uint64_t(d.H) * q_row, q_row}, 0));
    g.cpy(q_rope_r, g.view(qcat, {d.rope, d.H, d.T}, {f, q_row, uint64_t(d.H) * q_row}, uint64_t(d.kv) * f));

    // One kv head shared by all heads; the values are the latent part of the same rows.
    const TensorId keys = g.view(cache, {d.kv + d.rope, 1, n_kv}, {cn[0], cn[1], cn[1]}, 0);
    const TensorId values = g.view(cache, {d.kv, 1, n_kv}, {cn[0], cn[1], cn[1]}, 0);
    const TensorId att = g.attention(qcat, keys, values, int32_t(n_past), kq_scale, 0.0f);  // [kv, H, T]

    // Back from the latent: out[h] = W_vb[h] · att[h]  -> [v, T, H], then heads concatenated.
    const TensorId att_by_head = g.view(att, {d.kv, d.T, d.H}, {f, uint64_t(d.H * d.kv) * f, uint64_t(d.kv) * f}, 0);
    const TensorId o = g.mul_mat(b.w(lw.v_b), att_by_head);
    const TensorId ocat = g.empty("attn_heads", 0, {d.v, d.H, d.T});
    g.cpy(o, g.view(ocat, {d.v, d.T, d.H}, {f, uint64_t(d.H * d.v) * f, uint64_t(d.v) * f}, 0));
    return g.mul_mat(b.w(lw.wo), g.reshape(ocat, {d.H * d.v, d.T}));
}

// Routed experts: the top-k of the (biased) gate scores, weighted by the unbiased ones.
TensorId moe_ffn(ForwardBuilder& b, int il, TensorId h, const Dims& d) {
    Graph& g = b.graph();
    const model::ModelParams& p = b.params();
    const model::LayerWeights& lw = b.weights().layers[size_t(il)];
    const int64_t E = p.n_expert, k = p.n_expert_used;
    const uint64_t f = sizeof(float);

    const TensorId logits = g.mul_mat(b.w(lw.gate_inp), h);  // [E, T]
    const TensorId probs = p.gating == model::Gating::Sigmoid ? g.sigmoid(logits) : g.softmax(logits);
    const TensorId scores = lw.exp_probs_b != model::kNoWeight ? g.add(probs, b.w(lw.exp_probs_b)) : probs;
    const TensorId ids = g.top_k(scores, k);  // [k, T]
    TensorId weights = g.get_rows(g.reshape(probs, {1, E, d.T}), ids);  // [1, k, T]
    if (p.expert_weights_norm) {
        const TensorId sums = g.sum_rows(g.reshape(weights, {k, d.T}));  // [1, T]
        weights = g.div(weights, g.reshape(sums, {1, 1, d.T}));
    }
    if (p.expert_weights_scale != 1.0f) weights = g.scale(weights, p.expert_weights_scale);

    const TensorId x = g.reshape(h, {d.n_embd, 1, d.T});
    const TensorId gate = g.silu(g.mul_mat_id(b.w(lw.gate_exps), x, ids));  // [ff, k, T]
    const TensorId up = g.mul_mat_id(b.w(lw.up_exps), x, ids);
    TensorId experts = g.mul_mat_id(b.w(lw.down_exps), g.mul(gate, up), ids);  // [n_embd, k, T]
    experts = g.mul(experts, weights);
    // Sum over the k slots, slot by slot.
    const uint64_t token_stride = uint64_t(k * d.n_embd) * f;
    TensorId sum = g.view(experts, {d.n_embd, d.T}, {f, token_stride}, 0);
    for (int64_t s = 1; s < k; ++s) {
        sum = g.add(sum, g.view(experts, {d.n_embd, d.T}, {f, token_stride}, uint64_t(s * d.n_embd) * f));
    }
    if (lw.gate_shexp != model::kNoWeight) {
        sum = g.add(sum, b.swiglu_ffn(h, lw.gate_shexp, lw.up_shexp, lw.down_shexp));
    }
    return sum;
}

}  // namespace

TensorId build_deepseek2_forward(ForwardBuilder& b) {
    Graph& g = b.graph();
    const model::ModelParams& p = b.params();
    const Dims d{b.n_tokens(), p.n_head, p.qk_nope_dim, p.n_rot, p.kv_lora_rank, p.head_dim_v, p.n_embd};

    // YaRN as ik_llama.cpp applies it to deepseek2: the attention scale carries mscale^2, and
    // the RoPE magnitude is pre-divided so that YaRN's own magnitude factor cancels.
    const bool yarn = p.rope_scaling == model::RopeScaling::Yarn;
    const float attn_factor = p.rope_attn_factor;
    const float mscale = attn_factor * (1.0f + p.yarn_log_multiplier * std::log(1.0f / p.rope_freq_scale));
    const float kq_scale = mscale * mscale / std::sqrt(float(p.head_dim_k));
    RopeParams rope;
    rope.n_rot = int32_t(p.n_rot);
    rope.freq_base = p.rope_freq_base;
    rope.freq_scale = p.rope_freq_scale;
    rope.ext_factor = yarn ? 1.0f : 0.0f;
    rope.attn_factor = 1.0f / (1.0f + 0.1f * std::log(1.0f / p.rope_freq_scale));
    rope.beta_fast = p.yarn_beta_fast;
    rope.beta_slow = p.yarn_beta_slow;
    rope.n_ctx_orig = int32_t(p.rope_n_ctx_orig);
    const TensorId table = b.rope_table_input(rope);

    TensorId x = b.embed_tokens();  // [n_embd, T]
    for (int il = 0; il < int(p.n_layer); ++il) {
        const model::LayerWeights& lw = b.weights().layers[size_t(il)];
        x = g.add(x, mla_attention(b, il, b.norm(x, lw.attn_norm), table, d, kq_scale));
        const TensorId h = b.norm(x, lw.ffn_norm);
        x = g.add(x, p.is_moe_layer(il) ? moe_ffn(b, il, h, d) : b.swiglu_ffn(h, lw.ffn_gate, lw.ffn_up, lw.ffn_down));
    }
    return b.output_head(x);
}

}  // namespace sy::runtime
