#include "naive_forward.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "common/error.hpp"
#include "types/quant_kernels.hpp"
#include "types/type_registry.hpp"

namespace sy::test {
namespace {

// `<arch>.<name>` keys; per-layer arrays read as their first element.
class Keys {
public:
    Keys(const gguf::GgufModel& file, std::string arch) : file_(file), arch_(std::move(arch)) {}

    const gguf::KeyValue* kv(const std::string& name) const { return file_.find(arch_ + "." + name); }
    std::optional<int64_t> i64(const std::string& name) const {
        const gguf::KeyValue* k = kv(name);
        if (k == nullptr) return std::nullopt;
        return k->value.is_array() ? k->value.i64_at(0, k->what()) : k->as_i64();
    }
    int64_t i64_or(const std::string& name, int64_t fallback) const { return i64(name).value_or(fallback); }
    int64_t required(const std::string& name) const {
        std::optional<int64_t> v = i64(name);
        if (!v) throw Error("naive forward: key " + arch_ + "." + name + " is missing");
        return *v;
    }
    double f64_or(const std::string& name, double fallback) const {
        const gguf::KeyValue* k = kv(name);
        return k == nullptr ? fallback : k->as_f64();
    }
    bool bool_or(const std::string& name, bool fallback) const {
        const gguf::KeyValue* k = kv(name);
        return k == nullptr ? fallback : k->as_bool();
    }
    std::string string_or(const std::string& name, const std::string& fallback) const {
        const gguf::KeyValue* k = kv(name);
        return k == nullptr ? fallback : std::string(k->as_string());
    }

private:
    const gguf::GgufModel& file_;
    std::string arch_;
};

double dot(const double* a, const double* b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

double silu(double x) { return x / (1.0 + std::exp(-x)); }

// Softmax in place.
void softmax(std::vector<double>& v) {
    const double max = *std::max_element(v.begin(), v.end());
    double sum = 0.0;
    for (double& x : v) {
        x = std::exp(x - max);
        sum += x;
    }
    for (double& x : v) x /= sum;
}

std::string blk(int il, const char* name) { return fmt::format("blk.{}.{}", il, name); }

}  // namespace

NaiveModel::NaiveModel(const gguf::GgufModel& file) {
    const std::string arch(file.get("general.architecture").as_string());
    if (arch != "llama" && arch != "deepseek2") throw Error("naive forward: unsupported architecture " + arch);
    deepseek2_ = arch == "deepseek2";
    const Keys keys(file, arch);

    for (const gguf::TensorInfo& info : file.tensors()) {
        Tensor t;
        t.ne.assign(info.ne.begin(), info.ne.begin() + info.n_dims);
        t.values.resize(size_t(info.n_elements()));
        const QuantKernels* kernels = find_kernels(info.type);
        if (kernels == nullptr || kernels->dequantize_row == nullptr) {
            throw Error("naive forward: cannot dequantize " + info.name);
        }
        const uint64_t row = row_bytes(info.type, info.ne[0], info.name);
        const std::span<const uint8_t> bytes = file.tensor_data(info);
        for (int64_t r = 0; r < info.n_rows(); ++r) {
            kernels->dequantize_row(bytes.data() + uint64_t(r) * row, t.values.data() + r * info.ne[0], info.ne[0]);
        }
        tensors_.emplace(info.name, std::move(t));
    }

    n_embd_ = keys.required("embedding_length");
    n_layer_ = keys.required("block_count");
    n_head_ = keys.required("attention.head_count");
    n_head_kv_ = keys.i64_or("attention.head_count_kv", n_head_);
    head_k_ = keys.i64_or("attention.key_length", n_embd_ / n_head_);
    head_v_ = keys.i64_or("attention.value_length", n_embd_ / n_head_);
    n_rot_ = keys.i64_or("rope.dimension_count", head_k_);
    rms_eps_ = keys.f64_or("attention.layer_norm_rms_epsilon", deepseek2_ ? 1e-6 : 1e-5);
    n_vocab_ = get("token_embd.weight").ne[1];

    freq_base_ = keys.f64_or("rope.freq_base", 10000.0);
    const std::string scaling = keys.string_or("rope.scaling.type", "linear");
    const double factor = keys.f64_or("rope.scaling.factor", 0.0);
    yarn_ = scaling == "yarn";
    freq_scale_ = (scaling == "none" || factor == 0.0) ? 1.0 : 1.0 / factor;
    n_ctx_orig_ = keys.i64_or("rope.scaling.original_context_length", keys.i64_or("context_length", 4096));
    attn_factor_ = keys.f64_or("rope.scaling.attn_factor", 1.0);
    yarn_log_mul_ = keys.f64_or("rope.scaling.yarn_log_multiplier", 0.0);

    if (deepseek2_) {
        kv_lora_ = keys.required("attention.kv_lora_rank");
        nope_ = head_k_ - n_rot_;
        n_dense_lead_ = keys.i64_or("leading_dense_block_count", 0);
        n_expert_ = keys.i64_or("expert_count", 0);
        n_expert_used_ = keys.i64_or("expert_used_count", 0);
        sigmoid_gating_ = keys.i64_or("expert_gating_func", 1) == 2;
        weights_norm_ = keys.bool_or("expert_weights_norm", false);
        weights_scale_ = keys.f64_or("expert_weights_scale", 1.0);
    }
}

const NaiveModel::Tensor* NaiveModel::find(const std::string& name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : &it->second;
}

const NaiveModel::Tensor& NaiveModel::get(const std::string& name) const {
    const Tensor* t = find(name);
    if (t == nullptr) throw Error("naive forward: tensor " + name + " is missing");
    return *t;
}

std::vector<double> NaiveModel::matvec(const Tensor& w, const std::vector<double>& x, int64_t slice) const {
    const int64_t n_in = w.ne[0], n_out = w.ne[1];
    if (int64_t(x.size()) != n_in) throw Error("naive forward: matvec size mismatch");
    std::vector<double> y(static_cast<size_t>(n_out));
    const float* base = w.values.data() + slice * n_in * n_out;
    for (int64_t r = 0; r < n_out; ++r) {
        double s = 0.0;
        for (int64_t k = 0; k < n_in; ++k) s += double(base[r * n_in + k]) * x[size_t(k)];
        y[size_t(r)] = s;
    }
    return y;
}

std::vector<double> NaiveModel::norm(const std::vector<double>& x, const std::string& weight) const {
    const Tensor& w = get(weight);
    double ss = 0.0;
    for (double v : x) ss += v * v;
    const double inv = 1.0 / std::sqrt(ss / double(x.size()) + rms_eps_);
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * inv * double(w.values[i]);
    return y;
}

std::vector<double> NaiveModel::swiglu(const std::vector<double>& x, const std::string& gate, const std::string& up,
                                       const std::string& down) const {
    std::vector<double> g = matvec(get(gate), x);
    const std::vector<double> u = matvec(get(up), x);
    for (size_t i = 0; i < g.size(); ++i) g[i] = silu(g[i]) * u[i];
    return matvec(get(down), g);
}

void NaiveModel::rope(double* v, int64_t pos, double magnitude) const {
    const Tensor* factors = find("rope_freqs.weight");
    // YaRN's correction range in pair indices: where a frequency turns beta times over the
    // original context (ggml rounds the ends outward and clamps them to the rotated dims).
    auto corr_dim = [&](double beta) {
        return double(n_rot_) * std::log(double(n_ctx_orig_) / (beta * 2.0 * std::numbers::pi)) /
               (2.0 * std::log(freq_base_));
    };
    const double low = std::max(0.0, std::floor(corr_dim(32.0)));
    const double high = std::min(double(n_rot_ - 1), std::ceil(corr_dim(1.0)));
    for (int64_t i = 0; i < n_rot_ / 2; ++i) {
        double theta_extrap = double(pos) * std::pow(freq_base_, -2.0 * double(i) / double(n_rot_));
        if (factors != nullptr) theta_extrap /= double(factors->values[size_t(i)]);
        const double theta_interp = freq_scale_ * theta_extrap;
        double theta = theta_interp;
        if (yarn_) {
            const double y = (double(i) - low) / std::max(0.001, high - low);
            const double mix = 1.0 - std::clamp(y, 0.0, 1.0);
            theta = theta_interp * (1.0 - mix) + theta_extrap * mix;
        }
        const double c = std::cos(theta) * magnitude, s = std::sin(theta) * magnitude;
        const double x0 = v[2 * i], x1 = v[2 * i + 1];
        v[2 * i] = x0 * c - x1 * s;
        v[2 * i + 1] = x0 * s + x1 * c;
    }
}

std::vector<double> NaiveModel::output_logits(const std::vector<double>& x) const {
    const Tensor* out = find("output.weight");
    return matvec(out != nullptr ? *out : get("token_embd.weight"), norm(x, "output_norm.weight"));
}

std::vector<double> NaiveModel::forward(std::span<const int32_t> tokens) const {
    min_routing_margin_ = INFINITY;
    return deepseek2_ ? forward_deepseek2(tokens) : forward_llama(tokens);
}

std::vector<double> NaiveModel::forward_llama(std::span<const int32_t> tokens) const {
    const int64_t T = int64_t(tokens.size()), H = n_head_, Hkv = n_head_kv_, hd = head_k_, hdv = head_v_;
    const Tensor& embd = get("token_embd.weight");
    std::vector<std::vector<double>> x(static_cast<size_t>(T));
    for (int64_t t = 0; t < T; ++t) {
        const float* row = embd.values.data() + int64_t(tokens[size_t(t)]) * n_embd_;
        x[size_t(t)].assign(row, row + n_embd_);
    }
    const double magnitude = attn_factor_ * (yarn_ ? 1.0 + 0.1 * std::log(1.0 / freq_scale_) : 1.0);
    const double scale = 1.0 / std::sqrt(double(hd));
    for (int il = 0; il < int(n_layer_); ++il) {
        // Keys and values of every position (the layer sees the whole prefix).
        std::vector<std::vector<double>> q(static_cast<size_t>(T)), k(static_cast<size_t>(T)), v(static_cast<size_t>(T));
        for (int64_t t = 0; t < T; ++t) {
            const std::vector<double> h = norm(x[size_t(t)], blk(il, "attn_norm.weight"));
            q[size_t(t)] = matvec(get(blk(il, "attn_q.weight")), h);
            k[size_t(t)] = matvec(get(blk(il, "attn_k.weight")), h);
            v[size_t(t)] = matvec(get(blk(il, "attn_v.weight")), h);
            for (int64_t hh = 0; hh < H; ++hh) rope(q[size_t(t)].data() + hh * hd, t, magnitude);
            for (int64_t hh = 0; hh < Hkv; ++hh) rope(k[size_t(t)].data() + hh * hd, t, magnitude);
        }
        for (int64_t t = 0; t < T; ++t) {
            std::vector<double> heads(size_t(H * hdv), 0.0);
            for (int64_t hh = 0; hh < H; ++hh) {
                const int64_t g = hh / (H / Hkv);
                std::vector<double> p(static_cast<size_t>(t + 1));
                for (int64_t j = 0; j <= t; ++j) {
                    p[size_t(j)] = scale * dot(q[size_t(t)].data() + hh * hd, k[size_t(j)].data() + g * hd, hd);
                }
                softmax(p);
                for (int64_t j = 0; j <= t; ++j) {
                    for (int64_t d = 0; d < hdv; ++d) {
                        heads[size_t(hh * hdv + d)] += p[size_t(j)] * v[size_t(j)][size_t(g * hdv + d)];
                    }
                }
            }
            const std::vector<double> o = matvec(get(blk(il, "attn_output.weight")), heads);
            for (int64_t i = 0; i < n_embd_; ++i) x[size_t(t)][size_t(i)] += o[size_t(i)];
        }
        for (int64_t t = 0; t < T; ++t) {
            const std::vector<double> f =
                swiglu(norm(x[size_t(t)], blk(il, "ffn_norm.weight")), blk(il, "ffn_gate.weight"),
                       blk(il, "ffn_up.weight"), blk(il, "ffn_down.weight"));
            for (int64_t i = 0; i < n_embd_; ++i) x[size_t(t)][size_t(i)] += f[size_t(i)];
        }
    }
    std::vector<double> logits;
    for (int64_t t = 0; t < T; ++t) {
        const std::vector<double> l = output_logits(x[size_t(t)]);
        logits.insert(logits.end(), l.begin(), l.end());
    }
    return logits;
}

std::vector<double> NaiveModel::moe(int il, const std::vector<double>& x) const {
    std::vector<double> probs = matvec(get(blk(il, "ffn_gate_inp.weight")), x);
    if (sigmoid_gating_) {
        for (double& p : probs) p = 1.0 / (1.0 + std::exp(-p));
    } else {
        softmax(probs);
    }
    std::vector<double> selection = probs;
    if (const Tensor* bias = find(fmt::format("blk.{}.exp_probs_b.bias", il))) {
        for (size_t e = 0; e < selection.size(); ++e) selection[e] += double(bias->values[e]);
    }
    std::vector<int64_t> order(selection.size());
    std::iota(order.begin(), order.end(), 0);
    // Largest first; equal scores: the lower expert index first.
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return selection[size_t(a)] != selection[size_t(b)] ? selection[size_t(a)] > selection[size_t(b)] : a < b;
    });
    if (n_expert_used_ < n_expert_) {
        const double margin = selection[size_t(order[size_t(n_expert_used_ - 1)])] -
                              selection[size_t(order[size_t(n_expert_used_)])];
        min_routing_margin_ = std::min(min_routing_margin_, margin);
    }
    order.resize(size_t(n_expert_used_));
    std::vector<double> weights;
    double sum = 0.0;
    for (int64_t e : order) {
        weights.push_back(probs[size_t(e)]);
        sum += probs[size_t(e)];
    }
    for (double& w : weights) w = (weights_norm_ ? w / sum : w) * weights_scale_;

