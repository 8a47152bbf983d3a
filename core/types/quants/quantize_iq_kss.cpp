// Quantizer of IQ4_KSS: IQ4_KS's values and scales in 4.0 bits per weight.
//
// Oracle: ik_llama.cpp iqk_quantize.cpp quantize_row_iq4_kss_impl (:4920) and
// prune_iq4ks (:4890).
//
// A block of 32 is stored as 8 u16 words. Word k holds the 16 bits of four nibbles
// (elements 2k, 2k+16, 2k+1, 2k+17: bytes 2k and 2k+1 of IQ4_KS's nibble layout) in 15
// bits plus one bit of the block's scale byte. 15 bits suffice because every group of four
// nibbles is made to have an even number of set bits ("parity pruning"): when the nearest
// values give odd parity, the one nibble change (to an index at most 2 away whose popcount
// differs by an odd amount) that costs the least weighted squared error is applied. The
// group is stored as its inverse Gray code, whose lowest bit is then always 0, so the
// dequantizer's v ^= v >> 1 on (word & ~1) restores it.
//
// The search mirrors IQ4_KS (quantize_iq_ks.cpp), with parity pruning applied to every
// candidate, and then a final pass that picks the normal or shifted table per block by
// weighted squared error. The row scale is the least-squares optimum times 1.01.
#include <algorithm>
#include <bit>
#include <limits>
#include <vector>

#include "types/quants/blocks.hpp"
#include "types/quants/quantize_iq_ks.hpp"
#include "types/quants/quantize_iq_ks_support.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

using namespace iqks;

constexpr int kGroupsPerBlock = kBlock / 4;

const NearestValueLookup<16>& iq4k_table(bool shifted) {
    static const NearestValueLookup<16> normal(kIq4kValues.data());
    static const NearestValueLookup<16> shifted_table(kIq4kValues.data() + 16);
    return shifted ? shifted_table : normal;
}

// The four elements of group k of a block, in nibble order: 2k, 2k+16, 2k+1, 2k+17.
struct Group {
    float x[4];
    float w[4];
};
Group group_of(const float* xb, const float* w, int k) {
    const int at[4] = {2 * k, 2 * k + 16, 2 * k + 1, 2 * k + 17};
    Group g;
    for (int j = 0; j < 4; ++j) {
        g.x[j] = xb[at[j]];
        g.w[j] = w[at[j]];
    }
    return g;
}

int nibble_of(uint16_t v, int j) { return (v >> 4 * j) & 0xF; }

// Makes the popcount of four nibbles even by changing one nibble. `values` is the table the
// nibbles index, `dl` the scale they are quantized with.
//
// Faithful to the oracle in one quirk: the cost of the CURRENT nibble is computed with the
// normal table (kIq4kValues) even when `values` is the shifted one. Every candidate of a
// nibble shares that term, so it only matters when nibbles compete with each other.
uint16_t prune_to_even_parity(uint16_t v, const int8_t* values, const Group& g, float dl) {
    if (std::popcount(v) % 2 == 0) return v;
    float best_score = std::numeric_limits<float>::max();
    int best_j = -1, best_q = 0;
    for (int j = 0; j < 4; ++j) {
        const int q = nibble_of(v, j);
        const int parity = std::popcount(unsigned(q));
        const float diff0 = fused(dl, float(kIq4kValues[size_t(q)]), -g.x[j]);
        const float cost0 = diff0 * diff0;
        for (int candidate = std::max(q - 2, 0); candidate <= std::min(q + 2, 15); ++candidate) {
            if (candidate == q) continue;
            if (std::abs(std::popcount(unsigned(candidate)) - parity) % 2 == 0) continue;
            const float diff1 = fused(dl, float(values[candidate]), -g.x[j]);
            const float score = g.w[j] * fused(diff1, diff1, -cost0);
            if (score < best_score) {
                best_score = score;
                best_j = j;
                best_q = candidate;
            }
        }
    }
    // Every nibble has a neighbour of the other parity within 2, so only a NaN score (NaN
    // input; ik asserts there) leaves no choice. Flip bit 0 of the first nibble then, so
    // the group still has even parity and stays storable.
    if (best_j < 0) {
        best_j = 0;
        best_q = nibble_of(v, 0) ^ 1;
    }
    v = uint16_t(v & ~(0xF << 4 * best_j));
    return uint16_t(v | best_q << 4 * best_j);
}

