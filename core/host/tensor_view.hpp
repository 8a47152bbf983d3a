// Building sy_tensor and sy_op values on the host side: contiguous views with strides
// computed from the type registry (so block types and row headers come out right).
// Pure functions, thread-safe; they throw sy::Error for unknown types or bad shapes.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "host/device.hpp"
#include "switchyard/plugin_abi.h"

namespace sy::host {

// A contiguous view of `type` with shape `ne` (ne[0] fastest, 1..SY_MAX_DIMS entries) that
// names no buffer: what supports_op needs, or a template to place later.
sy_tensor tensor_desc(int32_t type, std::initializer_list<int64_t> ne);

// The same view placed at `offset` bytes in `buffer`.
sy_tensor tensor_in(const Buffer& buffer, uint64_t offset, int32_t type, std::initializer_list<int64_t> ne);

// Bytes a contiguous tensor of this type and shape occupies.
uint64_t tensor_bytes(int32_t type, std::initializer_list<int64_t> ne);

// An op with struct_size set, sources in order, and float parameters (eps, scale, ...).
sy_op make_op(int32_t kind, const sy_tensor& dst, std::initializer_list<sy_tensor> src,
              std::initializer_list<float> params_f = {});

}  // namespace sy::host
