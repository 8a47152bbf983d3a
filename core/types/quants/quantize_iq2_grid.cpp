// Quantizers of the 2-bit grid types IQ2_XXS, IQ2_XS and IQ2_S (256-element super-blocks;
// FORMATS.md §2). Each group of 8 magnitudes is one entry of a codebook of 8-vectors whose
// elements sit on three levels (grid_neighbours.hpp); signs are stored separately.
//
// Oracle: ik_llama.cpp ggml-quants.c (snapshot 8337e4cd) quantize_row_iq2_xxs_impl (:12979),
// quantize_row_iq2_xs_impl (:13161), quantize_row_iq2_s_impl (:15033), with
// iq2_find_best_neighbour (:12955) and make_qp_quants (:2339); llama-quantize reaches them
// through ggml_quantize_chunk -> quantize_iq2_xxs / _xs / _s (iqk_quantize.cpp does not
// override them). The search, per block (32 elements for IQ2_XXS, 16 for IQ2_XS/IQ2_S):
//
// - weights w = imatrix * sqrt(sigma2 + x^2), or 0.25 sigma2 + x^2 without an imatrix
//   (the oracle's own rule); sigma2 = mean x^2 of the super-block (IQ2_S: twice that).
// - Signs come off first. IQ2_XXS/IQ2_XS store 7 sign bits per group, the 8th is implied
//   (an even number of negatives), so a group with an odd count keeps the element of least
//   w x^2 unflipped, i.e. quantizes it as a negative magnitude.
// - A first scale (IQ2_XXS: make_qp_quants on levels 0..4; IQ2_XS: the exact optimum of
//   splitting the sorted magnitudes into the three levels; IQ2_S: max/5), then 13/15/19
//   candidate inverse scales around it. For each: round every element to a level, look the
//   group up on the grid, and for an off-grid group take the neighbour with the least
//   sqrt(w)-weighted squared error. The candidate with the best least-squares merit
//   sumqx^2/sumq2 wins (a later one replaces it only if sumqx^2 > best * sumq2, with
//   best = scale * sumqx, exactly the oracle's test).
// - Then the winning scale is refined: IQ2_XXS re-rounds once, IQ2_XS up to 3 times while
//   the grid entries change and the merit improves, IQ2_S re-rounds only off-grid groups.
// - Block scales become 4-bit: d = max_scale/31, l = round((s/d - 1)/2); IQ2_XS then refits
//   d to the decoded values (times 1.05), IQ2_S stores d * 0.9875.
//
// Float order (quantize.hpp's notes), as the oracle's GCC build evaluates it: the sum of
// squares for sigma2 is a plain in-order sum; the rounding of a product is done once
// (nearest_int_of_product); the no-importance weight 0.25 sigma2 + x^2 is fused for IQ2_XXS
// only; every other multiply-add is fused (mul_add). Every golden row of IQ2_XXS and
// IQ2_XS is byte-identical, and so are random rows of all three types (with and without
// importance) checked against the oracle's own code.
//
// Deliberate difference, only where the oracle is undefined: a block whose weights are all
// zero (or so small that every candidate's merit underflows) makes the oracle divide 0/0 and
// then read levels left over from another block (or abort). Here such a block is searched
// again with the no-imatrix weights; if even that finds nothing, it is stored as a zero
// block (as the oracle stores blocks with max < eps).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "types/quants/blocks.hpp"
#include "types/quants/grid_neighbours.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int kSuper = 256;
constexpr int kGroup = 8;
constexpr int kTopLevel = 2;   // levels 0..2; the odd value of level l is 2l + 1
constexpr float kOddMax = 5.f;  // 2 * kTopLevel + 1

// ---- per-block helpers ----

