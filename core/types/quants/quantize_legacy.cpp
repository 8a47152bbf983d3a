// Quantizers of the 32-element block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL, and the
// symmetric Q4_0 variant ("Q4_X", FORMATS.md §5).
//
// Oracle: ik_llama.cpp ggml-quants.c, the functions llama-quantize reaches through
// ggml_quantize_chunk: quantize_q4_0 .. quantize_q8_0 (:3434-3670) and their _ref and _impl
// helpers (:673-930, :3370-3600), quantize_iq4_nl / quantize_row_iq4_nl_impl (:14783).
//
// Without importance weights Q4_0/Q4_1/Q5_0/Q5_1 take d from the block's extreme value and
// round ("_ref"); with them, a weighted least-squares search per block (quantize_common).
// The importance weight of element j is w_j = imatrix_j * sqrt(sigma2 + x_j^2), where
// sigma2 = mean x^2 over the whole ROW for the Q types and 2 * mean x^2 over the block for
// IQ4_NL. Q8_0 never uses importance (ggml's quantize_q8_0 ignores it).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "types/quants/blocks.hpp"
#include "types/quants/quantize.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int kBlock = 32;

// Writes the blocks of a row: fill(x, block) is called for each 32 floats.
template <typename Block, typename Fill>
void for_each_output_block(const float* src, uint8_t* row, int64_t n, Fill&& fill) {
    for (int64_t i = 0; i < n / kBlock; ++i) {
        Block b{};
        fill(src + i * kBlock, b);
        std::memcpy(row + i * int64_t(sizeof(Block)), &b, sizeof(Block));
    }
}

// The signed value of largest magnitude (the first one, on ties).
float signed_extreme(const float* x) {
    float amax = 0, max = 0;
    for (int j = 0; j < kBlock; ++j) {
        if (amax < std::abs(x[j])) {
            amax = std::abs(x[j]);
            max = x[j];
        }
    }
    return max;
}

// Packs 32 4-bit levels: byte j holds element j (low nibble) and element j+16 (high).
template <typename Level>
void pack_nibbles(const Level* levels, uint8_t* qs) {
    for (int j = 0; j < 16; ++j) qs[j] = uint8_t((levels[j] & 0xF) | (levels[j + 16] & 0xF) << 4);
}

// The 5th bit of each of 32 levels into the little-endian u32 qh (bit j = element j).
template <typename Level>
void pack_fifth_bits(const Level* levels, uint8_t (&qh)[4]) {
    uint32_t bits = 0;
    for (int j = 0; j < kBlock; ++j) bits |= uint32_t((levels[j] >> 4) & 1) << j;
    std::memcpy(qh, &bits, sizeof bits);
}

// The "_ref" rounding of a symmetric block: level = min(top, (int8)(x/d + offset + 0.5)).
void round_symmetric(const float* x, float inverse_d, int offset, int top, uint8_t* levels) {
    for (int j = 0; j < kBlock; ++j) {
        const int l = truncate_to_int(mul_add(x[j], inverse_d, float(offset) + 0.5f));
        levels[j] = uint8_t(std::clamp(l, 0, top));
    }
}

// Per-element importance weights of one block: imatrix * sqrt(sigma2 + x^2).
void block_weights(const float* x, const float* importance, float sigma2, float* w) {
    for (int j = 0; j < kBlock; ++j) w[j] = importance[j] * std::sqrt(mul_add(x[j], x[j], sigma2));
}

float row_mean_square(const float* x, int64_t n) { return sum_of_squares(x, n) / float(n); }

// Q4_0 / Q5_0 without importance: d = (signed extreme) / -2^(bits-1), so the extreme maps
// to level 0 and the grid is [-2^(bits-1), 2^(bits-1) - 1].
template <typename Block, int kBits>
void quantize_symmetric_ref(const float* x, Block& b, uint8_t* levels) {
    constexpr int kHalf = 1 << (kBits - 1);
    const float d = signed_extreme(x) / float(-kHalf);
    const float inverse_d = d != 0 ? 1.0f / d : 0.0f;
    b.d = fp32_to_fp16(d);
    round_symmetric(x, inverse_d, kHalf, 2 * kHalf - 1, levels);
}

