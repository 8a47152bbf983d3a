// Scalar reference kernels. Each takes views whose layout supports_op() has accepted and
// whose bytes the caller has bounds-checked; kernels check nothing and never fail.
// Kept plain on purpose: these are the oracle other backends are compared against, so
// accumulation is in double and there is no blocking or vectorization.
#pragma once

#include <cstdint>

#include "switchyard/plugin_abi.h"

namespace sy::refops {

// A tensor view resolved to an address: the sy_tensor's layout plus where its bytes are.
struct View {
    uint8_t* data;  // first element (buffer base + offset)
    int32_t type;
    int64_t ne[SY_MAX_DIMS];
    uint64_t nb[SY_MAX_DIMS];  // bytes

    uint8_t* row(int64_t i1, int64_t i2, int64_t i3) const {
        return data + uint64_t(i1) * nb[1] + uint64_t(i2) * nb[2] + uint64_t(i3) * nb[3];
    }
};

View view_of(const sy_tensor& t, uint8_t* data);

// Converts ne[0] elements of one row of an F32, F16 or BF16 view to float.
void load_row(const View& v, const uint8_t* row, float* out);

void mul_mat(const View& weights, const View& acts, const View& dst);
void add(const View& a, const View& b, const View& dst);  // b broadcast along a
void mul(const View& a, const View& b, const View& dst);  // b broadcast along a
void rms_norm(const View& src, const View& dst, float eps);
void scale(const View& src, const View& dst, float factor);
void silu(const View& src, const View& dst);

}  // namespace sy::refops