// Importance weights of n elements (see the file comment). Without importance the oracle's
// build fuses x^2 into the addition for IQ2_XXS but rounds x^2 first for IQ2_XS and IQ2_S
// (sigma2/4 is exact either way); `rule` says which.
enum class NoImportanceSum { FuseSquare, RoundSquare };
void block_weights(const float* x, const float* importance, int n, float sigma2, float* w,
                   NoImportanceSum rule) {
    for (int i = 0; i < n; ++i) {
        if (importance)
            w[i] = importance[i] * std::sqrt(mul_add(x[i], x[i], sigma2));
        else if (rule == NoImportanceSum::FuseSquare)
            w[i] = mul_add(x[i], x[i], 0.25f * sigma2);
        else
            w[i] = 0.25f * sigma2 + x[i] * x[i];
    }
}

// The 7-stored-bits sign rule of IQ2_XXS/IQ2_XS for one group of 8: xval = |x| except that
// with an odd number of negatives the element of least w x^2 keeps its sign (and so becomes
// a negative magnitude). Returns the 7 stored sign bits.
uint8_t magnitudes_with_even_signs(const float* x, const float* w, float* xval) {
    int negatives = 0;
    uint8_t signs = 0;
    for (int i = 0; i < kGroup; ++i) {
        if (x[i] >= 0) {
            xval[i] = x[i];
        } else {
            xval[i] = -x[i];
            ++negatives;
            signs = uint8_t(signs | (1u << i));
        }
    }
    if (negatives % 2) {
        int least = 0;
        float least_cost = w[0] * x[0] * x[0];
        for (int i = 1; i < kGroup; ++i) {
            const float cost = w[i] * x[i] * x[i];
            if (cost < least_cost) {
                least_cost = cost;
                least = i;
            }
        }
        xval[least] = -xval[least];
        signs = uint8_t(signs ^ (1u << least));
    }
    return uint8_t(signs & 127);
}

// The level (0..2) of magnitude v at inverse scale `inverse`: round((inverse*v - 1)/2).
inline int8_t level_of(float inverse, float v) {
    const int l = nearest_int_of_product(0.5f, mul_add(inverse, v, -1.f));
    return int8_t(std::max(0, std::min(kTopLevel, l)));
}

// Snaps one group of 8 magnitudes to the grid: levels at `inverse`, and when they are off
// the grid the neighbour entry nearest (sqrt(w)-weighted) to xval/scale. Writes the entry's
// levels and returns its index; *on_grid says whether the rounded levels were an entry.
int snap_group(const GridNeighbours& grid, const float* xval, const float* sqrt_w,
               float inverse, float scale, int8_t* levels, bool* on_grid = nullptr) {
    for (int i = 0; i < kGroup; ++i) levels[i] = level_of(inverse, xval[i]);
    const uint16_t key = GridNeighbours::key_of(levels);
    int index = grid.index_of(key);
    if (on_grid) *on_grid = index >= 0;
    if (index >= 0) return index;
    float best_d2 = std::numeric_limits<float>::max();
    for (const uint16_t candidate : grid.neighbours_of(key)) {
        const auto& q = grid.levels(candidate);
        float d2 = 0;
        for (int i = 0; i < kGroup; ++i) {
            const float diff = mul_add(scale, float(2 * q[size_t(i)] + 1), -xval[i]);
            d2 = mul_add(sqrt_w[i] * diff, diff, d2);
        }
        if (d2 < best_d2) {
            best_d2 = d2;
            index = candidate;
        }
    }
    // Only NaN or infinite distances leave nothing chosen (the oracle asserts): take the
    // nearest in level distance, the list's first.
    if (index < 0) index = grid.neighbours_of(key)[0];
    std::copy_n(grid.levels(index).begin(), kGroup, levels);
    return index;
}

// Least-squares terms of levels L against magnitudes xval: sum w x q and sum w q^2 with
// q = 2L + 1.
struct Fit {
    float qx = 0;
    float qq = 0;
    // The oracle's merit test: strictly better than `best` (= previous scale * sumqx).
    bool beats(float best) const { return qq > 0 && qx * qx > best * qq; }
};
Fit fit_levels(int n, const float* w, const float* xval, const int8_t* levels) {
    Fit f;
    for (int i = 0; i < n; ++i) {
        const float q = float(2 * levels[i] + 1);
        f.qx = mul_add(w[i] * xval[i], q, f.qx);
        f.qq = mul_add(w[i] * q, q, f.qq);
    }
    return f;
}

