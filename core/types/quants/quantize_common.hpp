// Helpers shared by the scalar reference quantizers (quantize_*.cpp): rounding the way the
// oracle rounds, float -> fp16/bf16, the importance-weight rules, and nearest-value search
// in the non-linear value tables.
//
// Everything here reproduces a fact of ik_llama.cpp's quantizers (snapshot 8337e4cd) that
// changes output bytes; quantize.hpp says which. Keep the API stable: other quantizer files
// include this header.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace sy::quants {

// ---- rounding ----

// Round to nearest, ties to even, for |x| <= 2^22: the oracle's nearest_int, which adds
// 1.5 * 2^23 and reads the mantissa. Done the same way (not std::lrint) so that the result
// does not depend on the FPU rounding mode either; NaN or larger inputs give some value in
// [-2^22, 2^22), never undefined behaviour, and every caller clamps.
inline int nearest_int(float x) {
    const float shifted = x + 12582912.f;
    return int(std::bit_cast<uint32_t>(shifted) & 0x007fffffu) - 0x00400000;
}

// nearest_int(a * b) as the oracle's build evaluates it: nearest_int is inlined and the
// product feeds its `+ 1.5 * 2^23`, which the compiler fuses into one fma. So the exact
// product is rounded to an integer once (not first to float, then to an integer).
inline int nearest_int_of_product(float a, float b) {
    const float shifted = std::fma(a, b, 12582912.f);
    return int(std::bit_cast<uint32_t>(shifted) & 0x007fffffu) - 0x00400000;
}

// C's (int)x for the quantizers' small positive arguments (truncation toward zero), but
// defined for every input: NaN gives 0 and the result saturates at +-2^30.
inline int truncate_to_int(float x) {
    if (!(x == x)) return 0;
    if (x >= 1073741824.f) return 1 << 30;
    if (x <= -1073741824.f) return -(1 << 30);
    return int(x);
}

// The oracle's build (GCC, x86-64 with FMA, -O3) contracts `a*b + c` into one fused
// multiply-add in its scalar loops, but computes the products of the loops it
// auto-vectorizes separately and then adds them in order. Which loop is which decides the
// last bit of the sums, and with it near-ties between candidate scales, so each quantizer
// states its choice: mul_add() where the oracle fuses, plain `s += a * b` (core/types
// builds with -ffp-contract=off) where it does not. Checked against the golden files: with
// these choices every row of every golden tensor is byte-identical (quantize.hpp).
// std::fma is exact on every target, so the bytes do not depend on the ISA.
inline float mul_add(float a, float b, float c) { return std::fma(a, b, c); }

// ---- float -> half precision ----

// IEEE binary16, round to nearest even (F16C's vcvtps2ph with _MM_FROUND_TO_NEAREST_INT,
// which the oracle uses); overflow gives infinity; a NaN stays NaN (quiet, top payload bits
// kept), as vcvtps2ph does.
uint16_t fp32_to_fp16(float f);

// bfloat16: the top half of the float, rounded to nearest even; a NaN becomes a quiet NaN
// (ggml_compute_fp32_to_bf16: bits >> 16 | 0x40).
constexpr uint16_t fp32_to_bf16(float f) {
    const uint32_t u = std::bit_cast<uint32_t>(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);
    return uint16_t((u + (0x7fffu + ((u >> 16) & 1u))) >> 16);
}

// Stores v little-endian at dst (rows need no alignment).
template <typename T>
inline void store_le(uint8_t* dst, T v) {
    std::memcpy(dst, &v, sizeof v);
}

// ---- importance weights ----

// ik's QHelper rule for the IQ*_K/_KS/_KL types: a block whose importance weights w or
// values x are (nearly) all zero -- sum w^2, sum x^2 or sum w|x| at most 1e-18 * block --
// gets the tiny uniform weight 1e-9 instead, so its scale search still has something to
// minimise. Returns nullptr when `importance` is nullptr, else `scratch` (resized to n)
// holding the adjusted copy.
const float* importance_with_degenerate_blocks_fixed(const float* x, const float* importance,
                                                     int64_t n, int block,
                                                     std::vector<float>& scratch);

// Sum of x^2 over n values: products rounded, then added in order (the oracle vectorizes
// this loop, so nothing is fused).
float sum_of_squares(const float* x, int64_t n);

// ---- nearest value of a non-linear table ----

