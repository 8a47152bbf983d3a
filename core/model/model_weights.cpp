#include "model/model_weights.hpp"

#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/error.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::model {
namespace {

std::string shape_text(std::span<const int64_t> ne) { return fmt::format("[{}]", fmt::join(ne, ", ")); }

// A file shape matches the expected one exactly, or, for a 3-D expectation, as its 2-D
// flattening [ne0, ne1*ne2] (ik-converted deepseek2 files store attn_k_b / attn_v_b so).
bool shape_matches(const gguf::TensorInfo& info, std::initializer_list<int64_t> want) {
    std::array<int64_t, 4> w = {1, 1, 1, 1};
    size_t i = 0;
    for (int64_t v : want) w[i++] = v;
    if (info.ne == w) return true;
    return want.size() == 3 && info.n_dims == 2 && info.ne[0] == w[0] && info.ne[1] == w[1] * w[2];
}

std::string blk(int il, const char* name) { return fmt::format("blk.{}.{}.weight", il, name); }

}  // namespace

ModelWeights::ModelWeights(const gguf::GgufModel& file, const ModelParams& params)
    : file_(file), params_(params) {
    all_.reserve(file.tensors().size() + 2 * size_t(params.n_layer));
    const ModelParams& p = params_;
    token_embd = require("token_embd.weight", {p.n_embd, p.n_vocab}, -1);
    output_norm = require("output_norm.weight", {p.n_embd}, -1);
    output = optional("output.weight", {p.n_embd, p.n_vocab}, -1);
    if (output == kNoWeight) {
        // Tied embeddings: the output head reads token_embd's bytes, but as its own weight so
        // placement can put the head on another device than the embedding lookup.
        Weight tied = all_[size_t(token_embd)];
        tied.name = "output.weight";
        all_.push_back(std::move(tied));
        output = WeightId(all_.size() - 1);
    }
    rope_freqs = optional("rope_freqs.weight", {p.n_rot / 2}, -1);
    layers.resize(size_t(p.n_layer));
    for (int il = 0; il < int(p.n_layer); ++il) {
        if (p.arch == Arch::Llama) {
            load_llama_layer(il, layers[size_t(il)]);
        } else {
            load_deepseek2_layer(il, layers[size_t(il)]);
        }
    }
}

WeightId ModelWeights::add_file_tensor(const gguf::TensorInfo& info, std::initializer_list<int64_t> shape,
                                       int layer) {
    if (!shape_matches(info, shape)) {
        throw Error(fmt::format("{}: tensor '{}' has shape {}, expected {} for this model's hyperparameters",
                                file_.path(), info.name, shape_text(info.shape()),
                                shape_text(std::span<const int64_t>(shape.begin(), shape.size()))));
    }
    const TypeInfo* type = find_type(info.type);
    if (type == nullptr || find_kernels(info.type) == nullptr) {
        throw Error(fmt::format("{}: tensor '{}' has type {}, which has no reference kernels",
                                file_.path(), info.name, type_name(info.type)));
    }
    Weight w;
    w.name = info.name;
    w.type = info.type;
    w.n_dims = int(shape.size());
    size_t i = 0;
    for (int64_t v : shape) w.ne[i++] = v;
    w.bytes = file_.tensor_data(info);
    w.layer = layer;
    all_.push_back(std::move(w));
    return WeightId(all_.size() - 1);
}

WeightId ModelWeights::require(const std::string& name, std::initializer_list<int64_t> shape, int layer) {
    const gguf::TensorInfo* info = file_.find_tensor(name);
    if (info == nullptr) {
        throw Error(fmt::format("{}: tensor '{}' is missing ({} model)", file_.path(), name,
                                arch_name(params_.arch)));
    }
    return add_file_tensor(*info, shape, layer);
}

WeightId ModelWeights::optional(const std::string& name, std::initializer_list<int64_t> shape, int layer) {
    const gguf::TensorInfo* info = file_.find_tensor(name);
    return info == nullptr ? kNoWeight : add_file_tensor(*info, shape, layer);
}