// ggml's make_qp_quants as IQ2_XXS calls it: magnitudes onto levels 0..nmax, minimising
// sum w (x - d L)^2. Levels are stored as uint8_t and re-read as such, as in the oracle:
// a (rare) negative magnitude from the sign rule rounds to a negative level, which wraps.
float fit_nonnegative_levels(int n, int nmax, const float* x, const float* w, uint8_t* levels) {
    float max = 0;
    for (int i = 0; i < n; ++i) max = std::max(max, x[i]);
    if (max < 1e-16f) {
        std::fill_n(levels, n, uint8_t(0));
        return 0.f;
    }
    float inverse = float(nmax) / max;
    for (int i = 0; i < n; ++i) levels[i] = uint8_t(nearest_int_of_product(inverse, x[i]));
    const float scale = 1 / inverse;
    float best_mse = 0;
    for (int i = 0; i < n; ++i) {
        const float diff = mul_add(-scale, float(levels[i]), x[i]);
        best_mse = mul_add(w[i] * diff, diff, best_mse);
    }
    for (int is = -4; is <= 4; ++is) {
        if (is == 0) continue;
        const float candidate = mul_add(0.1f, float(is), float(nmax)) / max;
        const float candidate_scale = 1 / candidate;
        float mse = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::min(nmax, nearest_int_of_product(candidate, x[i]));
            const float diff = mul_add(-candidate_scale, float(l), x[i]);
            mse = mul_add(w[i] * diff, diff, mse);
        }
        if (mse < best_mse) {
            best_mse = mse;
            inverse = candidate;
        }
    }
    float sum_xl = 0, sum_ll = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::min(nmax, nearest_int_of_product(inverse, x[i]));
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
            const int new_l = std::min(nmax, nearest_int(x[i] * others_ll / others_xl));
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
    return sum_xl / sum_ll;
}

// Scale of a block as a 4-bit l with s ~ d (2l + 1).
inline int block_scale_code(float inverse_d, float scale) {
    const int l = nearest_int_of_product(0.5f, mul_add(inverse_d, scale, -1.f));
    return std::max(0, std::min(15, l));
}

// One block's result: its scale (>= 0) and the grid entry of each group.
struct BlockResult {
    bool found = false;  // false: degenerate weights (see the file comment)
    float scale = 0;
    int index[4] = {};
};

// ---- IQ2_XXS: 32-element blocks, 4 groups ----

BlockResult search_iq2_xxs_block(const float* xval, const float* w) {
    const GridNeighbours& grid = iq2xxs_neighbours();
    constexpr int n = 32;
    float sqrt_w[n];
    for (int i = 0; i < n; ++i) sqrt_w[i] = std::sqrt(w[i]);
    int8_t levels[n], trial[n];
    float scale = fit_nonnegative_levels(n, 4, xval, w, reinterpret_cast<uint8_t*>(levels));
    const float eff_max = scale * 3.f;
    BlockResult r;
    float best = 0;
    for (int is = -6; is <= 6; ++is) {
        const float inverse = mul_add(0.1f, float(is), kOddMax) / eff_max;
        const float trial_scale = 1 / inverse;
        for (int k = 0; k < 4; ++k)
            snap_group(grid, xval + kGroup * k, sqrt_w + kGroup * k, inverse, trial_scale,
                       trial + kGroup * k);
        const Fit f = fit_levels(n, w, xval, trial);
        if (f.beats(best)) {
            scale = f.qx / f.qq;
            best = scale * f.qx;
            std::copy_n(trial, n, levels);
            r.found = true;
        }
    }
    if (!r.found) return r;
    if (scale > 0) {
        const float inverse = 1 / scale;
        for (int k = 0; k < 4; ++k)
            snap_group(grid, xval + kGroup * k, sqrt_w + kGroup * k, inverse, scale,
                       levels + kGroup * k);
        const Fit f = fit_levels(n, w, xval, levels);
        if (f.qq > 0) scale = f.qx / f.qq;
    }
    for (int k = 0; k < 4; ++k)
        r.index[k] = grid.index_of(GridNeighbours::key_of(levels + kGroup * k));
    r.scale = scale;
    return r;
}