// Nearest-value nibbles of a group at inverse scale id (negated for the "minus" sign).
uint16_t nearest_nibbles(const NearestValueLookup<16>& table, const Group& g, float id) {
    uint16_t v = 0;
    for (int j = 0; j < 4; ++j) v = uint16_t(v | table.index(id * g.x[j]) << 4 * j);
    return v;
}

// Pass 1 for one block: IQ4_KS's fan of candidate scales (ntry = 7), pruned to even parity.
// Starts from best = 0 with d = -max/values[0], so a block none of whose candidates has
// positive least-squares merit keeps that first guess.
float search_block_scale(const float* xb, const float* w, float max) {
    constexpr int kNtry = 7;
    float best = 0;
    float d = -max / float(kIq4kValues[0]);
    for (int itry = -kNtry; itry <= kNtry; ++itry) {
        for (const bool shifted : {false, true}) {
            const NearestValueLookup<16>& table = iq4k_table(shifted);
            const float id = float(itry + table.value(0)) / max;
            const float this_d = 1 / id;
            LeastSquares plus, minus;
            for (int k = 0; k < kGroupsPerBlock; ++k) {
                const Group g = group_of(xb, w, k);
                const uint16_t vp = prune_to_even_parity(nearest_nibbles(table, g, id),
                                                         table.values(), g, this_d);
                const uint16_t vm = prune_to_even_parity(nearest_nibbles(table, g, -id),
                                                         table.values(), g, this_d);
                for (int j = 0; j < 4; ++j) {
                    plus.add(g.w[j], float(table.value(nibble_of(vp, j))), g.x[j]);
                    minus.add(g.w[j], float(table.value(nibble_of(vm, j))), g.x[j]);
                }
            }
            for (const LeastSquares* s : {&plus, &minus}) {
                if (!s->beats(best)) continue;
                d = s->sumqx / s->sumq2;
                best = d * s->sumqx;
            }
        }
    }
    return d;
}

// Inverse Gray code: the 16-bit word whose Gray code (x ^ x >> 1) is `v`. For even-parity
// v its lowest bit is 0, which frees bit 0 for the scale bit.
uint16_t inverse_gray(uint16_t v) {
    uint16_t x = v;
    for (int shift = 1; shift < 16; shift <<= 1) x = uint16_t(x ^ (x >> shift));
    return x;
}

// Pass 2 for one block with (odd) multiplier l: both tables at the block's scale dl,
// the one with the smaller weighted squared error wins (the normal one on ties). Writes
// the groups and the least-squares sums; returns whether the shifted table won.
bool encode_block(const float* xb, const float* w, float d, int l, uint16_t groups[8],
                  float& sumqx, float& sumq2) {
    const float dl = d * float(l);
    const float idl = 1 / dl;
    uint16_t normal[kGroupsPerBlock], shifted[kGroupsPerBlock];
    float mse_normal = 0, mse_shifted = 0;
    for (int k = 0; k < kGroupsPerBlock; ++k) {
        const Group g = group_of(xb, w, k);
        // Both tables are indexed from the SAME scaled value here (no sign flip).
        normal[k] = prune_to_even_parity(nearest_nibbles(iq4k_table(false), g, idl),
                                         kIq4kValues.data(), g, dl);
        shifted[k] = prune_to_even_parity(nearest_nibbles(iq4k_table(true), g, idl),
                                          kIq4kValues.data() + 16, g, dl);
        // mse += w*(x - dl*q)*(x - dl*q): x - dl*q is one fma, then (w*e)*e + mse another.
        for (int j = 0; j < 4; ++j) {
            const float qn = float(kIq4kValues[size_t(nibble_of(normal[k], j))]);
            const float en = fused(-dl, qn, g.x[j]);
            mse_normal = fused(g.w[j] * en, en, mse_normal);
            const float qs = float(kIq4kValues[size_t(16 + nibble_of(shifted[k], j))]);
            const float es = fused(-dl, qs, g.x[j]);
            mse_shifted = fused(g.w[j] * es, es, mse_shifted);
        }
    }
    const bool use_shifted = mse_shifted < mse_normal;
    const NearestValueLookup<16>& table = iq4k_table(use_shifted);
    const uint16_t* chosen = use_shifted ? shifted : normal;
    for (int k = 0; k < kGroupsPerBlock; ++k) {
        const Group g = group_of(xb, w, k);
        for (int j = 0; j < 4; ++j) {
            const float q = float(table.value(nibble_of(chosen[k], j)) * l);
            const float wq = g.w[j] * q;
            sumqx = fused(wq, g.x[j], sumqx);
            sumq2 = fused(wq, q, sumq2);
        }
        groups[k] = chosen[k];
    }
    return use_shifted;
}

}  // namespace

