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
#include "types/quants/row_walk.hpp"
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

// One block's result: its scale (>= 0), and per group the grid entry and the stored sign bits.
struct BlockResult {
    bool found = false;  // false: degenerate weights (see the file comment)
    float scale = 0;
    int index[4] = {};
    uint8_t signs[4] = {};  // set by search_blocks (the searches see magnitudes only)
};

// The candidate-scale search the three types share, for one block of kGroups groups of 8
// magnitudes: snap every group at a trial inverse scale, fit the scale to the snapped levels
// (fit_levels) and keep the best (levels, grid entries, scale) by the oracle's merit test.
// What differs per type is the first scale, the number of candidates and the refinement.
template <int kGroups>
class GridSearch {
public:
    static constexpr int kElems = kGroups * kGroup;

    // Every group snapped at one inverse scale.
    struct Snapped {
        int8_t levels[kElems];
        int index[kGroups];
        bool on_grid[kGroups];
    };

    GridSearch(const GridNeighbours& grid, const float* xval, const float* w)
        : grid_(grid), xval_(xval), w_(w) {
        for (int i = 0; i < kElems; ++i) sqrt_w_[i] = std::sqrt(w[i]);
    }

    bool found() const { return found_; }
    float scale() const { return scale_; }

    // Levels at `inverse`, off-grid groups replaced by their nearest neighbour at `scale`.
    Snapped snap(float inverse, float scale) const {
        Snapped s;
        for (int k = 0; k < kGroups; ++k)
            s.index[k] = snap_group(grid_, xval_ + kGroup * k, sqrt_w_ + kGroup * k, inverse,
                                    scale, s.levels + kGroup * k, &s.on_grid[k]);
        return s;
    }

    // Takes `s` (and its fitted scale) when its merit beats the best so far.
    bool take_if_better(const Snapped& s) {
        const Fit f = fit_levels(kElems, w_, xval_, s.levels);
        if (!f.beats(best_)) return false;
        scale_ = f.qx / f.qq;
        best_ = scale_ * f.qx;
        chosen_ = s;
        found_ = true;
        return true;
    }

    // The candidate inverse scales (kOddMax + 0.1 is) / max, is = -steps..steps.
    void scan(int steps, float max) {
        for (int is = -steps; is <= steps; ++is) {
            const float inverse = mul_add(0.1f, float(is), kOddMax) / max;
            take_if_better(snap(inverse, 1 / inverse));
        }
    }

    // IQ2_XS's refinement step: re-snaps every group at the chosen scale and takes the result
    // when it moves a group to another entry and improves the merit.
    bool take_resnap_if_better() {
        const Snapped s = snap(1 / scale_, scale_);
        bool changed = false;
        for (int k = 0; k < kGroups; ++k) changed = changed || s.index[k] != chosen_.index[k];
        return changed && take_if_better(s);
    }

    // IQ2_XXS's and IQ2_S's refinement: re-snaps the chosen groups at the chosen scale (all
    // of them, or only those that needed a neighbour) and refits the scale to them, without a
    // merit test. Nothing to do without a positive scale or (only_off_grid) an off-grid group.
    void resnap_and_refit(bool only_off_grid) {
        bool any = false;
        for (int k = 0; k < kGroups; ++k) any = any || !only_off_grid || !chosen_.on_grid[k];
        if (!found_ || !any || !(scale_ > 0)) return;
        const float inverse = 1 / scale_;
        for (int k = 0; k < kGroups; ++k)
            if (!only_off_grid || !chosen_.on_grid[k])
                snap_group(grid_, xval_ + kGroup * k, sqrt_w_ + kGroup * k, inverse, scale_,
                           chosen_.levels + kGroup * k);
        const Fit f = fit_levels(kElems, w_, xval_, chosen_.levels);
        if (f.qq > 0) scale_ = f.qx / f.qq;
    }

    // The chosen scale and the grid entries of the chosen levels.
    BlockResult result() const {
        BlockResult r;
        if (!found_) return r;
        r.found = true;
        r.scale = scale_;
        for (int k = 0; k < kGroups; ++k)
            r.index[k] = grid_.index_of(GridNeighbours::key_of(chosen_.levels + kGroup * k));
        return r;
    }

private:
    const GridNeighbours& grid_;
    const float* xval_;
    const float* w_;
    float sqrt_w_[kElems];
    Snapped chosen_{};
    float scale_ = 0;
    float best_ = 0;  // the oracle's merit of the chosen fit: scale * sumqx
    bool found_ = false;
};