void quantize_iq2_xxs_super_block(const float* x, const float* importance, BlockIq2Xxs& b) {
    const float sigma2 = sum_of_squares(x, kSuper) / float(kSuper);
    uint32_t words[16] = {};  // per block: 4 grid indices; 4 x 7 sign bits + the scale code
    float scales[8];
    float max_scale = 0;
    for (int ib = 0; ib < 8; ++ib) {
        const float* xb = x + 32 * ib;
        const float* imp = importance ? importance + 32 * ib : nullptr;
        float w[32], xval[32];
        uint8_t signs[4];
        BlockResult r;
        for (const float* weights_from : {imp, static_cast<const float*>(nullptr)}) {
            block_weights(xb, weights_from, 32, sigma2, w, NoImportanceSum::FuseSquare);
            for (int k = 0; k < 4; ++k)
                signs[k] = magnitudes_with_even_signs(xb + kGroup * k, w + kGroup * k,
                                                      xval + kGroup * k);
            float max = xval[0];
            for (int i = 1; i < 32; ++i) max = std::max(max, xval[i]);
            if (max < 1e-15f) break;  // a zero block: r.found stays false
            r = search_iq2_xxs_block(xval, w);
            if (r.found || !weights_from) break;
        }
        if (!r.found) {
            scales[ib] = 0;
            continue;
        }
        if (r.scale < 0) {  // never seen; flip the signs so that the stored scale is positive
            r.scale = -r.scale;
            for (uint8_t& s : signs) s = uint8_t(~s & 127);
        }
        for (int k = 0; k < 4; ++k) {
            words[2 * ib] |= uint32_t(r.index[k]) << (8 * k);
            words[2 * ib + 1] |= uint32_t(signs[k]) << (7 * k);
        }
        scales[ib] = r.scale;
        max_scale = max_scale > r.scale ? max_scale : r.scale;
    }
    b.d = 0;
    if (!(max_scale != 0)) {
        std::memset(b.qs, 0, sizeof b.qs);
        return;
    }
    const float d = max_scale / 31;
    b.d = fp32_to_fp16(d);
    const float inverse_d = 1 / d;
    for (int ib = 0; ib < 8; ++ib)
        words[2 * ib + 1] |= uint32_t(block_scale_code(inverse_d, scales[ib])) << 28;
    std::memcpy(b.qs, words, sizeof words);
}

// ---- IQ2_XS: 16-element blocks, 2 groups, 9-bit grid index + 7 sign bits per group ----

// The exact best split of n magnitudes, sorted, into the odd values 1, 3, 5: every pair of
// boundaries i1 <= i2 over prefix sums of w x and w, keeping the best sumqx^2/sumq2.
// Returns the scale sumqx/sumq2 of the winner (0 when none has a positive merit).
float best_three_level_split(int n, const float* xval, const float* w) {
    // Sorted order; the oracle sorts with glibc qsort, a stable merge sort for arrays this
    // small, so equal magnitudes keep their index order (as in this insertion sort).
    int order[16];
    for (int i = 0; i < n; ++i) {
        int j = i;
        for (; j > 0 && xval[i] < xval[order[j - 1]]; --j) order[j] = order[j - 1];
        order[j] = i;
    }
    float sum_x[17], sum_w[17];
    sum_x[0] = sum_w[0] = 0;
    for (int j = 0; j < n; ++j) {
        const int i = order[j];
        sum_x[j + 1] = mul_add(w[i], xval[i], sum_x[j]);
        sum_w[j + 1] = sum_w[j] + w[i];
    }
    float best = 0, scale = 0;
    for (int i1 = 0; i1 <= n; ++i1) {
        for (int i2 = i1; i2 <= n; ++i2) {
            const float qx = mul_add(sum_x[n] - sum_x[i2], 5.f,
                                     mul_add(sum_x[i2] - sum_x[i1], 3.f, sum_x[i1] - sum_x[0]));
            const float qq = mul_add(sum_w[n] - sum_w[i2], 25.f,
                                     mul_add(sum_w[i2] - sum_w[i1], 9.f, sum_w[i1] - sum_w[0]));
            if (qq > 0 && qx * qx > best * qq) {
                scale = qx / qq;
                best = scale * qx;
            }
        }
    }
    return scale;
}

