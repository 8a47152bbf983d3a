// Quantizers of the 1-bit grid types IQ1_S and IQ1_M (256-element super-blocks; FORMATS.md
// §2). Each group of 8 values is an entry of a codebook of 8-vectors over {-1, 0, +1}
// (levels 0, 1, 2; grid_neighbours.hpp), decoded as d_block * (value + delta) with a
// per-group (IQ1_M: per half-block) delta of +-0.125.
//
// Oracle: ik_llama.cpp ggml-quants.c (snapshot 8337e4cd) quantize_row_iq1_s_impl (:14347)
// with iq1s_process_1block (:14246), quantize_row_iq1_m_impl (:14602) with
// iq1m_process_1block (:14462), and iq1_find_best_neighbour2 (:14189); llama-quantize
// reaches them through ggml_quantize_chunk -> quantize_iq1_s / quantize_iq1_m
// (iqk_quantize.cpp does not override them). Per block (IQ1_S: 32 elements; IQ1_M: 16):
//
// - weights w = imatrix * sqrt(sigma2 + x^2); IQ1_S: sigma2 = 2 mean x^2 of the super-block,
//   IQ1_M: 1.5 mean x^2 of the 32 elements around the block. Without an imatrix the oracle
//   asserts for IQ1_S (here: a uniform imatrix, as its quantize_row_iq1_s_ref) and uses
//   w = x^2 for IQ1_M. IQ1_M also uses x^2 for a block where w |x| sums to zero.
// - Exact search of the best split of the sorted values into the three levels, for both
//   delta signs (IQ1_M: all four sign combinations of its two groups), by prefix sums.
// - Groups whose levels are off the grid take the neighbour entry of least weighted error
//   at the found scale; the scale is then refit (IQ1_M: with the four delta choices again).
// - Block scales become 3-bit: d = max_scale/15, l = round((s/d - 1)/2). IQ1_S stores
//   d * 1.125; IQ1_M refits d to the decoded values and stores it times 1.085.
//
// Float order (quantize.hpp's notes), as the oracle's GCC build evaluates it: sums of
// squares for sigma2 plain and in order; a product fed to rounding rounded once; the
// prefix sums of w x fused for IQ1_S but not for IQ1_M (whose loop branches per group);
// in the split merits the products that depend on i1 alone are hoisted out of the i2 loop
// and so never fused, the others are; IQ1_M's refit over the four delta choices is unfused,
// every other multiply-add is fused (mul_add). Every golden row of IQ1_S and IQ1_M is
// byte-identical, and so are random rows checked against the oracle's own code (except
// IQ1_M rows with an all-zero 16-block, below).
//
// Deliberate differences, only where the oracle is undefined: a block whose weights leave
// no split with a positive merit (all-zero or denormal importance) aborts the oracle (IQ1_S)
// or trips its assert (IQ1_M); here it is searched again with the no-importance weights and,
// failing that, stored as a zero block. An IQ1_M block with max < eps stores delta signs
// "+" (the oracle ORs in whatever its shift array held from an earlier block or row).
// A neighbour search where every distance is NaN takes the list's first entry (the oracle
// would read past its input).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "types/quants/blocks.hpp"
#include "types/quants/grid_neighbours.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/row_walk.hpp"

