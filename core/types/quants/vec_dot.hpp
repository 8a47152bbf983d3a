// Scalar reference dot products: one weight row against one quantized activation row. This is
// the definition of what a quantized matmul computes (STYLE.md rule 10); every SIMD, RVV, CUDA
// and OpenCL kernel is checked against it by NMSE, not bit for bit.
//
// Shape of every function (the kernel table's VecDotFn, quant_kernels.hpp):
//   float vec_dot_<weight>_<activation>(const uint8_t* weight_row, const uint8_t* act_row,
//                                        int64_t n)
//   weight_row: one row of the weight type, row header included (as dequantize_row takes it);
//   act_row:    the same n columns of an activation row quantized to the weight type's
//               vec_dot_type (activation.hpp), or plain floats for F32/F16/BF16 weights;
//   n:          row length, a positive multiple of both block sizes. No alignment needed.
//
// Which activation type (ik_llama.cpp's CPU choice, ggml.c type_traits and the iqk_gemm_*
// kernels, snapshot 8337e4cd; FORMATS.md §1):
//   Q8_0: Q4_0, Q5_0, Q6_0, Q8_0, IQ4_NL (ik: Q8_0_X4/Q8_2_X4), Q6_K (ik's IQK path: Q8_0_X4/Q8_2_X4),
//         IQ1_KT..IQ4_KT (ik: Q8_0_X4/Q8_2_X4)
//   Q8_1: Q4_1, Q5_1, Q4_K, Q5_K (ik: Q8_1_X4/Q8_2_X4; the sum carries the minimums)
//   Q8_K: Q2_K, Q3_K, IQ4_XS, the grid types IQ1_S..IQ3_S, every IQ*_K, _KS, _KSS, _KL type
//   F32:  F32, F16, BF16 (ik rounds the activations to F16/BF16 first; we keep them exact)
//
// Accumulation (the same for every quantized type):
//   1. Integer part. Per block of the weight type's scale granularity (16 or 32 elements, or 8
//      for IQ1_M's delta), sum_j w_j * a_j in int32, where w_j is the weight's integer value
//      (table value, grid value, trellis value, quant minus offset) and a_j the int8
//      activation quant: exact. Integer sub-block scales multiply these sums in int32 too
//      (no overflow: at most 16 * 16 * 128 * 127 * 127 < 2^31).
//   2. Scale part, in float: (weight scale * activation scale) * float(integer sum), the two
//      scales multiplied first. Minimum/offset terms are a second product subtracted or
//      added (Q2_K: dmin*dy*sum(min*bsum); Q4_1/Q5_1/Q4_K/Q5_K: m * s of Q8_1; IQ1_S/IQ1_M:
//      the delta folded into the integer sum as 8*sum(g*a) +- sum(a), then * 0.125).
//   3. One float accumulator per row, starting at 0, adds the results of the weight blocks
//      in row order. A 256-element weight block dotted with eight 32-element activation
//      blocks (Q6_K, KT) first sums its eight block results in order, then adds that.
//   core/types builds with -ffp-contract=off, so none of these is fused.
// So against the exact dot of the dequantized rows (dequantize_row of both types, in double),
// the result is off by float rounding only: about (blocks + 8) * 2^-24 * sum |w_j a_j|,
// plus, for Q8_1, the fp16 rounding of s (|m| * |s| * 2^-11 per block).
//
// F32/F16/BF16 weights: each product w_j * a_j is formed exactly in double and summed in
// double in order; the result is that sum rounded to float.
#pragma once

#include <cstdint>

namespace sy::quants {

// Type ids of the activation formats (GGML ids).
constexpr int32_t kActivationF32 = 0;
constexpr int32_t kActivationQ8_0 = 8;
constexpr int32_t kActivationQ8_1 = 9;
constexpr int32_t kActivationQ8_K = 15;

// ---- F32 activations (vec_dot_float.cpp) ----
float vec_dot_f32_f32(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_f16_f32(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_bf16_f32(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

// ---- 32-element blocks, and IQ4_XS (vec_dot_legacy.cpp) ----
float vec_dot_q4_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q4_1_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q5_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q5_1_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q6_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q8_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq4_nl_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq4_xs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

// ---- K-quants (vec_dot_k_quants.cpp) ----
float vec_dot_q2_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q3_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q4_k_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q5_k_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_q6_k_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

// ---- grid types (vec_dot_iq_grid.cpp) ----
float vec_dot_iq2_xxs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq2_xs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq2_s_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq3_xxs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq3_s_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq1_s_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq1_m_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

// ---- IQ*_K (vec_dot_iq_k.cpp); IQ6_K uses the integer table, as ik's kernels ----
float vec_dot_iq2_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq3_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq4_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq5_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq6_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

// ---- row-scaled types (vec_dot_iq_ks.cpp) ----
float vec_dot_iq2_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq3_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq2_kl_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq4_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq4_kss_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq5_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

// ---- trellis types (vec_dot_iq_kt.cpp) ----
// The generator's values are integers (-126..126, trellis_values in dequantize.hpp), so these
// are integer block sums too, as ik's CPU kernels compute them; IQ2_KT/IQ3_KT scale the row by
// the kernels' factor (1.05 / 1.01), like their table dequantizers.
float vec_dot_iq1_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq2_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq3_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);
float vec_dot_iq4_kt_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n);

}  // namespace sy::quants