BlockResult search_iq2_xs_block(const float* xval, const float* w) {
    const GridNeighbours& grid = iq2xs_neighbours();
    constexpr int n = 16;
    float sqrt_w[n];
    for (int i = 0; i < n; ++i) sqrt_w[i] = std::sqrt(w[i]);
    int8_t levels[n], trial[n];
    int index[2] = {0, 0}, trial_index[2];
    float scale = best_three_level_split(n, xval, w);
    const float eff_max = scale * kOddMax;
    BlockResult r;
    float best = 0;
    for (int is = -7; is <= 7; ++is) {
        const float inverse = mul_add(0.1f, float(is), kOddMax) / eff_max;
        const float trial_scale = 1 / inverse;
        for (int k = 0; k < 2; ++k)
            trial_index[k] = snap_group(grid, xval + kGroup * k, sqrt_w + kGroup * k, inverse,
                                        trial_scale, trial + kGroup * k);
        const Fit f = fit_levels(n, w, xval, trial);
        if (f.beats(best)) {
            scale = f.qx / f.qq;
            best = scale * f.qx;
            std::copy_n(trial, n, levels);
            std::copy_n(trial_index, 2, index);
            r.found = true;
        }
    }
    if (!r.found) return r;
    // Re-round at the winning scale while that moves a group to another entry and improves
    // the merit (at most 3 times).
    for (int iter = 0; iter < 3 && scale != 0; ++iter) {
        const float inverse = 1 / scale;
        bool changed = false;
        for (int k = 0; k < 2; ++k) {
            trial_index[k] = snap_group(grid, xval + kGroup * k, sqrt_w + kGroup * k, inverse,
                                        scale, trial + kGroup * k);
            changed = changed || trial_index[k] != index[k];
        }
        if (!changed) break;
        const Fit f = fit_levels(n, w, xval, trial);
        if (!f.beats(best)) break;
        scale = f.qx / f.qq;
        best = scale * f.qx;
        std::copy_n(trial, n, levels);
        std::copy_n(trial_index, 2, index);
    }
    for (int k = 0; k < 2; ++k)
        r.index[k] = grid.index_of(GridNeighbours::key_of(levels + kGroup * k));
    r.scale = scale;
    return r;
}

