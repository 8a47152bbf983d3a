#include "runtime_models.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "common/error.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

using gguf::GgufWriter;
using gguf::Value;

// Encodes float rows as `type` with the core reference quantizers.
std::vector<uint8_t> encode_rows(const std::vector<float>& values, int32_t type, int64_t ne0) {
    if (type == kTypeF32) {
        std::vector<uint8_t> bytes(values.size() * sizeof(float));
        std::memcpy(bytes.data(), values.data(), bytes.size());
        return bytes;
    }
    const QuantKernels* kernels = find_kernels(type);
    if (kernels == nullptr || kernels->quantize_row == nullptr) {
        throw Error(fmt::format("test models: no quantizer for {}", type_name(type)));
    }
    const uint64_t row = row_bytes(type, ne0, "test model");
    const int64_t rows = int64_t(values.size()) / ne0;
    std::vector<uint8_t> bytes(size_t(row) * size_t(rows));
    for (int64_t r = 0; r < rows; ++r) {
        kernels->quantize_row(values.data() + r * ne0, bytes.data() + uint64_t(r) * row, ne0, nullptr);
    }
    return bytes;
}

// Adds tensors with deterministic Gaussian values, through the spec's type and edit hooks.
class TensorMaker {
public:
    TensorMaker(GgufWriter& w, uint32_t seed, const MatrixTypeFn& matrix_type, const TensorEditFn& edit)
        : w_(w), rng_(seed), matrix_type_(matrix_type), edit_(edit) {}

    // Entries N(0, (gain / sqrt(ne0))^2): each output of x -> W x has about gain times the RMS of x.
    std::vector<float> matrix(std::string name, std::vector<int64_t> ne, float gain) {
        if (edit_ && !edit_(name, ne)) return {};
        std::vector<float> v = gaussian(ne, 0.0f, gain / std::sqrt(float(ne[0])));
        const int32_t type = matrix_type_ ? matrix_type_(name, ne) : kTypeF32;
        add(name, ne, v, type);
        return v;
    }
    // A matrix with the given values (already shaped ne), stored as a matrix.
    void matrix_values(std::string name, std::vector<int64_t> ne, const std::vector<float>& v) {
        if (edit_ && !edit_(name, ne)) return;
        const int32_t type = matrix_type_ ? matrix_type_(name, ne) : kTypeF32;
        add(name, ne, v, type);
    }
    // Entries N(mean, sd^2), always F32 (norm weights, router, biases, embeddings' stand-ins).
    void f32(std::string name, std::vector<int64_t> ne, float mean, float sd) {
        if (edit_ && !edit_(name, ne)) return;
        add(name, ne, gaussian(ne, mean, sd), kTypeF32);
    }
    void f32_values(std::string name, std::vector<int64_t> ne, const std::vector<float>& v) {
        if (edit_ && !edit_(name, ne)) return;
        add(name, ne, v, kTypeF32);
    }
    // The embedding table: N(0, 1) entries stored like a matrix.
    void embedding(std::string name, std::vector<int64_t> ne) {
        if (edit_ && !edit_(name, ne)) return;
        const int32_t type = matrix_type_ ? matrix_type_(name, ne) : kTypeF32;
        add(name, ne, gaussian(ne, 0.0f, 1.0f), type);
    }

private:
    std::vector<float> gaussian(const std::vector<int64_t>& ne, float mean, float sd) {
        int64_t n = 1;
        for (int64_t d : ne) n *= d;
        std::vector<float> v(static_cast<size_t>(n));
        std::normal_distribution<float> normal(mean, sd);
        for (float& x : v) x = normal(rng_);
        return v;
    }
    void add(const std::string& name, const std::vector<int64_t>& ne, const std::vector<float>& v, int32_t type) {
        int64_t n = 1;
        for (int64_t d : ne) n *= d;
        if (int64_t(v.size()) != n) {
            // An edit changed the shape of derived values: store fresh values of the new shape.
            add(name, ne, gaussian(ne, 0.0f, 0.1f), type);
            return;
        }
        w_.add_tensor(name, type, ne, encode_rows(v, type, ne[0]));
    }

