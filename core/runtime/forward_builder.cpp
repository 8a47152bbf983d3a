#include "runtime/forward_builder.hpp"

#include <cstring>

#include <fmt/format.h>

#include "common/error.hpp"

namespace sy::runtime {
namespace {

constexpr int32_t kI32 = 26;
constexpr int32_t kF32 = 0;

template <class T>
std::vector<uint8_t> to_bytes(std::span<const T> values) {
    std::vector<uint8_t> bytes(values.size_bytes());
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

}  // namespace

ForwardBuilder::ForwardBuilder(const model::ModelParams& params, const model::ModelWeights& weights,
                               std::span<const DeviceTensor> weight_place, std::span<const LayerCache> caches,
                               const ForwardRequest& request)
    : params_(params),
      weights_(weights),
      weight_place_(weight_place),
      caches_(caches),
      request_(request),
      weight_leaf_(weights.all().size(), kNoTensor) {
    if (request.tokens.empty()) throw Error("forward: no tokens to evaluate");
    if (request.n_past < 0 || request.n_past + n_tokens() > request.n_ctx) {
        throw Error(fmt::format("forward: positions {}..{} do not fit the context of {} tokens", request.n_past,
                                request.n_past + n_tokens() - 1, request.n_ctx));
    }
}

TensorId ForwardBuilder::w(model::WeightId id) {
    if (id == model::kNoWeight) throw Error("forward: a required weight is absent");
    TensorId& leaf = weight_leaf_[size_t(id)];
    if (leaf == kNoTensor) {
        const model::Weight& wt = weights_[id];
        const auto& ne = wt.ne;
        switch (wt.n_dims) {
            case 1: leaf = g_.weight(wt.name, wt.type, {ne[0]}, weight_place_[size_t(id)]); break;
            case 2: leaf = g_.weight(wt.name, wt.type, {ne[0], ne[1]}, weight_place_[size_t(id)]); break;
            default: leaf = g_.weight(wt.name, wt.type, {ne[0], ne[1], ne[2]}, weight_place_[size_t(id)]); break;
        }
    }
    return leaf;
}

TensorId ForwardBuilder::embed_tokens() {
    for (int32_t id : request_.tokens) {
        if (id < 0 || id >= params_.n_vocab) {
            throw Error(fmt::format("token id {} is outside the vocabulary (0..{})", id, params_.n_vocab - 1));
        }
    }
    const TensorId ids = g_.input("tokens", kI32, {n_tokens()}, to_bytes(request_.tokens));
    return g_.get_rows(w(weights_.token_embd), ids);  // [n_embd, T]
}

TensorId ForwardBuilder::rope_table_input(const RopeParams& rope) {
    std::vector<int32_t> positions(static_cast<size_t>(n_tokens()));
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = int32_t(request_.n_past + int64_t(i));
    const std::vector<float> table = rope_table(rope, positions);
    return g_.input("rope", kF32, {rope.n_rot, n_tokens()}, to_bytes(std::span<const float>(table)));
}

TensorId ForwardBuilder::norm(TensorId x, model::WeightId weight) {
    return g_.mul(g_.rms_norm(x, params_.rms_eps), w(weight));
}

TensorId ForwardBuilder::swiglu_ffn(TensorId x, model::WeightId gate, model::WeightId up, model::WeightId down) {
    const TensorId g = g_.silu(g_.mul_mat(w(gate), x));
    const TensorId u = g_.mul_mat(w(up), x);
    return g_.mul_mat(w(down), g_.mul(g, u));
}

TensorId ForwardBuilder::output_head(TensorId x) {
    TensorId last = x;
    if (!request_.all_logits && n_tokens() > 1) {
        const GraphTensor& t = g_.tensor(x);
        last = g_.view(x, {t.ne[0], 1}, {t.nb[0], t.nb[1]}, uint64_t(n_tokens() - 1) * t.nb[1]);
    }
    const TensorId logits = g_.mul_mat(w(weights_.output), norm(last, weights_.output_norm));
    g_.mark_output(logits);
    return logits;
}

TensorId ForwardBuilder::cache_k(int il, std::initializer_list<int64_t> ne) {
    const LayerCache& c = caches_[size_t(il)];
    return g_.cache(fmt::format("cache_k.{}", il), c.type_k, ne, c.k);
}

TensorId ForwardBuilder::cache_v(int il, std::initializer_list<int64_t> ne) {
    const LayerCache& c = caches_[size_t(il)];
    return g_.cache(fmt::format("cache_v.{}", il), c.type_v, ne, c.v);
}

}  // namespace sy::runtime
