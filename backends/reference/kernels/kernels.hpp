// Scalar reference kernels, one file per op family. Each takes views whose layout supports_op()
// has accepted and whose bytes run_op() has bounds-checked; the only failures left are
// data-dependent (an index out of range: Failure INVALID_ARGUMENT, raised before anything is
// written). Work is split over the device's ThreadPool; every output element is computed by
// one thread in a fixed order, so results do not depend on the thread count.
// Plain C++ on purpose (no intrinsics): these are the oracle other backends are compared with.
#pragma once

#include <cstdint>

#include "switchyard/plugin_abi.h"
#include "thread_pool.hpp"

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
    // Rows of F32/I32 views are 4-byte aligned (supports_op checks offsets and strides).
    float* f32_row(int64_t i1, int64_t i2, int64_t i3) const { return reinterpret_cast<float*>(row(i1, i2, i3)); }
    const int32_t* i32_row(int64_t i1, int64_t i2, int64_t i3) const {
        return reinterpret_cast<const int32_t*>(row(i1, i2, i3));
    }
    int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
};

View view_of(const sy_tensor& t, uint8_t* data);

// Calls body(i1, i2, i3, thread) for every row of `shape` (ne[1..3]), split over the pool so a
// chunk holds at least ~16k elements of work (work_per_row elements per row).
template <class Body>
void for_each_row(ThreadPool& pool, const View& shape, int64_t work_per_row, Body&& body) {
    const int64_t n1 = shape.ne[1], n2 = shape.ne[2];
    const int64_t min_rows = work_per_row >= 16384 ? 1 : 16384 / (work_per_row < 1 ? 1 : work_per_row);
    auto chunk = [&](int64_t begin, int64_t end, int thread) {
        for (int64_t r = begin; r < end; ++r) body(r % n1, (r / n1) % n2, r / (n1 * n2), thread);
    };
    pool.for_chunks(shape.rows(), pool.chunk_size(shape.rows(), min_rows), chunk);
}

// ---- matrix products (mul_mat.cpp, mul_mat_id.cpp) ----
void mul_mat(ThreadPool& pool, const View& weights, const View& acts, const View& dst);
// Fails INVALID_ARGUMENT on an expert id outside 0..E-1.
void mul_mat_id(ThreadPool& pool, const View& weights, const View& acts, const View& ids, const View& dst);

// ---- element-wise (elementwise.cpp): src1 of the binary ops indexed modulo its own shape ----
void add(ThreadPool& pool, const View& a, const View& b, const View& dst);
void mul(ThreadPool& pool, const View& a, const View& b, const View& dst);
void div(ThreadPool& pool, const View& a, const View& b, const View& dst);
void scale(ThreadPool& pool, const View& src, const View& dst, float factor);
void silu(ThreadPool& pool, const View& src, const View& dst);
void sigmoid(ThreadPool& pool, const View& src, const View& dst);

// ---- per-row reductions (row_reductions.cpp) ----
void rms_norm(ThreadPool& pool, const View& src, const View& dst, float eps);
void softmax(ThreadPool& pool, const View& src, const View& dst);
void sum_rows(ThreadPool& pool, const View& src, const View& dst);
void top_k(ThreadPool& pool, const View& src, const View& dst);  // top_k.cpp

// ---- data movement ----
// Fails INVALID_ARGUMENT on a row index outside 0..N-1 (get_rows.cpp).
void get_rows(ThreadPool& pool, const View& src, const View& indices, const View& dst);
void copy(ThreadPool& pool, const View& src, const View& dst);  // CPY, cpy.cpp

// ---- attention (rope.cpp, attention.cpp) ----
void rope(ThreadPool& pool, const View& src, const View& table, const View& dst, int64_t n_rot, int32_t mode);
void attention(ThreadPool& pool, const View& q, const View& k, const View& v, const View& dst,
               int64_t first_position, float scale, float softcap);

}  // namespace sy::refops
