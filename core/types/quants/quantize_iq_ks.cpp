// Quantizers of IQ4_KS, IQ5_KS (f32 row scale) and IQ3_KS (fp16 row scale).
//
// Oracle: ik_llama.cpp iqk_quantize.cpp, quantize_row_iq4_k_impl_bs128 (:4369, IQ4_KS),
// quantize_row_iq5_ks_impl (:4621), quantize_row_iq3_ks_impl (:2588). All three work the
// same way, in two passes over the row:
//   1. per 32-block, a weighted least-squares search for the best block scale over a fan of
//      candidate inverse scales, each tried with both signs and with the normal and the
//      shifted value table (the winning table is remembered in a flag bit);
//   2. the row scale is fixed from the largest block scale, each block scale is rounded to
//      its small integer, the elements are re-quantized with it, and the row scale is
//      replaced by the least-squares optimum over the whole row.
// Float operations follow the oracle's order and fusion (quantize_iq_ks_support.hpp).
#include <algorithm>
#include <cmath>
#include <vector>

#include "types/quants/blocks.hpp"
#include "types/quants/quantize_iq_ks.hpp"
#include "types/quants/quantize_iq_ks_support.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {

namespace iqks {

float sum_of_squares(const float* x, int64_t n) {
    float sum = 0;
    for (int64_t j = 0; j < n; ++j) sum += x[j] * x[j];
    return sum;
}

const float* sanitized_importance(const float* x, const float* importance, int64_t n,
                                  float* out) {
    if (!importance) return nullptr;
    constexpr float kEps = 1e-9f;
    constexpr float kEps2 = kEps * kEps;
    const float threshold = float(kBlock) * kEps2;
    for (int64_t b = 0; b < n; b += kBlock) {
        float sumw2 = 0, sumx2 = 0, sumwx = 0;  // a vectorized loop in the oracle: not fused
        for (int j = 0; j < kBlock; ++j) {
            const float w = importance[b + j], v = x[b + j];
            out[b + j] = w;
            sumw2 += w * w;
            sumx2 += v * v;
            sumwx += w * std::abs(v);
        }
        if (sumw2 > threshold && sumx2 > threshold && sumwx > threshold) continue;
        for (int j = 0; j < kBlock; ++j) out[b + j] = kEps;
    }
    return out;
}

}  // namespace iqks

