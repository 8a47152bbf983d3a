// Dot products of the K-quants (vec_dot.hpp): Q2_K and Q3_K against Q8_K, Q4_K and Q5_K
// against Q8_1, Q6_K against Q8_0 (the activation types of ik_llama.cpp's CPU kernels:
// iqk_gemm_kquants.cpp iqk_set_kernels_kquants; 32-element activation blocks for the
// types whose scales are per 32 or which have int8 scales).
//
// Oracle for the formulas: ggml-quants.c ggml_vec_dot_q2_K_q8_K .. _q6_K_q8_K (scalar
// paths). Layouts as in k_quants.cpp; element e of a super-block is 128*half + 32*k + l.
#include "types/quants/bit_packing.hpp"
#include "types/quants/vec_dot.hpp"
#include "types/quants/vec_dot_support.hpp"

namespace sy::quants {
namespace {

// Q4_K/Q5_K: the 6-bit scale and minimum of block b (k_quants.cpp explains the packing).
struct ScaleMin {
    int scale;
    int min;
};
inline ScaleMin k4_scale_and_min(const uint8_t (&packed)[12], int b) {
    if (b < 4) return {packed[b] & 63, packed[b + 4] & 63};
    return {(packed[b + 4] & 0xF) | (packed[b - 4] >> 6) << 4,
            (packed[b + 4] >> 4) | (packed[b] >> 6) << 4};
}

// Q3_K: the signed 6-bit scale of sub-block s.
inline int q3k_sub_block_scale(const uint8_t (&packed)[12], int s) {
    const int low = (packed[s % 8] >> (4 * (s / 8))) & 0xF;
    const int high = (packed[8 + s % 4] >> (2 * (s / 4))) & 3;
    return (low | high << 4) - 32;
}

// Q4_K/Q5_K block b against its Q8_1 block: y = (d*scale)*q - dmin*min, so
// sum_j y_j * da*a_j = (d*da) * (scale * sumi) - (dmin*s) * min. Both scale products are of two
// fp16 values, exact in float.
inline float affine_block(float d, float dmin, ScaleMin sm, const int8_t* w, const BlockQ8_1& y) {
    const int32_t sumi = sm.scale * dot_i8(w, y.qs, 32);
    return (d * fp16_to_fp32(y.d)) * float(sumi) - (dmin * fp16_to_fp32(y.s)) * float(sm.min);
}

}  // namespace

// Q2_K: 16 sub-blocks of 16, values 0..3; scales[s] = 4-bit scale (lo) and minimum (hi).
// (d*da) * sum_s scale_s*sumi_s - (dmin*da) * sum_s min_s*bsum_s.
float vec_dot_q2_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ2_K, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockQ2_K& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[16];
            int32_t min_sum = 0;
            for (int e = 0; e < 256; ++e) w[e] = int8_t(low_2_bits(x.qs, e));
            for (int s = 0; s < 16; ++s) {
                scales[s] = x.scales[s] & 0xF;
                min_sum += (x.scales[s] >> 4) * y->bsums[s];
            }
            const int32_t sumi = scaled_group_dots(w, y->qs, scales, 16, 16);
            return (fp16_to_fp32(x.d) * y->d) * float(sumi) -
                   (fp16_to_fp32(x.dmin) * y->d) * float(min_sum);
        });
}

// Q3_K: value = 2 low bits - (hmask bit clear ? 4 : 0), in -4..3; signed 6-bit sub-block
// scales. (d*da) * sum_s scale_s*sumi_s.
float vec_dot_q3_k_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ3_K, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockQ3_K& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[16];
            for (int e = 0; e < 256; ++e)
                w[e] = int8_t(low_2_bits(x.qs, e) - (bit_per_block_of_32(x.hmask, e) ? 0 : 4));
            for (int s = 0; s < 16; ++s) scales[s] = q3k_sub_block_scale(x.scales, s);
            return (fp16_to_fp32(x.d) * y->d) * float(scaled_group_dots(w, y->qs, scales, 16, 16));
        });
}

// Q4_K: block b takes nibble b%2 of qs[32*(b/2) + l].
float vec_dot_q4_k_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ4_K, BlockQ8_1>(
        weight_row, act_row, n, [](const BlockQ4_K& x, const BlockQ8_1* y) {
            const float d = fp16_to_fp32(x.d), dmin = fp16_to_fp32(x.dmin);
            float sum = 0;
            for (int b = 0; b < 8; ++b) {
                int8_t w[32];
                for (int l = 0; l < 32; ++l) w[l] = int8_t(nibble(x.qs[32 * (b / 2) + l], b % 2));
                sum += affine_block(d, dmin, k4_scale_and_min(x.scales, b), w, y[b]);
            }
            return sum;
        });
}

// Q5_K: Q4_K plus a 5th bit, bit b of qh[l].
float vec_dot_q5_k_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ5_K, BlockQ8_1>(
        weight_row, act_row, n, [](const BlockQ5_K& x, const BlockQ8_1* y) {
            const float d = fp16_to_fp32(x.d), dmin = fp16_to_fp32(x.dmin);
            float sum = 0;
            for (int b = 0; b < 8; ++b) {
                int8_t w[32];
                for (int l = 0; l < 32; ++l)
                    w[l] = int8_t(nibble(x.qs[32 * (b / 2) + l], b % 2) | bit(x.qh[l], b) << 4);
                sum += affine_block(d, dmin, k4_scale_and_min(x.scales, b), w, y[b]);
            }
            return sum;
        });
}

// Q6_K: value (4 low bits | 2 high bits << 4) - 32, int8 scales per 16. Block b of 32 covers
// sub-blocks 2b and 2b+1: (d*da_b) * (scale_2b*sumi_2b + scale_2b+1*sumi_2b+1).
float vec_dot_q6_k_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ6_K, BlockQ8_0>(
        weight_row, act_row, n, [](const BlockQ6_K& x, const BlockQ8_0* y) {
            int8_t w[256];
            for (int e = 0; e < 256; ++e) {
                const int half = e / 128, k = (e / 32) % 4, l = e % 32;
                const int low = nibble(x.ql[64 * half + 32 * (k % 2) + l], k / 2);
                const int high = (x.qh[32 * half + l] >> (2 * k)) & 3;
                w[e] = int8_t((low | high << 4) - 32);
            }
            const float d = fp16_to_fp32(x.d);
            float sum = 0;
            for (int b = 0; b < 8; ++b) {
                const int scales[2] = {x.scales[2 * b], x.scales[2 * b + 1]};
                const int32_t sumi = scaled_group_dots(w + 32 * b, y[b].qs, scales, 2, 16);
                sum += (d * act_scale(y[b])) * float(sumi);
            }
            return sum;
        });
}

}  // namespace sy::quants