void quantize_row_iq4_kss(const float* src, uint8_t* row, int64_t n, const float* importance) {
    std::vector<float> weights(importance ? size_t(n) : 0), scales(size_t(n / kBlock));
    importance = sanitized_importance(src, importance, n, weights.data());
    std::vector<BlockIq4Kss> blocks(size_t(n / kSuperBlock), BlockIq4Kss{});
    const int64_t nblock = n / kSuperBlock;
    float w[kBlock];
    auto block_weights = [&](const float* xb, int64_t at, float sigma2) {
        for (int j = 0; j < kBlock; ++j)
            w[j] = importance ? importance_weight(importance[at + j], sigma2, xb[j])
                              : xb[j] * xb[j];
    };

    store_f32(row, 0.f);
    float amax_scale = 0;
    for (int64_t ibl = 0; ibl < nblock; ++ibl) {
        const float* xbl = src + ibl * kSuperBlock;
        const float sigma2 = sum_of_squares(xbl, kSuperBlock) * (2.f / float(kSuperBlock));
        for (int ib = 0; ib < 8; ++ib) {
            const float* xb = xbl + ib * kBlock;
            const int64_t at = ibl * kSuperBlock + ib * kBlock;
            block_weights(xb, at, sigma2);
            const SignedMax m = signed_max(xb, kBlock);
            float& scale = scales[size_t(at / kBlock)];
            scale = m.abs < 1e-16f ? 0.f : search_block_scale(xb, w, m.value);
            amax_scale = std::max(amax_scale, std::abs(scale));
        }
    }

    const float d = amax_scale / 127;
    store_f32(row, d);
    if (d) {
        const float id = 1 / d;
        float sumqx = 0, sumq2 = 0;
        for (int64_t ibl = 0; ibl < nblock; ++ibl) {
            const float* xbl = src + ibl * kSuperBlock;
            const float sigma2 = sum_of_squares(xbl, kSuperBlock) * (2.f / float(kSuperBlock));
            for (int ib = 0; ib < 8; ++ib) {
                const float* xb = xbl + ib * kBlock;
                const int64_t at = ibl * kSuperBlock + ib * kBlock;
                block_weights(xb, at, sigma2);
                const float scale = scales[size_t(at / kBlock)];
                const int l = nearest_int_of_product(0.5f, fused(id, scale, 127.f));
                // The multiplier 2l - 127 is odd, so never 0: every block is encoded.
                const int multiplier = (std::clamp(l, 0, 127) << 1) - 127;
                uint16_t groups[kGroupsPerBlock];
                int scale_byte = multiplier + 127;
                if (encode_block(xb, w, d, multiplier, groups, sumqx, sumq2)) scale_byte |= 1;
                // Word k: the group's inverse Gray code, with bit k of the scale byte in bit 0.
                uint16_t* words = blocks[ibl].qs + kGroupsPerBlock * ib;
                for (int k = 0; k < kGroupsPerBlock; ++k)
                    words[k] = uint16_t(inverse_gray(groups[k]) | ((scale_byte >> k) & 1));
            }
        }
        if (sumq2 > 0) store_f32(row, sumqx / sumq2 * 1.01f);
    }
    std::memcpy(row + 4, blocks.data(), blocks.size() * sizeof(BlockIq4Kss));
}

}  // namespace sy::quants