    std::vector<double> out(size_t(n_embd_), 0.0);
    const Tensor& gate = get(blk(il, "ffn_gate_exps.weight"));
    const Tensor& up = get(blk(il, "ffn_up_exps.weight"));
    const Tensor& down = get(blk(il, "ffn_down_exps.weight"));
    for (size_t s = 0; s < order.size(); ++s) {
        std::vector<double> g = matvec(gate, x, order[s]);
        const std::vector<double> u = matvec(up, x, order[s]);
        for (size_t i = 0; i < g.size(); ++i) g[i] = silu(g[i]) * u[i];
        const std::vector<double> d = matvec(down, g, order[s]);
        for (size_t i = 0; i < out.size(); ++i) out[i] += weights[s] * d[i];
    }
    if (find(blk(il, "ffn_gate_shexp.weight")) != nullptr) {
        const std::vector<double> shared =
            swiglu(x, blk(il, "ffn_gate_shexp.weight"), blk(il, "ffn_up_shexp.weight"), blk(il, "ffn_down_shexp.weight"));
        for (size_t i = 0; i < out.size(); ++i) out[i] += shared[i];
    }
    return out;
}

std::vector<double> NaiveModel::forward_deepseek2(std::span<const int32_t> tokens) const {
    const int64_t T = int64_t(tokens.size()), H = n_head_, nope = nope_, rope_dim = n_rot_, kv = kv_lora_;
    const int64_t qk = nope + rope_dim, hv = head_v_;
    const Tensor& embd = get("token_embd.weight");
    std::vector<std::vector<double>> x(static_cast<size_t>(T));
    for (int64_t t = 0; t < T; ++t) {
        const float* row = embd.values.data() + int64_t(tokens[size_t(t)]) * n_embd_;
        x[size_t(t)].assign(row, row + n_embd_);
    }
    const double yarn_gain = 1.0 + 0.1 * std::log(1.0 / freq_scale_);
    const double rope_magnitude = (yarn_ ? yarn_gain : 1.0) / yarn_gain;
    const double mscale = attn_factor_ * (1.0 + yarn_log_mul_ * std::log(1.0 / freq_scale_));
    const double scale = mscale * mscale / std::sqrt(double(qk));

    for (int il = 0; il < int(n_layer_); ++il) {
        // Per position: the query of every head, and the decompressed key and value of every head.
        std::vector<std::vector<double>> q(static_cast<size_t>(T)), k_nope(static_cast<size_t>(T)), k_rope(static_cast<size_t>(T)), val(static_cast<size_t>(T));
        const Tensor* kv_b = find(blk(il, "attn_kv_b.weight"));
        const Tensor* k_b = find(blk(il, "attn_k_b.weight"));
        const Tensor* v_b = find(blk(il, "attn_v_b.weight"));
        const bool split = k_b != nullptr && v_b != nullptr;
        for (int64_t t = 0; t < T; ++t) {
            const std::vector<double> h = norm(x[size_t(t)], blk(il, "attn_norm.weight"));
            if (find(blk(il, "attn_q_a.weight")) != nullptr) {
                q[size_t(t)] = matvec(get(blk(il, "attn_q_b.weight")),
                                      norm(matvec(get(blk(il, "attn_q_a.weight")), h), blk(il, "attn_q_a_norm.weight")));
            } else {
                q[size_t(t)] = matvec(get(blk(il, "attn_q.weight")), h);
            }
            for (int64_t hh = 0; hh < H; ++hh) rope(q[size_t(t)].data() + hh * qk + nope, t, rope_magnitude);

            const std::vector<double> kv_a = matvec(get(blk(il, "attn_kv_a_mqa.weight")), h);
            const std::vector<double> latent =
                norm(std::vector<double>(kv_a.begin(), kv_a.begin() + kv), blk(il, "attn_kv_a_norm.weight"));
            k_rope[size_t(t)].assign(kv_a.begin() + kv, kv_a.end());
            rope(k_rope[size_t(t)].data(), t, rope_magnitude);

            std::vector<double>& kn = k_nope[size_t(t)];
            std::vector<double>& vv = val[size_t(t)];
            kn.assign(size_t(H * nope), 0.0);
            vv.assign(size_t(H * hv), 0.0);
            for (int64_t hh = 0; hh < H; ++hh) {
                for (int64_t c = 0; c < kv; ++c) {
                    const double l = latent[size_t(c)];
                    for (int64_t i = 0; i < nope; ++i) {
                        // k_b[h] is {nope, kv_lora}: row c holds the nope coefficients of latent c.
                        // kv_b rows per head are [nope key rows | v value rows], kv_lora long.
                        const double w = split ? double(k_b->values[size_t((hh * kv + c) * nope + i)])
                                               : double(kv_b->values[size_t((hh * (nope + hv) + i) * kv + c)]);
                        kn[size_t(hh * nope + i)] += w * l;
                    }
                    for (int64_t j = 0; j < hv; ++j) {
                        const double w = split ? double(v_b->values[size_t((hh * hv + j) * kv + c)])
                                               : double(kv_b->values[size_t((hh * (nope + hv) + nope + j) * kv + c)]);
                        vv[size_t(hh * hv + j)] += w * l;
                    }
                }
            }
        }
        for (int64_t t = 0; t < T; ++t) {
            std::vector<double> heads(size_t(H * hv), 0.0);
            for (int64_t hh = 0; hh < H; ++hh) {
                const double* qh = q[size_t(t)].data() + hh * qk;
                std::vector<double> p(static_cast<size_t>(t + 1));
                for (int64_t j = 0; j <= t; ++j) {
                    p[size_t(j)] = scale * (dot(qh, k_nope[size_t(j)].data() + hh * nope, nope) +
                                            dot(qh + nope, k_rope[size_t(j)].data(), rope_dim));
                }
                softmax(p);
                for (int64_t j = 0; j <= t; ++j) {
                    for (int64_t d = 0; d < hv; ++d) {
                        heads[size_t(hh * hv + d)] += p[size_t(j)] * val[size_t(j)][size_t(hh * hv + d)];
                    }
                }
            }
            const std::vector<double> o = matvec(get(blk(il, "attn_output.weight")), heads);
            for (int64_t i = 0; i < n_embd_; ++i) x[size_t(t)][size_t(i)] += o[size_t(i)];
        }
        for (int64_t t = 0; t < T; ++t) {
            const std::vector<double> h = norm(x[size_t(t)], blk(il, "ffn_norm.weight"));
            const std::vector<double> f =
                il < n_dense_lead_ || n_expert_ == 0
                    ? swiglu(h, blk(il, "ffn_gate.weight"), blk(il, "ffn_up.weight"), blk(il, "ffn_down.weight"))
                    : moe(il, h);
            for (int64_t i = 0; i < n_embd_; ++i) x[size_t(t)][size_t(i)] += f[size_t(i)];
        }
    }
    std::vector<double> logits;
    for (int64_t t = 0; t < T; ++t) {
        const std::vector<double> l = output_logits(x[size_t(t)]);
        logits.insert(logits.end(), l.begin(), l.end());
    }
    return logits;
}

double NaivePerplexity::ppl() const { return std::exp(nll / double(count)); }

NaivePerplexity naive_perplexity(const NaiveModel& model, std::span<const int32_t> tokens, int64_t n_ctx,
                                 int32_t bos) {
    NaivePerplexity result;
    const int64_t n_chunks = int64_t(tokens.size()) / n_ctx;
    const size_t n_vocab = size_t(model.n_vocab());
    for (int64_t c = 0; c < n_chunks; ++c) {
        std::vector<int32_t> chunk(tokens.begin() + c * n_ctx, tokens.begin() + (c + 1) * n_ctx);
        chunk[0] = bos;
        const std::vector<double> logits = model.forward(chunk);
        for (int64_t j = n_ctx / 2; j <= n_ctx - 2; ++j) {
            const double* row = logits.data() + size_t(j) * n_vocab;
            const double max = *std::max_element(row, row + n_vocab);
            double sum = 0.0;
            for (size_t i = 0; i < n_vocab; ++i) sum += std::exp(row[i] - max);
            result.nll += max + std::log(sum) - row[size_t(tokens[size_t(c * n_ctx + j + 1)])];
            ++result.count;
        }
    }
    return result;
}

}  // namespace sy::test
