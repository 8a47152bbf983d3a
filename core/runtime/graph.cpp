#include "runtime/graph.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "types/type_registry.hpp"

namespace sy::runtime {
namespace {

constexpr int32_t kF32 = 0;
constexpr int32_t kI32 = 26;

std::array<int64_t, SY_MAX_DIMS> to_shape(std::initializer_list<int64_t> ne, int32_t* n_dims) {
    if (ne.size() < 1 || ne.size() > SY_MAX_DIMS) throw Error("graph: a tensor needs 1 to 4 dimensions");
    std::array<int64_t, SY_MAX_DIMS> out = {1, 1, 1, 1};
    size_t i = 0;
    for (int64_t v : ne) {
        if (v < 1) throw Error(fmt::format("graph: dimension {} is {}, must be positive", i, v));
        out[i++] = v;
    }
    *n_dims = int32_t(ne.size());
    return out;
}

[[noreturn]] void shape_error(const char* op, const GraphTensor& a, const GraphTensor& b) {
    throw Error(fmt::format("graph: {} of '{}' [{}, {}, {}, {}] and '{}' [{}, {}, {}, {}]: shapes do not fit", op,
                            a.name, a.ne[0], a.ne[1], a.ne[2], a.ne[3], b.name, b.ne[0], b.ne[1], b.ne[2], b.ne[3]));
}

bool is_contiguous(const GraphTensor& t) {
    return t.nb == contiguous_strides(t.type, t.ne);
}

}  // namespace

std::array<uint64_t, SY_MAX_DIMS> contiguous_strides(int32_t type, const std::array<int64_t, SY_MAX_DIMS>& ne) {
    const TypeInfo* info = find_type(type);
    if (info == nullptr) throw Error(fmt::format("graph: unknown type id {}", type));
    std::array<uint64_t, SY_MAX_DIMS> nb{};
    nb[0] = info->block_bytes;  // one element of a plain type; one block otherwise
    nb[1] = row_bytes(type, ne[0], "graph tensor");
    for (size_t i = 2; i < SY_MAX_DIMS; ++i) nb[i] = nb[i - 1] * uint64_t(ne[i - 1]);
    return nb;
}

uint64_t GraphTensor::span_bytes() const {
    // The first row's bytes plus the strides of the outer dimensions.
    uint64_t span = row_bytes(type, ne[0], name);
    for (size_t i = 1; i < SY_MAX_DIMS; ++i) span += uint64_t(ne[i] - 1) * nb[i];
    return span;
}

TensorId Graph::add_tensor(GraphTensor t) {
    tensors_.push_back(std::move(t));
    return TensorId(tensors_.size() - 1);
}

TensorId Graph::storage_of(TensorId t) const {
    const GraphTensor& g = tensors_[size_t(t)];
    return g.role == TensorRole::View ? g.base : t;
}

TensorId Graph::weight(const std::string& name, int32_t type, std::initializer_list<int64_t> ne, DeviceTensor placed) {
    GraphTensor t;
    t.role = TensorRole::Weight;
    t.type = type;
    t.ne = to_shape(ne, &t.n_dims);
    t.nb = contiguous_strides(type, t.ne);
    t.placed = placed;
    t.name = name;
    return add_tensor(std::move(t));
}

TensorId Graph::cache(const std::string& name, int32_t type, std::initializer_list<int64_t> ne, DeviceTensor placed) {
    const TensorId id = weight(name, type, ne, placed);
    tensors_[size_t(id)].role = TensorRole::Cache;
    return id;
}

TensorId Graph::input(const std::string& name, int32_t type, std::initializer_list<int64_t> ne,
                      std::vector<uint8_t> data) {
    GraphTensor t;
    t.role = TensorRole::Input;
    t.type = type;
    t.ne = to_shape(ne, &t.n_dims);
    t.nb = contiguous_strides(type, t.ne);
    t.name = name;
    if (data.size() != t.span_bytes()) {
        throw Error(fmt::format("graph: input '{}' has {} bytes, its shape needs {}", name, data.size(), t.span_bytes()));
    }
    t.host_data = std::move(data);
    return add_tensor(std::move(t));
}

TensorId Graph::empty(const std::string& name, int32_t type, std::initializer_list<int64_t> ne) {
    int32_t n_dims = 0;
    const std::array<int64_t, SY_MAX_DIMS> shape = to_shape(ne, &n_dims);
    const TensorId id = new_activation(type, shape, n_dims);
    tensors_[size_t(id)].name = name;
    return id;
}

TensorId Graph::view(TensorId src, std::initializer_list<int64_t> ne, std::initializer_list<uint64_t> nb,
                     uint64_t offset) {
    const GraphTensor& parent = tensors_[size_t(src)];
    GraphTensor t;
    t.role = TensorRole::View;
    t.type = parent.type;
    t.ne = to_shape(ne, &t.n_dims);
    if (nb.size() != ne.size()) throw Error("graph: a view needs one stride per dimension");
    size_t i = 0;
    for (uint64_t v : nb) t.nb[i++] = v;
    // Unused dimensions get the stride that makes the view's span arithmetic work.
    for (; i < SY_MAX_DIMS; ++i) t.nb[i] = t.nb[i - 1] * uint64_t(t.ne[i - 1]);
    t.base = storage_of(src);
    t.offset = (parent.role == TensorRole::View ? parent.offset : 0) + offset;
    t.name = parent.name + " (view)";
    const GraphTensor& base = tensors_[size_t(t.base)];
    if (t.offset + t.span_bytes() > base.span_bytes()) {
        throw Error(fmt::format("graph: view of '{}' at offset {} spans {} bytes, past its {} bytes", base.name,
                                t.offset, t.span_bytes(), base.span_bytes()));
    }
    return add_tensor(std::move(t));
}

TensorId Graph::reshape(TensorId src, std::initializer_list<int64_t> ne) {
    const GraphTensor& parent = tensors_[size_t(src)];
    if (!is_contiguous(parent)) throw Error(fmt::format("graph: reshape of non-contiguous '{}'", parent.name));
    int32_t n_dims = 0;
    const std::array<int64_t, SY_MAX_DIMS> shape = to_shape(ne, &n_dims);
    if (shape[0] * shape[1] * shape[2] * shape[3] != parent.ne[0] * parent.ne[1] * parent.ne[2] * parent.ne[3]) {
        throw Error(fmt::format("graph: reshape of '{}' changes its element count", parent.name));
    }
    const std::array<uint64_t, SY_MAX_DIMS> nb = contiguous_strides(parent.type, shape);
    switch (n_dims) {
        case 1: return view(src, {shape[0]}, {nb[0]}, 0);
        case 2: return view(src, {shape[0], shape[1]}, {nb[0], nb[1]}, 0);
        case 3: return view(src, {shape[0], shape[1], shape[2]}, {nb[0], nb[1], nb[2]}, 0);
        default: return view(src, {shape[0], shape[1], shape[2], shape[3]}, {nb[0], nb[1], nb[2], nb[3]}, 0);
    }
}

TensorId Graph::new_activation(int32_t type, std::array<int64_t, SY_MAX_DIMS> ne, int32_t n_dims) {
    GraphTensor t;
    t.role = TensorRole::Activation;
    t.type = type;
    t.ne = ne;
    t.n_dims = n_dims;
    t.nb = contiguous_strides(type, ne);
    t.name = fmt::format("t{}", tensors_.size());
    return add_tensor(std::move(t));
}

void Graph::add_node(GraphNode node) { nodes_.push_back(node); }

TensorId Graph::unary(int32_t kind, TensorId x) {
    const GraphTensor& a = tensors_[size_t(x)];
    const TensorId dst = new_activation(kF32, a.ne, a.n_dims);
    GraphNode n;
    n.kind = kind;
    n.dst = dst;
    n.src[0] = x;
    n.n_src = 1;
    add_node(n);
    return dst;
}

TensorId Graph::binary(int32_t kind, TensorId x, TensorId y) {
    const GraphTensor& a = tensors_[size_t(x)];
    const GraphTensor& b = tensors_[size_t(y)];
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        if (a.ne[size_t(i)] % b.ne[size_t(i)] != 0) shape_error("broadcast", a, b);
    }
    const TensorId dst = new_activation(kF32, a.ne, a.n_dims);
    GraphNode n;
    n.kind = kind;
    n.dst = dst;
    n.src = {x, y, kNoTensor, kNoTensor};
    n.n_src = 2;
    add_node(n);
    return dst;
}

