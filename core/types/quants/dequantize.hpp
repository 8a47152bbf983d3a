// Scalar reference dequantizers, one per type: bit-exact with ik_llama.cpp (the oracle).
//
// Every function decodes one ROW: `row` points at the row's first byte (its row header, for
// the types that have one), `n` is the number of elements in the row (ne0; a positive
// multiple of the type's block) and `out` receives n floats. Rows need not be aligned.
//
// Which oracle code each one follows, and the three places where Switchyard deliberately
// follows ik's inference kernels instead of its standalone dequantizer (IQ6_K, IQ2_KT,
// IQ3_KT), is written up in README.md next to this file.
#pragma once

#include <cstdint>

namespace sy::quants {

// Plain floats (float_types.cpp).
void dequantize_row_f32(const uint8_t* row, float* out, int64_t n);
void dequantize_row_f16(const uint8_t* row, float* out, int64_t n);
void dequantize_row_bf16(const uint8_t* row, float* out, int64_t n);

// 32-element blocks, and IQ4_XS which shares IQ4_NL's values (legacy.cpp).
void dequantize_row_q4_0(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q4_1(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q5_0(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q6_0(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q5_1(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q8_0(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq4_nl(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq4_xs(const uint8_t* row, float* out, int64_t n);

// K-quants (k_quants.cpp).
void dequantize_row_q2_k(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q3_k(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q4_k(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q5_k(const uint8_t* row, float* out, int64_t n);
void dequantize_row_q6_k(const uint8_t* row, float* out, int64_t n);

// Grid types (iq_grid.cpp).
void dequantize_row_iq2_xxs(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq2_xs(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq2_s(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq3_xxs(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq3_s(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq1_s(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq1_m(const uint8_t* row, float* out, int64_t n);

// IQ*_K: fp16 scale inside each super-block (iq_k.cpp).
void dequantize_row_iq2_k(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq3_k(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq4_k(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq5_k(const uint8_t* row, float* out, int64_t n);
// IQ6_K with the integer table kIq6nlValues, as ik's quantizer and matmul kernels use it.
void dequantize_row_iq6_k(const uint8_t* row, float* out, int64_t n);
// The oracle's standalone dequantizer, which evaluates the cubic instead of the table
// (FORMATS.md §3.4 DISCREPANCY). Kept to prove the golden hashes and the difference.
void dequantize_row_iq6_k_cubic(const uint8_t* row, float* out, int64_t n);
// The cubic that kIq6nlValues rounds, evaluated as the oracle's standalone dequantizer does.
float iq6k_cubic(float q);

// Row-header types with 32-element block scales (iq_ks.cpp).
void dequantize_row_iq2_ks(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq3_ks(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq2_kl(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq4_ks(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq4_kss(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq5_ks(const uint8_t* row, float* out, int64_t n);

// Trellis types (iq_kt.cpp).
// ik's matmul kernels scale the rows of IQ2_KT by 1.05 and of IQ3_KT by 1.01 (on CPU as
// d' = d * factor in float, before anything else); the standalone dequantizer and the
// quantizer do not (FORMATS.md §3.7 DISCREPANCY). The dequantize_row_* entries follow the
// kernels; the _with_row_factor forms take the factor, and 1.0f gives the oracle's
// standalone dequantizer.
constexpr float kIq2KtKernelRowFactor = 1.05f;
constexpr float kIq3KtKernelRowFactor = 1.01f;
void dequantize_row_iq1_kt(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq2_kt(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq3_kt(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq4_kt(const uint8_t* row, float* out, int64_t n);
void dequantize_row_iq2_kt_with_row_factor(const uint8_t* row, float* out, int64_t n,
                                           float row_factor);
void dequantize_row_iq3_kt_with_row_factor(const uint8_t* row, float* out, int64_t n,
                                           float row_factor);

// The trellis generator (FORMATS.md §3.7): writes the `count` values (-126..126) that
// trellis index `index` stands for; `offset` is 4096, or 4096+32768 for flagged IQ4_KT
// blocks. Exposed for the unit tests.
void trellis_values(uint32_t index, uint32_t offset, int count, int* values);

}  // namespace sy::quants
