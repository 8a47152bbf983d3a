// The reference backend's capability predicate (STYLE rule 4: kept in its own file so what a
// backend claims stays reviewable next to nothing else).
#include "supports.hpp"

#include "switchyard/sdk/tensor_layout.hpp"

namespace sy::refops {
namespace {

using sdk::kTypeBF16;
using sdk::kTypeF16;
using sdk::kTypeF32;

bool is_float_weight(int32_t type) { return type == kTypeF32 || type == kTypeF16 || type == kTypeBF16; }

bool layout_ok(const sy_tensor& t) { return sdk::plain_layout_ok(t, sdk::plain_type_size(t.type)); }

// [offset, offset + span) of two views in the same buffer intersect.
bool overlaps(const sy_tensor& a, const sy_tensor& b) {
    if (a.buffer == nullptr || a.buffer != b.buffer) return false;
    uint64_t span_a = 0, span_b = 0;
    if (!sdk::plain_span_bytes(a, &span_a) || !sdk::plain_span_bytes(b, &span_b)) return true;
    return a.offset < b.offset + span_b && b.offset < a.offset + span_a;
}

// dst[N,M,B2,B3] = src0[K,N,b2,b3] x src1[K,M,B2,B3], src0 broadcast over the batch dims.
bool mul_mat_shapes_ok(const sy_tensor& w, const sy_tensor& x, const sy_tensor& dst) {
    return w.ne[0] == x.ne[0] && dst.ne[0] == w.ne[1] && dst.ne[1] == x.ne[1] &&
           dst.ne[2] == x.ne[2] && dst.ne[3] == x.ne[3] && x.ne[2] % w.ne[2] == 0 &&
           x.ne[3] % w.ne[3] == 0 && !overlaps(dst, w) && !overlaps(dst, x);
}

}  // namespace

bool supports(int32_t kind, int32_t weight_type, int32_t act_type) {
    switch (kind) {
        case SY_OP_MUL_MAT: return is_float_weight(weight_type) && act_type == kTypeF32;
        case SY_OP_ADD:
        case SY_OP_MUL: return weight_type == kTypeF32 && act_type == kTypeF32;
        case SY_OP_RMS_NORM:
        case SY_OP_SCALE:
        case SY_OP_SILU: return weight_type == SY_TYPE_NONE && act_type == kTypeF32;
        default: return false;
    }
}

bool supports_op(const sy_op& op) {
    const sy_tensor& dst = op.dst;
    const sy_tensor& a = op.src[0];
    const sy_tensor& b = op.src[1];
    if (dst.type != kTypeF32 || !layout_ok(dst)) return false;
    switch (op.kind) {
        case SY_OP_MUL_MAT:
            return op.n_src == 2 && supports(op.kind, a.type, b.type) && layout_ok(a) &&
                   layout_ok(b) && mul_mat_shapes_ok(a, b, dst);
        case SY_OP_ADD:
        case SY_OP_MUL:
            return op.n_src == 2 && supports(op.kind, b.type, a.type) && layout_ok(a) &&
                   layout_ok(b) && sdk::same_shape(a, dst) && sdk::broadcasts_into(b, a);
        case SY_OP_RMS_NORM:
        case SY_OP_SCALE:
        case SY_OP_SILU:
            return op.n_src == 1 && supports(op.kind, SY_TYPE_NONE, a.type) && layout_ok(a) &&
                   sdk::same_shape(a, dst);
        default: return false;
    }
}

}  // namespace sy::refops