namespace sy::quants {
namespace {

constexpr int kSuper = 256;
constexpr int kGroup = 8;
constexpr float kDelta = 0.125f;

// The decoded value of levels 0, 1, 2 (-1, 0, +1) with the delta added (+) or subtracted.
constexpr float kPlusDelta[3] = {-1 + kDelta, kDelta, 1 + kDelta};
constexpr float kMinusDelta[3] = {-1 - kDelta, -kDelta, 1 - kDelta};

// Indices of x[0..n) sorted by value. The oracle sorts (value, index) pairs with glibc's
// qsort, a stable merge sort at these sizes: equal values keep their index order. An
// insertion sort (n <= 32) is stable too, and needs no temporary buffer.
void sorted_order(int n, const float* x, int* order) {
    for (int i = 0; i < n; ++i) {
        int j = i;
        for (; j > 0 && x[i] < x[order[j - 1]]; --j) order[j] = order[j - 1];
        order[j] = i;
    }
}

// Snaps one group of 8 levels to the grid: the entry itself when the levels are one,
// otherwise the neighbour minimising sum w (scale * values[level] - x)^2. Writes the entry's
// levels back and returns its index; *on_grid says whether the levels were an entry.
int snap_group(const GridNeighbours& grid, const float* x, const float* w, float scale,
               const float* values, int8_t* levels, bool* on_grid) {
    const uint16_t key = GridNeighbours::key_of(levels);
    int index = grid.index_of(key);
    *on_grid = index >= 0;
    if (index >= 0) return index;
    float best_d2 = std::numeric_limits<float>::max();
    for (const uint16_t candidate : grid.neighbours_of(key)) {
        const auto& q = grid.levels(candidate);
        float d2 = 0;
        for (int i = 0; i < kGroup; ++i) {
            const float diff = mul_add(scale, values[q[size_t(i)]], -x[i]);
            d2 = mul_add(w[i] * diff, diff, d2);
        }
        if (d2 < best_d2) {
            best_d2 = d2;
            index = candidate;
        }
    }
    if (index < 0) index = grid.neighbours_of(key)[0];  // every distance NaN
    std::copy_n(grid.levels(index).begin(), kGroup, levels);
    return index;
}

// The split merits below are sums of products over the level ranges [0,i1), [i1,i2),
// [i2,n) of prefix sums S. In the oracle's build the products that depend on i1 only are
// hoisted out of the loop over i2 and so are never fused with an addition; each product
// that depends on i2 is fused with the addition that takes it (fma(b, v, sum)).
struct RangeTerms {
    float r0, r1, r2;  // S[i1] - S[0], S[i2] - S[i1], S[n] - S[i2]
};
inline RangeTerms ranges_of(const float* s, int i1, int i2, int n) {
    return {s[i1] - s[0], s[i2] - s[i1], s[n] - s[i2]};
}
// sum + r0 v0 + r1 v1 + r2 v2 (the r0 product rounded, the others fused).
inline float add_linear_terms(float sum, const RangeTerms& r, const float* v) {
    return mul_add(r.r2, v[2], mul_add(r.r1, v[1], sum + r.r0 * v[0]));
}
// sum + (r0 v0) v0 + (r1 v1) v1 + (r2 v2) v2, likewise.
inline float add_square_terms(float sum, const RangeTerms& r, const float* v) {
    return mul_add(r.r2 * v[2], v[2], mul_add(r.r1 * v[1], v[1], sum + r.r0 * v[0] * v[0]));
}
// The same without a running sum (the first product is the start).
inline float linear_terms(const RangeTerms& r, const float* v) {
    return mul_add(r.r2, v[2], mul_add(r.r1, v[1], r.r0 * v[0]));
}
inline float square_terms(const RangeTerms& r, const float* v) {
    return mul_add(r.r2 * v[2], v[2], mul_add(r.r1 * v[1], v[1], r.r0 * v[0] * v[0]));
}

// The best split so far of the sorted values into levels 0, 1, 2 -- boundaries i1 <= i2 --
// with its delta choice `shift`, kept by the oracle's strict merit test qx^2 > best * qq
// (best = scale * qx of the split kept).
struct SplitChoice {
    float best;
    float scale = 0;
    int i1 = -1, i2 = -1;
    int shift = 0;

