// Per-type table of the scalar reference kernels (STYLE.md rule 10), keyed by GGML type id.
//
// The reference kernels are always built in (switchyard_types), so every backend can be
// checked against them. Members are appended as kernels land (dequantize_row, then
// quantize_row, then vec_dot and the activation type), so callers must treat a null
// function pointer as "not available yet".
#pragma once

#include <cstdint>
#include <span>

namespace sy {

// Decodes one row of n elements to float. `row` points at the row's first byte, including
// the row header of the types that have one (_KS, _KL, _KSS, _KT); n is the row length
// ne0, a positive multiple of block_elems. `row` needs no particular alignment.
using DequantizeRowFn = void (*)(const uint8_t* row, float* out, int64_t n);

// Encodes one row of n floats into `row` (row_bytes(type, n) bytes, header included).
// `importance` is the imatrix slice for this row's columns (n non-negative weights) or
// nullptr; types that ignore importance weights (F16, BF16, Q8_0) accept it and ignore it.
using QuantizeRowFn = void (*)(const float* src, uint8_t* row, int64_t n, const float* importance);

// Dot product of one weight row (header included) with the same n columns of one activation
// row stored as this type's vec_dot_type (quantize it with that type's quantize_row). The
// scalar reference definition of a quantized matmul; quants/vec_dot.hpp gives the activation
// type of each weight type and the accumulation order. Neither row needs alignment.
using VecDotFn = float (*)(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

struct QuantKernels {
    int32_t type_id;            // GGML type id, as in the type registry
    int64_t block_elems;        // elements per block (from the block struct)
    uint32_t block_bytes;       // sizeof the block struct; the registry must agree
    uint32_t row_header_bytes;  // bytes before the first block of every row
    DequantizeRowFn dequantize_row;
    QuantizeRowFn quantize_row = nullptr;  // nullptr: not implemented yet
    VecDotFn vec_dot = nullptr;            // nullptr for the activation-only types (Q8_1, Q8_K)
    int32_t vec_dot_type = -1;             // type id of the activation rows vec_dot reads
};

// nullptr when the type has no reference kernels (row-interleaved types, the repacked
// activation forms such as Q8_2_X4, and the few rare file types not implemented yet: see
// quants/README.md). The activation types that vec_dot reads have entries (Q8_0 is also a
// weight type; Q8_1 and Q8_K are activation-only: quantize_row and dequantize_row, no vec_dot).
const QuantKernels* find_kernels(int32_t type_id);

// Every entry, ordered by type id.
std::span<const QuantKernels> all_kernels();

}  // namespace sy
