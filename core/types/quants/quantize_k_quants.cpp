// Quantizers of the k-quant types Q2_K..Q6_K and of IQ4_XS (256-element super-blocks).
//
// Oracle: ik_llama.cpp ggml-quants.c, the functions llama-quantize reaches through
// ggml_quantize_chunk: quantize_q2_K .. quantize_q6_K with their _impl helpers
// (:2412-3370), the grid fits make_qx_quants (:1727), make_qkx3_quants (:2198) and
// make_qp_quants (:2339), and quantize_iq4_xs / quantize_row_iq4_nl_impl (:14783, :14998).
//
// With importance weights these follow the oracle's "_impl" paths (every row of the golden
// files is byte-identical). Without them the oracle switches Q2_K..Q6_K to its "_ref"
// quantizers; here the same weighted search runs with no-imatrix weights instead (x^2 for
// Q6_K/Q3_K, sqrt(sigma2)+|x| for Q4_K/Q5_K, a uniform imatrix for Q2_K): comparable error,
// not the "_ref" bytes. IQ4_XS without importance is the oracle's own path (weights x^2).
//
// Float order (quantize.hpp's notes): the sub-block weight sums and sum of squares are plain
// in-order sums; the scalar multiply-adds of the scale searches are fused (mul_add); a
// product fed straight to rounding is rounded once (nearest_int_of_product), a quotient is
// not. Q2_K re-rounds its levels against the unrounded (float) super-block scales, the
// others against the stored fp16 ones, as the oracle does.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "types/quants/blocks.hpp"
#include "types/quants/fp16.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int kSuper = 256;

template <typename Block, typename Fill>
void for_each_super_block(const float* src, uint8_t* row, int64_t n, const float* importance,
                          Fill&& fill) {
    for (int64_t i = 0; i < n / kSuper; ++i) {
        Block b{};
        fill(src + i * kSuper, importance ? importance + i * kSuper : nullptr, b);
        std::memcpy(row + i * int64_t(sizeof(Block)), &b, sizeof(Block));
    }
}

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
            const int new_l = std::max(0, std::min(nmax, nearest_int(x[i] * others_ll / others_xl)));
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
        b.scales[ib] = int8_t(std::max(-128, std::min(127, nearest_int_of_product(inverse_scale, scales[ib]))));
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