TensorId Graph::mul_mat(TensorId w, TensorId x) {
    const GraphTensor& a = tensors_[size_t(w)];
    const GraphTensor& b = tensors_[size_t(x)];
    if (a.ne[0] != b.ne[0] || b.ne[2] % a.ne[2] != 0 || b.ne[3] % a.ne[3] != 0) shape_error("mul_mat", a, b);
    const TensorId dst = new_activation(kF32, {a.ne[1], b.ne[1], b.ne[2], b.ne[3]}, std::max(b.n_dims, 2));
    GraphNode n;
    n.kind = SY_OP_MUL_MAT;
    n.dst = dst;
    n.src = {w, x, kNoTensor, kNoTensor};
    n.n_src = 2;
    add_node(n);
    return dst;
}

TensorId Graph::mul_mat_id(TensorId w, TensorId x, TensorId ids) {
    const GraphTensor& a = tensors_[size_t(w)];
    const GraphTensor& b = tensors_[size_t(x)];
    const GraphTensor& c = tensors_[size_t(ids)];
    if (a.ne[0] != b.ne[0] || c.type != kI32 || b.ne[2] != c.ne[1] || (b.ne[1] != 1 && b.ne[1] != c.ne[0])) {
        shape_error("mul_mat_id", a, b);
    }
    const TensorId dst = new_activation(kF32, {a.ne[1], c.ne[0], c.ne[1], 1}, 3);
    GraphNode n;
    n.kind = SY_OP_MUL_MAT_ID;
    n.dst = dst;
    n.src = {w, x, ids, kNoTensor};
    n.n_src = 3;
    add_node(n);
    return dst;
}

