// Shape and stride arithmetic on sy_tensor for plugin authors: element sizes of the plain
// types, layout checks for supports_op (plain, strided and block-type views), and the byte
// span a view covers (for bounds checks in run). Pure functions, thread-safe, overflow-checked.
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

// ---- block types ---------------------------------------------------------------------------
// A row of ne0 elements of a type is `row_header_bytes` (the per-row scale some quantized types
// carry) followed by ne0 / block_elems blocks of `block_bytes` each. A plain type is a block of
// one element without header. The SDK knows no type table: a plugin fills RowFormat from its
// own (the reference backend from core's type registry), or uses plain_row_format().
struct RowFormat {
    int64_t block_elems = 0;  // elements per block; 0 = unknown type
    uint64_t block_bytes = 0;
    uint64_t row_header_bytes = 0;

    bool known() const { return block_elems > 0 && block_bytes > 0; }
    // One element per block, no header: elements may be addressed one by one (strides per element).
    bool plain() const { return block_elems == 1 && row_header_bytes == 0; }
};

inline RowFormat plain_row_format(int32_t type) {
    const uint64_t elem = plain_type_size(type);
    return elem == 0 ? RowFormat{} : RowFormat{1, elem, 0};
}

// Bytes of a row of ne0 elements; false unless ne0 is a positive multiple of the block and the
// size fits in 64 bits.
inline bool format_row_bytes(const RowFormat& f, int64_t ne0, uint64_t* out_bytes) {
    if (!f.known() || ne0 < 1 || ne0 % f.block_elems != 0) return false;
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(uint64_t(ne0 / f.block_elems), f.block_bytes, &bytes)) return false;
    if (__builtin_add_overflow(bytes, f.row_header_bytes, &bytes)) return false;
    *out_bytes = bytes;
    return true;
}

namespace layout_detail {
inline bool dims_ok(const sy_tensor& t) {
    if (t.n_dims < 1 || t.n_dims > SY_MAX_DIMS) return false;
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        if (t.ne[i] < 1 || (i >= t.n_dims && t.ne[i] != 1)) return false;
    }
    return true;
}
}  // namespace layout_detail

// A well-formed view of rows of format `f`: dims as plain_layout_ok, whole blocks per row
// (ne0 % block_elems == 0), nb[0] == block_bytes (a row is its blocks back to back, the ggml
// convention), rows that do not overlap (nb[1] >= row bytes when ne1 > 1). For plain formats
// the offset and every stride must also be multiples of the element size (aligned access);
// for that case this is exactly plain_layout_ok. Block rows need no alignment.
inline bool block_layout_ok(const sy_tensor& t, const RowFormat& f) {
    if (!f.known() || !layout_detail::dims_ok(t) || t.nb[0] != f.block_bytes) return false;
    if (f.plain()) return plain_layout_ok(t, f.block_bytes);
    uint64_t row_bytes = 0;
    if (!format_row_bytes(f, t.ne[0], &row_bytes)) return false;
    return t.ne[1] == 1 || t.nb[1] >= row_bytes;
}

// A view of `elem`-byte elements with free strides, nb[0] included (a transposed or gathered
// source): dims well-formed, the offset and every stride a multiple of elem. Strides may be 0
// (a broadcast read); whether elements overlap is for view_elements_disjoint to say.
inline bool strided_layout_ok(const sy_tensor& t, uint64_t elem) {
    if (elem == 0 || !layout_detail::dims_ok(t) || t.offset % elem != 0) return false;
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        if (t.nb[i] % elem != 0) return false;
    }
    return true;
}

// Bytes from a view's first byte to one past its last. A block format's row counts whole (its
// row bytes); a plain format's dimension 0 is strided like the others, so the span is
// elem + sum_i (ne[i]-1) * nb[i] (nb[0] = elem gives the contiguous row). False on overflow or
// when ne0 is not whole blocks.
inline bool view_span_bytes(const sy_tensor& t, const RowFormat& f, uint64_t* out_bytes) {
    uint64_t span = 0;
    int first_strided_dim = 1;
    if (f.plain()) {
        span = f.block_bytes;
        first_strided_dim = 0;
    } else if (!format_row_bytes(f, t.ne[0], &span)) {
        return false;
    }
    for (int i = first_strided_dim; i < SY_MAX_DIMS; ++i) {
        if (t.ne[i] < 1) return false;
        uint64_t extent = 0;
        if (__builtin_mul_overflow(uint64_t(t.ne[i] - 1), t.nb[i], &extent)) return false;
        if (__builtin_add_overflow(span, extent, &span)) return false;
    }
    *out_bytes = span;
    return true;
}

// True when no two elements (block formats: no two rows) of the view share a byte, so every
// element of a destination is written exactly once and the writes may be split across
// threads. A sufficient test: ordered by stride, each dimension's stride must reach past
// everything the smaller strides span. (Rejects a few exotic interleavings that would be
// disjoint too.) Assumes the view passed view_span_bytes.
inline bool view_elements_disjoint(const sy_tensor& t, const RowFormat& f) {
    uint64_t unit = 0;
    int first = 1;
    if (f.plain()) {
        unit = f.block_bytes;
        first = 0;
    } else if (!format_row_bytes(f, t.ne[0], &unit)) {
        return false;
    }
    // Dimensions that repeat (ne > 1), sorted by stride (at most 4: insertion sort).
    uint64_t stride[SY_MAX_DIMS];
    int64_t count[SY_MAX_DIMS];
    int used = 0;
    for (int i = first; i < SY_MAX_DIMS; ++i) {
        if (t.ne[i] <= 1) continue;
        int j = used++;
        while (j > 0 && stride[j - 1] > t.nb[i]) {
            stride[j] = stride[j - 1];
            count[j] = count[j - 1];
            --j;
        }
        stride[j] = t.nb[i];
        count[j] = t.ne[i];
    }
    uint64_t extent = unit;  // bytes covered by one step of the next dimension
    for (int j = 0; j < used; ++j) {
        if (stride[j] < extent) return false;
        uint64_t reach = 0;
        if (__builtin_mul_overflow(stride[j], uint64_t(count[j] - 1), &reach)) return false;
        if (__builtin_add_overflow(reach, extent, &extent)) return false;
    }
    return true;
}

// The same view: same buffer, offset, type, shape and strides (an in-place op).
inline bool same_view(const sy_tensor& a, const sy_tensor& b) {
    if (a.buffer != b.buffer || a.offset != b.offset || a.type != b.type) return false;
    for (int i = 0; i < SY_MAX_DIMS; ++i) {
        if (a.ne[i] != b.ne[i] || a.nb[i] != b.nb[i]) return false;
    }
    return true;
}

// The byte ranges [offset, offset + span) of two views cannot meet: different buffers, or
// spans that do not intersect. Conservative: false when a span cannot be computed.
inline bool views_apart(const sy_tensor& a, const RowFormat& fa, const sy_tensor& b, const RowFormat& fb) {
    if (a.buffer == nullptr || a.buffer != b.buffer) return true;
    uint64_t span_a = 0, span_b = 0;
    if (!view_span_bytes(a, fa, &span_a) || !view_span_bytes(b, fb, &span_b)) return false;
    uint64_t end_a = 0, end_b = 0;
    if (__builtin_add_overflow(a.offset, span_a, &end_a) || __builtin_add_overflow(b.offset, span_b, &end_b)) {
        return false;
    }
    return end_a <= b.offset || end_b <= a.offset;
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
