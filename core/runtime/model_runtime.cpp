#include "runtime/model_runtime.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "common/error.hpp"
#include "types/type_registry.hpp"

namespace sy::runtime {
namespace {

constexpr uint64_t kAlign = 256;
constexpr int32_t kF32 = 0, kF16 = 1, kQ8_0 = 8, kBF16 = 30;

uint64_t align_up(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

void check_cache_type(int32_t type, const char* flag) {
    if (type != kF32 && type != kF16 && type != kBF16 && type != kQ8_0) {
        throw Error(fmt::format("{} {}: the KV cache supports f32, f16, bf16 and q8_0", flag, type_name(type)));
    }
}

// The cache row pieces must start at block boundaries of a block type (q8_0: 32 elements).
void check_cache_split(int32_t type, int64_t piece, const char* what) {
    const TypeInfo* info = find_type(type);
    if (piece % info->block_elems != 0) {
        throw Error(fmt::format("KV cache type {} needs {} ({}) to be a multiple of {}", info->name, what, piece,
                                info->block_elems));
    }
}

}  // namespace

ModelRuntime::ModelRuntime(const gguf::GgufModel& file, std::vector<host::Device> devices,
                           std::span<const int> weight_device, const RuntimeOptions& options)
    : params_(model::read_model_params(file)),
      weights_(std::make_unique<model::ModelWeights>(file, params_)),
      devices_(devices),
      options_(options),
      scheduler_(std::move(devices)) {
    if (options_.n_ctx < 1) throw Error(fmt::format("context size {} must be positive", options_.n_ctx));
    if (options_.n_ubatch < 1) throw Error(fmt::format("micro-batch size {} must be positive", options_.n_ubatch));
    check_cache_type(options_.type_k, "-ctk");
    check_cache_type(options_.type_v, "-ctv");
    if (weight_device.size() != weights_->all().size()) {
        throw Error("model runtime: one device per weight is needed");
    }
    for (const host::Device& d : devices_) d.set_threads(std::max(1, options_.n_threads));
    upload_weights(weight_device);
    create_caches();
}

ModelRuntime::~ModelRuntime() = default;

void ModelRuntime::upload_weights(std::span<const int> weight_device) {
    const auto all = weights_->all();
    weight_place_.resize(all.size());
    weight_bytes_.assign(devices_.size(), 0);
    // Weights that share bytes (a tied output head reads token_embd's) share one copy per device.
    std::map<std::pair<const uint8_t*, int>, uint64_t> uploaded;
    std::vector<bool> is_copy_owner(all.size(), false);
    for (size_t i = 0; i < all.size(); ++i) {
        const int d = weight_device[i];
        if (d < 0 || size_t(d) >= devices_.size()) throw Error(fmt::format("weight '{}' has no device", all[i].name));
        weight_place_[i].device = d;
        const auto [it, added] = uploaded.try_emplace({all[i].bytes.data(), d}, weight_bytes_[size_t(d)]);
        weight_place_[i].offset = it->second;
        if (!added) continue;
        is_copy_owner[i] = true;
        weight_bytes_[size_t(d)] = align_up(weight_bytes_[size_t(d)] + all[i].bytes.size());
    }
    weight_buffers_.resize(devices_.size());
    for (size_t d = 0; d < devices_.size(); ++d) {
        if (weight_bytes_[d] == 0) continue;
        try {
            weight_buffers_[d] = devices_[d].alloc(weight_bytes_[d]);
        } catch (const Error& e) {
            throw Error(fmt::format("cannot hold {} bytes of weights on {}: {}", weight_bytes_[d], devices_[d].name(),
                                    e.what()));
        }
    }
    for (size_t i = 0; i < all.size(); ++i) {
        DeviceTensor& place = weight_place_[i];
        place.buffer = &weight_buffers_[size_t(place.device)];
        if (is_copy_owner[i]) {
            weight_buffers_[size_t(place.device)].upload(place.offset, all[i].bytes.data(), all[i].bytes.size());
        }
    }
}

int ModelRuntime::attention_device(int layer) const {
    const model::LayerWeights& lw = weights_->layers[size_t(layer)];
    const model::WeightId anchor = params_.arch == model::Arch::Deepseek2 ? lw.kv_a_mqa : lw.wk;
    return weight_place_[size_t(anchor)].device;
}

void ModelRuntime::create_caches() {
    const int64_t n_layer = params_.n_layer;
    caches_.resize(size_t(n_layer));
    cache_bytes_.assign(devices_.size(), 0);
    // Row sizes per token of the K and V caches.
    uint64_t k_row = 0, v_row = 0;
    if (params_.arch == model::Arch::Deepseek2) {
        check_cache_split(options_.type_k, params_.kv_lora_rank, "kv_lora_rank");
        check_cache_split(options_.type_k, params_.n_rot, "the rope dimension");
        k_row = row_bytes(options_.type_k, params_.kv_lora_rank + params_.n_rot, "kv cache");
    } else {
        check_cache_split(options_.type_k, params_.head_dim_k, "the key head size");
        check_cache_split(options_.type_v, params_.head_dim_v, "the value head size");
        k_row = row_bytes(options_.type_k, params_.head_dim_k, "kv cache") * uint64_t(params_.n_head_kv);
        v_row = row_bytes(options_.type_v, params_.head_dim_v, "kv cache") * uint64_t(params_.n_head_kv);
    }
    const uint64_t k_bytes = align_up(k_row * uint64_t(options_.n_ctx));
    const uint64_t v_bytes = align_up(v_row * uint64_t(options_.n_ctx));
    for (int il = 0; il < int(n_layer); ++il) {
        LayerCache& c = caches_[size_t(il)];
        const int d = attention_device(il);
        c.type_k = options_.type_k;
        c.type_v = options_.type_v;
        c.k.device = c.v.device = d;
        c.k.offset = cache_bytes_[size_t(d)];
        c.v.offset = c.k.offset + k_bytes;
        cache_bytes_[size_t(d)] += k_bytes + v_bytes;
    }
    cache_buffers_.resize(devices_.size());
    for (size_t d = 0; d < devices_.size(); ++d) {
        if (cache_bytes_[d] == 0) continue;
        try {
            cache_buffers_[d] = devices_[d].alloc(cache_bytes_[d]);
        } catch (const Error& e) {
            throw Error(fmt::format("cannot hold the KV cache ({} bytes for -c {}) on {}: {}", cache_bytes_[d],
                                    options_.n_ctx, devices_[d].name(), e.what()));
        }
    }
    for (LayerCache& c : caches_) {
        c.k.buffer = c.v.buffer = &cache_buffers_[size_t(c.k.device)];
    }
}

std::vector<float> ModelRuntime::decode(std::span<const int32_t> tokens, int64_t n_past, bool all_logits) {
    if (tokens.empty()) throw Error("decode: no tokens");
    if (n_past < 0 || n_past + int64_t(tokens.size()) > options_.n_ctx) {
        throw Error(fmt::format("decode: {} tokens at position {} exceed the context size {} (-c)", tokens.size(),
                                n_past, options_.n_ctx));
    }
    const size_t n_vocab = size_t(params_.n_vocab);
    std::vector<float> logits;
    logits.reserve(all_logits ? tokens.size() * n_vocab : n_vocab);
    for (size_t start = 0; start < tokens.size(); start += size_t(options_.n_ubatch)) {
        const size_t count = std::min(tokens.size() - start, size_t(options_.n_ubatch));
        const bool last_ubatch = start + count == tokens.size();
        ForwardRequest request;
        request.tokens = tokens.subspan(start, count);
        request.n_past = n_past + int64_t(start);
        request.n_ctx = options_.n_ctx;
        request.all_logits = all_logits;
        ForwardBuilder builder(params_, *weights_, weight_place_, caches_, request);
        const TensorId out = params_.arch == model::Arch::Deepseek2 ? build_deepseek2_forward(builder)
                                                                    : build_llama_forward(builder);
        scheduler_.run(builder.graph());
        if (all_logits || last_ubatch) {
            std::vector<float> part = scheduler_.read_output(builder.graph(), out);
            if (all_logits) {
                logits.insert(logits.end(), part.begin(), part.end());
            } else {
                logits = std::move(part);
            }
        }
    }
    return logits;
}

std::vector<ModelRuntime::DeviceUse> ModelRuntime::memory_use() const {
    std::vector<DeviceUse> out;
    const std::vector<uint64_t> arenas = scheduler_.arena_bytes();
    for (size_t d = 0; d < devices_.size(); ++d) {
        out.push_back({devices_[d].name(), weight_bytes_[d], cache_bytes_[d], arenas[d]});
    }
    return out;
}

}  // namespace sy::runtime
