// The 8-bit activation formats that the reference dot products (vec_dot.hpp) read.
//
// A quantized matmul quantizes each activation row (a row of src1, n floats) once into the
// weight type's vec_dot_type, then dots every weight row against it with integer block sums.
// Three formats cover every weight type (which one each uses: vec_dot.hpp):
//
//   Q8_0 (id 8)  32-element blocks, fp16 d, y = d*q. Also a weight type: BlockQ8_0 in
//                blocks.hpp, quantize_row_q8_0 in quantize.hpp.
//   Q8_1 (id 9)  32-element blocks, fp16 d and fp16 s = d * sum(q): the sum lets affine weights
//                (y = d*q + m) add m * sum(activation) without a second pass.
//   Q8_K (id 15) 256-element blocks, float d, int16 sums of each 16 quants (bsums).
//
// Each quantizer has the QuantizeRowFn shape of the kernel table (importance is accepted
// and ignored) and is that type's table entry, so `find_kernels(vec_dot_type)->quantize_row`
// quantizes an activation row. They follow the oracle's reference quantizers (ik_llama.cpp
// ggml-quants.c quantize_row_q8_0_ref, quantize_row_q8_1_ref, quantize_row_q8_K_ref).
//
// ik_llama.cpp's CPU kernels read repacked forms of these (Q8_0_X4, Q8_1_X4, Q8_2_X4: four
// blocks with their scales gathered; Q8_2 stores d as bf16 and an int16 sum). Those are a
// backend's layout choice; the values they stand for are these formats'.
#pragma once

#include <cstdint>

#include "types/quants/blocks.hpp"

namespace sy::quants {

struct BlockQ8_1 {  // y = d*q; s = fp16(d * sum(q)), d computed in float before rounding
    static constexpr int64_t kElems = 32;
    uint16_t d;
    uint16_t s;
    int8_t qs[32];
};

struct BlockQ8_K {  // y = d*q
    static constexpr int64_t kElems = kSuperBlock;
    float d;            // -max/127 with max the signed value of largest magnitude: may be < 0
    float sum;          // d * (sum of the 256 quants); ik's extra field (296-byte block)
    int8_t qs[256];     // -127..127
    int16_t bsums[16];  // bsums[k] = sum of qs[16k .. 16k+15]
};

static_assert(sizeof(BlockQ8_1) == 36 && sizeof(BlockQ8_K) == 296);

// Q8_1: d = amax/127 (float), q = round-half-away(x * (1/d)), d and s stored as fp16.
void quantize_row_q8_1(const float* src, uint8_t* row, int64_t n, const float* importance);
void dequantize_row_q8_1(const uint8_t* row, float* out, int64_t n);

// Q8_K: with max the signed value of largest magnitude (the first, on ties), iscale = -127/max,
// q = min(127, nearest(iscale * x)) with the product rounded once (as the oracle's fused
// build), d = 1/iscale. So the element `max` itself gets q = -127 and d carries its sign. An
// all-zero block is stored as zeros.
void quantize_row_q8_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void dequantize_row_q8_k(const uint8_t* row, float* out, int64_t n);

}  // namespace sy::quants
