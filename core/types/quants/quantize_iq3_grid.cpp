// Quantizers of the 3-bit grid types IQ3_XXS and IQ3_S (FORMATS.md §3.3): 256-element
// super-blocks with an fp16 d, eight 32-element blocks with a 4-bit scale, each block made
// of 8 groups of 4 magnitudes that must be a point of the type's codebook, plus signs.
//
// Oracle: ik_llama.cpp ggml-quants.c quantize_row_iq3_xxs_impl (:13670) and
// quantize_row_iq3_s_impl (:13908), reached from llama-quantize through quantize_iq3_xxs /
// quantize_iq3_s (ik's iqk_quantize.cpp overrides only the _R4 variants); snapshot 8337e4cd.
//
// Per 32-element block:
//  1. weights w = imatrix * sqrt(sigma2 + x^2) with sigma2 = 2 * mean x^2 over the
//     super-block; without an imatrix w = x^2. Signs are split off (IQ3_XXS stores 7 sign
//     bits per 8 elements and implies the 8th from even parity, so when a group of 8 has an
//     odd number of negatives, the element with the smallest w x^2 keeps its sign wrong);
//  2. candidate inverse scales (15 + 0.2 s) / max for s in [-15, 15] (IQ3_S: [-9, 9]): each
//     magnitude is rounded to a level l (value 2l+1), a group of 4 levels that is not a grid
//     point is replaced by its best listed neighbour (grid_neighbours_iq3.hpp, weighted by
//     sqrt(w)); the candidate with the largest sum(w q x)^2 / sum(w q^2) wins;
//  3. if the winner had off-grid groups, those groups (IQ3_S: all groups) are re-rounded at
//     the winner's least-squares scale and the scale is refitted once.
// Then d = (largest block scale) / 31, stored times 1.0125 (IQ3_S: 1.033), and the 4-bit
// block scales are round((scale / d - 1) / 2).
//
// Float order (quantize.hpp), read from the oracle's x86-64 GCC build and checked against
// the golden files and the oracle itself on random rows: the super-block's sum of squares
// is unfused (a vectorized in-order reduction); everything else is fused as the compiler
// contracts it: sigma2 + x^2, id * x - 1, 15 + 0.2 s, the neighbour distances
// sum w (scale q - x)^2, and the block sums sum (w x) q, sum (w q) q.
//
// Deliberate differences (only where the oracle reads stale or uninitialised state, aborts,
// or writes a block's bytes in the wrong place):
//  - a block where no candidate scale is accepted (all its weights zero) starts from all
//    levels 0 with every group off the grid; the oracle reuses the previous block's levels;
//  - non-finite input, where the oracle aborts, gives some grid point and a finite or zero
//    scale;
//  - IQ3_S: after an all-zero 32-element block inside a non-zero super-block the oracle
//    writes the following blocks' grid indices and signs one block too early (it advances
//    its output pointers only for non-zero blocks); here every block is written in place.
#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <span>

#include "types/quants/blocks.hpp"
#include "types/quants/grid_neighbours_iq3.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/row_walk.hpp"