// Q4_1 / Q5_1 without importance: d = (max - min) / (2^bits - 1), m = min.
template <typename Block, int kBits>
void quantize_affine_ref(const float* x, Block& b, uint8_t* levels) {
    constexpr int kTop = (1 << kBits) - 1;
    float min = std::numeric_limits<float>::max(), max = -std::numeric_limits<float>::max();
    for (int j = 0; j < kBlock; ++j) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / float(kTop);
    const float inverse_d = d != 0 ? 1.0f / d : 0.0f;
    b.d = fp32_to_fp16(d);
    b.m = fp32_to_fp16(min);
    for (int j = 0; j < kBlock; ++j) {
        const int l = truncate_to_int(mul_add(x[j] - min, inverse_d, 0.5f));
        levels[j] = uint8_t(std::clamp(l, 0, kTop));
    }
}

}  // namespace

void quantize_row_q4_0(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const float sigma2 = importance ? row_mean_square(src, n) : 0.f;
    for_each_output_block<BlockQ4_0>(src, row, n, [&](const float* x, BlockQ4_0& b) {
        if (!importance) {
            uint8_t levels[kBlock];
            quantize_symmetric_ref<BlockQ4_0, 4>(x, b, levels);
            pack_nibbles(levels, b.qs);
            return;
        }
        float w[kBlock];
        int8_t levels[kBlock];
        block_weights(x, importance + (x - src), sigma2, w);
        b.d = fp32_to_fp16(fit_symmetric_grid(kBlock, 8, x, w, levels));
        pack_nibbles(levels, b.qs);
    });
}

void quantize_row_q4_0_symmetric(const float* src, uint8_t* row, int64_t n,
                                 const float* /*importance*/) {
    for_each_output_block<BlockQ4_0>(src, row, n, [](const float* x, BlockQ4_0& b) {
        float amax = 0;
        for (int j = 0; j < kBlock; ++j) amax = std::max(amax, std::abs(x[j]));
        // d > 0 and 7 (not 8) steps: the extreme maps to level 1 or 15, never 0, so the
        // block uses the 15 symmetric levels [-7, 7] of an INT4 QAT checkpoint.
        const float d = amax / 7;
        const float inverse_d = d != 0 ? 1.0f / d : 0.0f;
        b.d = fp32_to_fp16(d);
        uint8_t levels[kBlock];
        round_symmetric(x, inverse_d, 8, 15, levels);
        pack_nibbles(levels, b.qs);
    });
}

void quantize_row_q5_0(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const float sigma2 = importance ? row_mean_square(src, n) : 0.f;
    for_each_output_block<BlockQ5_0>(src, row, n, [&](const float* x, BlockQ5_0& b) {
        if (!importance) {
            uint8_t levels[kBlock];
            quantize_symmetric_ref<BlockQ5_0, 5>(x, b, levels);
            pack_nibbles(levels, b.qs);
            pack_fifth_bits(levels, b.qh);
            return;
        }
        float w[kBlock];
        int8_t levels[kBlock];
        block_weights(x, importance + (x - src), sigma2, w);
        b.d = fp32_to_fp16(fit_symmetric_grid(kBlock, 16, x, w, levels));
        pack_nibbles(levels, b.qs);
        pack_fifth_bits(levels, b.qh);
    });
}

void quantize_row_q6_0(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const float sigma2 = importance ? row_mean_square(src, n) : 0.f;
    for_each_output_block<BlockQ6_0>(src, row, n, [&](const float* x, BlockQ6_0& b) {
        float w[kBlock];
        int8_t levels[kBlock];  // 0..63
        if (importance) {
            block_weights(x, importance + (x - src), sigma2, w);
        } else {
            for (int j = 0; j < kBlock; ++j) w[j] = x[j] * x[j];
        }
        b.d = fp32_to_fp16(fit_symmetric_grid(kBlock, 32, x, w, levels));
        pack_nibbles(levels, b.qs);
        std::memset(b.qh, 0, sizeof b.qh);
        for (int j = 0; j < 16; ++j) {
            const int high = (levels[j] >> 4 & 0x3) | (levels[j + 16] >> 4 & 0x3) << 2;
            b.qh[j % 8] = uint8_t(b.qh[j % 8] | high << (4 * (j / 8)));
        }
    });
}

