// Quantizers of IQ2_K, IQ3_K, IQ4_K, IQ5_K and IQ6_K: 256-element super-blocks with an fp16
// scale d, 16 sub-blocks of 16 elements with small integer scales, non-linear value tables
// whose shifted half a per-sub-block `extra` bit selects (FORMATS.md §3.4, §4).
//
// Oracle: ik_llama.cpp iqk_quantize.cpp quantize_row_iq2_k_impl (:1190), _iq3_k_impl
// (:2295), quantize_row_iq4_k_impl_bs16 (:2918), _iq5_k_impl (:3236), _iq6_k_impl (:3594),
// each behind QHelper (:46) with 16-element blocks.
//
// All five work in two passes per super-block:
//  1. per sub-block, the best real scale: a search over candidate inverse scales, both
//     tables (plain and shifted) and both signs, by the weighted error reduction
//     sum(w q x)^2 / sum(w q^2);
//  2. one super-block scale d from the largest sub-block scale, integer sub-block scales
//     round(scale / d), every element re-rounded against d * (its sub-block scale), and d
//     refitted by weighted least squares over the whole super-block.
// Weights: w = imatrix * sqrt(sigma2 + x^2), sigma2 = c * mean x^2 over the super-block
// (c = 1.5 for IQ2_K/IQ3_K, 2 otherwise); without imatrix 0.25 sigma2 + x^2 (IQ4_K: x^2).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "types/quants/blocks.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int kSub = 16;  // elements per sub-block
constexpr int kSubBlocks = int(kSuperBlock) / kSub;

// Weights of one sub-block.
void sub_block_weights(const float* x, const float* importance, float sigma2,
                       bool no_imatrix_uses_sigma, float* w) {
    for (int j = 0; j < kSub; ++j) {
        if (importance)
            w[j] = importance[j] * std::sqrt(mul_add(x[j], x[j], sigma2));
        else
            w[j] = no_imatrix_uses_sigma ? 0.25f * sigma2 + x[j] * x[j] : x[j] * x[j];  // unfused
    }
}

// The signed value of largest magnitude (the first one, on ties) and its magnitude.
std::pair<float, float> signed_extreme(const float* x, int n) {
    float amax = 0, max = 0;
    for (int j = 0; j < n; ++j) {
        if (std::abs(x[j]) > amax) {
            amax = std::abs(x[j]);
            max = x[j];
        }
    }
    return {max, amax};
}

// ---- pass 1 for IQ3_K .. IQ6_K: the real scale of one sub-block ----

struct TableSearch {
    const int8_t* values;  // the plain table; the shifted one follows it
    int count;             // values per half
    const NearestValueIndex* nearest;
    int tries;                    // candidate offsets -tries..tries
    int step;                     // candidate offset step in value units
    bool guard_first_fit;         // IQ3_K checks sum q^2 > 0 before the first fit
    bool refit;                   // IQ3_K/IQ5_K/IQ6_K refit d on the chosen table
    bool zero_scale_drops_shift;  // IQ3_K: a zero scale also clears the shift flag
};

struct SignedSums {
    float qx_plus = 0, qq_plus = 0;    // levels of x / d
    float qx_minus = 0, qq_minus = 0;  // levels of -x / d (a negative scale)
};

SignedSums sums_for(const TableSearch& t, const int8_t* values, const float* x, const float* w,
                    float inverse_scale) {
    SignedSums s;
    for (int j = 0; j < kSub; ++j) {
        const float al = inverse_scale * x[j];
        const float qp = values[(*t.nearest)(values, al)];
        s.qx_plus = mul_add(w[j] * qp, x[j], s.qx_plus);
        s.qq_plus = mul_add(w[j] * qp, qp, s.qq_plus);
        const float qm = values[(*t.nearest)(values, -al)];
        s.qx_minus = mul_add(w[j] * qm, x[j], s.qx_minus);
        s.qq_minus = mul_add(w[j] * qm, qm, s.qq_minus);
    }
    return s;
}

struct SubBlockScale {
    float scale = 0;
    bool shifted = false;
};

