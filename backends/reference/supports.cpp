// The reference backend's capability predicate (STYLE rule 4: kept in its own file so what a
// backend claims stays reviewable next to nothing else). supports() and supports_op() share
// the per-op type predicates below, so supports() is true exactly when some concrete op with
// those types passes supports_op(), and supports_op() accepts exactly what run_op() computes.
#include "supports.hpp"

#include "kernels/dot_plan.hpp"
#include "row_format.hpp"
#include "switchyard/sdk/tensor_layout.hpp"
#include "types/quant_kernels.hpp"

namespace sy::refops {
namespace {

using sdk::kTypeBF16;
using sdk::kTypeF16;
using sdk::kTypeF32;
using sdk::kTypeI32;
constexpr int32_t kTypeQ8_0 = 8;

// ---- types --------------------------------------------------------------------------------

// GET_ROWS sources: anything core can dequantize (floats, every quant type, Q8_1/Q8_K too).
bool dequantizable(int32_t type) {
    const QuantKernels* kernels = find_kernels(type);
    return kernels != nullptr && kernels->dequantize_row != nullptr && row_format(type).known();
}

bool kv_cache_type(int32_t type) { return type == kTypeF32 || type == kTypeF16 || type == kTypeQ8_0; }

bool cpy_types(int32_t dst_type, int32_t src_type) {
    if (src_type == kTypeF32) {
        return dst_type == kTypeF32 || dst_type == kTypeF16 || dst_type == kTypeBF16 || dst_type == kTypeQ8_0;
    }
    return src_type == kTypeF16 && dst_type == kTypeF32;
}

// ---- layouts ------------------------------------------------------------------------------

// Rows of whole blocks, nb[0] the block (element) size, rows apart; plain types aligned.
bool rows_ok(const sy_tensor& t) { return sdk::block_layout_ok(t, row_format(t.type)); }
bool rows_ok(const sy_tensor& t, int32_t type) { return t.type == type && rows_ok(t); }

// A destination: rows_ok, and no two elements share a byte (each written once, by one thread).
bool dst_ok(const sy_tensor& t, int32_t type) {
    return rows_ok(t, type) && sdk::view_elements_disjoint(t, row_format(t.type));
}

bool shape_is(const sy_tensor& t, int64_t n0, int64_t n1, int64_t n2, int64_t n3) {
    return t.ne[0] == n0 && t.ne[1] == n1 && t.ne[2] == n2 && t.ne[3] == n3;
}

// ---- ops ----------------------------------------------------------------------------------

// dst[N,M,B2,B3] = src0[K,N,b2,b3] x src1[K,M,B2,B3], src0 broadcast over the batch dims.
bool mul_mat_ok(const sy_op& op) {
    const sy_tensor &w = op.src[0], &x = op.src[1], &dst = op.dst;
    if (op.n_src != 2 || !supports(op.kind, w.type, x.type)) return false;
    if (!rows_ok(w) || !rows_ok(x) || !dst_ok(dst, kTypeF32)) return false;
    return w.ne[0] == x.ne[0] && w.ne[0] % dot_plan_k_multiple(w.type) == 0 &&
           shape_is(dst, w.ne[1], x.ne[1], x.ne[2], x.ne[3]) && x.ne[2] % w.ne[2] == 0 &&
           x.ne[3] % w.ne[3] == 0;
}

// dst[N,S,T] = experts src0[K,N,E] x src1[K,S1,T] (S1 = 1 or S) chosen by ids src2[S,T].
bool mul_mat_id_ok(const sy_op& op) {
    const sy_tensor &w = op.src[0], &x = op.src[1], &ids = op.src[2], &dst = op.dst;
    if (op.n_src != 3 || !supports(op.kind, w.type, x.type)) return false;
    if (!rows_ok(w) || !rows_ok(x) || !rows_ok(ids, kTypeI32) || !dst_ok(dst, kTypeF32)) return false;
    const int64_t k = w.ne[0], slots = ids.ne[0], tokens = ids.ne[1];
    return w.ne[3] == 1 && k % dot_plan_k_multiple(w.type) == 0 && shape_is(ids, slots, tokens, 1, 1) &&
           x.ne[0] == k && (x.ne[1] == 1 || x.ne[1] == slots) && x.ne[2] == tokens && x.ne[3] == 1 &&
           shape_is(dst, w.ne[1], slots, tokens, 1);
}

// ADD/MUL/DIV: every ne of src1 divides src0's (src1 indexed modulo its own shape).
bool binary_ok(const sy_op& op) {
    const sy_tensor &a = op.src[0], &b = op.src[1], &dst = op.dst;
    return op.n_src == 2 && supports(op.kind, b.type, a.type) && rows_ok(a) && rows_ok(b) &&
           dst_ok(dst, kTypeF32) && sdk::same_shape(a, dst) && sdk::broadcasts_into(b, a);
}

bool unary_ok(const sy_op& op) {
    const sy_tensor &a = op.src[0], &dst = op.dst;
    return op.n_src == 1 && supports(op.kind, SY_TYPE_NONE, a.type) && rows_ok(a) && dst_ok(dst, kTypeF32) &&
           sdk::same_shape(a, dst);
}

bool sum_rows_ok(const sy_op& op) {
    const sy_tensor &a = op.src[0], &dst = op.dst;
    return op.n_src == 1 && supports(op.kind, SY_TYPE_NONE, a.type) && rows_ok(a) && dst_ok(dst, kTypeF32) &&
           shape_is(dst, 1, a.ne[1], a.ne[2], a.ne[3]);
}

// dst[k,R,..] int32, k <= n = src0.ne0.
bool top_k_ok(const sy_op& op) {
    const sy_tensor &a = op.src[0], &dst = op.dst;
    return op.n_src == 1 && supports(op.kind, SY_TYPE_NONE, a.type) && rows_ok(a) && dst_ok(dst, kTypeI32) &&
           dst.ne[0] <= a.ne[0] && shape_is(dst, dst.ne[0], a.ne[1], a.ne[2], a.ne[3]);
}

// dst[K,R,B2,B3] = rows src1[R,B2,B3] (int32) of src0[K,N,B2,B3].
bool get_rows_ok(const sy_op& op) {
    const sy_tensor &table = op.src[0], &rows = op.src[1], &dst = op.dst;
    return op.n_src == 2 && supports(op.kind, table.type, rows.type) && rows_ok(table) && rows_ok(rows) &&
           dst_ok(dst, kTypeF32) && shape_is(rows, rows.ne[0], table.ne[2], table.ne[3], 1) &&
           shape_is(dst, table.ne[0], rows.ne[0], table.ne[2], table.ne[3]);
}

// dst[D,H,T] = src0[D,H,T] rotated with table src1[n_rot,T]; n_rot = params_i[0] even,
// mode = params_i[1] 0 (NORM) or 2 (NEOX).
bool rope_ok(const sy_op& op) {
    const sy_tensor &x = op.src[0], &table = op.src[1], &dst = op.dst;
    const int64_t n_rot = op.params_i[0];
    const int32_t mode = op.params_i[1];
    return op.n_src == 2 && supports(op.kind, SY_TYPE_NONE, x.type) && rows_ok(x) && rows_ok(table, kTypeF32) &&
           dst_ok(dst, kTypeF32) && x.ne[3] == 1 && n_rot >= 2 && n_rot % 2 == 0 && n_rot <= x.ne[0] &&
           (mode == 0 || mode == 2) && shape_is(table, n_rot, x.ne[2], 1, 1) && sdk::same_shape(x, dst);
}

// Element-strided plain views on both sides; a Q8_0 destination is rows of whole blocks.
bool cpy_ok(const sy_op& op) {
    const sy_tensor &src = op.src[0], &dst = op.dst;
    if (op.n_src != 1 || !supports(op.kind, dst.type, src.type)) return false;
    if (!sdk::strided_layout_ok(src, sdk::plain_type_size(src.type))) return false;
    const sdk::RowFormat dst_format = row_format(dst.type);
    const bool dst_layout = dst_format.plain() ? sdk::strided_layout_ok(dst, dst_format.block_bytes)
                                               : sdk::block_layout_ok(dst, dst_format);
    return dst_layout && sdk::view_elements_disjoint(dst, dst_format) && sdk::same_shape(src, dst);
}

// dst[Dv,H,T] from Q[Dk,H,T] F32, K[Dk,Hkv,N], V[Dv,Hkv,N] (F32/F16/Q8_0 each), H % Hkv == 0.
bool attention_ok(const sy_op& op) {
    const sy_tensor &q = op.src[0], &k = op.src[1], &v = op.src[2], &dst = op.dst;
    if (op.n_src != 3 || !supports(op.kind, k.type, q.type) || !kv_cache_type(v.type)) return false;
    if (!rows_ok(q) || !rows_ok(k) || !rows_ok(v) || !dst_ok(dst, kTypeF32)) return false;
    const int64_t n_heads = q.ne[1], n_kv_heads = k.ne[1], n_keys = k.ne[2];
    return q.ne[3] == 1 && k.ne[0] == q.ne[0] && k.ne[3] == 1 && n_heads % n_kv_heads == 0 &&
           shape_is(v, v.ne[0], n_kv_heads, n_keys, 1) && shape_is(dst, v.ne[0], n_heads, q.ne[2], 1);
}

// ---- aliasing -----------------------------------------------------------------------------

// Ops that read each element (row) of this source before writing the same place of dst, so
// dst may be the very same view (in place).
bool may_run_in_place(int32_t kind, int src_index) {
    switch (kind) {
        case SY_OP_ADD:
        case SY_OP_MUL:
        case SY_OP_DIV: return true;
        case SY_OP_RMS_NORM:
        case SY_OP_SCALE:
        case SY_OP_SILU:
        case SY_OP_SIGMOID:
        case SY_OP_SOFTMAX:
        case SY_OP_ROPE:
        case SY_OP_CPY: return src_index == 0;
        default: return false;
    }
}

// dst touches no source, except one it is the very same view of where the op allows that.
// Partial overlap is refused: rows split across threads would read what others write.
bool aliasing_ok(const sy_op& op) {
    for (int i = 0; i < op.n_src; ++i) {
        const sy_tensor& src = op.src[i];
        const bool apart = sdk::views_apart(op.dst, row_format(op.dst.type), src, row_format(src.type));
        if (!apart && !(may_run_in_place(op.kind, i) && sdk::same_view(op.dst, src))) return false;
    }
    return true;
}

}  // namespace

bool supports(int32_t kind, int32_t weight_type, int32_t act_type) {
    switch (kind) {
        case SY_OP_MUL_MAT:
        case SY_OP_MUL_MAT_ID: return dot_plan_supported(weight_type) && act_type == kTypeF32;
        case SY_OP_GET_ROWS: return dequantizable(weight_type) && act_type == kTypeI32;
        case SY_OP_ADD:
        case SY_OP_MUL:
        case SY_OP_DIV: return weight_type == kTypeF32 && act_type == kTypeF32;
        case SY_OP_RMS_NORM:
        case SY_OP_SCALE:
        case SY_OP_SILU:
        case SY_OP_SIGMOID:
        case SY_OP_SOFTMAX:
        case SY_OP_SUM_ROWS:
        case SY_OP_TOP_K:
        case SY_OP_ROPE: return weight_type == SY_TYPE_NONE && act_type == kTypeF32;
        case SY_OP_CPY: return cpy_types(weight_type, act_type);
        case SY_OP_ATTENTION: return kv_cache_type(weight_type) && act_type == kTypeF32;
        default: return false;
    }
}

bool supports_op(const sy_op& op) { return supports_op_ignoring_aliasing(op) && aliasing_ok(op); }

bool supports_op_ignoring_aliasing(const sy_op& op) {
    if (op.n_src < 0 || op.n_src > SY_MAX_SRC) return false;
    switch (op.kind) {
        case SY_OP_MUL_MAT: return mul_mat_ok(op);
        case SY_OP_MUL_MAT_ID: return mul_mat_id_ok(op);
        case SY_OP_ADD:
        case SY_OP_MUL:
        case SY_OP_DIV: return binary_ok(op);
        case SY_OP_RMS_NORM:
        case SY_OP_SCALE:
        case SY_OP_SILU:
        case SY_OP_SIGMOID:
        case SY_OP_SOFTMAX: return unary_ok(op);
        case SY_OP_SUM_ROWS: return sum_rows_ok(op);
        case SY_OP_TOP_K: return top_k_ok(op);
        case SY_OP_GET_ROWS: return get_rows_ok(op);
        case SY_OP_ROPE: return rope_ok(op);
        case SY_OP_CPY: return cpy_ok(op);
        case SY_OP_ATTENTION: return attention_ok(op);
        default: return false;
    }
}

}  // namespace sy::refops
