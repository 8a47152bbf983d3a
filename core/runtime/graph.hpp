// The forward pass as data: a list of ops over tensors, built by the architectures
// (llama_graph.cpp, deepseek2_graph.cpp) for one batch of tokens, then placed and run by the
// scheduler (scheduler.hpp).
//
// Tensors are
//   weights      bytes already on a device (a DeviceTensor the model loader made);
//   caches       KV-cache rows on a device, read and written in place;
//   inputs       host data (token ids, positions, RoPE tables) uploaded where first read;
//   activations  results of ops; the scheduler chooses their device and memory;
//   views        a window on any of the above (offset + shape + strides in bytes).
// Shapes are ggml order: ne[0] is the row length; nb[i] is the byte stride of dimension i.
// Builders check shapes and throw sy::Error (a bug in a builder, or a malformed model that
// slipped through the weight checks), so nothing malformed reaches a backend.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "host/device.hpp"
#include "switchyard/plugin_abi.h"

namespace sy::runtime {

using TensorId = int32_t;
inline constexpr TensorId kNoTensor = -1;

// Bytes that already live on a device: a weight or a KV-cache tensor.
struct DeviceTensor {
    int device = -1;                   // index into the scheduler's device list
    const host::Buffer* buffer = nullptr;
    uint64_t offset = 0;               // bytes from the buffer's start
};

enum class TensorRole : uint8_t { Weight, Cache, Input, Activation, View };

struct GraphTensor {
    TensorRole role = TensorRole::Activation;
    int32_t type = 0;
    int32_t n_dims = 1;
    std::array<int64_t, SY_MAX_DIMS> ne = {1, 1, 1, 1};
    std::array<uint64_t, SY_MAX_DIMS> nb = {0, 0, 0, 0};
    TensorId base = kNoTensor;  // View: the tensor whose bytes it shows (never itself a view)
    uint64_t offset = 0;        // View: bytes from base's first byte
    DeviceTensor placed;        // Weight, Cache
    std::vector<uint8_t> host_data;  // Input
    std::string name;           // for messages and reports

    uint64_t span_bytes() const;  // bytes from the first element to one past the last
};

struct GraphNode {
    int32_t kind = SY_OP_NONE;
    TensorId dst = kNoTensor;
    std::array<TensorId, SY_MAX_SRC> src = {kNoTensor, kNoTensor, kNoTensor, kNoTensor};
    int32_t n_src = 0;
    std::array<float, 4> params_f = {0, 0, 0, 0};
    std::array<int32_t, 4> params_i = {0, 0, 0, 0};
};

class Graph {
public:
    // ---- leaves ----
    TensorId weight(const std::string& name, int32_t type, std::initializer_list<int64_t> ne, DeviceTensor placed);
    TensorId cache(const std::string& name, int32_t type, std::initializer_list<int64_t> ne, DeviceTensor placed);
    TensorId input(const std::string& name, int32_t type, std::initializer_list<int64_t> ne,
                   std::vector<uint8_t> data);

    // An activation no op produces as a whole: filled piecewise by cpy into views of it
    // (concatenation).
    TensorId empty(const std::string& name, int32_t type, std::initializer_list<int64_t> ne);

    // ---- views (no op; bytes shared with the base) ----
    // A window of shape ne with strides nb (bytes), `offset` bytes into t.
    TensorId view(TensorId t, std::initializer_list<int64_t> ne, std::initializer_list<uint64_t> nb,
                  uint64_t offset);
    // The same bytes as a contiguous tensor of another shape (t must be contiguous).
    TensorId reshape(TensorId t, std::initializer_list<int64_t> ne);

    // ---- ops: each returns a new activation (or writes into dst for cpy) ----
    TensorId mul_mat(TensorId w, TensorId x);                 // [K,N,..] x [K,M,B..] -> [N,M,B..]
    TensorId mul_mat_id(TensorId w, TensorId x, TensorId ids);  // [K,N,E] x [K,S1,T], ids[S,T] -> [N,S,T]
    TensorId add(TensorId a, TensorId b);
    TensorId mul(TensorId a, TensorId b);
    TensorId div(TensorId a, TensorId b);
    TensorId rms_norm(TensorId x, float eps);
    TensorId scale(TensorId x, float factor);
    TensorId silu(TensorId x);
    TensorId sigmoid(TensorId x);
    TensorId softmax(TensorId x);
    TensorId sum_rows(TensorId x);
    TensorId top_k(TensorId x, int64_t k);
    TensorId get_rows(TensorId table, TensorId ids);           // [K,N,B] rows ids[R,B] -> [K,R,B]
    TensorId rope(TensorId x, TensorId table, int32_t n_rot, int32_t mode);
    // dst[Dv,H,T] attention; see plugin_abi.h. first_pos = position of the first query.
    TensorId attention(TensorId q, TensorId k, TensorId v, int32_t first_pos, float scale, float softcap);
    // Writes src into dst (a view of an activation or cache), converting to dst's type.
    void cpy(TensorId src, TensorId dst);

    // Tensors whose values the caller reads after the run (kept alive to the end).
    void mark_output(TensorId t) { outputs_.push_back(t); }

    const GraphTensor& tensor(TensorId t) const { return tensors_[size_t(t)]; }
    const std::vector<GraphTensor>& tensors() const { return tensors_; }
    const std::vector<GraphNode>& nodes() const { return nodes_; }
    const std::vector<TensorId>& outputs() const { return outputs_; }
    // The tensor that owns t's bytes: t itself unless t is a view.
    TensorId storage_of(TensorId t) const;

private:
    TensorId add_tensor(GraphTensor t);
    TensorId new_activation(int32_t type, std::array<int64_t, SY_MAX_DIMS> ne, int32_t n_dims);
    TensorId unary(int32_t kind, TensorId x);
    TensorId binary(int32_t kind, TensorId a, TensorId b);
    void add_node(GraphNode node);

    std::vector<GraphTensor> tensors_;
    std::vector<GraphNode> nodes_;
    std::vector<TensorId> outputs_;
};

// Contiguous strides of a tensor of `type` and shape `ne` (row bytes from the registry).
std::array<uint64_t, SY_MAX_DIMS> contiguous_strides(int32_t type, const std::array<int64_t, SY_MAX_DIMS>& ne);

}  // namespace sy::runtime