SubBlockScale search_sub_block(const TableSearch& t, const float* x, const float* w) {
    const auto [max, amax] = signed_extreme(x, kSub);
    if (amax < 1e-16f) return {};
    const int8_t* plain = t.values;
    const int8_t* shifted = t.values + t.count;

    float d = -max / float(plain[0]);
    float best = 0;
    const SignedSums first = sums_for(t, plain, x, w, 1 / d);
    if (!t.guard_first_fit || first.qq_plus > 0) {
        // IQ4_K..IQ6_K divide unguarded; with QHelper weights sum q^2 is only zero when
        // every weighted element rounds to a zero value: keep d finite then.
        d = first.qq_plus > 0 ? first.qx_plus / first.qq_plus : 0.f;
        best = d * first.qx_plus;
    }
    if (first.qq_minus > 0 && first.qx_minus * first.qx_minus > best * first.qq_minus) {
        d = first.qx_minus / first.qq_minus;
        best = d * first.qx_minus;
    }
    bool is_shifted = false;
    auto consider = [&](const SignedSums& s, bool from_shifted) {
        if (s.qq_plus > 0 && s.qx_plus * s.qx_plus > best * s.qq_plus) {
            d = s.qx_plus / s.qq_plus;
            best = d * s.qx_plus;
            is_shifted = from_shifted;
        }
        if (s.qq_minus > 0 && s.qx_minus * s.qx_minus > best * s.qq_minus) {
            d = s.qx_minus / s.qq_minus;
            best = d * s.qx_minus;
            is_shifted = from_shifted;
        }
    };
    for (int itry = -t.tries; itry <= t.tries; ++itry) {
        consider(sums_for(t, plain, x, w, float(t.step * itry + plain[0]) / max), false);
        consider(sums_for(t, shifted, x, w, float(t.step * itry + shifted[0]) / max), true);
    }
    if (d == 0 && t.zero_scale_drops_shift) return {};
    if (t.refit && d != 0) {
        const int8_t* values = is_shifted ? shifted : plain;
        float qx = 0, qq = 0;
        const float inverse_d = 1 / d;
        for (int j = 0; j < kSub; ++j) {
            const float q = values[(*t.nearest)(values, inverse_d * x[j])];
            qx = mul_add(w[j] * q, x[j], qx);
            qq = mul_add(w[j] * q, q, qq);
        }
        if (qq > 0) d = qx / qq;
    }
    return {d, is_shifted};
}

// The first pass of IQ4_K/IQ5_K/IQ6_K: every sub-block's best scale and table half, and the
// scale of largest magnitude (it sets the super-block scale d).
struct SuperBlockScales {
    float scales[kSubBlocks] = {};
    uint16_t extra = 0;  // bit ib: sub-block ib uses the shifted table
    float max_scale = 0, max_abs_scale = 0;
};

SuperBlockScales search_sub_blocks(const TableSearch& t, const float* x, const float* iw, float sigma2,
                                   bool no_imatrix_uses_sigma) {
    SuperBlockScales out;
    float w[kSub];
    for (int ib = 0; ib < kSubBlocks; ++ib) {
        sub_block_weights(x + kSub * ib, iw ? iw + kSub * ib : nullptr, sigma2, no_imatrix_uses_sigma, w);
        const SubBlockScale s = search_sub_block(t, x + kSub * ib, w);
        out.scales[ib] = s.scale;
        if (s.shifted) out.extra = uint16_t(out.extra | 1u << ib);
        if (std::abs(s.scale) > out.max_abs_scale) {
            out.max_abs_scale = std::abs(s.scale);
            out.max_scale = s.scale;
        }
    }
    return out;
}

// ---- pass 2 helpers ----

// Weighted sums of the final fit of d over a super-block: q = value * integer scale.
struct FinalFit {
    float qx = 0, qq = 0;
    void add(float w, float q, float x) {
        qx = mul_add(w * q, x, qx);
        qq = mul_add(w * q, q, qq);
    }
};

// The 6-bit sub-block scale (IQ4_K/IQ5_K): low nibble into scales_l, 2 high bits into
// scales_h, both stored + 32.
void put_six_bit_scale(uint8_t (&scales_l)[8], uint8_t (&scales_h)[4], int ib, int ls) {
    const int biased = ls + 32;
    scales_l[ib / 2] = uint8_t(scales_l[ib / 2] | (biased & 0xF) << 4 * (ib % 2));
    scales_h[ib / 4] = uint8_t(scales_h[ib / 4] | (biased >> 4) << 2 * (ib % 4));
}

template <typename Block>
void store_block(uint8_t* row, int64_t ibl, const Block& b) {
    std::memcpy(row + ibl * int64_t(sizeof(Block)), &b, sizeof(Block));
}