void ModelWeights::load_llama_layer(int il, LayerWeights& lw) {
    const ModelParams& p = params_;
    const int64_t q_dim = p.n_head * p.head_dim_k;
    const int64_t kv_dim = p.n_head_kv * p.head_dim_k;
    lw.attn_norm = require(blk(il, "attn_norm"), {p.n_embd}, il);
    lw.wq = require(blk(il, "attn_q"), {p.n_embd, q_dim}, il);
    lw.wk = require(blk(il, "attn_k"), {p.n_embd, kv_dim}, il);
    lw.wv = require(blk(il, "attn_v"), {p.n_embd, p.n_head_kv * p.head_dim_v}, il);
    lw.wo = require(blk(il, "attn_output"), {p.n_head * p.head_dim_v, p.n_embd}, il);
    lw.ffn_norm = require(blk(il, "ffn_norm"), {p.n_embd}, il);
    lw.ffn_gate = require(blk(il, "ffn_gate"), {p.n_embd, p.n_ff}, il);
    lw.ffn_up = require(blk(il, "ffn_up"), {p.n_embd, p.n_ff}, il);
    lw.ffn_down = require(blk(il, "ffn_down"), {p.n_ff, p.n_embd}, il);
}

void ModelWeights::load_deepseek2_layer(int il, LayerWeights& lw) {
    const ModelParams& p = params_;
    const int64_t H = p.n_head;
    const int64_t nope = p.qk_nope_dim, rope = p.n_rot, kv = p.kv_lora_rank, v = p.head_dim_v;
    lw.attn_norm = require(blk(il, "attn_norm"), {p.n_embd}, il);
    if (file_.find_tensor(blk(il, "attn_q_a")) != nullptr) {
        if (p.q_lora_rank <= 0) {
            throw Error(fmt::format("{}: tensor '{}' is present but deepseek2.attention.q_lora_rank is not set",
                                    file_.path(), blk(il, "attn_q_a")));
        }
        lw.q_a = require(blk(il, "attn_q_a"), {p.n_embd, p.q_lora_rank}, il);
        lw.q_a_norm = require(blk(il, "attn_q_a_norm"), {p.q_lora_rank}, il);
        lw.q_b = require(blk(il, "attn_q_b"), {p.q_lora_rank, H * (nope + rope)}, il);
    } else {
        lw.wq = require(blk(il, "attn_q"), {p.n_embd, H * (nope + rope)}, il);
    }
    lw.kv_a_mqa = require(blk(il, "attn_kv_a_mqa"), {p.n_embd, kv + rope}, il);
    lw.kv_a_norm = require(blk(il, "attn_kv_a_norm"), {kv}, il);
    // attn_k_b and attn_v_b are used as a pair: both from the file, or both derived.
    if (file_.find_tensor(blk(il, "attn_k_b")) != nullptr && file_.find_tensor(blk(il, "attn_v_b")) != nullptr) {
        lw.k_b = require(blk(il, "attn_k_b"), {nope, kv, H}, il);
        lw.v_b = require(blk(il, "attn_v_b"), {kv, v, H}, il);
    } else {
        const gguf::TensorInfo* kv_b = file_.find_tensor(blk(il, "attn_kv_b"));
        if (kv_b == nullptr) {
            throw Error(fmt::format("{}: layer {} has neither attn_k_b + attn_v_b nor attn_kv_b", file_.path(), il));
        }
        // Checked but not kept as a weight: only the derived halves are read.
        if (!shape_matches(*kv_b, {kv, H * (nope + v)})) {
            throw Error(fmt::format("{}: tensor '{}' has shape {}, expected {}", file_.path(), kv_b->name,
                                    shape_text(kv_b->shape()), shape_text(std::vector<int64_t>{kv, H * (nope + v)})));
        }
        derive_k_b_v_b(il, lw);
    }
    lw.wo = require(blk(il, "attn_output"), {H * v, p.n_embd}, il);
    lw.ffn_norm = require(blk(il, "ffn_norm"), {p.n_embd}, il);
    if (!p.is_moe_layer(il)) {
        lw.ffn_gate = require(blk(il, "ffn_gate"), {p.n_embd, p.n_ff}, il);
        lw.ffn_up = require(blk(il, "ffn_up"), {p.n_embd, p.n_ff}, il);
        lw.ffn_down = require(blk(il, "ffn_down"), {p.n_ff, p.n_embd}, il);
        return;
    }
    const int64_t E = p.n_expert, ff = p.n_ff_exp;
    lw.gate_inp = require(blk(il, "ffn_gate_inp"), {p.n_embd, E}, il);
    lw.exp_probs_b = optional(fmt::format("blk.{}.exp_probs_b.bias", il), {E}, il);
    if (file_.find_tensor(blk(il, "ffn_gate_up_exps")) != nullptr) {
        throw Error(fmt::format("{}: merged tensor '{}' is not supported yet; use a file with separate "
                                "ffn_gate_exps / ffn_up_exps", file_.path(), blk(il, "ffn_gate_up_exps")));
    }
    lw.gate_exps = require(blk(il, "ffn_gate_exps"), {p.n_embd, ff, E}, il);
    lw.up_exps = require(blk(il, "ffn_up_exps"), {p.n_embd, ff, E}, il);
    lw.down_exps = require(blk(il, "ffn_down_exps"), {ff, p.n_embd, E}, il);
    if (p.n_expert_shared > 0) {
        const int64_t sh = ff * p.n_expert_shared;
        lw.gate_shexp = require(blk(il, "ffn_gate_shexp"), {p.n_embd, sh}, il);
        lw.up_shexp = require(blk(il, "ffn_up_shexp"), {p.n_embd, sh}, il);
        lw.down_shexp = require(blk(il, "ffn_down_shexp"), {sh, p.n_embd}, il);
    }
}