// Magnitudes of a group of 8 with every sign stored (IQ2_S): xval = |x|, a set bit per
// negative (or NaN) element. `w` is unused (the signature of magnitudes_with_even_signs).
uint8_t magnitudes_with_sign_byte(const float* x, const float* /*w*/, float* xval) {
    uint8_t signs = 0;
    for (int i = 0; i < kGroup; ++i) {
        xval[i] = x[i] >= 0 ? x[i] : -x[i];
        if (!(x[i] >= 0)) signs = uint8_t(signs | 1u << i);
    }
    return signs;
}

// What differs between the types' per-block searches (search_blocks does the rest).
struct BlockRules {
    int block;  // elements per block: 32 or 16
    NoImportanceSum no_importance;
    uint8_t sign_mask;  // the stored sign bits of a group: 127 (7 bits) or 255
    uint8_t (*magnitudes)(const float* x, const float* w, float* xval);  // returns sign bits
    bool (*is_zero_block)(float max);
    BlockResult (*search)(const float* xval, const float* w, float max);
};

// Searches every block of a super-block by `rules`: weights, magnitudes and signs, the
// type's search; a block whose search finds nothing is searched again with the no-imatrix
// weights (file comment). A negative scale (never seen) is made positive by flipping the
// stored signs. Writes each block's result (scale 0 and no codes for a zero or unsolved
// block) and, to `weights` (kSuper floats), the weights each block was last searched with.
// Returns the largest block scale.
float search_blocks(const BlockRules& rules, const float* x, const float* importance,
                    float sigma2, float* weights, BlockResult* results) {
    const int n = rules.block;
    const int groups = n / kGroup;
    float max_scale = 0;
    for (int ib = 0; ib < kSuper / n; ++ib) {
        const float* xb = x + n * ib;
        const float* imp = importance ? importance + n * ib : nullptr;
        float* w = weights + n * ib;
        float xval[32];  // n <= 32
        uint8_t signs[4];
        BlockResult r;
        for (const float* weights_from : {imp, static_cast<const float*>(nullptr)}) {
            block_weights(xb, weights_from, n, sigma2, w, rules.no_importance);
            for (int k = 0; k < groups; ++k)
                signs[k] = rules.magnitudes(xb + kGroup * k, w + kGroup * k, xval + kGroup * k);
            float max = xval[0];
            for (int i = 1; i < n; ++i) max = std::max(max, xval[i]);
            if (rules.is_zero_block(max)) break;  // r.found stays false
            r = rules.search(xval, w, max);
            if (r.found || !weights_from) break;
        }
        if (r.found) {
            if (r.scale < 0) {
                r.scale = -r.scale;
                for (int k = 0; k < groups; ++k) signs[k] = uint8_t(~signs[k] & rules.sign_mask);
            }
            std::copy_n(signs, groups, r.signs);
            max_scale = max_scale > r.scale ? max_scale : r.scale;
        }
        results[ib] = r;
    }
    return max_scale;
}

// The 4-bit scale codes of `count` blocks for d = max_scale / 31; returns d.
float block_scale_codes(float max_scale, const BlockResult* results, int count, int* codes) {
    const float d = max_scale / 31;
    const float inverse_d = 1 / d;
    for (int ib = 0; ib < count; ++ib) codes[ib] = block_scale_code(inverse_d, results[ib].scale);
    return d;
}

// ---- IQ2_XXS: 32-element blocks, 4 groups ----

BlockResult search_iq2_xxs_block(const float* xval, const float* w, float /*max*/) {
    GridSearch<4> search(iq2xxs_neighbours(), xval, w);
    uint8_t first_levels[32];
    const float first_scale = fit_nonnegative_levels(32, 4, xval, w, first_levels);
    search.scan(6, first_scale * 3.f);
    search.resnap_and_refit(/*only_off_grid=*/false);
    return search.result();
}

constexpr BlockRules kIq2XxsRules{32, NoImportanceSum::FuseSquare, 127,
                                  magnitudes_with_even_signs,
                                  [](float max) { return max < 1e-15f; }, search_iq2_xxs_block};