// Calls quantize(x, importance, block) for each super-block of the row; importance is
// already QHelper-adjusted (degenerate 16-element blocks get uniform tiny weights).
template <typename Block, typename Quantize>
void for_each_super_block(const float* src, uint8_t* row, int64_t n, const float* importance,
                          Quantize&& quantize) {
    std::vector<float> scratch;
    const float* weights =
        importance_with_degenerate_blocks_fixed(src, importance, n, kSub, scratch);
    for (int64_t ibl = 0; ibl < n / kSuperBlock; ++ibl) {
        Block b{};
        quantize(src + ibl * kSuperBlock, weights ? weights + ibl * kSuperBlock : nullptr, b);
        store_block(row, ibl, b);
    }
}

// ---- IQ2_K: exhaustive 4-level partitions ----

// IQ2_K's best value of x (4 values): the nearer of the two bracketing ones, ties up.
int iq2_nearest(const int8_t* values, float x) {
    const int i = x < values[1] ? 0 : x > values[2] ? 2 : 1;
    return x - float(values[i]) < float(values[i + 1]) - x ? i : i + 1;
}

// With the 16 elements sorted, every assignment of the 4 values that is monotone in x is a
// split of the sorted order into 4 runs; the best scale of each split follows from prefix
// sums. Tries all splits, both tables, both orientations (a negative scale).
SubBlockScale search_iq2_sub_block(const float* x, const float* w) {
    std::array<std::pair<float, int>, kSub> sorted;
    for (int j = 0; j < kSub; ++j) sorted[size_t(j)] = {x[j], j};
    std::sort(sorted.begin(), sorted.end());
    float sum_x[kSub + 1], sum_w[kSub + 1];
    sum_x[0] = sum_w[0] = 0;
    for (int j = 0; j < kSub; ++j) {
        const int jj = sorted[size_t(j)].second;
        sum_w[j + 1] = sum_w[j] + w[jj];
        sum_x[j + 1] = mul_add(w[jj], x[jj], sum_x[j]);
    }
    const int8_t* plain = kIq2nlValues.data();
    const int8_t* shifted = plain + 4;
    float best = 0, d = 0;
    bool is_shifted = false;
    // Runs [0,i1), [i1,i2), [i2,i3), [i3,16) take values v[0..3] in that order.
    auto consider = [&](int i1, int i2, int i3, const float(&v)[4], bool from_shifted) {
        const float x0 = sum_x[i1] - sum_x[0], x1 = sum_x[i2] - sum_x[i1];
        const float x2 = sum_x[i3] - sum_x[i2], x3 = sum_x[kSub] - sum_x[i3];
        const float w0 = sum_w[i1] - sum_w[0], w1 = sum_w[i2] - sum_w[i1];
        const float w2 = sum_w[i3] - sum_w[i2], w3 = sum_w[kSub] - sum_w[i3];
        const float qx = mul_add(x3, v[3], mul_add(x2, v[2], mul_add(x0, v[0], x1 * v[1])));
        const float qq = mul_add(
            w3 * v[3], v[3], mul_add(w2 * v[2], v[2], mul_add(w0 * v[0], v[0], w1 * v[1] * v[1])));
        if (qq > 0 && qx * qx > best * qq) {
            d = qx / qq;
            best = d * qx;
            is_shifted = from_shifted;
        }
    };
    const float up[4] = {float(plain[0]), float(plain[1]), float(plain[2]), float(plain[3])};
    const float up_shifted[4] = {float(shifted[0]), float(shifted[1]), float(shifted[2]),
                                 float(shifted[3])};
    const float down[4] = {up[3], up[2], up[1], up[0]};
    const float down_shifted[4] = {up_shifted[3], up_shifted[2], up_shifted[1], up_shifted[0]};
    for (int i1 = 0; i1 < kSub; ++i1)
        for (int i2 = i1; i2 < kSub; ++i2)
            for (int i3 = i2; i3 < kSub; ++i3) {
                consider(i1, i2, i3, up, false);
                consider(i1, i2, i3, up_shifted, true);
                consider(i1, i2, i3, down, false);
                consider(i1, i2, i3, down_shifted, true);
            }
    return {d, is_shifted};
}