// The affine search of Q4_1/Q5_1 with importance: ggml's make_qkx3_quants parameters.
constexpr AffineSearch kLegacyAffineSearch{-0.9f, 0.05f, 36};

void quantize_row_q4_1(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const float sigma2 = importance ? row_mean_square(src, n) : 0.f;
    for_each_output_block<BlockQ4_1>(src, row, n, [&](const float* x, BlockQ4_1& b) {
        uint8_t levels[kBlock];
        if (!importance) {
            quantize_affine_ref<BlockQ4_1, 4>(x, b, levels);
        } else {
            float w[kBlock], neg_min;
            uint8_t scratch[kBlock];
            block_weights(x, importance + (x - src), sigma2, w);
            b.d = fp32_to_fp16(
                fit_affine_grid(kBlock, 15, x, w, levels, &neg_min, kLegacyAffineSearch, scratch));
            b.m = fp32_to_fp16(-neg_min);
        }
        pack_nibbles(levels, b.qs);
    });
}

void quantize_row_q5_1(const float* src, uint8_t* row, int64_t n, const float* importance) {
    const float sigma2 = importance ? row_mean_square(src, n) : 0.f;
    for_each_output_block<BlockQ5_1>(src, row, n, [&](const float* x, BlockQ5_1& b) {
        uint8_t levels[kBlock];
        if (!importance) {
            quantize_affine_ref<BlockQ5_1, 5>(x, b, levels);
        } else {
            float w[kBlock], neg_min;
            uint8_t scratch[kBlock];
            block_weights(x, importance + (x - src), sigma2, w);
            b.d = fp32_to_fp16(
                fit_affine_grid(kBlock, 31, x, w, levels, &neg_min, kLegacyAffineSearch, scratch));
            b.m = fp32_to_fp16(-neg_min);
        }
        pack_nibbles(levels, b.qs);
        pack_fifth_bits(levels, b.qh);
    });
}

// IQ4_NL: one fp16 scale per block and the 16 non-linear values kvalues_iq4nl (the first
// half of kIq4kValues). Search over 15 inverse scales around -values[0]/max and
// values[15]/max, then greedy single-level moves while the weighted fit improves.
// Without importance the weights are x^2.
void quantize_row_iq4_nl(const float* src, uint8_t* row, int64_t n, const float* importance) {
    for_each_output_block<BlockIq4Nl>(src, row, n, [&](const float* x, BlockIq4Nl& b) {
        // sigma2 over the block, not the row (unlike the Q types).
        const float sigma2 = sum_of_squares(x, kBlock) * (2.f / kBlock);
        float w[kBlock];
        if (importance) {
            block_weights(x, importance + (x - src), sigma2, w);
        } else {
            for (int j = 0; j < kBlock; ++j) w[j] = x[j] * x[j];
        }
        uint8_t levels[kBlock];
        const float d = fit_iq4nl_block(x, w, levels);
        b.d = fp32_to_fp16(d);
        // The oracle re-rounds every element against the final scale.
        const NearestValueIndex& nearest = iq4nl_nearest();
        const float inverse_d = d != 0 ? 1 / d : 0.f;
        for (int j = 0; j < kBlock; ++j)
            levels[j] = uint8_t(nearest(kIq4kValues.data(), inverse_d * x[j]));
        pack_nibbles(levels, b.qs);
    });
}

void quantize_row_q8_0(const float* src, uint8_t* row, int64_t n, const float* /*importance*/) {
    for_each_output_block<BlockQ8_0>(src, row, n, [](const float* x, BlockQ8_0& b) {
        float amax = 0;
        for (int j = 0; j < kBlock; ++j) amax = std::max(amax, std::abs(x[j]));
        const float d = amax / 127;
        const float inverse_d = d != 0 ? 1.0f / d : 0.0f;
        b.d = fp32_to_fp16(d);
        for (int j = 0; j < kBlock; ++j) {
            const float v = std::round(x[j] * inverse_d);  // half away from zero, as roundf
            b.qs[j] = int8_t(v == v ? std::clamp(v, -128.f, 127.f) : 0.f);
        }
    });
}

}  // namespace sy::quants