TensorId Graph::add(TensorId a, TensorId b) { return binary(SY_OP_ADD, a, b); }
TensorId Graph::mul(TensorId a, TensorId b) { return binary(SY_OP_MUL, a, b); }
TensorId Graph::div(TensorId a, TensorId b) { return binary(SY_OP_DIV, a, b); }
TensorId Graph::silu(TensorId x) { return unary(SY_OP_SILU, x); }
TensorId Graph::sigmoid(TensorId x) { return unary(SY_OP_SIGMOID, x); }
TensorId Graph::softmax(TensorId x) { return unary(SY_OP_SOFTMAX, x); }

TensorId Graph::rms_norm(TensorId x, float eps) {
    const TensorId dst = unary(SY_OP_RMS_NORM, x);
    nodes_.back().params_f[0] = eps;
    return dst;
}

TensorId Graph::scale(TensorId x, float factor) {
    const TensorId dst = unary(SY_OP_SCALE, x);
    nodes_.back().params_f[0] = factor;
    return dst;
}

TensorId Graph::sum_rows(TensorId x) {
    const GraphTensor& a = tensors_[size_t(x)];
    const TensorId dst = new_activation(kF32, {1, a.ne[1], a.ne[2], a.ne[3]}, a.n_dims);
    GraphNode n;
    n.kind = SY_OP_SUM_ROWS;
    n.dst = dst;
    n.src[0] = x;
    n.n_src = 1;
    add_node(n);
    return dst;
}

TensorId Graph::top_k(TensorId x, int64_t k) {
    const GraphTensor& a = tensors_[size_t(x)];
    if (k < 1 || k > a.ne[0]) throw Error(fmt::format("graph: top_k {} of rows of {}", k, a.ne[0]));
    const TensorId dst = new_activation(kI32, {k, a.ne[1], a.ne[2], a.ne[3]}, a.n_dims);
    GraphNode n;
    n.kind = SY_OP_TOP_K;
    n.dst = dst;
    n.src[0] = x;
    n.n_src = 1;
    add_node(n);
    return dst;
}

TensorId Graph::get_rows(TensorId table, TensorId ids) {
    const GraphTensor& a = tensors_[size_t(table)];
    const GraphTensor& b = tensors_[size_t(ids)];
    if (b.type != kI32 || a.ne[2] != b.ne[1]) shape_error("get_rows", a, b);
    const TensorId dst = new_activation(kF32, {a.ne[0], b.ne[0], b.ne[1], 1}, std::max(2, b.n_dims + 1));
    GraphNode n;
    n.kind = SY_OP_GET_ROWS;
    n.dst = dst;
    n.src = {table, ids, kNoTensor, kNoTensor};
    n.n_src = 2;
    add_node(n);
    return dst;
}

TensorId Graph::rope(TensorId x, TensorId table, int32_t n_rot, int32_t mode) {
    const GraphTensor& a = tensors_[size_t(x)];
    const GraphTensor& t = tensors_[size_t(table)];
    if (t.ne[0] != n_rot || t.ne[1] != a.ne[2] || n_rot > a.ne[0]) shape_error("rope", a, t);
    const TensorId dst = new_activation(kF32, a.ne, a.n_dims);
    GraphNode n;
    n.kind = SY_OP_ROPE;
    n.dst = dst;
    n.src = {x, table, kNoTensor, kNoTensor};
    n.n_src = 2;
    n.params_i = {n_rot, mode, 0, 0};
    add_node(n);
    return dst;
}

TensorId Graph::attention(TensorId q, TensorId k, TensorId v, int32_t first_pos, float scale, float softcap) {
    const GraphTensor& Q = tensors_[size_t(q)];
    const GraphTensor& K = tensors_[size_t(k)];
    const GraphTensor& V = tensors_[size_t(v)];
    if (Q.ne[0] != K.ne[0] || K.ne[2] != V.ne[2] || K.ne[1] != V.ne[1] || Q.ne[1] % K.ne[1] != 0) {
        shape_error("attention", Q, K);
    }
    const TensorId dst = new_activation(kF32, {V.ne[0], Q.ne[1], Q.ne[2], 1}, 3);
    GraphNode n;
    n.kind = SY_OP_ATTENTION;
    n.dst = dst;
    n.src = {q, k, v, kNoTensor};
    n.n_src = 3;
    n.params_f = {scale, softcap, 0, 0};
    n.params_i = {first_pos, 0, 0, 0};
    add_node(n);
    return dst;
}

void Graph::cpy(TensorId src, TensorId dst) {
    const GraphTensor& a = tensors_[size_t(src)];
    const GraphTensor& b = tensors_[size_t(dst)];
    if (a.ne != b.ne) shape_error("cpy", a, b);
    GraphNode n;
    n.kind = SY_OP_CPY;
    n.dst = dst;
    n.src[0] = src;
    n.n_src = 1;
    add_node(n);
}

}  // namespace sy::runtime