// The super-block scale of IQ2_K's 4-bit sub-block scales [-8, 7]: iqk's make_qx_quants,
// weighted by each sub-block's weight sum: 18 candidates (nmax + 0.1 is) / max, no
// refinement.
float fit_iq2_super_scale(const float* scales, const float* weights) {
    constexpr int kMax = 8;
    const auto [max, amax] = signed_extreme(scales, kSubBlocks);
    if (amax == 0) return 0.f;
    auto fit = [&](float inverse_scale) {
        float sum_xl = 0, sum_ll = 0;
        for (int i = 0; i < kSubBlocks; ++i) {
            const int l =
                std::clamp(nearest_int_of_product(inverse_scale, scales[i]), -kMax, kMax - 1);
            sum_xl = mul_add(weights[i] * scales[i], float(l), sum_xl);
            sum_ll = mul_add(weights[i] * float(l), float(l), sum_ll);
        }
        return std::pair{sum_xl, sum_ll};
    };
    auto [sum_xl, sum_ll] = fit(float(-kMax) / max);
    float scale = sum_ll != 0 ? sum_xl / sum_ll : 0.f;
    float best = scale * sum_xl;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        const auto [xl, ll] = fit(-mul_add(0.1f, float(is), float(kMax)) / max);
        if (ll > 0 && xl * xl > best * ll) {
            scale = xl / ll;
            best = scale * xl;
        }
    }
    return scale;
}

}  // namespace

void quantize_row_iq2_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    for_each_super_block<BlockIq2K>(
        src, row, n, importance, [](const float* x, const float* iw, BlockIq2K& b) {
            const float sigma2 = 1.5f * sum_of_squares(x, kSuperBlock) / float(kSuperBlock);
            float scales[kSubBlocks], weight_sums[kSubBlocks], w[kSub];
            uint16_t extra = 0;
            float max_abs_scale = 0;
            for (int ib = 0; ib < kSubBlocks; ++ib) {
                const float* xb = x + kSub * ib;
                sub_block_weights(xb, iw ? iw + kSub * ib : nullptr, sigma2, true, w);
                weight_sums[ib] = 0;
                for (int j = 0; j < kSub; ++j) weight_sums[ib] += w[j];
                if (signed_extreme(xb, kSub).second < 1e-16f) {
                    scales[ib] = 0;
                    continue;
                }
                const SubBlockScale s = search_iq2_sub_block(xb, w);
                scales[ib] = s.scale;
                if (s.shifted) extra = uint16_t(extra | 1u << ib);
                max_abs_scale = std::max(max_abs_scale, std::abs(s.scale));
            }
            if (max_abs_scale == 0) return;
            const float d = fit_iq2_super_scale(scales, weight_sums);
            if (d == 0) return;
            b.extra = extra;
            const float inverse_d = 1 / d;
            FinalFit fit;
            for (int ib = 0; ib < kSubBlocks; ++ib) {
                const int ls = std::clamp(nearest_int_of_product(inverse_d, scales[ib]), -8, 7);
                b.scales[ib / 2] = uint8_t(b.scales[ib / 2] | (ls + 8) << 4 * (ib % 2));
                const float dl = d * float(ls);
                if (dl == 0) continue;
                const int8_t* values = kIq2nlValues.data() + 4 * ((extra >> ib) & 1);
                const float* xb = x + kSub * ib;
                sub_block_weights(xb, iw ? iw + kSub * ib : nullptr, sigma2, true, w);
                const float inverse_dl = 1 / dl;
                for (int j = 0; j < kSub; ++j) {
                    const int e = kSub * ib + j;  // 2 bits per element, low-2-bit packing
                    const int level = iq2_nearest(values, inverse_dl * xb[j]);
                    b.qs[32 * (e / 128) + e % 32] |= uint8_t(level << 2 * ((e / 32) % 4));
                    fit.add(w[j], float(values[level] * ls), xb[j]);
                }
            }
            // ik stores the refitted d scaled by 1.03 (and IQ3_K by 1.01): an empirical
            // correction that the oracle's files carry, so ours do too.
            b.d = fp32_to_fp16(1.030f * (fit.qq > 0 ? fit.qx / fit.qq : d));
        });
}

