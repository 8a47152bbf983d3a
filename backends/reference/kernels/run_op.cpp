// Validation and dispatch of one op to the reference kernels.
#include "run_op.hpp"

#include "../row_format.hpp"
#include "../supports.hpp"
#include "kernels.hpp"
#include "switchyard/sdk/errors.hpp"

namespace sy::refops {
namespace {

const char* op_name(int32_t kind) {
    switch (kind) {
        case SY_OP_MUL_MAT: return "MUL_MAT";
        case SY_OP_ADD: return "ADD";
        case SY_OP_MUL: return "MUL";
        case SY_OP_RMS_NORM: return "RMS_NORM";
        case SY_OP_SCALE: return "SCALE";
        case SY_OP_SILU: return "SILU";
        case SY_OP_SOFTMAX: return "SOFTMAX";
        case SY_OP_GET_ROWS: return "GET_ROWS";
        case SY_OP_ROPE: return "ROPE";
        case SY_OP_CPY: return "CPY";
        case SY_OP_ATTENTION: return "ATTENTION";
        case SY_OP_SIGMOID: return "SIGMOID";
        case SY_OP_TOP_K: return "TOP_K";
        case SY_OP_MUL_MAT_ID: return "MUL_MAT_ID";
        case SY_OP_SUM_ROWS: return "SUM_ROWS";
        case SY_OP_DIV: return "DIV";
        default: return "unknown op";
    }
}

// The view's address after checking that its buffer belongs to this device and that every
// byte it covers (block rows counted whole, via core's type registry) lies inside the buffer.
View resolve(const sdk::HostBufferSet& buffers, const sy_tensor& t, const char* what) {
    uint64_t span = 0;
    if (!sdk::view_span_bytes(t, row_format(t.type), &span)) {
        sdk::fail(SY_STATUS_OUT_OF_RANGE, "%s: tensor size overflows", what);
    }
    return view_of(t, buffers.range(t.buffer, t.offset, span, what));
}

}  // namespace

View view_of(const sy_tensor& t, uint8_t* data) {
    View v{data, t.type, {}, {}};
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        v.ne[i] = t.ne[i];
        v.nb[i] = t.nb[i];
    }
    return v;
}

void run_op(const sdk::HostBufferSet& buffers, ThreadPool& pool, const sy_op& op) {
    if (!supports_op_ignoring_aliasing(op)) {
        sdk::fail(SY_STATUS_UNSUPPORTED,
                  "%s (kind %d) with these types, shapes, strides or parameters is not supported",
                  op_name(op.kind), int(op.kind));
    }
    const View dst = resolve(buffers, op.dst, "run: dst");
    static const char* const kSrcRole[SY_MAX_SRC] = {"run: src0", "run: src1", "run: src2", "run: src3"};
    View src[SY_MAX_SRC] = {};
    for (int i = 0; i < op.n_src; ++i) src[i] = resolve(buffers, op.src[i], kSrcRole[i]);
    if (!supports_op(op)) {
        sdk::fail(SY_STATUS_UNSUPPORTED,
                  "%s: the destination partly overlaps a source (only the very same view may be "
                  "updated in place)",
                  op_name(op.kind));
    }

    switch (op.kind) {
        case SY_OP_MUL_MAT: mul_mat(pool, src[0], src[1], dst); break;
        case SY_OP_MUL_MAT_ID: mul_mat_id(pool, src[0], src[1], src[2], dst); break;
        case SY_OP_ADD: add(pool, src[0], src[1], dst); break;
        case SY_OP_MUL: mul(pool, src[0], src[1], dst); break;
        case SY_OP_DIV: div(pool, src[0], src[1], dst); break;
        case SY_OP_RMS_NORM: rms_norm(pool, src[0], dst, op.params_f[0]); break;
        case SY_OP_SCALE: scale(pool, src[0], dst, op.params_f[0]); break;
        case SY_OP_SILU: silu(pool, src[0], dst); break;
        case SY_OP_SIGMOID: sigmoid(pool, src[0], dst); break;
        case SY_OP_SOFTMAX: softmax(pool, src[0], dst); break;
        case SY_OP_SUM_ROWS: sum_rows(pool, src[0], dst); break;
        case SY_OP_TOP_K: top_k(pool, src[0], dst); break;
        case SY_OP_GET_ROWS: get_rows(pool, src[0], src[1], dst); break;
        case SY_OP_CPY: copy(pool, src[0], dst); break;
        case SY_OP_ROPE: rope(pool, src[0], src[1], dst, op.params_i[0], op.params_i[1]); break;
        case SY_OP_ATTENTION:
            attention(pool, src[0], src[1], src[2], dst, op.params_i[0], op.params_f[0], op.params_f[1]);
            break;
        default: break;  // excluded by supports_op
    }
}

}  // namespace sy::refops