namespace {

using namespace iqks;

// sigma2 of these three types: 2 * mean(x²) over the 256-element super-block.
float sigma2_of(const float* super_block) {
    return sum_of_squares(super_block, kSuperBlock) * (2.f / float(kSuperBlock));
}

// Error weights of one 32-block: importance * sqrt(sigma2 + x²), or x² without an imatrix.
void block_weights(const float* x, const float* importance, float sigma2, float* w) {
    for (int j = 0; j < kBlock; ++j)
        w[j] = importance ? importance_weight(importance[j], sigma2, x[j]) : x[j] * x[j];
}

// The candidate quantizations of one block for inverse scale `id` and one value table:
// each element to its nearest value at +id ("plus") and at -id ("minus").
template <int N>
void both_signs(const float* x, const float* w, float id, const NearestValueLookup<N>& table,
                LeastSquares& plus, LeastSquares& minus) {
    plus = minus = LeastSquares{};
    for (int j = 0; j < kBlock; ++j) {
        const float al = id * x[j];
        plus.add(w[j], float(table.value(table.index(al))), x[j]);
        minus.add(w[j], float(table.value(table.index(-al))), x[j]);
    }
}

struct BlockScale {
    float d = 0;
    bool shifted = false;
};

// How the first guess (d = -max/values[0]) is accepted: IQ4_KS and IQ5_KS take its
// "plus" least-squares scale unconditionally, IQ3_KS only when sumq2 > 0.
enum class FirstGuess { Unconditional, WhenPositive };

// Pass 1 for one block: the first guess, then inverse scales (itry + values[0]) / max for
// itry in [-ntry, ntry], normal table before shifted, plus before minus; a candidate wins
// only when strictly better, so the earliest of equal candidates stays.
template <int N>
BlockScale search_block_scale(const float* x, const float* w, float max,
                              const NearestValueLookup<N>& normal,
                              const NearestValueLookup<N>& shifted, int ntry, FirstGuess rule) {
    LeastSquares plus, minus;
    float d = -max / float(normal.value(0));
    both_signs(x, w, 1 / d, normal, plus, minus);
    float best = 0;
    if (rule == FirstGuess::Unconditional || plus.sumq2 > 0) {
        d = plus.sumqx / plus.sumq2;
        best = d * plus.sumqx;
    }
    if (minus.beats(best)) {
        d = minus.sumqx / minus.sumq2;
        best = d * minus.sumqx;
    }
    bool is_shifted = false;
    auto take_if_better = [&](const LeastSquares& s, bool from_shifted) {
        if (!s.beats(best)) return;
        d = s.sumqx / s.sumq2;
        best = d * s.sumqx;
        is_shifted = from_shifted;
    };
    for (int itry = -ntry; itry <= ntry; ++itry) {
        both_signs(x, w, float(itry + normal.value(0)) / max, normal, plus, minus);
        take_if_better(plus, false);
        take_if_better(minus, false);
        both_signs(x, w, float(itry + shifted.value(0)) / max, shifted, plus, minus);
        take_if_better(plus, true);
        take_if_better(minus, true);
    }
    return {d, is_shifted};
}

// ---- IQ4_KS and IQ5_KS: f32 row header, scale byte = (odd multiplier + 127) | shifted ----

// The scale byte's upper 7 bits: l in [0, 127] with multiplier 2l - 127 nearest to
// block_scale / row_scale. The oracle rounds 0.5*(id*scale + 127).
int odd_multiplier_bits(float inverse_row_scale, float block_scale) {
    const int l = nearest_int_of_product(0.5f, fused(inverse_row_scale, block_scale, 127.f));
    return std::clamp(l, 0, 127) << 1;
}

const NearestValueLookup<16>& iq4k_table(bool shifted) {
    static const NearestValueLookup<16> normal(kIq4kValues.data());
    static const NearestValueLookup<16> shifted_table(kIq4kValues.data() + 16);
    return shifted ? shifted_table : normal;
}

const NearestValueLookup<32>& iq5nl_table(bool shifted) {
    static const NearestValueLookup<32> normal(kIq5nlValues.data());
    static const NearestValueLookup<32> shifted_table(kIq5nlValues.data() + 32);
    return shifted ? shifted_table : normal;
}

// Pass 1 of the f32-header types: block scales and flags. Returns the largest |scale|.
template <typename Block, int N>
float search_row_scales(const float* src, const float* importance, int64_t n, Block* blocks,
                        const NearestValueLookup<N>& (*table)(bool), int ntry,
                        std::vector<float>& scales) {
    float amax_scale = 0;
    float w[kBlock];
    for (int64_t ibl = 0; ibl < n / kSuperBlock; ++ibl) {
        const float* xbl = src + ibl * kSuperBlock;
        const float sigma2 = sigma2_of(xbl);
        for (int ib = 0; ib < kSuperBlock / kBlock; ++ib) {
            const float* xb = xbl + ib * kBlock;
            const int64_t at = ibl * kSuperBlock + ib * kBlock;
            block_weights(xb, importance ? importance + at : nullptr, sigma2, w);
            const SignedMax m = signed_max(xb, kBlock);
            float& scale = scales[size_t(at / kBlock)];
            if (m.abs < 1e-16f) {
                scale = 0;
                continue;
            }
            const BlockScale s = search_block_scale(xb, w, m.value, table(false), table(true),
                                                    ntry, FirstGuess::Unconditional);
            if (s.shifted) blocks[ibl].scales[ib] = 0x01;
            scale = s.d;
            amax_scale = std::max(amax_scale, std::abs(s.d));
        }
    }
    return amax_scale;
}

// Pass 2 of IQ4_KS and IQ5_KS. `encode_block` quantizes one block with block multiplier l
// and adds its least-squares sums (the types differ in packing and in how the sums fuse).
template <typename Block, typename EncodeBlock>
void finish_f32_header_row(const float* src, const float* importance, int64_t n,
                           uint8_t* row, Block* blocks, float amax_scale,
                           const std::vector<float>& scales, EncodeBlock&& encode_block) {
    const float d = amax_scale / 127;
    store_f32(row, d);
    if (!d) return;
    const float id = 1 / d;
    float sumqx = 0, sumq2 = 0;
    float w[kBlock];
    for (int64_t ibl = 0; ibl < n / kSuperBlock; ++ibl) {
        const float* xbl = src + ibl * kSuperBlock;
        const float sigma2 = sigma2_of(xbl);
        for (int ib = 0; ib < kSuperBlock / kBlock; ++ib) {
            const int64_t at = ibl * kSuperBlock + ib * kBlock;
            const int bits = odd_multiplier_bits(id, scales[size_t(at / kBlock)]);
            set_bits(blocks[ibl].scales[ib], bits);
            const int l = bits - 127;
            const float dl = d * float(l);
            const float idl = dl ? 1 / dl : 0.f;
            const float* xb = xbl + ib * kBlock;
            block_weights(xb, importance ? importance + at : nullptr, sigma2, w);
            const bool shifted = blocks[ibl].scales[ib] & 1;
            encode_block(blocks[ibl], ib, xb, w, l, idl, shifted, sumqx, sumq2);
        }
    }
    if (sumq2 > 0) store_f32(row, sumqx / sumq2);
}

}  // namespace