void quantize_iq2_xs_super_block(const float* x, const float* importance, BlockIq2Xs& b) {
    const float sigma2 = sum_of_squares(x, kSuper) / float(kSuper);
    uint16_t codes[32] = {};
    float scales[16];
    float weights[kSuper];  // the weights each block was searched with, for the d refit
    float max_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const float* xb = x + 16 * ib;
        const float* imp = importance ? importance + 16 * ib : nullptr;
        float* w = weights + 16 * ib;
        float xval[16];
        uint8_t signs[2];
        BlockResult r;
        for (const float* weights_from : {imp, static_cast<const float*>(nullptr)}) {
            block_weights(xb, weights_from, 16, sigma2, w, NoImportanceSum::RoundSquare);
            for (int k = 0; k < 2; ++k)
                signs[k] = magnitudes_with_even_signs(xb + kGroup * k, w + kGroup * k,
                                                      xval + kGroup * k);
            float max = xval[0];
            for (int i = 1; i < 16; ++i) max = std::max(max, xval[i]);
            if (max < 1e-15f) break;  // a zero block: r.found stays false
            r = search_iq2_xs_block(xval, w);
            if (r.found || !weights_from) break;
        }
        if (!r.found) {
            scales[ib] = 0;
            continue;
        }
        if (r.scale < 0) {  // never seen; flip the signs so that the stored scale is positive
            r.scale = -r.scale;
            for (uint8_t& s : signs) s = uint8_t(~s & 127);
        }
        for (int k = 0; k < 2; ++k) codes[2 * ib + k] = uint16_t(r.index[k] | signs[k] << 9);
        scales[ib] = r.scale;
        max_scale = max_scale > r.scale ? max_scale : r.scale;
    }
    b = BlockIq2Xs{};
    if (!(max_scale != 0)) return;
    const float d = max_scale / 31;
    b.d = fp32_to_fp16(d);
    const float inverse_d = 1 / d;
    // Refit d to what the stored codes decode to: q = 0.125 (2l + 1) * magnitude * sign.
    float sum_qx = 0, sum_qq = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const int l = block_scale_code(inverse_d, scales[ib]);
        b.scales[ib / 2] = uint8_t(b.scales[ib / 2] | l << (4 * (ib % 2)));
        const float odd = float(2 * l + 1);
        for (int k = 0; k < 2; ++k) {
            const uint16_t code = codes[2 * ib + k];
            const uint64_t entry = kIq2xsGrid[code & 511];
            uint32_t signs = code >> 9;
            signs |= uint32_t(std::popcount(signs) & 1) << 7;  // the implied 8th sign
            for (int j = 0; j < kGroup; ++j) {
                const int i = 16 * ib + kGroup * k + j;
                const float q = 0.125f * odd * float(grid_byte(entry, j)) *
                                ((signs >> j) & 1 ? -1.f : 1.f);
                sum_qx = mul_add(weights[i] * q, x[i], sum_qx);
                sum_qq = mul_add(weights[i] * q, q, sum_qq);
            }
        }
    }
    std::memcpy(b.qs, codes, sizeof codes);
    if (sum_qq > 0) b.d = fp32_to_fp16(1.05f * sum_qx / sum_qq);
}

// ---- IQ2_S: 16-element blocks, 2 groups, 10-bit grid index, a full sign byte per group ----

BlockResult search_iq2_s_block(const float* xval, const float* w, float max) {
    const GridNeighbours& grid = iq2s_neighbours();
    constexpr int n = 16;
    float sqrt_w[n];
    for (int i = 0; i < n; ++i) sqrt_w[i] = std::sqrt(w[i]);
    int8_t levels[n], trial[n];
    bool on_grid[2] = {true, true}, trial_on_grid[2];
    float scale = max / kOddMax;
    BlockResult r;
    float best = 0;
    for (int is = -9; is <= 9; ++is) {
        const float inverse = mul_add(0.1f, float(is), kOddMax) / max;
        const float trial_scale = 1 / inverse;
        for (int k = 0; k < 2; ++k)
            snap_group(grid, xval + kGroup * k, sqrt_w + kGroup * k, inverse, trial_scale,
                       trial + kGroup * k, &trial_on_grid[k]);
        const Fit f = fit_levels(n, w, xval, trial);
        if (f.beats(best)) {
            scale = f.qx / f.qq;
            best = scale * f.qx;
            std::copy_n(trial, n, levels);
            std::copy_n(trial_on_grid, 2, on_grid);
            r.found = true;
        }
    }
    if (!r.found) return r;
    // Groups that needed a neighbour are re-rounded at the winning scale, and the scale
    // refit (without a merit test).
    if ((!on_grid[0] || !on_grid[1]) && scale > 0) {
        const float inverse = 1 / scale;
        for (int k = 0; k < 2; ++k)
            if (!on_grid[k])
                snap_group(grid, xval + kGroup * k, sqrt_w + kGroup * k, inverse, scale,
                           levels + kGroup * k);
        const Fit f = fit_levels(n, w, xval, levels);
        if (f.qq > 0) scale = f.qx / f.qq;
    }
    for (int k = 0; k < 2; ++k)
        r.index[k] = grid.index_of(GridNeighbours::key_of(levels + kGroup * k));
    r.scale = scale;
    return r;
}

