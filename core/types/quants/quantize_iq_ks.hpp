// Scalar reference quantizers of the row-scaled ik types: one scale per row (the row
// header), one small integer scale per 32-element block (FORMATS.md §3.5, §3.6, §4).
//
// Same shape as quantize.hpp (QuantizeRowFn of the kernel table): each encodes ONE row of
// n floats (n a positive multiple of 256) into `row`, header included; `importance` is the
// row's imatrix slice (n non-negative weights) or nullptr.
//
// They reproduce ik_llama.cpp's llama-quantize (snapshot 8337e4cd) on x86 with AVX2: the
// same candidate scales, weights, search order and tie-breaking, and the same float
// roundings (quantize_iq_ks_support.hpp explains the fused multiply-adds), so the bytes
// equal the oracle's for the same source and imatrix.
#pragma once

#include <cstdint>

namespace sy::quants {

// f32 row scale, odd 7-bit block multipliers, shifted-table bit per block
// (quantize_iq_ks.cpp).
void quantize_row_iq4_ks(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq5_ks(const float* src, uint8_t* row, int64_t n, const float* importance);

// IQ4_KS with every group of four nibbles pruned to even parity, so that 15 bits store it
// (quantize_iq_kss.cpp). The row scale is the least-squares optimum times 1.01, as ik's.
void quantize_row_iq4_kss(const float* src, uint8_t* row, int64_t n, const float* importance);

// fp16 row scale, signed 5-bit block scales (quantize_iq_ks.cpp, quantize_iq2_ks.cpp).
void quantize_row_iq3_ks(const float* src, uint8_t* row, int64_t n, const float* importance);
// IQ2_KS follows ik's default algorithm on AVX2 (the "fast" path, which llama-quantize uses
// unless given --slow-iq2ks), computed lane for lane in scalar code.
void quantize_row_iq2_ks(const float* src, uint8_t* row, int64_t n, const float* importance);

// fp16 row scale, signed 6-bit block scales, pairs of values from a 32-entry grid
// (quantize_iq_kl.cpp).
void quantize_row_iq2_kl(const float* src, uint8_t* row, int64_t n, const float* importance);

}  // namespace sy::quants