    bool found() const { return i1 >= 0; }
    void consider(float qx, float qq, int at1, int at2, int with_shift) {
        if (qq > 0 && qx * qx > best * qq) {
            scale = qx / qq;
            best = scale * qx;
            i1 = at1;
            i2 = at2;
            shift = with_shift;
        }
    }
};

// Writes the level of every element under the chosen split (order: the indices sorted by
// value) and returns the chosen scale made positive: a negative one mirrors the levels
// (l -> 2 - l), and *mirrored says so (the caller then mirrors the delta choice too).
float levels_of_split(const SplitChoice& c, int n, const int* order, int8_t* levels,
                      bool* mirrored) {
    for (int j = 0; j < n; ++j) levels[order[j]] = int8_t(j < c.i1 ? 0 : j < c.i2 ? 1 : 2);
    *mirrored = c.scale < 0;
    if (!*mirrored) return c.scale;
    for (int i = 0; i < n; ++i) levels[i] = int8_t(2 - levels[i]);
    return -c.scale;
}

// One block's result.
struct BlockResult {
    bool found = false;  // false: no split had a positive merit (degenerate weights)
    float scale = 0;
    int shift = 0;       // IQ1_S: +1 / -1 (delta sign); IQ1_M: 0..3 (bit 0: group 1 minus,
                         // bit 1: group 0 minus)
    int index[4] = {};
};

// ---- IQ1_S: 32-element blocks, 4 groups, one delta sign per block ----

BlockResult search_iq1_s_block(const float* xb, const float* w) {
    constexpr int n = 32;
    const GridNeighbours& grid = iq1s_neighbours();
    int order[n];
    sorted_order(n, xb, order);
    float sum_x[n + 1], sum_w[n + 1];
    sum_x[0] = sum_w[0] = 0;
    for (int j = 0; j < n; ++j) {
        const int i = order[j];
        sum_x[j + 1] = mul_add(w[i], xb[i], sum_x[j]);
        sum_w[j + 1] = sum_w[j] + w[i];
    }
    // -FLT_MIN: the first split with sumq2 > 0 is taken even when its sumqx is 0.
    SplitChoice choice{-std::numeric_limits<float>::min()};
    for (int i1 = 0; i1 <= n; ++i1) {
        for (int i2 = i1; i2 <= n; ++i2) {
            const RangeTerms rx = ranges_of(sum_x, i1, i2, n), rw = ranges_of(sum_w, i1, i2, n);
            for (int shift : {1, -1}) {
                const float* v = shift == 1 ? kPlusDelta : kMinusDelta;
                choice.consider(linear_terms(rx, v), square_terms(rw, v), i1, i2, shift);
            }
        }
    }
    BlockResult r;
    if (!choice.found()) return r;
    r.found = true;
    int8_t levels[n];
    bool mirrored;
    float scale = levels_of_split(choice, n, order, levels, &mirrored);
    r.shift = mirrored ? -choice.shift : choice.shift;
    const float* values = r.shift == 1 ? kPlusDelta : kMinusDelta;
    bool all_on_grid = true;
    for (int k = 0; k < 4; ++k) {
        bool on_grid;
        r.index[k] = snap_group(grid, xb + kGroup * k, w + kGroup * k, scale, values,
                                levels + kGroup * k, &on_grid);
        all_on_grid = all_on_grid && on_grid;
    }
    if (!all_on_grid) {
        float qx = 0, qq = 0;
        for (int i = 0; i < n; ++i) {
            const float q = values[levels[i]];
            qx = mul_add(w[i] * q, xb[i], qx);
            qq = mul_add(w[i] * q, q, qq);
        }
        if (qx > 0 && qq > 0) scale = qx / qq;
    }
    r.scale = scale;
    return r;
}

void quantize_iq1_s_super_block(const float* x, const float* importance, BlockIq1S& b) {
    const float sigma2 = 2 * sum_of_squares(x, kSuper) / float(kSuper);
    b = BlockIq1S{};
    float scales[8];
    int shifts[8];
    float max_scale = 0;
    for (int ib = 0; ib < 8; ++ib) {
        const float* xb = x + 32 * ib;
        float max = std::abs(xb[0]);
        for (int i = 1; i < 32; ++i) max = std::max(max, std::abs(xb[i]));
        BlockResult r;
        if (max >= 1e-12f) {
            // With importance first; then (no importance, or degenerate) a uniform imatrix.
            for (const float* imp : {importance ? importance + 32 * ib : nullptr,
                                     static_cast<const float*>(nullptr)}) {
                float w[32];
                for (int i = 0; i < 32; ++i) {
                    const float root = std::sqrt(mul_add(xb[i], xb[i], sigma2));
                    w[i] = imp ? imp[i] * root : root;
                }
                r = search_iq1_s_block(xb, w);
                if (r.found || !imp) break;
            }
        }
        if (!r.found) r = BlockResult{false, 0.f, 1, {0, 0, 0, 0}};  // a zero block
        uint16_t high = 0;
        for (int k = 0; k < 4; ++k) {
            b.qs[4 * ib + k] = uint8_t(r.index[k] & 255);
            high = uint16_t(high | (r.index[k] >> 8) << (3 * k));
        }
        b.qh[ib] = high;
        scales[ib] = r.scale;
        shifts[ib] = r.shift;
        max_scale = max_scale > r.scale ? max_scale : r.scale;
    }
    if (!(max_scale != 0)) return;
    const float d = max_scale / 15;
    b.d = fp32_to_fp16(d * 1.125f);
    const float inverse_d = 1 / d;
    for (int ib = 0; ib < 8; ++ib) {
        int l = std::max(0, std::min(7, nearest_int_of_product(
                                            0.5f, mul_add(inverse_d, scales[ib], -1.f))));
        if (shifts[ib] == -1) l |= 8;
        b.qh[ib] = uint16_t(b.qh[ib] | l << 12);
    }
}

// ---- IQ1_M: 16-element blocks, 2 groups, a delta sign per group ----

// Delta values of group g (0 or 1) under shift combination k (0..3).
inline const float* iq1m_values(int k, int g) {
    const bool minus = g == 0 ? k >= 2 : k % 2 == 1;
    return minus ? kMinusDelta : kPlusDelta;
}

BlockResult search_iq1_m_block(const float* xb, const float* w) {
    constexpr int n = 16;
    const GridNeighbours& grid = iq1s_neighbours();
    int order[n];
    sorted_order(n, xb, order);
    // Prefix sums over the sorted values, split by group (elements 0-7 and 8-15).
    float sum_x[2][n + 1], sum_w[2][n + 1];
    sum_x[0][0] = sum_x[1][0] = sum_w[0][0] = sum_w[1][0] = 0;
    for (int j = 0; j < n; ++j) {
        const int i = order[j];
        const int g = i < kGroup ? 0 : 1;
        sum_w[g][j + 1] = sum_w[g][j] + w[i];
        sum_x[g][j + 1] = sum_x[g][j] + w[i] * xb[i];  // unfused, unlike IQ1_S
        sum_w[1 - g][j + 1] = sum_w[1 - g][j];
        sum_x[1 - g][j + 1] = sum_x[1 - g][j];
    }
    SplitChoice choice{0.f};
    for (int i1 = 0; i1 <= n; ++i1) {
        for (int i2 = i1; i2 <= n; ++i2) {
            const RangeTerms x0 = ranges_of(sum_x[0], i1, i2, n);
            const RangeTerms x1 = ranges_of(sum_x[1], i1, i2, n);
            const RangeTerms w0 = ranges_of(sum_w[0], i1, i2, n);
            const RangeTerms w1 = ranges_of(sum_w[1], i1, i2, n);
            for (int k = 0; k < 4; ++k) {
                // Six range terms in the oracle's order: group 0's three, then group 1's.
                const float* v0 = iq1m_values(k, 0);
                const float* v1 = iq1m_values(k, 1);
                choice.consider(add_linear_terms(linear_terms(x0, v0), x1, v1),
                                add_square_terms(square_terms(w0, v0), w1, v1), i1, i2, k);
            }
        }
    }
    BlockResult r;
    if (!choice.found()) return r;
    r.found = true;
    int8_t levels[n];
    bool mirrored;
    float scale = levels_of_split(choice, n, order, levels, &mirrored);
    r.shift = mirrored ? 3 - choice.shift : choice.shift;
    bool all_on_grid = true;
    for (int g = 0; g < 2; ++g) {
        bool on_grid;
        r.index[g] = snap_group(grid, xb + kGroup * g, w + kGroup * g, scale,
                                iq1m_values(r.shift, g), levels + kGroup * g, &on_grid);
        all_on_grid = all_on_grid && on_grid;
    }
    if (!all_on_grid) {
        // Refit with the snapped levels, again choosing among the four delta combinations.
        // These sums are not fused in the oracle's build (its products are shared between
        // the branches of the two groups).
        float qx[4] = {}, qq[4] = {};
        for (int j = 0; j < n; ++j) {
            const float wx = w[j] * xb[j];
            for (int k = 0; k < 4; ++k) {
                const float q = iq1m_values(k, j < kGroup ? 0 : 1)[levels[j]];
                qx[k] += wx * q;
                qq[k] += w[j] * q * q;
            }
        }
        float best_refit = 0;
        for (int k = 0; k < 4; ++k) {
            if (qx[k] > 0 && qq[k] > 0 && qx[k] * qx[k] > best_refit * qq[k]) {
                scale = qx[k] / qq[k];
                best_refit = scale * qx[k];
                r.shift = k;
            }
        }
    }
    r.scale = scale;
    return r;
}

void iq1_m_weights(const float* xb, const float* importance, float sigma2, float* w) {
    for (int i = 0; i < 16; ++i)
        w[i] = importance ? importance[i] * std::sqrt(mul_add(xb[i], xb[i], sigma2))
                          : xb[i] * xb[i];
}

void quantize_iq1_m_super_block(const float* x, const float* importance, BlockIq1M& b) {
    b = BlockIq1M{};
    float sigma2[8];
    for (int ib = 0; ib < 8; ++ib) sigma2[ib] = 1.5f * sum_of_squares(x + 32 * ib, 32) / 32.f;
    float scales[16];
    int shifts[16];
    float max_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const float* xb = x + 16 * ib;
        const float* imp = importance ? importance + 16 * ib : nullptr;
        float w[16];
        iq1_m_weights(xb, imp, sigma2[ib / 2], w);
        float max = std::abs(xb[0]), sum_wx = 0;
        for (int i = 1; i < 16; ++i) {  // the oracle's sum starts at element 1
            max = std::max(max, std::abs(xb[i]));
            sum_wx = mul_add(w[i], std::abs(xb[i]), sum_wx);
        }
        shifts[ib] = 0;
        if (max < 1e-7f) {
            scales[ib] = 0;
            continue;
        }
        if (sum_wx == 0) iq1_m_weights(xb, nullptr, 0.f, w);
        BlockResult r = search_iq1_m_block(xb, w);
        if (!r.found && imp) {
            iq1_m_weights(xb, nullptr, 0.f, w);
            r = search_iq1_m_block(xb, w);
        }
        if (!r.found) r = BlockResult{};  // a zero block, as max < eps
        b.qs[2 * ib] = uint8_t(r.index[0] & 255);
        b.qs[2 * ib + 1] = uint8_t(r.index[1] & 255);
        b.qh[ib] = uint8_t((r.index[0] >> 8) | (r.index[1] >> 8) << 4);
        shifts[ib] = r.shift;
        scales[ib] = r.scale;
        max_scale = max_scale > r.scale ? max_scale : r.scale;
    }
    if (!(max_scale != 0)) return;
    uint16_t sc[4] = {};
    const float d0 = max_scale / 15;
    const float inverse_d = 1 / d0;
    constexpr uint8_t kShiftBits[4] = {0x00, 0x80, 0x08, 0x88};
    float sum_qx = 0, sum_qq = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const int l = std::max(0, std::min(7, nearest_int_of_product(
                                                  0.5f, mul_add(inverse_d, scales[ib], -1.f))));
        sc[ib / 4] = uint16_t(sc[ib / 4] | l << (3 * (ib % 4)));
        b.qh[ib] = uint8_t(b.qh[ib] | kShiftBits[shifts[ib]]);
        const float* xb = x + 16 * ib;
        float w[16];
        iq1_m_weights(xb, importance ? importance + 16 * ib : nullptr, sigma2[ib / 2], w);
        const float odd = float(2 * l + 1);
        for (int g = 0; g < 2; ++g) {
            const float* values = iq1m_values(shifts[ib], g);
            const int index = b.qs[2 * ib + g] | ((b.qh[ib] >> (4 * g)) & 7) << 8;
            const auto& levels = iq1s_neighbours().levels(index);
            for (int j = 0; j < kGroup; ++j) {
                const float q = values[levels[size_t(j)]] * odd;
                sum_qx = mul_add(w[kGroup * g + j] * q, xb[kGroup * g + j], sum_qx);
                sum_qq = mul_add(w[kGroup * g + j] * q, q, sum_qq);
            }
        }
    }
    const float d = sum_qq > 0 ? sum_qx / sum_qq : d0;
    const uint16_t h = fp32_to_fp16(d * 1.085f);
    sc[0] = uint16_t(sc[0] | (h & 0x000f) << 12);
    sc[1] = uint16_t(sc[1] | (h & 0x00f0) << 8);
    sc[2] = uint16_t(sc[2] | (h & 0x0f00) << 4);
    sc[3] = uint16_t(sc[3] | (h & 0xf000));
    std::memcpy(b.scales, sc, sizeof sc);
}

}  // namespace

void quantize_row_iq1_s(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockIq1S>(src, row, n, importance, quantize_iq1_s_super_block);
}

void quantize_row_iq1_m(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockIq1M>(src, row, n, importance, quantize_iq1_m_super_block);
}

}  // namespace sy::quants