namespace sy::quants {
namespace {

constexpr int kBlock = 32;
constexpr int kGroup = 4;  // magnitudes per grid point
constexpr int kGroupsPerBlock = kBlock / kGroup;
constexpr int kBlocksPerSuper = int(kSuperBlock) / kBlock;
constexpr int kTopLevel = 7;
constexpr float kMaxLevelValue = 15.f;  // 2 * kTopLevel + 1
constexpr float kMaxBlockScale = 31.f;  // 2 * 15 + 1: value of the top 4-bit block scale

// What differs between the two types' block searches.
struct Iq3Variant {
    const Iq3GridNeighbours& grid;
    int scale_steps;         // candidates s in [-scale_steps, scale_steps]
    bool even_sign_parity;   // IQ3_XXS: 7 stored sign bits per 8, parity implied
    bool refit_every_group;  // IQ3_S re-rounds all groups in step 3, not just off-grid ones
    float stored_d_factor;   // d is stored times this
};

// One block's result.
struct BlockFit {
    float scale = 0;  // >= 0
    std::array<uint16_t, kGroupsPerBlock> grid_index{};
    std::array<uint8_t, kBlock / 8> signs{};  // bit j: element j of the group of 8 is negative
};

// Level of magnitude x at inverse scale id: round((id x - 1) / 2) clamped to 0..7.
inline int8_t level_of(float id, float x) {
    const int l = nearest_int(0.5f * mul_add(id, x, -1.f));
    return int8_t(std::clamp(l, 0, kTopLevel));
}

// The listed neighbour of an off-grid group that is nearest to the magnitudes x at `scale`
// (weights w, sqrt of the block weights); writes its levels to `levels`. The first
// strictly nearer one wins; non-finite distances (non-finite input) leave the first.
void best_neighbour(const Iq3GridNeighbours& grid, std::span<const uint16_t> candidates,
                    const float* x, const float* w, float scale, int8_t* levels) {
    float best_distance = FLT_MAX;
    int best = candidates[0];
    for (const uint16_t index : candidates) {
        const std::array<int8_t, 4>& l = grid.levels(index);
        float distance = 0;
        for (int i = 0; i < kGroup; ++i) {
            const float diff = mul_add(scale, float(2 * l[size_t(i)] + 1), -x[i]);
            distance = mul_add(w[i] * diff, diff, distance);
        }
        if (distance < best_distance) {
            best_distance = distance;
            best = index;
        }
    }
    std::copy(grid.levels(best).begin(), grid.levels(best).end(), levels);
}

// Rounds the group of 4 magnitudes x at inverse scale id (scale its inverse, for the
// neighbour search) into `levels`; returns whether the rounded group was on the grid.
bool round_group(const Iq3GridNeighbours& grid, float id, float scale, const float* x,
                 const float* w, int8_t* levels) {
    for (int i = 0; i < kGroup; ++i) levels[i] = level_of(id, x[i]);
    const uint32_t code = Iq3GridNeighbours::code_of(levels);
    if (grid.grid_index(code) >= 0) return true;
    best_neighbour(grid, grid.neighbours(code), x, w, scale, levels);
    return false;
}

// sum w q x and sum w q^2 over the block, q = 2l+1: (w x) q and (w q) q fused into the
// running sums (the oracle's compiler keeps this loop scalar and contracts it).
void block_sums(const float* x, const float* w, const int8_t* levels, float* qx, float* qq) {
    float sum_qx = 0, sum_qq = 0;
    for (int i = 0; i < kBlock; ++i) {
        const float q = float(2 * levels[i] + 1);
        sum_qx = mul_add(w[i] * x[i], q, sum_qx);
        sum_qq = mul_add(w[i] * q, q, sum_qq);
    }
    *qx = sum_qx;
    *qq = sum_qq;
}

// Splits the signs off xb into magnitudes `x` and sign bytes (see step 1 above).
void split_signs(const Iq3Variant& v, const float* xb, const float* w, float* x, BlockFit& fit) {
    for (int k = 0; k < kBlock / 8; ++k) {
        uint8_t s = 0;
        int negatives = 0;
        for (int i = 0; i < 8; ++i) {
            const float value = xb[8 * k + i];
            x[8 * k + i] = value >= 0 ? value : -value;
            if (!(value >= 0)) {
                s = uint8_t(s | 1u << i);
                ++negatives;
            }
        }
        if (v.even_sign_parity && negatives % 2 != 0) {
            // Flip the least important element: its magnitude becomes negative instead.
            int least = 0;
            float least_cost = w[8 * k] * xb[8 * k] * xb[8 * k];
            for (int i = 1; i < 8; ++i) {
                const float cost = w[8 * k + i] * xb[8 * k + i] * xb[8 * k + i];
                if (cost < least_cost) {
                    least_cost = cost;
                    least = i;
                }
            }
            x[8 * k + least] = -x[8 * k + least];
            s = uint8_t(s ^ 1u << least);
        }
        fit.signs[size_t(k)] = v.even_sign_parity ? uint8_t(s & 127) : s;
    }
}

// Steps 1-3 for one block with weights w (already computed). Returns scale 0 (and grid
// point 0, no signs) for a block that is all (nearly) zero.
BlockFit fit_block(const Iq3Variant& v, const float* xb, const float* w) {
    BlockFit fit;
    float x[kBlock], w_sqrt[kBlock];
    for (int i = 0; i < kBlock; ++i) w_sqrt[i] = std::sqrt(w[i]);
    split_signs(v, xb, w, x, fit);

    float max = x[0];
    for (int i = 1; i < kBlock; ++i) max = max > x[i] ? max : x[i];  // the oracle's MAX()
    const bool empty = v.even_sign_parity ? max < 1e-8f : max == 0;
    if (empty) return BlockFit{};

    const Iq3GridNeighbours& grid = v.grid;
    int8_t levels[kBlock] = {}, trial[kBlock];
    bool on_grid[kGroupsPerBlock] = {}, trial_on_grid[kGroupsPerBlock];
    float best = 0, scale = max / kMaxLevelValue;
    for (int s = -v.scale_steps; s <= v.scale_steps; ++s) {
        const float id = mul_add(float(s), 0.2f, kMaxLevelValue) / max;
        const float this_scale = 1 / id;
        for (int k = 0; k < kGroupsPerBlock; ++k)
            trial_on_grid[k] = round_group(grid, id, this_scale, x + kGroup * k,
                                           w_sqrt + kGroup * k, trial + kGroup * k);
        float qx, qq;
        block_sums(x, w, trial, &qx, &qq);
        if (qq > 0 && qx * qx > best * qq) {
            scale = qx / qq;
            best = scale * qx;
            std::copy(std::begin(trial), std::end(trial), levels);
            std::copy(std::begin(trial_on_grid), std::end(trial_on_grid), on_grid);
        }
    }

    const bool any_off_grid =
        std::find(std::begin(on_grid), std::end(on_grid), false) != std::end(on_grid);
    if (any_off_grid && scale > 0) {
        const float id = 1 / scale;
        for (int k = 0; k < kGroupsPerBlock; ++k) {
            if (on_grid[k] && !v.refit_every_group) continue;
            round_group(grid, id, scale, x + kGroup * k, w_sqrt + kGroup * k, levels + kGroup * k);
        }
        float qx, qq;
        block_sums(x, w, levels, &qx, &qq);
        if (qq > 0) scale = qx / qq;
    }
    if (scale < 0) {  // cannot happen with these candidates; kept as the oracle has it
        scale = -scale;
        for (uint8_t& s : fit.signs) s = uint8_t(v.even_sign_parity ? ~s & 127 : ~s);
    }
    fit.scale = scale >= 0 ? scale : 0;  // NaN (non-finite input) -> 0

    for (int k = 0; k < kGroupsPerBlock; ++k) {
        // Every group is a grid point here; the oracle aborts otherwise.
        const int index = grid.grid_index(Iq3GridNeighbours::code_of(levels + kGroup * k));
        fit.grid_index[size_t(k)] = uint16_t(index >= 0 ? index : 0);
    }
    return fit;
}

// Fits the 8 blocks of one super-block x; returns the largest block scale.
float fit_super_block(const Iq3Variant& v, const float* x, const float* importance,
                      std::array<BlockFit, kBlocksPerSuper>& fits) {
    const float sigma2 = 2 * sum_of_squares(x, kSuperBlock) / float(kSuperBlock);
    float max_scale = 0;
    for (int ib = 0; ib < kBlocksPerSuper; ++ib) {
        const float* xb = x + kBlock * ib;
        float w[kBlock];
        for (int i = 0; i < kBlock; ++i)
            w[i] = importance
                       ? importance[kBlock * ib + i] * std::sqrt(mul_add(xb[i], xb[i], sigma2))
                       : xb[i] * xb[i];
        fits[size_t(ib)] = fit_block(v, xb, w);
        max_scale = std::max(max_scale, fits[size_t(ib)].scale);
    }
    return max_scale;
}

// The 4-bit block scale: round((scale / d - 1) / 2) with id = 1 / d, clamped to 0..15.
inline uint32_t block_scale_nibble(float id, float scale) {
    return uint32_t(std::clamp(nearest_int(0.5f * mul_add(id, scale, -1.f)), 0, 15));
}

const Iq3Variant& iq3xxs_variant() {
    static const Iq3Variant v{iq3xxs_grid_neighbours(), 15, true, false, 1.0125f};
    return v;
}

const Iq3Variant& iq3s_variant() {
    static const Iq3Variant v{iq3s_grid_neighbours(), 9, false, true, 1.033f};
    return v;
}

// Quantizes a row super-block by super-block: fit_super_block, then, for a super-block with
// a positive scale, d = max_scale / 31 (stored times the variant's factor) and
// pack(ib, fit, scale_nibble, block) for each of its blocks. A zero super-block stays zero.
template <typename Block, typename Pack>
void quantize_iq3_row(const Iq3Variant& v, const float* src, uint8_t* row, int64_t n,
                      const float* importance, Pack&& pack) {
    std::array<BlockFit, kBlocksPerSuper> fits;
    auto fill = [&](const float* x, const float* imp, Block& b) {
        const float max_scale = fit_super_block(v, x, imp, fits);
        if (!(max_scale > 0)) return;
        const float d = max_scale / kMaxBlockScale;
        const float id = 1 / d;
        b.d = fp32_to_fp16(d * v.stored_d_factor);
        for (int ib = 0; ib < kBlocksPerSuper; ++ib) {
            const BlockFit& f = fits[size_t(ib)];
            pack(ib, f, block_scale_nibble(id, f.scale), b);
        }
    };
    fill_each_block<Block>(src, row, n, importance, fill);
}

}  // namespace

// Block layout (blocks.hpp BlockIq3Xxs): qs[8b + k] = grid index of group k of block b;
// then per block b a u32 at qs[64 + 4b]: 7 sign bits per group of 8 (group g at bit 7g)
// and the 4-bit scale in bits 28-31.
void quantize_row_iq3_xxs(const float* src, uint8_t* row, int64_t n, const float* importance) {
    quantize_iq3_row<BlockIq3Xxs>(
        iq3xxs_variant(), src, row, n, importance,
        [](int ib, const BlockFit& f, uint32_t scale_nibble, BlockIq3Xxs& b) {
            for (int k = 0; k < kGroupsPerBlock; ++k)
                b.qs[8 * ib + k] = uint8_t(f.grid_index[size_t(k)]);
            uint32_t packed = scale_nibble << 28;
            for (int g = 0; g < 4; ++g) packed |= uint32_t(f.signs[size_t(g)]) << (7 * g);
            store_le(b.qs + 64 + 4 * ib, packed);
        });
}

// Block layout (blocks.hpp BlockIq3S): qs[8b + k] = low 8 bits of the grid index of group k
// of block b, bit k of qh[b] its 9th bit; signs[4b + g] one bit per element of group of 8 g;
// scales[b/2] holds block b's 4-bit scale in nibble b%2.
void quantize_row_iq3_s(const float* src, uint8_t* row, int64_t n, const float* importance) {
    quantize_iq3_row<BlockIq3S>(
        iq3s_variant(), src, row, n, importance,
        [](int ib, const BlockFit& f, uint32_t scale_nibble, BlockIq3S& b) {
            for (int k = 0; k < kGroupsPerBlock; ++k) {
                b.qs[8 * ib + k] = uint8_t(f.grid_index[size_t(k)] & 255);
                b.qh[ib] = uint8_t(b.qh[ib] | (f.grid_index[size_t(k)] >> 8) << k);
            }
            for (int g = 0; g < 4; ++g) b.signs[4 * ib + g] = f.signs[size_t(g)];
            b.scales[ib / 2] = uint8_t(b.scales[ib / 2] | scale_nibble << (4 * (ib % 2)));
        });
}

}  // namespace sy::quants
