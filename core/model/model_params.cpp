#include "model/model_params.hpp"

#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "common/error.hpp"

namespace sy::model {
namespace {

// Reads `<arch>.<name>` keys with the file named in every message.
class KeyReader {
public:
    KeyReader(const gguf::GgufModel& model, std::string arch) : model_(model), arch_(std::move(arch)) {}

    std::string key(std::string_view name) const { return fmt::format("{}.{}", arch_, name); }

    std::optional<int64_t> opt_int(std::string_view name) const {
        const gguf::KeyValue* kv = model_.find(key(name));
        if (kv == nullptr) return std::nullopt;
        // Per-layer arrays (head_count may be one) must be uniform: no architecture we run
        // varies them per layer.
        if (kv->value.is_array()) return uniform_array(*kv);
        return wrap([&] { return kv->as_i64(); });
    }
    int64_t req_int(std::string_view name) const {
        std::optional<int64_t> v = opt_int(name);
        if (!v) fail_missing(name);
        return *v;
    }
    std::optional<double> opt_f64(std::string_view name) const {
        const gguf::KeyValue* kv = model_.find(key(name));
        if (kv == nullptr) return std::nullopt;
        return wrap([&] { return kv->as_f64(); });
    }
    std::optional<bool> opt_bool(std::string_view name) const {
        const gguf::KeyValue* kv = model_.find(key(name));
        if (kv == nullptr) return std::nullopt;
        return wrap([&] { return kv->as_bool(); });
    }
    std::optional<std::string> opt_string(std::string_view name) const {
        const gguf::KeyValue* kv = model_.find(key(name));
        if (kv == nullptr) return std::nullopt;
        return wrap([&] { return std::string(kv->as_string()); });
    }
    [[noreturn]] void fail(std::string_view name, const std::string& why) const {
        throw Error(fmt::format("{}: key '{}': {}", model_.path(), key(name), why));
    }

private:
    [[noreturn]] void fail_missing(std::string_view name) const {
        fail(name, "required key is missing");
    }
    int64_t uniform_array(const gguf::KeyValue& kv) const {
        const uint64_t n = kv.value.size(kv.what());
        if (n == 0) throw Error(fmt::format("{}: {} is an empty array", model_.path(), kv.what()));
        const int64_t first = wrap([&] { return kv.value.i64_at(0, kv.what()); });
        for (uint64_t i = 1; i < n; ++i) {
            if (wrap([&] { return kv.value.i64_at(i, kv.what()); }) != first) {
                throw Error(fmt::format("{}: {} differs between layers; per-layer values are not supported",
                                        model_.path(), kv.what()));
            }
        }
        return first;
    }
    template <class F>
    auto wrap(F&& read) const -> decltype(read()) {
        try {
            return read();
        } catch (const Error& e) {
            throw Error(fmt::format("{}: {}", model_.path(), e.what()));
        }
    }

