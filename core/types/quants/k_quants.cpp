// K-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K: 256-element super-blocks with an fp16 scale `d`
// (and `dmin` for the types with minimums) and small integer scales per 16 or 32 elements.
//
// Oracle: ik_llama.cpp ggml-quants.c dequantize_row_q2_K (:2162), _q3_K (:2563),
// _q4_K (:2797), _q5_K (:3015), _q6_K (:3231).
//
// Element e of a super-block is written e = 128*half + 32*k + l below (half < 2, k < 4,
// l < 32); Q2_K and Q3_K use the low-2-bit packing of bit_packing.hpp.
//
// Q2_K/Q4_K/Q5_K compute (d*scale)*q - dmin*min. d*scale (fp16 times a 4- or 6-bit
// integer) and then *q (2 to 5 bits) stay exact in float, as does dmin*min, so the one
// rounding is the subtraction, whether or not a compiler fuses it with the multiply.
#include "types/quants/bit_packing.hpp"
#include "types/quants/dequantize.hpp"
#include "types/quants/row_walk.hpp"

namespace sy::quants {
namespace {

// Q4_K/Q5_K: 8 blocks of 32, each with a 6-bit scale and a 6-bit minimum, packed in 12
// bytes: blocks 0-3 keep them in the low 6 bits of bytes 0-3 (scale) and 4-7 (min);
// blocks 4-7 keep their low 4 bits in the nibbles of bytes 8-11 and their top 2 bits in
// the spare top bits of bytes 0-7.
struct ScaleMin {
    int scale;
    int min;
};
inline ScaleMin k4_scale_min(const uint8_t (&packed)[12], int block) {
    if (block < 4) return {packed[block] & 63, packed[block + 4] & 63};
    return {(packed[block + 4] & 0xF) | (packed[block - 4] >> 6) << 4,
            (packed[block + 4] >> 4) | (packed[block] >> 6) << 4};
}

// Q3_K: 16 signed 6-bit scales (stored +32) packed in 12 bytes: the low 4 bits of scale s
// are nibble s/8 of byte s%8; its top 2 bits are bits 2*(s/4).. of byte 8 + s%4.
inline int q3k_scale(const uint8_t (&packed)[12], int s) {
    const int low = (packed[s % 8] >> (4 * (s / 8))) & 0xF;
    const int high = (packed[8 + s % 4] >> (2 * (s / 4))) & 3;
    return (low | high << 4) - 32;
}

}  // namespace

// Q2_K: 16 sub-blocks of 16; scales[s] holds the 4-bit scale (lo) and 4-bit minimum (hi) of
// sub-block s. y = (d*scale)*q - dmin*min.
void dequantize_row_q2_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ2_K>(row, out, n, [](const BlockQ2_K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        const float dmin = fp16_to_fp32(b.dmin);
        for (int s = 0; s < 16; ++s) {
            const float dl = d * float(b.scales[s] & 0xF);
            const float ml = dmin * float(b.scales[s] >> 4);
            for (int e = 16 * s; e < 16 * s + 16; ++e)
                y[e] = dl * float(low_2_bits(b.qs, e)) - ml;
        }
    });
}

// Q3_K: 2 low bits as Q2_K, plus bit e/32 of hmask[e%32]; the value is q-4 when that bit
// is clear. y = (d*scale[e/16]) * value.
void dequantize_row_q3_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ3_K>(row, out, n, [](const BlockQ3_K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int s = 0; s < 16; ++s) {
            const float dl = d * float(q3k_scale(b.scales, s));
            for (int e = 16 * s; e < 16 * s + 16; ++e) {
                const bool high = bit_per_block_of_32(b.hmask, e);
                y[e] = dl * float(low_2_bits(b.qs, e) - (high ? 0 : 4));
            }
        }
    });
}

// Q4_K: block b (32 elements) uses nibble b%2 of qs[32*(b/2) + l].
// y = (d*scale)*q - dmin*min.
void dequantize_row_q4_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ4_K>(row, out, n, [](const BlockQ4_K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        const float dmin = fp16_to_fp32(b.dmin);
        for (int ib = 0; ib < 8; ++ib) {
            const ScaleMin sm = k4_scale_min(b.scales, ib);
            const float dl = d * float(sm.scale);
            const float ml = dmin * float(sm.min);
            const uint8_t* qs = b.qs + 32 * (ib / 2);
            for (int l = 0; l < 32; ++l) {
                const int q = nibble(qs[l], ib % 2);
                y[32 * ib + l] = dl * float(q) - ml;
            }
        }
    });
}

// Q5_K: Q4_K plus a 5th bit, bit b of qh[l] for element 32b + l.
void dequantize_row_q5_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ5_K>(row, out, n, [](const BlockQ5_K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        const float dmin = fp16_to_fp32(b.dmin);
        for (int ib = 0; ib < 8; ++ib) {
            const ScaleMin sm = k4_scale_min(b.scales, ib);
            const float dl = d * float(sm.scale);
            const float ml = dmin * float(sm.min);
            const uint8_t* qs = b.qs + 32 * (ib / 2);
            for (int l = 0; l < 32; ++l) {
                const int q = nibble(qs[l], ib % 2) | bit(b.qh[l], ib) << 4;
                y[32 * ib + l] = dl * float(q) - ml;
            }
        }
    });
}

// Q6_K: element e = 128*half + 32*k + l takes nibble k/2 of ql[64*half + 32*(k%2) + l] and
// bits 2k..2k+1 of qh[32*half + l]; value q-32. y = (d*scales[e/16]) * (q-32), in that order.
void dequantize_row_q6_k(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockQ6_K>(row, out, n, [](const BlockQ6_K& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int e = 0; e < 256; ++e) {
            const int half = e / 128, k = (e / 32) % 4, l = e % 32;
            const int low = (b.ql[64 * half + 32 * (k % 2) + l] >> (4 * (k / 2))) & 0xF;
            const int high = (b.qh[32 * half + l] >> (2 * k)) & 3;
            y[e] = d * float(b.scales[e / 16]) * float((low | high << 4) - 32);
        }
    });
}

}  // namespace sy::quants
