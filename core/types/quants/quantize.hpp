// Scalar reference quantizers: float rows -> quant blocks, the inverse of dequantize.hpp.
//
// Every function has the QuantizeRowFn shape of the kernel table (quant_kernels.hpp):
// it encodes ONE row of n floats (n = ne0, a positive multiple of the type's block) into
// `row` (row_bytes(type, n) bytes, row header included). `importance` is the imatrix slice
// for this row's columns (n non-negative weights) or nullptr.
//
// They reproduce ik_llama.cpp's quantizers (snapshot 8337e4cd; llama-quantize's path,
// ggml_quantize_chunk) with the same candidate scales, weights and tie-breaking, so a file
// quantized here is as good as the oracle's and, in almost every row, byte-identical to it.
// See the notes at the end of this file for what must match bit for bit.
#pragma once

#include <cstdint>

namespace sy::quants {

// Raw element types (quantize_float.cpp). Importance is ignored.
// F16 and BF16 round to nearest even; a NaN stays a (quiet) NaN.
void quantize_row_f32(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_f16(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_bf16(const float* src, uint8_t* row, int64_t n, const float* importance);

// 32-element block types (quantize_legacy.cpp).
// Without importance these are ggml's "_ref" quantizers (d from the extreme value, round);
// with it, a weighted least-squares scale search (FORMATS.md §4).
void quantize_row_q4_0(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q4_1(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q5_0(const float* src, uint8_t* row, int64_t n, const float* importance);
// Q6_0 (ik's 6-bit legacy type, the fallback for Q5_K/IQ5_K rows that are not a multiple of
// 256): the weighted least-squares search of make_qx_quants over [-32, 31] with or without
// importance (without: weights x^2, as llama-quantize's quantize_q6_0 does; its "_ref" path
// is only the KV-cache/from_float path).
void quantize_row_q6_0(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q5_1(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q8_0(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq4_nl(const float* src, uint8_t* row, int64_t n, const float* importance);

// "Q4_X" (FORMATS.md §5): plain Q4_0 (type id 2) with symmetric scales for INT4-QAT
// checkpoints: d = amax/7, nibbles 1..15. Importance is ignored, as in ik's
// `llama-quantize --symmetric-q40`. Not in the kernel table (its id is Q4_0's).
void quantize_row_q4_0_symmetric(const float* src, uint8_t* row, int64_t n,
                                 const float* importance);

// IQ*_K: 256-element super-blocks, 16-element sub-blocks (quantize_iq_k.cpp).
void quantize_row_iq2_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq3_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq4_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq5_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq6_k(const float* src, uint8_t* row, int64_t n, const float* importance);

}  // namespace sy::quants

// ---- Notes: what has to match the oracle bit for bit ----
//
// Proof: tests/quants quant_error_test.cpp quantizes the golden source (with the golden
// imatrix, as llama-quantize did) and compares bytes with the oracle's TYPE.gguf: every
// row of every tensor is identical for all the types above (and Q4_X). The error ratios
// against oracle-error.tsv are therefore exactly 1.
//
// - Rounding: nearest_int is round-half-even via the 1.5 * 2^23 trick; where the oracle
//   passes a product straight in, its compiler fuses the two (nearest_int_of_product).
//   Q4_0/Q5_0/Q4_1 "_ref" paths truncate x/d + offset + 0.5 (C's float -> int8 cast).
// - Fused multiply-adds: the oracle's GCC build fuses `s += a*b` in scalar loops but not in
//   the loops it vectorizes (products first, then in-order additions). Each sum states
//   which (mul_add() or a plain `+=`); the sum of squares for sigma2 and the 38 candidate
//   sums of make_qx_quants are the unfused ones.
// - Candidate order and ties: candidates are tried in the oracle's order and replace the
//   best only when strictly better, so exact ties (mirrored solutions of Q4_0/Q5_0, plain
//   vs shifted tables) resolve the same way.
// - Value lookups (NearestValueIndex) reproduce the oracle's index tables: cells of one
//   integer step chosen by truncation, float comparison only next to a midpoint.
// - Importance: imatrix values divided by ncall (by the caller, like llama-quantize);
//   QHelper's degenerate-block rule for the IQ*_K types; Q8_0/F16/BF16 ignore importance.
// - IQ2_K stores its refitted d times 1.03 and IQ3_K times 1.01, as the oracle does.
// - IQ6_K quantizes against the integer table kIq6nlValues (as the oracle's quantizer and
//   kernels); only the oracle's standalone dequantizer uses the cubic.
//
// Deliberate differences, only where the oracle would produce NaN or undefined behaviour:
// an all-zero importance slice for an IQ4_NL block (0/0 scale in the oracle) falls back to
// the unweighted fit; IQ4_K..IQ6_K take d = 0 instead of 0/0 when no weighted element maps
// to a non-zero value; float -> int conversions saturate instead of being undefined.
//
// Format limit worth knowing: d and the super-block scales are fp16, so rows whose values
// are below ~1e-3 lose precision in the 6-bit types (IQ6_K's d = max/127^2 turns subnormal).

// ---- k-quants and IQ4_XS (quantize_k_quants.cpp) ----
// 256-element super-blocks. With importance: the oracle's quantize_qN_K "_impl" paths (and
// quantize_iq4_xs). Without: its "_ref" quantizers, as its quantize_qN_K switches to them
// (Q6_K's and IQ4_XS's no-imatrix path is their weighted search with weights x^2). Both are
// byte-identical to the oracle. One difference of scope: Q2_K's "_ref" snaps a whole chunk
// of rows to {-max, 0, +max} when that loses under a tenth of its energy (ternary models);
// the oracle decides per chunk of rows, quantize_row_q2_k per row.
namespace sy::quants {
void quantize_row_q6_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q5_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q4_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q3_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_q2_k(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq4_xs(const float* src, uint8_t* row, int64_t n, const float* importance);
}  // namespace sy::quants

// ---- trellis ("KT") types (quantize_iq_kt.cpp) ----
// An f32 row scale, then 256-element super-blocks; each group of 8 values (IQ4_KT: 4) is the
// index of the nearest (importance-weighted) group of the generator codebook, found with the
// oracle's clustered search (QuantizerIQKT). Codebooks and clusters are built once, at first
// use (thread-safe static init; ~0.1-0.4 s each). Every golden row is byte-identical to the
// oracle's; float-order choices are commented in quantize_iq_kt.cpp.
namespace sy::quants {
void quantize_row_iq1_kt(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq2_kt(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq3_kt(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq4_kt(const float* src, uint8_t* row, int64_t n, const float* importance);
}  // namespace sy::quants

// ---- grid types IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S, IQ1_M (quantize_iq2_grid.cpp,
// quantize_iq1_grid.cpp) ----
// 256-element super-blocks; each group of 8 is an entry of a codebook of three-level
// 8-vectors, found through the shared key -> entry map and neighbour lists of
// grid_neighbours.hpp (built once, at first use). The oracle's quantize_row_*_impl searches
// with its weights, candidate scales, tie-breaking and float order: every golden row of
// IQ2_XXS, IQ2_XS, IQ1_S and IQ1_M is byte-identical (IQ2_S, which has no golden file, was
// compared with the oracle's code on the golden source and random rows). Without
// importance: the oracle's own rule where it has one (IQ2_*: 0.25 sigma2 + x^2; IQ1_M: x^2),
// a uniform imatrix for IQ1_S (as its quantize_row_iq1_s_ref). Where the oracle is undefined
// (all-zero importance in a block: 0/0 or abort; an all-zero 16-block of IQ1_M: a stale
// shift) these use the no-importance weights, resp. delta signs "+".
namespace sy::quants {
void quantize_row_iq2_xxs(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq2_xs(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq2_s(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq1_s(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq1_m(const float* src, uint8_t* row, int64_t n, const float* importance);
}  // namespace sy::quants

// ---- 3-bit grid types IQ3_XXS, IQ3_S (quantize_iq3_grid.cpp) ----
// 256-element super-blocks of eight 32-element blocks; every group of 4 magnitudes is a
// point of the type's codebook (256 / 512 points), found by rounding at ~31 (19) candidate
// block scales and, off the grid, trying the nearest listed grid points
// (grid_neighbours_iq3.hpp, built once at first use, thread-safe). Without importance the
// weights are x^2, as the oracle's. Every golden row is byte-identical to the oracle's;
// quantize_iq3_grid.cpp lists its float order and the few deliberate differences (stale
// state or aborts in the oracle; IQ3_S blocks after an all-zero block written in place).
namespace sy::quants {
void quantize_row_iq3_xxs(const float* src, uint8_t* row, int64_t n, const float* importance);
void quantize_row_iq3_s(const float* src, uint8_t* row, int64_t n, const float* importance);
}  // namespace sy::quants
