// Quantizers and dequantizers of the activation formats Q8_1 and Q8_K (activation.hpp).
//
// Oracle: ik_llama.cpp ggml-quants.c quantize_row_q8_1_ref (:1218), quantize_row_q8_K_ref
// (:3956), dequantize_row_q8_K (:3994). Q8_0 is quantize_row_q8_0 (quantize_legacy.cpp), the
// oracle's quantize_row_q8_0_ref.
#include "types/quants/activation.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "types/quants/fp16.hpp"
#include "types/quants/quantize_common.hpp"
#include "types/quants/row_walk.hpp"

namespace sy::quants {
namespace {

// round-half-away-from-zero of a value already within [-127, 127] (C's roundf), saturating
// instead of undefined for NaN or out-of-range inputs.
int8_t round_to_int8(float v) {
    const float r = std::round(v);
    return int8_t(r == r ? std::clamp(r, -128.f, 127.f) : 0.f);
}

template <typename Block, typename Fill>
void write_blocks(const float* src, uint8_t* row, int64_t n, Fill&& fill) {
    assert(n % Block::kElems == 0);
    for (int64_t i = 0; i < n / Block::kElems; ++i) {
        Block b{};
        fill(src + i * Block::kElems, b);
        std::memcpy(row + i * int64_t(sizeof(Block)), &b, sizeof(Block));
    }
}

}  // namespace

void quantize_row_q8_1(const float* src, uint8_t* row, int64_t n, const float* /*importance*/) {
    write_blocks<BlockQ8_1>(src, row, n, [](const float* x, BlockQ8_1& b) {
        float amax = 0;
        for (int j = 0; j < 32; ++j) amax = std::max(amax, std::abs(x[j]));
        const float d = amax / 127;
        const float inverse_d = d != 0 ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < 32; ++j) {
            b.qs[j] = round_to_int8(x[j] * inverse_d);
            sum += b.qs[j];
        }
        b.d = fp32_to_fp16(d);
        b.s = fp32_to_fp16(float(sum) * d);  // the float d, not its fp16 rounding
    });
}

void dequantize_row_q8_1(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ8_1>(row, out, n, [](const BlockQ8_1& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int j = 0; j < 32; ++j) y[j] = float(b.qs[j]) * d;
    });
}

void quantize_row_q8_k(const float* src, uint8_t* row, int64_t n, const float* /*importance*/) {
    write_blocks<BlockQ8_K>(src, row, n, [](const float* x, BlockQ8_K& b) {
        float amax = 0, max = 0;
        for (int j = 0; j < 256; ++j) {
            if (std::abs(x[j]) > amax) {
                amax = std::abs(x[j]);
                max = x[j];
            }
        }
        if (amax == 0) return;  // b is all zeros: d = 0, sum = 0
        // -127, not -128: every quant stays in [-127, 127], so SIMD kernels may take |q| and
        // move signs between operands (sign_epi8-style) without overflowing int8.
        const float iscale = -127.f / max;
        int total = 0;
        for (int k = 0; k < 16; ++k) {
            int group_sum = 0;
            for (int j = 16 * k; j < 16 * k + 16; ++j) {
                b.qs[j] = int8_t(std::clamp(nearest_int_of_product(iscale, x[j]), -128, 127));
                group_sum += b.qs[j];
            }
            b.bsums[k] = int16_t(group_sum);
            total += group_sum;
        }
        b.d = 1 / iscale;
        b.sum = b.d * float(total);
    });
}

void dequantize_row_q8_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ8_K>(row, out, n, [](const BlockQ8_K& b, float* y) {
        for (int j = 0; j < 256; ++j) y[j] = b.d * float(b.qs[j]);
    });
}

}  // namespace sy::quants
