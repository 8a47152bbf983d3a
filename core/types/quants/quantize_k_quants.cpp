// Quantizers of the k-quant types Q2_K..Q6_K and of IQ4_XS (256-element super-blocks).
//
// Oracle: ik_llama.cpp ggml-quants.c, the functions llama-quantize reaches through
// ggml_quantize_chunk: quantize_q2_K .. quantize_q6_K (:2467-3370), their _impl helpers and
// the grid fits make_qx_quants (:1727), make_qkx3_quants (:2198) and make_qp_quants (:2339);
// without an imatrix their "_ref" quantizers (quantize_row_q2_K_ref :2047, _q3_K_ref :2487,
// _q4_K_ref :2721, _q5_K_ref :2928) with make_q3_quants (:1853) and make_qkx2_quants
// (:1955); and quantize_iq4_xs / quantize_row_iq4_nl_impl (:14783, :14998).
//
// With importance weights: the "_impl" paths, a weighted fit per sub-block and then a
// weighted fit of the sub-block scales themselves. Without: the "_ref" paths, the original
// k-quant searches (simple weights per sub-block, sub-block scales as integer multiples of
// their maximum / 63, 15 or 32). Q6_K's "_ref" is its importance search with weights x^2 and
// IQ4_XS has no "_ref" (weights x^2). Both paths are byte-identical to the oracle: every
// golden row (with the golden imatrix) and random rows of many shapes with and without
// importance against the oracle's quantize_qN_K built from its source
// (tests/data/golden_quants/kquants-ref-oracle.bin holds such rows without importance).
//
// Float order (quantize.hpp's notes): sums the oracle's compiler vectorizes (sum of squares,
// the sub-block weight sums) are plain in-order sums; the scalar multiply-adds of the
// searches are fused (mul_add) unless a product is shared and so rounded first; a product
// fed straight to rounding is rounded once (nearest_int_of_product), a quotient is not.
// Q2_K's "_impl" re-rounds its levels against the unrounded (float) super-block scales, the
// others against the stored fp16 ones, as the oracle does.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int kSuper = 256;

// ggml's make_qp_quants: non-negative values x (sub-block scales or mins) onto 0..nmax with
// a positive scale, minimising sum w (x - d L)^2: the plain scale max/nmax and 8 candidates
// around it, then up to 5 passes re-rounding each element against the fit of the others.
float fit_positive_grid(int n, int nmax, const float* x, const float* w, uint8_t* levels) {
    float max = 0;
    for (int i = 0; i < n; ++i) max = std::max(max, x[i]);
    if (max < 1e-16f) {
        std::fill(levels, levels + n, uint8_t(0));
        return 0.f;
    }
    auto level_of = [&](float inverse_scale, float v) {
        return std::max(0, std::min(nmax, nearest_int_of_product(inverse_scale, v)));
    };
    float inverse_scale = float(nmax) / max;
    float scale = 1 / inverse_scale;
    float best_mse = 0;
    for (int i = 0; i < n; ++i) {
        const float diff = mul_add(-scale, float(level_of(inverse_scale, x[i])), x[i]);
        best_mse = mul_add(w[i] * diff, diff, best_mse);
    }
    for (int is = -4; is <= 4; ++is) {
        if (is == 0) continue;
        const float candidate = mul_add(0.1f, float(is), float(nmax)) / max;
        const float candidate_scale = 1 / candidate;
        float mse = 0;
        for (int i = 0; i < n; ++i) {
            const float diff = mul_add(-candidate_scale, float(level_of(candidate, x[i])), x[i]);
            mse = mul_add(w[i] * diff, diff, mse);
        }
        if (mse < best_mse) {
            best_mse = mse;
            inverse_scale = candidate;
        }
    }
    float sum_xl = 0, sum_ll = 0;
    for (int i = 0; i < n; ++i) {
        const int l = level_of(inverse_scale, x[i]);
        levels[i] = uint8_t(l);
        sum_xl = mul_add(w[i] * x[i], float(l), sum_xl);
        sum_ll = mul_add(w[i] * float(l), float(l), sum_ll);
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float l = float(levels[i]);
            float others_xl = mul_add(-(w[i] * x[i]), l, sum_xl);
            float others_ll = mul_add(-(w[i] * l), l, sum_ll);
            if (!(others_xl > 0 && others_ll > 0)) continue;
            const int new_l =
                std::max(0, std::min(nmax, nearest_int(x[i] * others_ll / others_xl)));
            if (new_l == levels[i]) continue;
            others_xl = mul_add(w[i] * x[i], float(new_l), others_xl);
            others_ll = mul_add(w[i] * float(new_l), float(new_l), others_ll);
            if (others_xl * others_xl * sum_ll > sum_xl * sum_xl * others_ll) {
                levels[i] = uint8_t(new_l);
                sum_xl = others_xl;
                sum_ll = others_ll;
                ++changed;
            }
        }
        if (!changed) break;
    }
    // All weights zero (the oracle would return 0/0): keep the plain scale.
    return sum_ll > 0 ? sum_xl / sum_ll : 1 / inverse_scale;
}