void quantize_row_iq4_ks(const float* src, uint8_t* row, int64_t n, const float* importance) {
    std::vector<float> weights(importance ? size_t(n) : 0), scales(size_t(n / kBlock));
    importance = sanitized_importance(src, importance, n, weights.data());
    std::vector<BlockIq4Ks> blocks(size_t(n / kSuperBlock), BlockIq4Ks{});
    const float amax_scale =
        search_row_scales(src, importance, n, blocks.data(), iq4k_table, 7, scales);
    // Elements j and j+16 share a byte, and the oracle sums them as one expression:
    // sumqx += w1*q1*x1 + w2*q2*x2, which its compiler fuses as fma(w1*q1, x1, w2*q2*x2).
    auto encode = [](BlockIq4Ks& b, int ib, const float* xb, const float* w, int l, float idl,
                     bool shifted, float& sumqx, float& sumq2) {
        const NearestValueLookup<16>& table = iq4k_table(shifted);
        for (int j = 0; j < kBlock / 2; ++j) {
            const int i1 = table.index(idl * xb[j]);
            const int i2 = table.index(idl * xb[j + 16]);
            b.qs[16 * ib + j] = uint8_t(i1 | i2 << 4);
            const float q1 = float(table.value(i1) * l), q2 = float(table.value(i2) * l);
            const float wq1 = w[j] * q1, wq2 = w[j + 16] * q2;
            sumqx += fused(wq1, xb[j], wq2 * xb[j + 16]);
            sumq2 += fused(wq1, q1, wq2 * q2);
        }
    };
    finish_f32_header_row(src, importance, n, row, blocks.data(), amax_scale, scales, encode);
    std::memcpy(row + 4, blocks.data(), blocks.size() * sizeof(BlockIq4Ks));
}

void quantize_row_iq5_ks(const float* src, uint8_t* row, int64_t n, const float* importance) {
    std::vector<float> weights(importance ? size_t(n) : 0), scales(size_t(n / kBlock));
    importance = sanitized_importance(src, importance, n, weights.data());
    std::vector<BlockIq5Ks> blocks(size_t(n / kSuperBlock), BlockIq5Ks{});
    store_f32(row, 0.f);
    const float amax_scale =
        search_row_scales(src, importance, n, blocks.data(), iq5nl_table, 5, scales);
    // 5-bit index: low 4 bits by 64-chunk (block pairs share bytes), 5th bit in qh.
    auto encode = [](BlockIq5Ks& b, int ib, const float* xb, const float* w, int l, float idl,
                     bool shifted, float& sumqx, float& sumq2) {
        const NearestValueLookup<32>& table = iq5nl_table(shifted);
        LeastSquares sums{sumqx, sumq2};
        for (int j = 0; j < kBlock; ++j) {
            const int idx = table.index(idl * xb[j]);
            set_bits(b.qs[32 * (ib / 2) + j], (idx & 0xF) << 4 * (ib % 2));
            set_bits(b.qh[j], (idx >> 4) << ib);
            sums.add(w[j], float(table.value(idx) * l), xb[j]);
        }
        sumqx = sums.sumqx;
        sumq2 = sums.sumq2;
    };
    finish_f32_header_row(src, importance, n, row, blocks.data(), amax_scale, scales, encode);
    std::memcpy(row + 4, blocks.data(), blocks.size() * sizeof(BlockIq5Ks));
}