    GgufWriter& w_;
    std::mt19937 rng_;
    const MatrixTypeFn& matrix_type_;
    const TensorEditFn& edit_;
};

void add_vocab(GgufWriter& w, int n_vocab) {
    std::vector<std::string> tokens;
    for (int i = 0; i < n_vocab; ++i) tokens.push_back(fmt::format("<t{}>", i));
    w.set("tokenizer.ggml.model", Value::string("gpt2"));
    w.set("tokenizer.ggml.tokens", Value::string_array(tokens));
    w.set("tokenizer.ggml.bos_token_id", Value::scalar<uint32_t>(1));
}

std::string blk(int il, const char* name) { return fmt::format("blk.{}.{}", il, name); }


}  // namespace

GgufWriter make_llama_model(const LlamaSpec& s) {
    GgufWriter w;
    const auto u32 = [](int v) { return Value::scalar<uint32_t>(uint32_t(v)); };
    w.set("general.architecture", Value::string("llama"));
    w.set("general.name", Value::string("runtime-test-llama"));
    w.set("llama.block_count", u32(s.n_layer));
    w.set("llama.context_length", u32(s.context_length));
    w.set("llama.embedding_length", u32(s.n_embd));
    w.set("llama.feed_forward_length", u32(s.n_ff));
    w.set("llama.attention.head_count", u32(s.n_head));
    w.set("llama.attention.head_count_kv", u32(s.n_head_kv));
    w.set("llama.attention.layer_norm_rms_epsilon", Value::scalar<float>(1e-5f));
    w.set("llama.rope.freq_base", Value::scalar<float>(s.rope_freq_base));
    w.set("llama.rope.dimension_count", u32(s.n_embd / s.n_head));
    if (s.rope_scaling != RopeScalingKind::None) {
        w.set("llama.rope.scaling.type", Value::string(s.rope_scaling == RopeScalingKind::Yarn ? "yarn" : "linear"));
        w.set("llama.rope.scaling.factor", Value::scalar<float>(s.rope_scaling_factor));
        w.set("llama.rope.scaling.original_context_length", u32(s.rope_orig_ctx));
    }
    add_vocab(w, s.n_vocab);

    TensorMaker t(w, s.seed, s.matrix_type, s.edit);
    const int64_t E = s.n_embd, hd = s.n_embd / s.n_head, kv = hd * s.n_head_kv;
    t.embedding("token_embd.weight", {E, s.n_vocab});
    if (s.rope_freqs) {
        // Divisors growing from 1 to 8 over the pairs, as llama-3's long-context factors do.
        std::vector<float> factors(static_cast<size_t>(hd / 2));
        for (size_t i = 0; i < factors.size(); ++i) factors[i] = 1.0f + 7.0f * float(i) / float(factors.size() - 1);
        t.f32_values("rope_freqs.weight", {hd / 2}, factors);
    }
    for (int il = 0; il < s.n_layer; ++il) {
        t.f32(blk(il, "attn_norm.weight"), {E}, 1.0f, 0.1f);
        t.matrix(blk(il, "attn_q.weight"), {E, hd * s.n_head}, 1.6f);
        t.matrix(blk(il, "attn_k.weight"), {E, kv}, 1.6f);
        t.matrix(blk(il, "attn_v.weight"), {E, kv}, 1.0f);
        t.matrix(blk(il, "attn_output.weight"), {hd * s.n_head, E}, 1.0f);
        t.f32(blk(il, "ffn_norm.weight"), {E}, 1.0f, 0.1f);
        t.matrix(blk(il, "ffn_gate.weight"), {E, s.n_ff}, 1.0f);
        t.matrix(blk(il, "ffn_up.weight"), {E, s.n_ff}, 1.0f);
        t.matrix(blk(il, "ffn_down.weight"), {s.n_ff, E}, 1.0f);
    }
    t.f32("output_norm.weight", {E}, 1.0f, 0.1f);
    if (!s.tied_output) t.matrix("output.weight", {E, s.n_vocab}, 1.5f);
    return w;
}

