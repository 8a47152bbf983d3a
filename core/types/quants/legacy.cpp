// The 32-element block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and IQ4_NL (FORMATS.md §3.2), and
// IQ4_XS, which puts IQ4_NL's values into a 256-element super-block with 6-bit block scales.
//
// Oracle: ik_llama.cpp ggml-quants.c dequantize_row_q4_0 .. _q8_0 (:1581-1710),
// dequantize_row_iq4_nl (:3913), dequantize_row_iq4_xs (:3931).
//
// Packing shared by all 4-bit types here: byte j of the 16 quant bytes holds element j in
// its low nibble and element j+16 in its high nibble.
//
// Q4_1/Q5_1 compute q*d + m. The product of an fp16 scale (11 significant bits) and a
// 4/5-bit quant is exact in float, so whether a compiler fuses the multiply-add or not the
// result has a single rounding: the same bits either way.
#include "types/quants/dequantize.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

constexpr int lo_nibble(uint8_t b) { return b & 0xF; }
constexpr int hi_nibble(uint8_t b) { return b >> 4; }

// The 5th bit of Q5_0/Q5_1 element j (j < 32) is bit j of the little-endian u32 qh.
inline int q5_high_bit(const uint8_t (&qh)[4], int j) { return (qh[j / 8] >> (j % 8)) & 1; }

}  // namespace

void dequantize_row_q4_0(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ4_0>(row, out, n, [](const BlockQ4_0& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int j = 0; j < 16; ++j) {
            y[j] = float(lo_nibble(b.qs[j]) - 8) * d;
            y[j + 16] = float(hi_nibble(b.qs[j]) - 8) * d;
        }
    });
}

void dequantize_row_q4_1(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ4_1>(row, out, n, [](const BlockQ4_1& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        const float m = fp16_to_fp32(b.m);
        for (int j = 0; j < 16; ++j) {
            y[j] = float(lo_nibble(b.qs[j])) * d + m;
            y[j + 16] = float(hi_nibble(b.qs[j])) * d + m;
        }
    });
}

void dequantize_row_q5_0(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ5_0>(row, out, n, [](const BlockQ5_0& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int j = 0; j < 16; ++j) {
            const int q0 = lo_nibble(b.qs[j]) | q5_high_bit(b.qh, j) << 4;
            const int q1 = hi_nibble(b.qs[j]) | q5_high_bit(b.qh, j + 16) << 4;
            y[j] = float(q0 - 16) * d;
            y[j + 16] = float(q1 - 16) * d;
        }
    });
}

// Q6_0: the low nibbles as in Q5_0; the two high bits of elements j and j+16 (j < 16) are a
// 4-bit group of qh[j % 8]: the low group for j < 8, the high group for j >= 8, each holding
// element j's bits in its bits 0-1 and element j+16's in its bits 2-3.
void dequantize_row_q6_0(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ6_0>(row, out, n, [](const BlockQ6_0& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int j = 0; j < 16; ++j) {
            const int high = b.qh[j % 8] >> (4 * (j / 8));
            const int q0 = lo_nibble(b.qs[j]) | (high & 0x3) << 4;
            const int q1 = hi_nibble(b.qs[j]) | (high & 0xC) << 2;
            y[j] = float(q0 - 32) * d;
            y[j + 16] = float(q1 - 32) * d;
        }
    });
}

void dequantize_row_q5_1(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ5_1>(row, out, n, [](const BlockQ5_1& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        const float m = fp16_to_fp32(b.m);
        for (int j = 0; j < 16; ++j) {
            const int q0 = lo_nibble(b.qs[j]) | q5_high_bit(b.qh, j) << 4;
            const int q1 = hi_nibble(b.qs[j]) | q5_high_bit(b.qh, j + 16) << 4;
            y[j] = float(q0) * d + m;
            y[j + 16] = float(q1) * d + m;
        }
    });
}

void dequantize_row_q8_0(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ8_0>(row, out, n, [](const BlockQ8_0& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int j = 0; j < 32; ++j) y[j] = float(b.qs[j]) * d;
    });
}

void dequantize_row_iq4_nl(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq4Nl>(row, out, n, [](const BlockIq4Nl& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int j = 0; j < 16; ++j) {
            // kvalues_iq4nl is the first half of kIq4kValues.
            y[j] = d * float(kIq4kValues[lo_nibble(b.qs[j])]);
            y[j + 16] = d * float(kIq4kValues[hi_nibble(b.qs[j])]);
        }
    });
}

// IQ4_XS: 8 blocks of 32. Block b's 6-bit scale is nibble b%2 of scales_l[b/2] plus bits
// 2b..2b+1 of scales_h on top; its 16 quant bytes are qs[16b .. 16b+15].
void dequantize_row_iq4_xs(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq4Xs>(row, out, n, [](const BlockIq4Xs& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int ib = 0; ib < 8; ++ib) {
            const int low = (b.scales_l[ib / 2] >> (4 * (ib % 2))) & 0xF;
            const int high = (b.scales_h >> (2 * ib)) & 3;
            const float dl = d * float((low | high << 4) - 32);
            const uint8_t* qs = b.qs + 16 * ib;
            for (int j = 0; j < 16; ++j) {
                y[32 * ib + j] = dl * float(kIq4kValues[lo_nibble(qs[j])]);
                y[32 * ib + j + 16] = dl * float(kIq4kValues[hi_nibble(qs[j])]);
            }
        }
    });
}

}  // namespace sy::quants