// ---- shared by several types ----

// Packs the levels 0..3 of Q2_K and the low 2 bits of Q3_K: byte l of each 128-half holds
// elements l, l+32, l+64, l+96.
template <typename Level>
void pack_2bit_levels(const Level* levels, uint8_t* qs) {
    for (int half = 0; half < 2; ++half) {
        const Level* L = levels + 128 * half;
        for (int l = 0; l < 32; ++l)
            qs[32 * half + l] = uint8_t(L[l] | L[l + 32] << 2 | L[l + 64] << 4 | L[l + 96] << 6);
    }
}

// The sub-block scales (or mins) of Q2_K/Q4_K/Q5_K "_ref" as integers: round(v * top / max)
// with the product rounded once, converted to a byte as C does (a negative value wraps).
inline uint8_t ref_scale_level(float inverse, float v) {
    return uint8_t(nearest_int_of_product(inverse, v));
}

// ---- Q6_K ----

void fill_q6_k(const float* x, const float* importance, BlockQ6_K& b) {
    int8_t levels[kSuper];  // 0..63 (signed level + 32)
    float scales[16];
    float weights[16];
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const float* xb = x + 16 * ib;
        const float* w = importance ? importance + 16 * ib : weights;
        if (!importance)
            for (int j = 0; j < 16; ++j) weights[j] = xb[j] * xb[j];
        const float scale = fit_symmetric_grid(16, 32, xb, w, levels + 16 * ib);
        scales[ib] = scale;
        if (std::abs(scale) > max_abs_scale) {
            max_abs_scale = std::abs(scale);
            max_scale = scale;
        }
    }
    if (max_abs_scale < 1e-15f) return;  // all zero: the zero block

    const float inverse_scale = -128.f / max_scale;
    b.d = fp32_to_fp16(1 / inverse_scale);
    for (int ib = 0; ib < 16; ++ib)
        b.scales[ib] = int8_t(
            std::max(-128, std::min(127, nearest_int_of_product(inverse_scale, scales[ib]))));
    const float d_super = fp16_to_fp32(b.d);
    for (int ib = 0; ib < 16; ++ib) {
        const float d = d_super * float(b.scales[ib]);
        if (d == 0) continue;
        for (int j = 0; j < 16; ++j) {
            const int l = std::max(-32, std::min(31, nearest_int(x[16 * ib + j] / d)));
            levels[16 * ib + j] = int8_t(l + 32);
        }
    }
    // 128-element halves: ql byte l holds elements l (lo) and l+64 (hi), byte l+32 elements
    // l+32 and l+96; qh byte l the top 2 bits of l, l+32, l+64, l+96.
    for (int half = 0; half < 2; ++half) {
        const int8_t* L = levels + 128 * half;
        uint8_t* ql = b.ql + 64 * half;
        uint8_t* qh = b.qh + 32 * half;
        for (int l = 0; l < 32; ++l) {
            ql[l] = uint8_t((L[l] & 0xF) | (L[l + 64] & 0xF) << 4);
            ql[l + 32] = uint8_t((L[l + 32] & 0xF) | (L[l + 96] & 0xF) << 4);
            qh[l] = uint8_t((L[l] >> 4) | (L[l + 32] >> 4) << 2 | (L[l + 64] >> 4) << 4 |
                            (L[l + 96] >> 4) << 6);
        }
    }
}

// ---- Q4_K / Q5_K: 8 sub-blocks of 32, affine, 6-bit scales and mins ----