GgufWriter make_deepseek2_model(const Deepseek2Spec& s) {
    GgufWriter w;
    const auto u32 = [](int v) { return Value::scalar<uint32_t>(uint32_t(v)); };
    w.set("general.architecture", Value::string("deepseek2"));
    w.set("general.name", Value::string("runtime-test-ds2"));
    w.set("deepseek2.block_count", u32(s.n_layer));
    w.set("deepseek2.context_length", u32(s.context_length));
    w.set("deepseek2.embedding_length", u32(s.n_embd));
    w.set("deepseek2.feed_forward_length", u32(s.n_ff));
    w.set("deepseek2.attention.head_count", u32(s.n_head));
    w.set("deepseek2.attention.head_count_kv", u32(s.n_head));
    if (s.q_lora_rank > 0) w.set("deepseek2.attention.q_lora_rank", u32(s.q_lora_rank));
    w.set("deepseek2.attention.kv_lora_rank", u32(s.kv_lora_rank));
    w.set("deepseek2.attention.key_length", u32(s.nope + s.rope));
    w.set("deepseek2.attention.value_length", u32(s.v_dim));
    w.set("deepseek2.attention.layer_norm_rms_epsilon", Value::scalar<float>(1e-6f));
    w.set("deepseek2.rope.dimension_count", u32(s.rope));
    w.set("deepseek2.rope.freq_base", Value::scalar<float>(10000.0f));
    if (s.yarn) {
        w.set("deepseek2.rope.scaling.type", Value::string("yarn"));
        w.set("deepseek2.rope.scaling.factor", Value::scalar<float>(4.0f));
        w.set("deepseek2.rope.scaling.original_context_length", u32(64));
        w.set("deepseek2.rope.scaling.yarn_log_multiplier", Value::scalar<float>(0.1f));
    }
    w.set("deepseek2.leading_dense_block_count", u32(1));
    w.set("deepseek2.expert_count", u32(s.n_expert));
    w.set("deepseek2.expert_used_count", u32(s.n_expert_used));
    w.set("deepseek2.expert_shared_count", u32(s.n_expert_shared));
    w.set("deepseek2.expert_feed_forward_length", u32(s.n_ff_exp));
    w.set("deepseek2.expert_weights_scale", Value::scalar<float>(s.weights_scale));
    w.set("deepseek2.expert_weights_norm", Value::scalar<bool>(s.weights_norm));
    w.set("deepseek2.expert_gating_func", u32(s.sigmoid_gating ? 2 : 1));
    add_vocab(w, s.n_vocab);

    TensorMaker t(w, s.seed, s.matrix_type, s.edit);
    const int64_t E = s.n_embd, H = s.n_head, nope = s.nope, rope = s.rope, kv = s.kv_lora_rank, v = s.v_dim;
    t.embedding("token_embd.weight", {E, s.n_vocab});
    for (int il = 0; il < s.n_layer; ++il) {
        t.f32(blk(il, "attn_norm.weight"), {E}, 1.0f, 0.1f);
        if (s.q_lora_rank > 0) {
            t.matrix(blk(il, "attn_q_a.weight"), {E, s.q_lora_rank}, 1.0f);
            t.f32(blk(il, "attn_q_a_norm.weight"), {s.q_lora_rank}, 1.0f, 0.1f);
            t.matrix(blk(il, "attn_q_b.weight"), {s.q_lora_rank, H * (nope + rope)}, 1.6f);
        } else {
            t.matrix(blk(il, "attn_q.weight"), {E, H * (nope + rope)}, 1.6f);
        }
        t.matrix(blk(il, "attn_kv_a_mqa.weight"), {E, kv + rope}, 1.6f);
        t.f32(blk(il, "attn_kv_a_norm.weight"), {kv}, 1.0f, 0.1f);
        if (s.kv_b_layout == KvBLayout::SplitOnly) {
            t.matrix(blk(il, "attn_k_b.weight"), {nope, kv, H}, 1.6f * std::sqrt(float(nope) / float(kv)));
            t.matrix(blk(il, "attn_v_b.weight"), {kv, v, H}, 1.0f);
        } else {
            // attn_kv_b rows per head: nope key rows, then v value rows, each kv_lora long.
            const std::vector<float> kv_b = t.matrix(blk(il, "attn_kv_b.weight"), {kv, H * (nope + v)}, 1.3f);
            if (s.kv_b_layout == KvBLayout::Both && !kv_b.empty()) {
                // The split halves of the same values, as ik's converter stores them (2-D).
                std::vector<float> k_b(static_cast<size_t>(H * kv * nope)), v_b(static_cast<size_t>(H * v * kv));
                for (int64_t h = 0; h < H; ++h) {
                    for (int64_t c = 0; c < kv; ++c) {
                        for (int64_t i = 0; i < nope; ++i) {
                            k_b[size_t((h * kv + c) * nope + i)] = kv_b[size_t((h * (nope + v) + i) * kv + c)];
                        }
                        for (int64_t j = 0; j < v; ++j) {
                            v_b[size_t((h * v + j) * kv + c)] = kv_b[size_t((h * (nope + v) + nope + j) * kv + c)];
                        }
                    }
                }
                t.matrix_values(blk(il, "attn_k_b.weight"), {nope, kv * H}, k_b);
                t.matrix_values(blk(il, "attn_v_b.weight"), {kv, v * H}, v_b);
            }
        }
        t.matrix(blk(il, "attn_output.weight"), {H * v, E}, 1.0f);
        t.f32(blk(il, "ffn_norm.weight"), {E}, 1.0f, 0.1f);
        if (il == 0) {
            t.matrix(blk(il, "ffn_gate.weight"), {E, s.n_ff}, 1.0f);
            t.matrix(blk(il, "ffn_up.weight"), {E, s.n_ff}, 1.0f);
            t.matrix(blk(il, "ffn_down.weight"), {s.n_ff, E}, 1.0f);
            continue;
        }
        // Router and bias stay F32, as converters leave them; router logits spread ~2 units.
        t.f32(blk(il, "ffn_gate_inp.weight"), {E, s.n_expert}, 0.0f, 2.0f / std::sqrt(float(E)));
        const std::string bias = fmt::format("blk.{}.exp_probs_b.bias", il);
        if (s.decisive_routing) {
            std::vector<float> values(static_cast<size_t>(s.n_expert));
            for (int e = 0; e < s.n_expert; ++e) values[size_t(e)] = (e + il) % s.n_expert < s.n_expert_used ? 2.0f : 0.0f;
            t.f32_values(bias, {s.n_expert}, values);
        } else if (s.selection_bias) {
            t.f32(bias, {s.n_expert}, 0.0f, 0.2f);
        }
        t.matrix(blk(il, "ffn_gate_exps.weight"), {E, s.n_ff_exp, s.n_expert}, 1.0f);
        t.matrix(blk(il, "ffn_up_exps.weight"), {E, s.n_ff_exp, s.n_expert}, 1.0f);
        t.matrix(blk(il, "ffn_down_exps.weight"), {s.n_ff_exp, E, s.n_expert}, 1.0f);
        if (s.n_expert_shared > 0) {
            const int64_t sh = int64_t(s.n_ff_exp) * s.n_expert_shared;
            t.matrix(blk(il, "ffn_gate_shexp.weight"), {E, sh}, 1.0f);
            t.matrix(blk(il, "ffn_up_shexp.weight"), {E, sh}, 1.0f);
            t.matrix(blk(il, "ffn_down_shexp.weight"), {sh, E}, 1.0f);
        }
    }
    t.f32("output_norm.weight", {E}, 1.0f, 0.1f);
    t.matrix("output.weight", {E, s.n_vocab}, 1.5f);
    return w;
}

MatrixTypeFn quantized_matrices(int32_t preferred) {
    return [preferred](const std::string&, const std::vector<int64_t>& ne) {
        const TypeInfo* info = find_type(preferred);
        if (info != nullptr && ne[0] % info->block_elems == 0) return preferred;
        if (ne[0] % 32 == 0) return kTypeQ8_0;
        return kTypeF32;
    };
}

ScratchDir::ScratchDir() {
    std::random_device random;
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / fmt::format("switchyard-runtime-test-{:08x}{:08x}", random(), random());
    std::filesystem::create_directories(dir);
    path_ = dir.string();
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string ScratchDir::write(const gguf::GgufWriter& writer, const std::string& name) const {
    const std::string path = (std::filesystem::path(path_) / name).string();
    writer.write(path);
    return path;
}

}  // namespace sy::test