// attn_kv_b rows are, per head h, [k_nope rows (nope) | v rows (v)], each kv_lora long.
//   k_b[h] (nope x kv_lora, ggml {nope, kv_lora}) is the transpose of head h's k_nope rows;
//   v_b[h] (ggml {kv_lora, v}) is head h's v rows as they are.
void ModelWeights::derive_k_b_v_b(int il, LayerWeights& lw) {
    const ModelParams& p = params_;
    const int64_t H = p.n_head, nope = p.qk_nope_dim, kv = p.kv_lora_rank, v = p.head_dim_v;
    const gguf::TensorInfo& info = *file_.find_tensor(blk(il, "attn_kv_b"));
    const QuantKernels* kernels = find_kernels(info.type);
    if (kernels == nullptr || kernels->dequantize_row == nullptr) {
        throw Error(fmt::format("{}: tensor '{}' has type {}, which cannot be dequantized", file_.path(), info.name,
                                type_name(info.type)));
    }
    const std::span<const uint8_t> src = file_.tensor_data(info);
    const uint64_t src_row = row_bytes(info.type, kv, info.name);
    std::vector<float> row(static_cast<size_t>(kv));
    std::vector<float> k_b(size_t(H * kv * nope)), v_b(size_t(H * v * kv));
    for (int64_t h = 0; h < H; ++h) {
        for (int64_t r = 0; r < nope + v; ++r) {
            kernels->dequantize_row(src.data() + uint64_t(h * (nope + v) + r) * src_row, row.data(), kv);
            for (int64_t c = 0; c < kv; ++c) {
                if (r < nope) {
                    k_b[size_t((h * kv + c) * nope + r)] = row[size_t(c)];
                } else {
                    v_b[size_t((h * v + (r - nope)) * kv + c)] = row[size_t(c)];
                }
            }
        }
    }
    auto add_derived = [&](const char* name, std::vector<float>& values, std::array<int64_t, 4> ne) {
        std::vector<uint8_t>& storage = derived_.emplace_back(values.size() * sizeof(float));
        std::memcpy(storage.data(), values.data(), storage.size());
        Weight w;
        w.name = blk(il, name);
        w.type = 0;  // F32
        w.n_dims = 3;
        w.ne = ne;
        w.bytes = storage;
        w.layer = il;
        all_.push_back(std::move(w));
        return WeightId(all_.size() - 1);
    };
    lw.k_b = add_derived("attn_k_b", k_b, {nope, kv, H, 1});
    lw.v_b = add_derived("attn_v_b", v_b, {kv, v, H, 1});
}

uint64_t total_weight_bytes(const ModelWeights& weights) {
    uint64_t total = 0;
    for (const Weight& w : weights.all()) total += w.bytes.size();
    // A tied output head shares token_embd's bytes.
    if (weights[weights.output].bytes.data() == weights[weights.token_embd].bytes.data()) {
        total -= weights[weights.output].bytes.size();
    }
    return total;
}

}  // namespace sy::model