// Packs 8 (scale, min) 6-bit pairs the k-quant way (inverse of get_scale_min_k4).
void pack_scales_mins(const uint8_t* ls, const uint8_t* lm, uint8_t (&scales)[12]) {
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            scales[j] = ls[j];
            scales[j + 4] = lm[j];
        } else {
            scales[j + 4] = uint8_t((ls[j] & 0xF) | (lm[j] & 0xF) << 4);
            scales[j - 4] = uint8_t(scales[j - 4] | (ls[j] >> 4) << 6);
            scales[j] = uint8_t(scales[j] | (lm[j] >> 4) << 6);
        }
    }
}

void unpack_scale_min(int j, const uint8_t (&q)[12], int& sc, int& m) {
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = (q[j + 4] & 0xF) | (q[j - 4] >> 6) << 4;
        m = (q[j + 4] >> 4) | (q[j] >> 6) << 4;
    }
}

// Re-rounds every element against its sub-block's stored scale and min (fp16 d, dmin times
// the 6-bit integers), as both oracle paths do.
template <typename Block>
void requantize_affine_levels(const float* x, int nmax, const Block& b, uint8_t* levels) {
    const float d_super = fp16_to_fp32(b.d), m_super = fp16_to_fp32(b.dmin);
    for (int j = 0; j < 8; ++j) {
        int sc = 0, m = 0;
        unpack_scale_min(j, b.scales, sc, m);
        const float d = d_super * float(sc);
        if (d == 0) continue;
        const float dm = m_super * float(m);
        for (int l = 0; l < 32; ++l)
            levels[32 * j + l] =
                uint8_t(std::max(0, std::min(nmax, nearest_int((x[32 * j + l] + dm) / d))));
    }
}

// With importance: levels 0..nmax of the 8 sub-blocks, d/dmin and packed scales, for Q4_K
// (15) and Q5_K (31).
template <typename Block>
void fit_affine_super_block(const float* x, const float* importance, int nmax, Block& b,
                            uint8_t* levels) {
    const float sigma2 = 2 * sum_of_squares(x, kSuper) / kSuper;
    float weights[32];
    float sub_weight[8], scales[8], mins[8];
    uint8_t scratch[32];
    for (int j = 0; j < 8; ++j) {
        const float* xb = x + 32 * j;
        for (int l = 0; l < 32; ++l)
            weights[l] = importance[32 * j + l] * std::sqrt(mul_add(xb[l], xb[l], sigma2));
        float sum_w = 0;
        for (int l = 0; l < 32; ++l) sum_w += weights[l];
        sub_weight[j] = sum_w;
        scales[j] = fit_affine_grid(32, nmax, xb, weights, levels + 32 * j, &mins[j],
                                    AffineSearch{-0.9f, 0.05f, 36}, scratch);
    }
    uint8_t ls[8], lm[8];
    const float d_block = fit_positive_grid(8, 63, scales, sub_weight, ls);
    const float m_block = fit_positive_grid(8, 63, mins, sub_weight, lm);
    pack_scales_mins(ls, lm, b.scales);
    b.d = fp32_to_fp16(d_block);
    b.dmin = fp32_to_fp16(m_block);
    requantize_affine_levels(x, nmax, b, levels);
}