void quantize_iq2_s_super_block(const float* x, const float* importance, BlockIq2S& b) {
    const float sigma2 = 2 * sum_of_squares(x, kSuper) / float(kSuper);
    b = BlockIq2S{};
    float scales[16];
    float max_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const float* xb = x + 16 * ib;
        const float* imp = importance ? importance + 16 * ib : nullptr;
        float w[16], xval[16];
        uint8_t signs[2] = {0, 0};
        for (int k = 0; k < 2; ++k)
            for (int i = 0; i < kGroup; ++i) {
                const float v = xb[kGroup * k + i];
                xval[kGroup * k + i] = v >= 0 ? v : -v;
                if (!(v >= 0)) signs[k] = uint8_t(signs[k] | 1u << i);
            }
        float max = xval[0];
        for (int i = 1; i < 16; ++i) max = std::max(max, xval[i]);
        BlockResult r;
        if (max >= 1e-8f) {
            for (const float* weights_from : {imp, static_cast<const float*>(nullptr)}) {
                block_weights(xb, weights_from, 16, sigma2, w, NoImportanceSum::RoundSquare);
                r = search_iq2_s_block(xval, w, max);
                if (r.found || !weights_from) break;
            }
        }
        if (!r.found) {
            scales[ib] = 0;
            continue;
        }
        if (r.scale < 0) {  // never seen; flip the signs so that the stored scale is positive
            r.scale = -r.scale;
            for (uint8_t& s : signs) s = uint8_t(~s);
        }
        for (int k = 0; k < 2; ++k) {
            const int i8 = 2 * ib + k;
            b.qs[i8] = uint8_t(r.index[k] & 255);
            b.qh[i8 / 4] = uint8_t(b.qh[i8 / 4] | (r.index[k] >> 8) << (2 * (i8 % 4)));
            b.qs[32 + i8] = signs[k];
        }
        scales[ib] = r.scale;
        max_scale = max_scale > r.scale ? max_scale : r.scale;
    }
    if (!(max_scale != 0)) return;
    const float d = max_scale / 31;
    b.d = fp32_to_fp16(d * 0.9875f);
    const float inverse_d = 1 / d;
    for (int ib = 0; ib < 16; ++ib)
        b.scales[ib / 2] = uint8_t(b.scales[ib / 2] |
                                   block_scale_code(inverse_d, scales[ib]) << (4 * (ib % 2)));
}

// Quantizes the n/256 super-blocks of a row with `fill`.
template <typename Block, typename Fill>
void quantize_super_blocks(const float* src, uint8_t* row, int64_t n, const float* importance,
                           Fill fill) {
    for (int64_t i = 0; i < n / kSuper; ++i) {
        Block b{};
        fill(src + i * kSuper, importance ? importance + i * kSuper : nullptr, b);
        std::memcpy(row + i * int64_t(sizeof b), &b, sizeof b);
    }
}

}  // namespace

void quantize_row_iq2_xxs(const float* src, uint8_t* row, int64_t n, const float* importance) {
    quantize_super_blocks<BlockIq2Xxs>(src, row, n, importance, quantize_iq2_xxs_super_block);
}

void quantize_row_iq2_xs(const float* src, uint8_t* row, int64_t n, const float* importance) {
    quantize_super_blocks<BlockIq2Xs>(src, row, n, importance, quantize_iq2_xs_super_block);
}

void quantize_row_iq2_s(const float* src, uint8_t* row, int64_t n, const float* importance) {
    quantize_super_blocks<BlockIq2S>(src, row, n, importance, quantize_iq2_s_super_block);
}

}  // namespace sy::quants