void quantize_iq2_xxs_super_block(const float* x, const float* importance, BlockIq2Xxs& b) {
    const float sigma2 = sum_of_squares(x, kSuper) / float(kSuper);
    float weights[kSuper];
    BlockResult blocks[8];
    const float max_scale = search_blocks(kIq2XxsRules, x, importance, sigma2, weights, blocks);
    if (!(max_scale != 0)) return;  // b stays all zero
    int codes[8];
    b.d = fp32_to_fp16(block_scale_codes(max_scale, blocks, 8, codes));
    uint32_t words[16] = {};  // per block: 4 grid indices; 4 x 7 sign bits + the scale code
    for (int ib = 0; ib < 8; ++ib) {
        for (int k = 0; k < 4; ++k) {
            words[2 * ib] |= uint32_t(blocks[ib].index[k]) << (8 * k);
            words[2 * ib + 1] |= uint32_t(blocks[ib].signs[k]) << (7 * k);
        }
        words[2 * ib + 1] |= uint32_t(codes[ib]) << 28;
    }
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

BlockResult search_iq2_xs_block(const float* xval, const float* w, float /*max*/) {
    GridSearch<2> search(iq2xs_neighbours(), xval, w);
    search.scan(7, best_three_level_split(16, xval, w) * kOddMax);
    if (!search.found()) return {};
    // Re-round at the winning scale while that moves a group to another entry and improves
    // the merit (at most 3 times).
    for (int iter = 0; iter < 3 && search.scale() != 0; ++iter)
        if (!search.take_resnap_if_better()) break;
    return search.result();
}

constexpr BlockRules kIq2XsRules{16, NoImportanceSum::RoundSquare, 127,
                                 magnitudes_with_even_signs,
                                 [](float max) { return max < 1e-15f; }, search_iq2_xs_block};

void quantize_iq2_xs_super_block(const float* x, const float* importance, BlockIq2Xs& b) {
    const float sigma2 = sum_of_squares(x, kSuper) / float(kSuper);
    float weights[kSuper];  // the weights each block was searched with, for the d refit
    BlockResult blocks[16];
    const float max_scale = search_blocks(kIq2XsRules, x, importance, sigma2, weights, blocks);
    if (!(max_scale != 0)) return;  // b stays all zero
    int codes[16];
    b.d = fp32_to_fp16(block_scale_codes(max_scale, blocks, 16, codes));
    // Refit d to what the stored codes decode to: q = 0.125 (2l + 1) * magnitude * sign.
    float sum_qx = 0, sum_qq = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const int l = codes[ib];
        b.scales[ib / 2] = uint8_t(b.scales[ib / 2] | l << (4 * (ib % 2)));
        const float odd = float(2 * l + 1);
        for (int k = 0; k < 2; ++k) {
            const uint16_t code = uint16_t(blocks[ib].index[k] | blocks[ib].signs[k] << 9);
            b.qs[2 * ib + k] = code;
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
    if (sum_qq > 0) b.d = fp32_to_fp16(1.05f * sum_qx / sum_qq);
}

// ---- IQ2_S: 16-element blocks, 2 groups, 10-bit grid index, a full sign byte per group ----

BlockResult search_iq2_s_block(const float* xval, const float* w, float max) {
    GridSearch<2> search(iq2s_neighbours(), xval, w);
    search.scan(9, max);
    // Groups that needed a neighbour are re-rounded at the winning scale, and the scale
    // refit (without a merit test).
    search.resnap_and_refit(/*only_off_grid=*/true);
    return search.result();
}

// A full sign byte; the zero test written as the oracle's (a NaN maximum is a zero block
// here, unlike for IQ2_XXS/IQ2_XS).
constexpr BlockRules kIq2SRules{16, NoImportanceSum::RoundSquare, 255, magnitudes_with_sign_byte,
                                [](float max) { return !(max >= 1e-8f); }, search_iq2_s_block};

void quantize_iq2_s_super_block(const float* x, const float* importance, BlockIq2S& b) {
    const float sigma2 = 2 * sum_of_squares(x, kSuper) / float(kSuper);
    float weights[kSuper];
    BlockResult blocks[16];
    const float max_scale = search_blocks(kIq2SRules, x, importance, sigma2, weights, blocks);
    for (int ib = 0; ib < 16; ++ib) {
        for (int k = 0; k < 2; ++k) {
            const int i8 = 2 * ib + k, index = blocks[ib].index[k];
            b.qs[i8] = uint8_t(index & 255);
            b.qh[i8 / 4] = uint8_t(b.qh[i8 / 4] | (index >> 8) << (2 * (i8 % 4)));
            b.qs[32 + i8] = blocks[ib].signs[k];
        }
    }
    if (!(max_scale != 0)) return;
    int codes[16];
    b.d = fp32_to_fp16(block_scale_codes(max_scale, blocks, 16, codes) * 0.9875f);
    for (int ib = 0; ib < 16; ++ib)
        b.scales[ib / 2] = uint8_t(b.scales[ib / 2] | codes[ib] << (4 * (ib % 2)));
}

}  // namespace

void quantize_row_iq2_xxs(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockIq2Xxs>(src, row, n, importance, quantize_iq2_xxs_super_block);
}

void quantize_row_iq2_xs(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockIq2Xs>(src, row, n, importance, quantize_iq2_xs_super_block);
}

void quantize_row_iq2_s(const float* src, uint8_t* row, int64_t n, const float* importance) {
    fill_each_block<BlockIq2S>(src, row, n, importance, quantize_iq2_s_super_block);
}

}  // namespace sy::quants