void quantize_row_iq3_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const TableSearch search{kIq3nlValues.data(), 8, &iq3nl_nearest(), 3, 2, true, true, true};
    for_each_super_block<BlockIq3K>(
        src, row, n, importance, [&](const float* x, const float* iw, BlockIq3K& b) {
            const float sigma2 = 1.5f * sum_of_squares(x, kSuperBlock) / float(kSuperBlock);
            float scales[kSubBlocks], w[kSub];
            uint16_t extra = 0;
            float max_abs_scale = 0;
            for (int ib = 0; ib < kSubBlocks; ++ib) {
                sub_block_weights(x + kSub * ib, iw ? iw + kSub * ib : nullptr, sigma2, true, w);
                const SubBlockScale s = search_sub_block(search, x + kSub * ib, w);
                scales[ib] = s.scale;
                if (s.shifted) extra = uint16_t(extra | 1u << ib);
                max_abs_scale = std::max(max_abs_scale, std::abs(s.scale));
            }
            if (max_abs_scale == 0) return;
            const float d = max_abs_scale / 31;
            b.extra = extra;
            const float inverse_d = 1 / d;
            FinalFit fit;
            for (int ib = 0; ib < kSubBlocks; ++ib) {
                // Odd scales 2l+1 (l = 0..15) with a separate sign bit.
                const int l = std::clamp(
                    nearest_int_of_product(0.5f, mul_add(inverse_d, std::abs(scales[ib]), -1.f)), 0,
                    15);
                b.scales_l[ib / 2] = uint8_t(b.scales_l[ib / 2] | l << 4 * (ib % 2));
                if (scales[ib] < 0) b.scales_h = uint16_t(b.scales_h | 1u << ib);
                const int ls = (2 * l + 1) * (scales[ib] < 0 ? -1 : 1);
                const float dl = d * float(ls);
                if (dl == 0) continue;  // only when d underflows: ls is odd
                const int8_t* values = kIq3nlValues.data() + 8 * ((extra >> ib) & 1);
                const float* xb = x + kSub * ib;
                sub_block_weights(xb, iw ? iw + kSub * ib : nullptr, sigma2, true, w);
                const float inverse_dl = 1 / dl;
                for (int j = 0; j < kSub; ++j) {
                    const int e = kSub * ib + j;  // low-2-bit packing + 3rd bit by 32-block
                    const int level = iq3nl_nearest()(values, inverse_dl * xb[j]);
                    b.qs[32 * (e / 128) + e % 32] |= uint8_t((level & 3) << 2 * ((e / 32) % 4));
                    b.qh[e % 32] |= uint8_t((level >> 2) << (e / 32));
                    fit.add(w[j], float(values[level] * ls), xb[j]);
                }
            }
            b.d = fp32_to_fp16(1.01f * (fit.qq > 0 ? fit.qx / fit.qq : d));
        });
}

void quantize_row_iq4_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const TableSearch search{kIq4kValues.data(), 16, &iq4nl_nearest(), 7, 1, false, false, false};
    for_each_super_block<BlockIq4K>(
        src, row, n, importance, [&](const float* x, const float* iw, BlockIq4K& b) {
            const float sigma2 = sum_of_squares(x, kSuperBlock) * (2.f / float(kSuperBlock));
            float w[kSub];
            const SuperBlockScales all = search_sub_blocks(search, x, iw, sigma2, false);
            const float* scales = all.scales;
            const uint16_t extra = all.extra;
            const float max_scale = all.max_scale;
            // No early return for an all-zero super-block: the oracle stores d = -0.0 then.
            const float d = -max_scale / 32;
            b.d = fp32_to_fp16(d);
            b.extra = extra;
            const float inverse_d = d != 0 ? 1 / d : 0.f;
            FinalFit fit;
            for (int ib = 0; ib < kSubBlocks; ++ib) {
                const int ls = std::clamp(nearest_int_of_product(inverse_d, scales[ib]), -32, 31);
                put_six_bit_scale(b.scales_l, b.scales_h, ib, ls);
                const float dl = d * float(ls);
                const float inverse_dl = dl != 0 ? 1 / dl : 0.f;
                const int8_t* values = kIq4kValues.data() + 16 * ((extra >> ib) & 1);
                const float* xb = x + kSub * ib;
                sub_block_weights(xb, iw ? iw + kSub * ib : nullptr, sigma2, false, w);
                for (int j = 0; j < kSub; ++j) {
                    const int e = kSub * ib + j;  // nibble packing by 32-block
                    const int level = iq4nl_nearest()(values, inverse_dl * xb[j]);
                    b.qs[16 * (e / 32) + e % 16] |= uint8_t(level << 4 * ((e % 32) / 16));
                    fit.add(w[j], float(values[level] * ls), xb[j]);
                }
            }
            if (fit.qq > 0) b.d = fp32_to_fp16(fit.qx / fit.qq);
        });
}