// The index of the table value nearest to x, with exactly the oracle's tie and rounding
// behaviour (its best_index_iq3nl/iq4nl/iq5nl/iq6nl): cells of one integer step, where
// (int)x (or (int)(x - values[0]) in float, for IQ6_K) selects the cell; a cell within half
// a step of a midpoint between two values compares the two distances in float (ties go to
// the upper value), every other cell answers from a table. The table is built from the
// unshifted values and also used for the shifted half (which is the unshifted one plus a
// constant integer), as the oracle does.
//
// Kept as one class for all tables, built at first use from tables.hpp.
class NearestValueIndex {
public:
    enum class Offset { TruncateX, TruncateDifference };
    NearestValueIndex(const int8_t* values, int count, Offset offset);

    // values: the table (or its shifted half) the index refers to: count entries.
    int operator()(const int8_t* values, float x) const;

private:
    int count_;
    Offset offset_;
    // Per cell: index (>= 0) when the cell has one nearest value; -(k + 1) when x must be
    // compared between values k and k+1.
    std::vector<int> cells_;
};

// The lookups of the IQ4_NL/IQ4_K (16 values), IQ3_K (8), IQ5_K (32) and IQ6_K (64) tables.
const NearestValueIndex& iq3nl_nearest();
const NearestValueIndex& iq4nl_nearest();
const NearestValueIndex& iq5nl_nearest();
const NearestValueIndex& iq6nl_nearest();

// ---- weighted least-squares fits of one block onto an integer grid ----

// Symmetric grid L in [-nmax, nmax-1]: finds the scale d minimising sum w (x - d*L)^2 the
// way ggml's make_qx_quants (rmse_type 1, explicit weights) does: the inverse scale
// -nmax/max, then 19 candidates each around -nmax/max and (nmax-1)/max (steps of 0.1),
// then single-step moves of the element with the largest error gradient while the
// weighted fit improves. Writes L + nmax (0..2*nmax-1)
// to `levels` and returns d; an all-zero block (|x| < 1e-15) gives d = 0 and levels 0.
float fit_symmetric_grid(int n, int nmax, const float* x, const float* weights, int8_t* levels);

// Affine grid L in [0, nmax]: finds d and m minimising sum w (x - (d*L + m))^2, m <= 0,
// the way ggml's make_qkx3_quants (use_mad false) does: 37 candidate inverse scales
// (nmax + rmin + rdelta*i) / (max - min) with a closed-form (d, m) for each, then
// single-step moves of the element with the largest residual while the fit improves.
// Writes L to `levels`, -m to *neg_min, returns d. All sums in double, as the oracle.
struct AffineSearch {
    float rmin;
    float rdelta;
    int steps;
};
float fit_affine_grid(int n, int nmax, const float* x, const float* weights, uint8_t* levels,
                      float* neg_min, AffineSearch search, uint8_t* scratch_levels);

// The same affine grid the way ggml's older make_qkx2_quants fits it (the k-quants' "_ref"
// quantizers, used without an imatrix): the plain scale (max - min)/nmax, then the
// candidates of `search` with their closed-form (d, m), keeping the one with the smallest
// sum w err^2 (or sum w |err| with `absolute_error`); no refinement. All sums in float.
// Writes L to `levels`, -m to *neg_min, returns d.
float fit_affine_grid_candidates(int n, int nmax, const float* x, const float* weights,
                                 uint8_t* levels, float* neg_min, AffineSearch search,
                                 bool absolute_error, uint8_t* scratch_levels);

// ---- the IQ4_NL table fit of one 32-element block (IQ4_NL, IQ4_XS) ----

// The scale of one 32-element block on the 16 IQ4_NL values (kIq4kValues[0..15]), as the
// oracle's quantize_row_iq4_nl_impl searches it per block (ntry 7): the inverse scale
// values[0] / (signed extreme), then (k + values[0]) / max and (k + values[15]) / max for
// k = -7..7, keeping the best weighted error reduction sum(w q x)^2 / sum(w q^2), then
// single-level moves (smallest step of the fitted line first) while the fit improves.
// `weights` are the caller's (importance-derived or x^2). Writes the chosen levels (0..15,
// the fit before any re-rounding against a stored scale) and returns d; 0 for an all-zero
// block. Where every weight is zero (the oracle would store 0/0) the weights x^2 are used.
float fit_iq4nl_block(const float* x, const float* weights, uint8_t* levels);

}  // namespace sy::quants
