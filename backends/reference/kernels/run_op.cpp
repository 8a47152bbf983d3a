// Validation and dispatch of one op to the reference kernels.
#include "run_op.hpp"

#include "../supports.hpp"
#include "kernels.hpp"

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
        default: return "unknown op";
    }
}

}  // namespace

void run_op(const sdk::HostBufferSet& buffers, const sy_op& op) {
    if (!supports_op(op)) {
        sdk::fail(SY_STATUS_UNSUPPORTED,
                  "%s (kind %d) with these types, shapes or strides is not supported",
                  op_name(op.kind), int(op.kind));
    }
    const View dst = view_of(op.dst, buffers.tensor_data(op.dst, "run: dst"));
    static const char* const kSrcRole[SY_MAX_SRC] = {"run: src0", "run: src1", "run: src2", "run: src3"};
    View src[SY_MAX_SRC] = {};
    for (int i = 0; i < op.n_src; ++i) {
        src[i] = view_of(op.src[i], buffers.tensor_data(op.src[i], kSrcRole[i]));
    }
    switch (op.kind) {
        case SY_OP_MUL_MAT: mul_mat(src[0], src[1], dst); break;
        case SY_OP_ADD: add(src[0], src[1], dst); break;
        case SY_OP_MUL: mul(src[0], src[1], dst); break;
        case SY_OP_RMS_NORM: rms_norm(src[0], dst, op.params_f[0]); break;
        case SY_OP_SCALE: scale(src[0], dst, op.params_f[0]); break;
        case SY_OP_SILU: silu(src[0], dst); break;
        default: break;  // excluded by supports_op
    }
}

}  // namespace sy::refops
