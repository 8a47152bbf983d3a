// What the reference kernels can run: the capability predicate shared by the reference CPU
// device and by the test device (backends/testdev), which runs the same kernels.
//
// Convention of supports(kind, weight_type, act_type), the same for every backend (see
// plugin_abi.h):
//   MUL_MAT, GET_ROWS   weight = src0 type, act = src1 type
//   ADD, MUL            weight = src1 type (bias, norm weight), act = src0 type
//   RMS_NORM, SCALE, SILU, SOFTMAX
//                       weight = SY_TYPE_NONE, act = src0 type
// Pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "switchyard/plugin_abi.h"

namespace sy::refops {

bool supports(int32_t kind, int32_t weight_type, int32_t act_type);

// Types, shapes, strides and alignment of one concrete op (buffers are not looked at).
bool supports_op(const sy_op& op);

}  // namespace sy::refops