// IQ3_KS: the block scale with the largest magnitude (its sign included) sets the row
// scale d = -max_scale/16, so that block gets the integer scale -16 (5-bit signed, stored
// +16: low nibble in scales[], bit 4 in extra bits 0-7); extra bits 8-15 flag the shifted
// table. The header is fp16.
void quantize_row_iq3_ks(const float* src, uint8_t* row, int64_t n, const float* importance) {
    static const NearestValueLookup<8> normal(kIq3nlValues.data());
    static const NearestValueLookup<8> shifted(kIq3nlValues.data() + 8);
    std::vector<float> weights(importance ? size_t(n) : 0), scales(size_t(n / kBlock));
    importance = sanitized_importance(src, importance, n, weights.data());
    std::vector<BlockIq3Ks> blocks(size_t(n / kSuperBlock), BlockIq3Ks{});
    const int64_t nblock = n / kSuperBlock;
    float w[kBlock];

    float amax_scale = 0, max_scale = 0;
    for (int64_t ibl = 0; ibl < nblock; ++ibl) {
        const float* xbl = src + ibl * kSuperBlock;
        const float sigma2 = sigma2_of(xbl);
        for (int ib = 0; ib < 8; ++ib) {
            const float* xb = xbl + ib * kBlock;
            const int64_t at = ibl * kSuperBlock + ib * kBlock;
            block_weights(xb, importance ? importance + at : nullptr, sigma2, w);
            const SignedMax m = signed_max(xb, kBlock);
            float& scale = scales[size_t(at / kBlock)];
            if (m.abs < 1e-16f) {
                scale = 0;
                continue;
            }
            const BlockScale s =
                search_block_scale(xb, w, m.value, normal, shifted, 5, FirstGuess::WhenPositive);
            if (s.shifted) set_bits(blocks[ibl].extra, 1 << (8 + ib));
            scale = s.d;
            if (std::abs(s.d) > amax_scale) {
                amax_scale = std::abs(s.d);
                max_scale = s.d;
            }
        }
    }

    const float d = -max_scale / 16;
    store_u16(row, fp32_to_fp16(d));
    if (d) {
        const float id = 1 / d;
        LeastSquares sums;
        for (int64_t ibl = 0; ibl < nblock; ++ibl) {
            BlockIq3Ks& b = blocks[ibl];
            const float* xbl = src + ibl * kSuperBlock;
            const float sigma2 = sigma2_of(xbl);
            for (int ib = 0; ib < 8; ++ib) {
                const NearestValueLookup<8>& table = (b.extra >> (8 + ib)) & 1 ? shifted : normal;
                const int64_t at = ibl * kSuperBlock + ib * kBlock;
                const float scale = scales[size_t(at / kBlock)];
                const int l = std::clamp(nearest_int_of_product(id, scale), -16, 15);
                const int stored = l + 16;
                set_bits(b.scales[ib % 4], (stored & 0xF) << 4 * (ib / 4));
                set_bits(b.extra, (stored >> 4) << ib);
                const float dl = d * float(l);
                const float idl = dl ? 1 / dl : 0.f;
                const float* xb = xbl + ib * kBlock;
                block_weights(xb, importance ? importance + at : nullptr, sigma2, w);
                for (int j = 0; j < kBlock; ++j) {
                    const int i = table.index(idl * xb[j]);
                    set_bits(b.qs[32 * (ib / 4) + j], (i & 3) << 2 * (ib % 4));
                    set_bits(b.qh[j], (i >> 2) << ib);
                    sums.add(w[j], float(table.value(i) * l), xb[j]);
                }
            }
        }
        if (sums.sumq2 > 0) store_u16(row, fp32_to_fp16(sums.sumqx / sums.sumq2));
    }
    std::memcpy(row + 2, blocks.data(), blocks.size() * sizeof(BlockIq3Ks));
}

}  // namespace sy::quants
