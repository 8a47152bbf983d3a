// Shape and stride arithmetic on sy_tensor for plugin authors: element sizes of the plain
// types, layout checks for supports_op, and the byte span a view covers (for bounds checks
// in run). Pure functions, thread-safe, overflow-checked.
#pragma once

#include <cstdint>

#include "switchyard/plugin_abi.h"

namespace sy::sdk {

// GGML type ids of the plain element types (the ABI's type ids are ik_llama.cpp's).
inline constexpr int32_t kTypeF32 = 0;
inline constexpr int32_t kTypeF16 = 1;
inline constexpr int32_t kTypeI32 = 26;
inline constexpr int32_t kTypeBF16 = 30;

// Bytes per element of F32/F16/BF16/I32; 0 for every other (block) type.
inline uint64_t plain_type_size(int32_t type) {
    switch (type) {
        case kTypeF32:
        case kTypeI32: return 4;
        case kTypeF16:
        case kTypeBF16: return 2;
        default: return 0;
    }
}

// True when `offset + size` stays within `total`, without overflowing.
inline bool range_fits(uint64_t offset, uint64_t size, uint64_t total) {
    return offset <= total && size <= total - offset;
}

// A well-formed view of a plain type with `elem`-byte elements: 1 <= n_dims <= SY_MAX_DIMS,
// every ne >= 1 and unused ne == 1, rows contiguous (nb[0] == elem), every stride and the
// offset a multiple of elem (aligned element access), and rows that do not overlap.
inline bool plain_layout_ok(const sy_tensor& t, uint64_t elem) {
    if (elem == 0 || t.n_dims < 1 || t.n_dims > SY_MAX_DIMS) return false;
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        if (t.ne[i] < 1 || (i >= t.n_dims && t.ne[i] != 1)) return false;
        if (t.nb[i] % elem != 0) return false;
    }
    if (t.offset % elem != 0 || t.nb[0] != elem) return false;
    uint64_t row_bytes = 0;
    if (__builtin_mul_overflow(uint64_t(t.ne[0]), elem, &row_bytes)) return false;
    return t.ne[1] == 1 || t.nb[1] >= row_bytes;
}

// Bytes from the view's first element to one past its last: ne0 * nb0 + sum (ne[i]-1) * nb[i].
// Returns false on overflow. Assumes plain_layout_ok().
inline bool plain_span_bytes(const sy_tensor& t, uint64_t* out_bytes) {
    uint64_t span = 0;
    if (__builtin_mul_overflow(uint64_t(t.ne[0]), t.nb[0], &span)) return false;
    for (int i = 1; i < SY_MAX_DIMS; ++i) {
        uint64_t extent = 0;
        if (__builtin_mul_overflow(uint64_t(t.ne[i] - 1), t.nb[i], &extent)) return false;
        if (__builtin_add_overflow(span, extent, &span)) return false;
    }
    *out_bytes = span;
    return true;
}

inline int64_t element_count(const sy_tensor& t) { return t.ne[0] * t.ne[1] * t.ne[2] * t.ne[3]; }

inline bool same_shape(const sy_tensor& a, const sy_tensor& b) {
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        if (a.ne[i] != b.ne[i]) return false;
    }
    return true;
}

// Every dimension of `small` divides the same dimension of `big` (row broadcasting).
inline bool broadcasts_into(const sy_tensor& small, const sy_tensor& big) {
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        if (big.ne[i] % small.ne[i] != 0) return false;
    }
    return true;
}

}  // namespace sy::sdk