void quantize_row_iq5_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const TableSearch search{kIq5nlValues.data(), 32, &iq5nl_nearest(), 5, 1, false, true, false};
    for_each_super_block<BlockIq5K>(
        src, row, n, importance, [&](const float* x, const float* iw, BlockIq5K& b) {
            const float sigma2 = 2 * sum_of_squares(x, kSuperBlock) / float(kSuperBlock);
            float w[kSub];
            const SuperBlockScales all = search_sub_blocks(search, x, iw, sigma2, true);
            const float* scales = all.scales;
            const uint16_t extra = all.extra;
            const float max_scale = all.max_scale;
            if (all.max_abs_scale == 0) return;
            const float d = -max_scale / 32;
            b.d = fp32_to_fp16(d);
            b.extra = extra;
            const float inverse_d = 1 / d;
            FinalFit fit;
            for (int ib = 0; ib < kSubBlocks; ++ib) {
                const int ls = std::clamp(nearest_int_of_product(inverse_d, scales[ib]), -32, 31);
                put_six_bit_scale(b.scales_l, b.scales_h, ib, ls);
                const float dl = d * float(ls);
                if (dl == 0) continue;
                const int8_t* values = kIq5nlValues.data() + 32 * ((extra >> ib) & 1);
                const float* xb = x + kSub * ib;
                sub_block_weights(xb, iw ? iw + kSub * ib : nullptr, sigma2, true, w);
                const float inverse_dl = 1 / dl;
                for (int j = 0; j < kSub; ++j) {
                    const int e =
                        kSub * ib + j;  // nibble packing by 64-chunk + 5th bit by 32-block
                    const int level = iq5nl_nearest()(values, inverse_dl * xb[j]);
                    b.qs[32 * (e / 64) + e % 32] |= uint8_t((level & 0xF) << 4 * ((e % 64) / 32));
                    b.qh[e % 32] |= uint8_t((level >> 4) << (e / 32));
                    fit.add(w[j], float(values[level] * ls), xb[j]);
                }
            }
            if (fit.qq > 0) b.d = fp32_to_fp16(fit.qx / fit.qq);
        });
}

void quantize_row_iq6_k(const float* src, uint8_t* row, int64_t n, const float* importance) {
    // The shifted half of kIq6nlValues is the plain half + 1, exactly the float table the
    // oracle's quantizer builds (values[i] + 1.f).
    const TableSearch search{kIq6nlValues.data(), 64, &iq6nl_nearest(), 5, 1, false, true, false};
    for_each_super_block<BlockIq6K>(
        src, row, n, importance, [&](const float* x, const float* iw, BlockIq6K& b) {
            const float sigma2 = 2 * sum_of_squares(x, kSuperBlock) / float(kSuperBlock);
            float w[kSub];
            const SuperBlockScales all = search_sub_blocks(search, x, iw, sigma2, true);
            const float* scales = all.scales;
            const uint16_t extra = all.extra;
            const float max_scale = all.max_scale;
            if (all.max_abs_scale == 0) return;
            const float d = -max_scale / 127;
            b.d = fp32_to_fp16(d);
            b.extra = extra;
            const float inverse_d = 1 / d;
            FinalFit fit;
            for (int ib = 0; ib < kSubBlocks; ++ib) {
                const int ls = std::clamp(nearest_int_of_product(inverse_d, scales[ib]), -127, 127);
                b.scales[ib] = int8_t(ls);
                const float dl = d * float(ls);
                if (dl == 0) continue;
                const int8_t* values = kIq6nlValues.data() + 64 * ((extra >> ib) & 1);
                const float* xb = x + kSub * ib;
                sub_block_weights(xb, iw ? iw + kSub * ib : nullptr, sigma2, true, w);
                const float inverse_dl = 1 / dl;
                for (int j = 0; j < kSub; ++j) {
                    // 4 low bits: nibble packing by 64-chunk; 2 high bits: element 64i + r sits
                    // at bits 4(i%2) + 2(r/32) of qh[32(i/2) + r%32].
                    const int e = kSub * ib + j, i = e / 64, r = e % 64;
                    const int level = iq6nl_nearest()(values, inverse_dl * xb[j]);
                    b.qs[32 * i + r % 32] |= uint8_t((level & 0xF) << 4 * (r / 32));
                    b.qh[32 * (i / 2) + r % 32] |=
                        uint8_t((level >> 4) << (4 * (i % 2) + 2 * (r / 32)));
                    fit.add(w[j], float(values[level] * ls), xb[j]);
                }
            }
            if (fit.qq > 0) b.d = fp32_to_fp16(fit.qx / fit.qq);
        });
}

}  // namespace sy::quants