// Levels 0..nmax of the 8 sub-blocks, d/dmin and packed scales, for Q4_K (15) and Q5_K (31).
template <typename Block>
void fit_affine_super_block(const float* x, const float* importance, int nmax, Block& b,
                            uint8_t* levels) {
    const float sigma2 = 2 * sum_of_squares(x, kSuper) / kSuper;
    const float av_x = std::sqrt(sigma2);
    float weights[32];
    float sub_weight[8], scales[8], mins[8];
    uint8_t scratch[32];
    for (int j = 0; j < 8; ++j) {
        const float* xb = x + 32 * j;
        for (int l = 0; l < 32; ++l)
            weights[l] = importance ? importance[32 * j + l] * std::sqrt(mul_add(xb[l], xb[l], sigma2))
                                    : av_x + std::abs(xb[l]);
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

void fill_q4_k(const float* x, const float* importance, BlockQ4_K& b) {
    uint8_t levels[kSuper];
    fit_affine_super_block(x, importance, 15, b, levels);
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l)
            b.qs[32 * c + l] = uint8_t(levels[64 * c + l] | levels[64 * c + l + 32] << 4);
}

void fill_q5_k(const float* x, const float* importance, BlockQ5_K& b) {
    uint8_t levels[kSuper];
    fit_affine_super_block(x, importance, 31, b, levels);
    for (int c = 0; c < 4; ++c) {
        for (int l = 0; l < 32; ++l) {
            const int l1 = levels[64 * c + l], l2 = levels[64 * c + l + 32];
            b.qs[32 * c + l] = uint8_t((l1 & 0xF) | (l2 & 0xF) << 4);
            b.qh[l] = uint8_t(b.qh[l] | (l1 >> 4) << (2 * c) | (l2 >> 4) << (2 * c + 1));
        }
    }
}

// ---- Q3_K: 16 sub-blocks of 16, symmetric levels -4..3, 6-bit signed sub-scales ----

void fill_q3_k(const float* x, const float* importance, BlockQ3_K& b) {
    int8_t levels[kSuper];  // signed level + 4 (0..7)
    float scales[16], sub_weight[16], weights[16];
    const float sigma2 = 2 * sum_of_squares(x, kSuper) / kSuper;
    for (int j = 0; j < 16; ++j) {
        const float* xb = x + 16 * j;
        for (int l = 0; l < 16; ++l)
            weights[l] = importance ? importance[16 * j + l] * std::sqrt(mul_add(xb[l], xb[l], sigma2))
                                    : xb[l] * xb[l];
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
    // Bit 2 of element j goes to hmask byte j % 32, bit j / 32; the low 2 bits to qs: byte l
    // of each 128-half holds elements l, l+32, l+64, l+96.
    for (int j = 0; j < kSuper; ++j) {
        if (levels[j] > 3) {
            b.hmask[j % 32] = uint8_t(b.hmask[j % 32] | 1 << (j / 32));
            levels[j] = int8_t(levels[j] - 4);
        }
    }
    for (int half = 0; half < 2; ++half) {
        const int8_t* L = levels + 128 * half;
        for (int l = 0; l < 32; ++l)
            b.qs[32 * half + l] =
                uint8_t(L[l] | L[l + 32] << 2 | L[l + 64] << 4 | L[l + 96] << 6);
    }
}

// ---- Q2_K: 16 sub-blocks of 16, affine levels 0..3, 4-bit scales and mins ----

void fill_q2_k(const float* x, const float* importance, BlockQ2_K& b) {
    uint8_t levels[kSuper];
    uint8_t scratch[16];
    float scales[16], mins[16], sub_weight[16], weights[16];
    const float sigma2 = 0.75f * sum_of_squares(x, kSuper) / kSuper;
    for (int j = 0; j < 16; ++j) {
        const float* xb = x + 16 * j;
        // Without importance a uniform imatrix (the oracle's "_ref" path differs).
        for (int l = 0; l < 16; ++l)
            weights[l] = (importance ? importance[16 * j + l] : 1.f) *
                         std::sqrt(mul_add(xb[l], xb[l], sigma2));
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
    for (int half = 0; half < 2; ++half) {
        const uint8_t* L = levels + 128 * half;
        for (int l = 0; l < 32; ++l)
            b.qs[32 * half + l] =
                uint8_t(L[l] | L[l + 32] << 2 | L[l + 64] << 4 | L[l + 96] << 6);
    }
}

// ---- IQ4_XS: 8 blocks of 32 on the IQ4_NL table, 6-bit block scales ----

struct TableSums {
    float sum_qx = 0;
    float sum_qq = 0;
};

TableSums evaluate_iq4(const float* x, const float* w, float inverse_scale, uint8_t* levels_out) {
    const NearestValueIndex& nearest = iq4nl_nearest();
    const int8_t* values = kIq4kValues.data();
    TableSums c;
    for (int j = 0; j < 32; ++j) {
        const int l = nearest(values, inverse_scale * x[j]);
        if (levels_out) levels_out[j] = uint8_t(l);
        const float q = values[l];
        c.sum_qx = mul_add(w[j] * q, x[j], c.sum_qx);
        c.sum_qq = mul_add(w[j] * q, q, c.sum_qq);
    }
    return c;
}

// The scale of one 32-block (quantize_row_iq4_nl_impl's per-block search, ntry 7): the
// inverse scales values[0]/max, (k + values[0])/max and (k + values[15])/max for
// k = -7..7, then single-level moves while the weighted fit improves. 0 for a zero block.
float fit_iq4_block(const float* x, float* w, uint8_t* levels) {
    constexpr int kTries = 7;
    const int8_t* values = kIq4kValues.data();
    float amax = 0, max = 0;
    for (int j = 0; j < 32; ++j) {
        if (std::abs(x[j]) > amax) {
            amax = std::abs(x[j]);
            max = x[j];
        }
    }
    if (amax < 1e-15f) return 0.f;

    TableSums c = evaluate_iq4(x, w, 1 / (-max / float(values[0])), levels);
    if (!(c.sum_qq > 0)) {
        // All weights zero: the oracle would store 0/0. Use the unweighted fit instead.
        for (int j = 0; j < 32; ++j) w[j] = x[j] * x[j];
        c = evaluate_iq4(x, w, 1 / (-max / float(values[0])), levels);
    }
    float d = c.sum_qx / c.sum_qq;
    float best = d * c.sum_qx;
    TableSums best_c = c;
    auto try_inverse_scale = [&](float inverse_scale) {
        const TableSums t = evaluate_iq4(x, w, inverse_scale, nullptr);
        if (t.sum_qq > 0 && t.sum_qx * t.sum_qx > best * t.sum_qq) {
            d = t.sum_qx / t.sum_qq;
            best = d * t.sum_qx;
            best_c = t;
            evaluate_iq4(x, w, inverse_scale, levels);
        }
    };
    for (int itry = -kTries; itry <= kTries; ++itry) {
        try_inverse_scale(float(itry + values[0]) / max);
        try_inverse_scale(float(itry + values[15]) / max);
    }

    float sum_qx = best_c.sum_qx, sum_qq = best_c.sum_qq;
    for (int iter = 0; iter < 32 * 32; ++iter) {
        float min_step = std::numeric_limits<float>::infinity();
        int best_j = -1, dir = 0;
        for (int j = 0; j < 32; ++j) {
            const float g = d * w[j] * mul_add(-d, float(values[levels[j]]), x[j]);
            if (g > 0 && levels[j] < 15) {
                const float step = float(values[levels[j] + 1] - values[levels[j]]) / g;
                if (step < min_step) {
                    min_step = step;
                    best_j = j;
                    dir = 1;
                }
            } else if (g < 0 && levels[j] > 0) {
                const float step = float(values[levels[j] - 1] - values[levels[j]]) / g;
                if (step < min_step) {
                    min_step = step;
                    best_j = j;
                    dir = -1;
                }
            }
        }
        if (best_j < 0) break;
        const int from = values[levels[best_j]], to = values[levels[best_j] + dir];
        const float new_sum_qx = mul_add(w[best_j] * x[best_j], float(to - from), sum_qx);
        const float new_sum_qq = mul_add(w[best_j], float(to * to - from * from), sum_qq);
        if (!(new_sum_qq > 0 && new_sum_qx * new_sum_qx > best * new_sum_qq)) break;
        sum_qx = new_sum_qx;
        sum_qq = new_sum_qq;
        d = sum_qx / sum_qq;
        best = d * sum_qx;
        levels[best_j] = uint8_t(levels[best_j] + dir);
    }
    return d;
}

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
        scales[ib] = fit_iq4_block(xb, w, levels + 32 * ib);
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
    for_each_super_block<BlockQ6_K>(src, row, n, importance, fill_q6_k);
}
void quantize_row_q5_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    for_each_super_block<BlockQ5_K>(src, row, n, importance, fill_q5_k);
}
void quantize_row_q4_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    for_each_super_block<BlockQ4_K>(src, row, n, importance, fill_q4_k);
}
void quantize_row_q3_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    for_each_super_block<BlockQ3_K>(src, row, n, importance, fill_q3_k);
}
void quantize_row_q2_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    for_each_super_block<BlockQ2_K>(src, row, n, importance, fill_q2_k);
}
void quantize_row_iq4_xs(const float* src, uint8_t* row, int64_t n, const float* importance) {
    for_each_super_block<BlockIq4Xs>(src, row, n, importance, fill_iq4_xs);
}

}  // namespace sy::quants
