// The part of a matrix product that depends on the weight type, shared by MUL_MAT and
// MUL_MAT_ID. Mirrors ik_llama.cpp's CPU path: activation columns are converted once per op to
// the weight type's vec_dot_type (core/types quantize_row, no importance), then every weight
// row is dotted with them by core's reference vec_dot. Float weights (F32/F16/BF16) skip the
// conversion and use a double-precision dot of the F32 activations with the weight row
// (F16/BF16 rows widened to float first, once per row and call).
#pragma once

#include <cstdint>
#include <vector>

#include "thread_pool.hpp"
#include "types/quant_kernels.hpp"

namespace sy::refops {

struct DotPlan {
    int64_t k = 0;                     // row length (elements)
    VecDotFn dot = nullptr;            // (prepared weight row, prepared column, k) -> float
    DequantizeRowFn widen = nullptr;   // F16/BF16 weights: weight row -> floats first
    QuantizeRowFn quantize = nullptr;  // quantized weights: F32 column -> vec_dot_type row
    uint64_t column_bytes = 0;         // bytes of one converted column (quantized weights)
};

// Weight rows a task takes at most (their widened floats live in the thread's scratch).
inline constexpr int64_t kRowsPerTask = 16;

// Whether the reference can multiply weights of this type (float types, and every type whose
// core kernels have a vec_dot and a quantizer for its vec_dot_type).
bool dot_plan_supported(int32_t weight_type);
// K must be a multiple of this: the weight block and, for quantized weights, the activation
// type's block. 0 when unsupported.
int64_t dot_plan_k_multiple(int32_t weight_type);
// For a supported type and a K that dot_plan_k_multiple accepts.
DotPlan make_dot_plan(int32_t weight_type, int64_t k);

// Makes columns[c] (c < count) point at activation column c ready for plan.dot: the F32 row
// itself (float weights) or its conversion in the pool's shared scratch (quantized weights;
// converted in parallel, each column once). source(c) returns column c's F32 row.
template <class Source>
void prepare_columns(ThreadPool& pool, const DotPlan& plan, int64_t count, Source source,
                     std::vector<const uint8_t*>& columns) {
    columns.resize(size_t(count));
    if (plan.quantize == nullptr) {
        for (int64_t c = 0; c < count; ++c) columns[size_t(c)] = reinterpret_cast<const uint8_t*>(source(c));
        return;
    }
    uint8_t* converted = static_cast<uint8_t*>(pool.shared(size_t(count) * plan.column_bytes));
    auto convert = [&](int64_t begin, int64_t end, int /*thread*/) {
        for (int64_t c = begin; c < end; ++c) {
            plan.quantize(source(c), converted + uint64_t(c) * plan.column_bytes, plan.k, nullptr);
        }
    };
    pool.for_chunks(count, pool.chunk_size(count, 1 + 8192 / plan.k), convert);
    for (int64_t c = 0; c < count; ++c) columns[size_t(c)] = converted + uint64_t(c) * plan.column_bytes;
}

// Dots weight rows [r0, r1) (r1 - r0 <= kRowsPerTask; weight_row(r) gives row r's bytes)
// with n_cols prepared columns and calls store(r, j, value) for each pair. Columns go in
// tiles so a tile stays in cache while every row of the task passes over it.
template <class WeightRow, class Store>
void dot_rows(ThreadPool& pool, int thread, const DotPlan& plan, int64_t r0, int64_t r1, WeightRow weight_row,
              const uint8_t* const* columns, int64_t n_cols, Store store) {
    constexpr int64_t kColumnTile = 32;
    const uint8_t* rows[kRowsPerTask];
    float* widened = plan.widen != nullptr ? pool.scratch_as<float>(thread, size_t((r1 - r0) * plan.k)) : nullptr;
    for (int64_t r = r0; r < r1; ++r) {
        const uint8_t* raw = weight_row(r);
        if (widened != nullptr) {
            float* out = widened + (r - r0) * plan.k;
            plan.widen(raw, out, plan.k);
            raw = reinterpret_cast<const uint8_t*>(out);
        }
        rows[r - r0] = raw;
    }
    for (int64_t j0 = 0; j0 < n_cols; j0 += kColumnTile) {
        const int64_t j1 = j0 + kColumnTile < n_cols ? j0 + kColumnTile : n_cols;
        for (int64_t r = r0; r < r1; ++r) {
            for (int64_t j = j0; j < j1; ++j) store(r, j, plan.dot(rows[r - r0], columns[j], plan.k));
        }
    }
}

}  // namespace sy::refops