    const gguf::GgufModel& model_;
    std::string arch_;
};

void require_positive(const KeyReader& keys, std::string_view name, int64_t value) {
    if (value <= 0) keys.fail(name, fmt::format("must be positive, got {}", value));
}

RopeScaling parse_rope_scaling(const KeyReader& keys, const std::string& text) {
    if (text == "none") return RopeScaling::None;
    if (text == "linear") return RopeScaling::Linear;
    if (text == "yarn") return RopeScaling::Yarn;
    keys.fail("rope.scaling.type", fmt::format("unsupported value '{}' (none, linear, yarn)", text));
}

void read_common(const KeyReader& keys, const gguf::GgufModel& model, ModelParams& p) {
    p.n_embd = keys.req_int("embedding_length");
    p.n_layer = keys.req_int("block_count");
    p.n_head = keys.req_int("attention.head_count");
    p.n_head_kv = keys.opt_int("attention.head_count_kv").value_or(p.n_head);
    p.n_ff = keys.opt_int("feed_forward_length").value_or(0);
    p.n_ctx_train = keys.opt_int("context_length").value_or(0);
    require_positive(keys, "embedding_length", p.n_embd);
    require_positive(keys, "block_count", p.n_layer);
    require_positive(keys, "attention.head_count", p.n_head);
    require_positive(keys, "attention.head_count_kv", p.n_head_kv);
    if (p.n_head % p.n_head_kv != 0) {
        keys.fail("attention.head_count_kv",
                  fmt::format("{} does not divide head_count {}", p.n_head_kv, p.n_head));
    }
    p.head_dim_k = keys.opt_int("attention.key_length").value_or(p.n_embd / p.n_head);
    p.head_dim_v = keys.opt_int("attention.value_length").value_or(p.n_embd / p.n_head);
    p.n_rot = keys.opt_int("rope.dimension_count").value_or(p.head_dim_k);
    p.rope_freq_base = float(keys.opt_f64("rope.freq_base").value_or(10000.0));

    // The vocabulary size: the key if present, else the token list (as llama.cpp).
    if (std::optional<int64_t> n = keys.opt_int("vocab_size")) {
        p.n_vocab = *n;
    } else if (const gguf::KeyValue* tokens = model.find("tokenizer.ggml.tokens")) {
        p.n_vocab = int64_t(tokens->value.size());
    }

    p.rope_scaling = parse_rope_scaling(keys, keys.opt_string("rope.scaling.type").value_or("linear"));
    double factor = keys.opt_f64("rope.scaling.factor").value_or(0.0);
    if (factor == 0.0) factor = keys.opt_f64("rope.scale_linear").value_or(0.0);
    p.rope_freq_scale = factor == 0.0 ? 1.0f : float(1.0 / factor);
    if (p.rope_scaling == RopeScaling::None) p.rope_freq_scale = 1.0f;
    p.rope_n_ctx_orig = keys.opt_int("rope.scaling.original_context_length").value_or(p.n_ctx_train);
    p.rope_attn_factor = float(keys.opt_f64("rope.scaling.attn_factor").value_or(1.0));
    if (p.rope_freq_base <= 0.0f || !std::isfinite(p.rope_freq_base)) {
        keys.fail("rope.freq_base", "must be a positive number");
    }
}

void read_llama(const KeyReader& keys, ModelParams& p) {
    p.rms_eps = float(keys.opt_f64("attention.layer_norm_rms_epsilon").value_or(1e-5));
    if (p.n_ff <= 0) keys.fail("feed_forward_length", "required key is missing or not positive");
}

void read_deepseek2(const KeyReader& keys, ModelParams& p) {
    p.rms_eps = float(keys.opt_f64("attention.layer_norm_rms_epsilon").value_or(1e-6));
    p.kv_lora_rank = keys.req_int("attention.kv_lora_rank");
    p.q_lora_rank = keys.opt_int("attention.q_lora_rank").value_or(0);
    p.n_dense_lead = keys.opt_int("leading_dense_block_count").value_or(0);
    p.n_expert = keys.opt_int("expert_count").value_or(0);
    p.n_expert_used = keys.opt_int("expert_used_count").value_or(0);
    p.n_expert_shared = keys.opt_int("expert_shared_count").value_or(0);
    p.n_ff_exp = keys.opt_int("expert_feed_forward_length").value_or(0);
    p.expert_weights_scale = float(keys.opt_f64("expert_weights_scale").value_or(1.0));
    p.expert_weights_norm = keys.opt_bool("expert_weights_norm").value_or(false);
    p.yarn_log_multiplier = float(keys.opt_f64("rope.scaling.yarn_log_multiplier").value_or(0.0));
    require_positive(keys, "attention.kv_lora_rank", p.kv_lora_rank);

    // Mainline-converted files store MLA geometry (n_head_kv 1, key = kv_lora + rope); the
    // per-head sizes then come from the *_mla keys, as ik_llama.cpp reads them.
    if (p.n_head_kv == 1 && p.head_dim_k == p.kv_lora_rank + p.n_rot) {
        p.n_head_kv = p.n_head;
        p.head_dim_k = keys.opt_int("attention.key_length_mla").value_or(192);
        p.head_dim_v = keys.opt_int("attention.value_length_mla").value_or(128);
    }
    p.qk_nope_dim = p.head_dim_k - p.n_rot;
    if (p.n_rot <= 0 || p.n_rot % 2 != 0 || p.qk_nope_dim <= 0) {
        keys.fail("rope.dimension_count",
                  fmt::format("{} is not an even number below key_length {}", p.n_rot, p.head_dim_k));
    }
    if (p.n_dense_lead < 0 || p.n_dense_lead > p.n_layer) {
        keys.fail("leading_dense_block_count", fmt::format("{} is outside 0..{}", p.n_dense_lead, p.n_layer));
    }
    if (p.n_dense_lead < p.n_layer) {  // there are MoE layers
        require_positive(keys, "expert_count", p.n_expert);
        require_positive(keys, "expert_used_count", p.n_expert_used);
        require_positive(keys, "expert_feed_forward_length", p.n_ff_exp);
        if (p.n_expert_used > p.n_expert) {
            keys.fail("expert_used_count", fmt::format("{} exceeds expert_count {}", p.n_expert_used, p.n_expert));
        }
    }
    // Absent gating: DeepSeek-V2/2.5 files predate the key and use softmax (ik's rule; its
    // 47/48-layer GLM exception is not an architecture we run).
    const int64_t gating = keys.opt_int("expert_gating_func").value_or(1);
    if (gating != 1 && gating != 2) {
        keys.fail("expert_gating_func", fmt::format("{} is not supported (1 softmax, 2 sigmoid)", gating));
    }
    p.gating = Gating(gating);
}

}  // namespace

const char* arch_name(Arch arch) { return arch == Arch::Llama ? "llama" : "deepseek2"; }

ModelParams read_model_params(const gguf::GgufModel& model) {
    const gguf::KeyValue* arch_kv = model.find("general.architecture");
    if (arch_kv == nullptr) {
        throw Error(fmt::format("{}: key 'general.architecture' is missing; not a model file?", model.path()));
    }
    const std::string arch(arch_kv->as_string());
    ModelParams p;
    if (arch == "llama") {
        p.arch = Arch::Llama;
    } else if (arch == "deepseek2") {
        p.arch = Arch::Deepseek2;
    } else {
        throw Error(fmt::format("{}: architecture '{}' is not supported (supported: llama, deepseek2)",
                                model.path(), arch));
    }
    const KeyReader keys(model, arch);
    read_common(keys, model, p);
    if (p.arch == Arch::Llama) {
        read_llama(keys, p);
    } else {
        read_deepseek2(keys, p);
    }
    if (p.n_vocab <= 0) keys.fail("vocab_size", "absent and no tokenizer.ggml.tokens to count");
    if (p.n_rot > p.head_dim_k || p.n_rot % 2 != 0) {
        keys.fail("rope.dimension_count", fmt::format("{} must be even and at most the head size {}", p.n_rot,
                                                      p.head_dim_k));
    }
    if (p.rope_n_ctx_orig <= 0) p.rope_n_ctx_orig = p.n_ctx_train > 0 ? p.n_ctx_train : 4096;
    return p;
}

}  // namespace sy::model