// Q4_K (nmax 15) and Q5_K (31) "_ref": weights sqrt(mean x^2 of the sub-block) + |x|.
template <typename Block>
void fit_affine_super_block_ref(const float* x, int nmax, AffineSearch search, Block& b,
                                uint8_t* levels) {
    float scales[8], mins[8], weights[32];
    uint8_t scratch[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        const float* xb = x + 32 * j;
        const float av_x = std::sqrt(sum_of_squares(xb, 32) / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + std::abs(xb[l]);
        scales[j] = fit_affine_grid_candidates(32, nmax, xb, weights, levels + 32 * j, &mins[j],
                                               search, false, scratch);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inverse_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inverse_min = max_min > 0 ? 63.f / max_min : 0.f;
    uint8_t ls[8], lm[8];
    for (int j = 0; j < 8; ++j) {
        ls[j] = std::min(uint8_t(63), ref_scale_level(inverse_scale, scales[j]));
        lm[j] = std::min(uint8_t(63), ref_scale_level(inverse_min, mins[j]));
    }
    pack_scales_mins(ls, lm, b.scales);
    b.d = fp32_to_fp16(max_scale / 63.f);
    b.dmin = fp32_to_fp16(max_min / 63.f);
    requantize_affine_levels(x, nmax, b, levels);
}

// "_ref" search parameters (ggml's make_qkx2_quants calls).
constexpr AffineSearch kQ4kRefSearch{-1.f, 0.1f, 20};
constexpr AffineSearch kQ5kRefSearch{-0.5f, 0.1f, 15};

void fill_q4_k(const float* x, const float* importance, BlockQ4_K& b) {
    uint8_t levels[kSuper];
    if (importance)
        fit_affine_super_block(x, importance, 15, b, levels);
    else
        fit_affine_super_block_ref(x, 15, kQ4kRefSearch, b, levels);
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l)
            b.qs[32 * c + l] = uint8_t(levels[64 * c + l] | levels[64 * c + l + 32] << 4);
}

void fill_q5_k(const float* x, const float* importance, BlockQ5_K& b) {
    uint8_t levels[kSuper];
    if (importance)
        fit_affine_super_block(x, importance, 31, b, levels);
    else
        fit_affine_super_block_ref(x, 31, kQ5kRefSearch, b, levels);
    for (int c = 0; c < 4; ++c) {
        for (int l = 0; l < 32; ++l) {
            const int l1 = levels[64 * c + l], l2 = levels[64 * c + l + 32];
            b.qs[32 * c + l] = uint8_t((l1 & 0xF) | (l2 & 0xF) << 4);
            b.qh[l] = uint8_t(b.qh[l] | (l1 >> 4) << (2 * c) | (l2 >> 4) << (2 * c + 1));
        }
    }
}

// ---- Q3_K: 16 sub-blocks of 16, symmetric levels -4..3, 6-bit signed sub-scales ----

// Bit 2 of element j goes to hmask byte j % 32, bit j / 32; the low 2 bits to qs (byte l
// of each 128-half holds elements l, l+32, l+64, l+96). levels: signed level + 4 (0..7).
void pack_q3_k_levels(int8_t* levels, BlockQ3_K& b) {
    for (int j = 0; j < kSuper; ++j) {
        if (levels[j] > 3) {
            b.hmask[j % 32] = uint8_t(b.hmask[j % 32] | 1 << (j / 32));
            levels[j] = int8_t(levels[j] - 4);
        }
    }
    for (int half = 0; half < 2; ++half) {
        const int8_t* L = levels + 128 * half;
        for (int l = 0; l < 32; ++l)
            b.qs[32 * half + l] = uint8_t(L[l] | L[l + 32] << 2 | L[l + 64] << 4 | L[l + 96] << 6);
    }
}

// ggml's make_q3_quants with do_rmse: levels -nmax..nmax-1 at the inverse scale -nmax/max,
// then up to 5 passes re-rounding each element against the weighted fit (weights x^2) of
// the others. Writes level + nmax; returns the fitted scale (0/0 = NaN when every weight
// x^2 underflows, as in the oracle; that sub-block's integer scale then comes out 0).
float fit_q3_sub_block_ref(const float* x, int8_t* levels) {
    constexpr int kN = 16, kMax = 4;
    float max = 0, amax = 0;
    for (int i = 0; i < kN; ++i) {
        if (std::abs(x[i]) > amax) {
            amax = std::abs(x[i]);
            max = x[i];
        }
    }
    if (amax < 1e-15f) {
        std::fill(levels, levels + kN, int8_t(0));
        return 0.f;
    }
    const float inverse_scale = -float(kMax) / max;
    float sum_xl = 0, sum_ll = 0;
    int L[kN];
    for (int i = 0; i < kN; ++i) {
        L[i] = std::clamp(nearest_int_of_product(inverse_scale, x[i]), -kMax, kMax - 1);
        const float w = x[i] * x[i];
        sum_xl = mul_add(w * x[i], float(L[i]), sum_xl);
        sum_ll = mul_add(w * float(L[i]), float(L[i]), sum_ll);
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < kN; ++i) {
            const float w = x[i] * x[i];
            float others_xl = mul_add(-(w * x[i]), float(L[i]), sum_xl);
            if (!(others_xl > 0)) continue;
            float others_ll = mul_add(-(w * float(L[i])), float(L[i]), sum_ll);
            const int new_l =
                std::clamp(nearest_int(x[i] * others_ll / others_xl), -kMax, kMax - 1);
            if (new_l == L[i]) continue;
            others_xl = mul_add(w * x[i], float(new_l), others_xl);
            others_ll = mul_add(w * float(new_l), float(new_l), others_ll);
            if (others_ll > 0 && others_xl * others_xl * sum_ll > sum_xl * sum_xl * others_ll) {
                L[i] = new_l;
                sum_xl = others_xl;
                sum_ll = others_ll;
                ++changed;
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < kN; ++i) levels[i] = int8_t(L[i] + kMax);
    return sum_xl / sum_ll;
}

void fill_q3_k_ref(const float* x, BlockQ3_K& b) {
    int8_t levels[kSuper];  // signed level + 4 (0..7)
    float scales[16];
    float max_scale = 0, amax = 0;
    for (int j = 0; j < 16; ++j) {
        scales[j] = fit_q3_sub_block_ref(x + 16 * j, levels + 16 * j);
        if (std::abs(scales[j]) > amax) {
            amax = std::abs(scales[j]);
            max_scale = scales[j];
        }
    }
    if (max_scale != 0) {
        const float inverse = -32.f / max_scale;
        for (int j = 0; j < 16; ++j) {
            // Stored + 32 in 6 bits: low nibbles in scales[0..7], the top 2 bits in 8..11.
            const int l =
                std::clamp(int(int8_t(nearest_int_of_product(inverse, scales[j]))), -32, 31) + 32;
            if (j < 8)
                b.scales[j] = uint8_t(l & 0xF);
            else
                b.scales[j - 8] = uint8_t(b.scales[j - 8] | (l & 0xF) << 4);
            b.scales[8 + j % 4] = uint8_t(b.scales[8 + j % 4] | (l >> 4) << (2 * (j / 4)));
        }
        b.d = fp32_to_fp16(1 / inverse);
    }
    const float d_super = fp16_to_fp32(b.d);
    for (int j = 0; j < 16; ++j) {
        const int low = j < 8 ? b.scales[j] & 0xF : b.scales[j - 8] >> 4;
        const int sc = (low | ((b.scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4) - 32;
        const float d = d_super * float(sc);
        if (d == 0) continue;
        for (int l = 0; l < 16; ++l)
            levels[16 * j + l] = int8_t(std::clamp(nearest_int(x[16 * j + l] / d), -4, 3) + 4);
    }
    pack_q3_k_levels(levels, b);
}

void fill_q3_k(const float* x, const float* importance, BlockQ3_K& b) {
    if (!importance) return fill_q3_k_ref(x, b);
    int8_t levels[kSuper];  // signed level + 4 (0..7)
    float scales[16], sub_weight[16], weights[16];
    const float sigma2 = 2 * sum_of_squares(x, kSuper) / kSuper;
    for (int j = 0; j < 16; ++j) {
        const float* xb = x + 16 * j;
        for (int l = 0; l < 16; ++l)
            weights[l] = importance[16 * j + l] * std::sqrt(mul_add(xb[l], xb[l], sigma2));
        float sum_w = 0;
        for (int l = 0; l < 16; ++l) sum_w += weights[l];
        sub_weight[j] = sum_w;
        scales[j] = fit_symmetric_grid(16, 4, xb, weights, levels + 16 * j);
    }
    // The 16 sub-scales themselves on a symmetric 6-bit grid (-32..31), stored + 32.
    int8_t ls[16];
    const float d_block = fit_symmetric_grid(16, 32, scales, sub_weight, ls);
    for (int j = 0; j < 16; ++j) {
        const int l = ls[j];
        if (j < 8)
            b.scales[j] = uint8_t(l & 0xF);
        else
            b.scales[j - 8] = uint8_t(b.scales[j - 8] | (l & 0xF) << 4);
        b.scales[8 + j % 4] = uint8_t(b.scales[8 + j % 4] | (l >> 4) << (2 * (j / 4)));
    }
    b.d = fp32_to_fp16(d_block);
    const float d_super = fp16_to_fp32(b.d);
    for (int j = 0; j < 16; ++j) {
        const float d = d_super * float(ls[j] - 32);
        if (d == 0) continue;
        for (int l = 0; l < 16; ++l)
            levels[16 * j + l] =
                int8_t(std::max(-4, std::min(3, nearest_int(x[16 * j + l] / d))) + 4);
    }
    pack_q3_k_levels(levels, b);
}

// ---- Q2_K: 16 sub-blocks of 16, affine levels 0..3, 4-bit scales and mins ----

// Q2_K "_ref" on a ternary row (ggml's "TriNet" check): if snapping every value to
// {-max, 0, +max} (max = the row's largest magnitude) leaves less than a tenth of the
// row's energy as error, every super-block stores d = dmin = max, all scales 1, levels
// 0, 1, 2. The oracle decides per chunk of rows; here per row.
bool quantize_q2_k_ternary(const float* x, uint8_t* row, int64_t n) {
    float max = 0;
    for (int64_t j = 0; j < n; ++j) max = max > std::abs(x[j]) ? max : std::abs(x[j]);
    float energy = 0, error = 0;  // scalar loop in the oracle: fused
    for (int64_t j = 0; j < n; ++j) {
        const int l = x[j] < -0.5f * max ? -1 : x[j] < 0.5f * max ? 0 : 1;
        energy = mul_add(x[j], x[j], energy);
        const float diff = x[j] - max * float(l);  // exact: l is -1, 0 or 1
        error = mul_add(diff, diff, error);
    }
    if (!(error < 0.1f * energy)) return false;
    for (int64_t i = 0; i < n / kSuper; ++i) {
        BlockQ2_K b{};
        b.d = b.dmin = fp32_to_fp16(max);
        std::fill(std::begin(b.scales), std::end(b.scales), uint8_t(0x11));
        uint8_t levels[kSuper];
        for (int j = 0; j < kSuper; ++j) {
            const float v = x[i * kSuper + j];
            levels[j] = v < -0.5f * max ? 0 : v < 0.5f * max ? 1 : 2;
        }
        pack_2bit_levels(levels, b.qs);
        std::memcpy(row + i * int64_t(sizeof(BlockQ2_K)), &b, sizeof b);
    }
    return true;
}

void fill_q2_k_ref(const float* x, BlockQ2_K& b) {
    uint8_t levels[kSuper], scratch[16];
    float scales[16], mins[16], weights[16];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; ++j) {
        const float* xb = x + 16 * j;
        for (int l = 0; l < 16; ++l) weights[l] = std::abs(xb[l]);
        scales[j] = fit_affine_grid_candidates(16, 3, xb, weights, levels + 16 * j, &mins[j],
                                               AffineSearch{-0.5f, 0.1f, 15}, true, scratch);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    if (max_scale > 0) {
        const float inverse = 15.f / max_scale;
        for (int j = 0; j < 16; ++j) b.scales[j] = ref_scale_level(inverse, scales[j]);
        b.d = fp32_to_fp16(max_scale / 15.f);
    }
    if (max_min > 0) {
        const float inverse = 15.f / max_min;
        for (int j = 0; j < 16; ++j)
            b.scales[j] = uint8_t(b.scales[j] | ref_scale_level(inverse, mins[j]) << 4);
        b.dmin = fp32_to_fp16(max_min / 15.f);
    }
    const float d_super = fp16_to_fp32(b.d), m_super = fp16_to_fp32(b.dmin);
    for (int j = 0; j < 16; ++j) {
        const float d = d_super * float(b.scales[j] & 0xF);
        if (d == 0) continue;
        const float dm = m_super * float(b.scales[j] >> 4);
        for (int l = 0; l < 16; ++l)
            levels[16 * j + l] = uint8_t(std::clamp(nearest_int((x[16 * j + l] + dm) / d), 0, 3));
    }
    pack_2bit_levels(levels, b.qs);
}

void fill_q2_k(const float* x, const float* importance, BlockQ2_K& b) {
    if (!importance) return fill_q2_k_ref(x, b);
    uint8_t levels[kSuper];
    uint8_t scratch[16];
    float scales[16], mins[16], sub_weight[16], weights[16];
    const float sigma2 = 0.75f * sum_of_squares(x, kSuper) / kSuper;
    for (int j = 0; j < 16; ++j) {
        const float* xb = x + 16 * j;
        for (int l = 0; l < 16; ++l)
            weights[l] = importance[16 * j + l] * std::sqrt(mul_add(xb[l], xb[l], sigma2));
        float sum_w = 0;
        for (int l = 0; l < 16; ++l) sum_w += weights[l];
        sub_weight[j] = sum_w;
        scales[j] = fit_affine_grid(16, 3, xb, weights, levels + 16 * j, &mins[j],
                                    AffineSearch{-0.9f, 0.05f, 36}, scratch);
    }
    uint8_t ls[16], lm[16];
    const float d_block = fit_positive_grid(16, 15, scales, sub_weight, ls);
    const float m_block = fit_positive_grid(16, 15, mins, sub_weight, lm);
    b.d = fp32_to_fp16(d_block);
    b.dmin = fp32_to_fp16(m_block);
    // The levels use the unrounded block scales, as the oracle does.
    for (int j = 0; j < 16; ++j) {
        const float d = d_block * float(ls[j]);
        const float m = m_block * float(lm[j]);
        const float inverse_d = d != 0 ? 1 / d : 0.f;
        for (int l = 0; l < 16; ++l)
            levels[16 * j + l] = uint8_t(
                std::max(0, std::min(3, nearest_int_of_product(x[16 * j + l] + m, inverse_d))));
        b.scales[j] = uint8_t(ls[j] | lm[j] << 4);
    }
    pack_2bit_levels(levels, b.qs);
}

// ---- IQ4_XS: 8 blocks of 32 on the IQ4_NL table, 6-bit block scales ----

void fill_iq4_xs(const float* x, const float* importance, BlockIq4Xs& b) {
    const int8_t* values = kIq4kValues.data();
    const NearestValueIndex& nearest = iq4nl_nearest();
    const float sigma2 = sum_of_squares(x, kSuper) * (2.f / kSuper);
    uint8_t levels[kSuper];
    float scales[8], w[32];
    float max_scale = 0, amax_scale = 0;
    for (int ib = 0; ib < 8; ++ib) {
        const float* xb = x + 32 * ib;
        for (int j = 0; j < 32; ++j)
            w[j] = importance ? importance[32 * ib + j] * std::sqrt(mul_add(xb[j], xb[j], sigma2))
                              : xb[j] * xb[j];
        scales[ib] = fit_iq4nl_block(xb, w, levels + 32 * ib);
        if (std::abs(scales[ib]) > amax_scale) {
            amax_scale = std::abs(scales[ib]);
            max_scale = scales[ib];
        }
    }
    // Block scales as 6-bit multiples (-32..31) of d = -max/32 (an all-zero super-block
    // stores -0, as the oracle); levels re-matched against the quantized block scales.
    const float d = -max_scale / 32;
    b.d = fp32_to_fp16(d);
    const float inverse_d = d != 0 ? 1 / d : 0.f;
    for (int ib = 0; ib < 8; ++ib) {
        int l = std::max(-32, std::min(31, nearest_int_of_product(inverse_d, scales[ib])));
        const float dl = d * float(l);
        const float inverse_dl = dl != 0 ? 1 / dl : 0.f;
        for (int j = 0; j < 32; ++j)
            levels[32 * ib + j] = uint8_t(nearest(values, inverse_dl * x[32 * ib + j]));
        l += 32;
        if (ib % 2 == 0)
            b.scales_l[ib / 2] = uint8_t(l & 0xF);
        else
            b.scales_l[ib / 2] = uint8_t(b.scales_l[ib / 2] | (l & 0xF) << 4);
        b.scales_h = uint16_t(b.scales_h | (l >> 4) << (2 * ib));
    }
    for (int ib = 0; ib < 8; ++ib)
        for (int j = 0; j < 16; ++j)
            b.qs[16 * ib + j] = uint8_t(levels[32 * ib + j] | levels[32 * ib + 16 + j] << 4);
}

}  // namespace

void quantize_row_q6_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockQ6_K>(src, row, n, importance, fill_q6_k);
}
void quantize_row_q5_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockQ5_K>(src, row, n, importance, fill_q5_k);
}
void quantize_row_q4_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockQ4_K>(src, row, n, importance, fill_q4_k);
}
void quantize_row_q3_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockQ3_K>(src, row, n, importance, fill_q3_k);
}
void quantize_row_q2_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    if (!importance && quantize_q2_k_ternary(src, row, n)) return;
    fill_each_block<BlockQ2_K>(src, row, n, importance, fill_q2_k);
}
void quantize_row_iq4_xs(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockIq4Xs>(src, row, n, importance, fill_iq4_xs);
}

}  // namespace sy::quants
