// What the reference kernels can run: the capability predicate shared by the reference CPU
// device and by the test device (backends/testdev), which runs the same kernels.
//
// Convention of supports(kind, weight_type, act_type), the same for every backend (see
// plugin_abi.h), extended to every op the reference runs:
//   MUL_MAT, MUL_MAT_ID, GET_ROWS   weight = src0 type, act = src1 type (GET_ROWS: I32 indices)
//   ADD, MUL, DIV                   weight = src1 type (bias, norm weight), act = src0 type
//   RMS_NORM, SCALE, SILU, SIGMOID, SOFTMAX, SUM_ROWS, TOP_K, ROPE
//                                   weight = SY_TYPE_NONE, act = src0 type
//   CPY                             weight = dst type (what is stored), act = src0 type
//   ATTENTION                       weight = K cache type (src1), act = Q type (src0); the V
//                                   type is checked by supports_op (F32/F16/Q8_0 like K)
// What the reference claims:
//   MUL_MAT, MUL_MAT_ID  weights F32, F16, BF16 and every type whose core kernels have a
//                        vec_dot (and a quantizer for its vec_dot_type); activations F32
//   GET_ROWS             any type core can dequantize, I32 indices
//   CPY                  F32 -> F32/F16/BF16/Q8_0, F16 -> F32
//   ATTENTION            K and V F32/F16/Q8_0, Q F32
//   the rest             F32 only
// Pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "switchyard/plugin_abi.h"

namespace sy::refops {

bool supports(int32_t kind, int32_t weight_type, int32_t act_type);

// Types, shapes, strides, alignment, parameters and aliasing of one concrete op (buffers are
// not looked at; their bounds are run_op's check). A destination must not overlap itself nor,
// unless it is the very same view (in-place element-wise ops), any source.
bool supports_op(const sy_op& op);

// supports_op without the aliasing rule: what run_op checks before it bounds-checks the views
// (so a view past its buffer's end is reported as OUT_OF_RANGE, not as an overlap).
bool supports_op_ignoring_aliasing(const sy_op& op);

}  // namespace sy::refops
