// Dot products of the 32-element block types Q4_0, Q4_1, Q5_0, Q5_1, Q6_0, Q8_0, IQ4_NL against
// Q8_0/Q8_1 activations, and of IQ4_XS against Q8_K (vec_dot.hpp).
//
// Oracle: ik_llama.cpp ggml-quants.c ggml_vec_dot_q4_0_q8_0 .. _q8_0_q8_0 (and _q6_0_q8_0),
// _iq4_nl_q8_0,
// _iq4_xs_q8_K (their scalar tails give the formulas); the activation types are those of
// ik's CPU kernels (vec_dot.hpp). Layouts as in legacy.cpp.
//
// Per 32-block: (dw * da) * sumi, sumi = sum_j w_j * q_j in int32. dw * da is exact in float
// (two fp16 values: 11 + 11 significant bits). The affine types add m * s, where s is Q8_1's
// fp16 da * sum(q): sum_j (dw*w_j + m) * da*q_j = dw*da*sumi + m*s.
#include "types/quants/bit_packing.hpp"
#include "types/quants/tables.hpp"
#include "types/quants/vec_dot.hpp"
#include "types/quants/vec_dot_support.hpp"

namespace sy::quants {
namespace {

// Byte j of the 16 quant bytes holds element j (low nibble) and j+16 (high nibble).
inline void unpack_nibbles(const uint8_t (&qs)[16], int8_t offset, int8_t (&w)[32]) {
    for (int j = 0; j < 16; ++j) {
        w[j] = int8_t(nibble(qs[j], 0) - offset);
        w[j + 16] = int8_t(nibble(qs[j], 1) - offset);
    }
}

// Q5_0/Q5_1: the 5th bit of element j is bit j of the little-endian u32 qh.
inline void add_fifth_bits(const uint8_t (&qh)[4], int8_t (&w)[32]) {
    for (int j = 0; j < 32; ++j) w[j] = int8_t(w[j] + (((qh[j / 8] >> (j % 8)) & 1) << 4));
}

inline float scaled(uint16_t dw, float da, int32_t sumi) {
    return (fp16_to_fp32(dw) * da) * float(sumi);
}

}  // namespace

float vec_dot_q4_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ4_0, BlockQ8_0>(
        weight_row, act_row, n, [](const BlockQ4_0& x, const BlockQ8_0* y) {
            int8_t w[32];
            unpack_nibbles(x.qs, 8, w);
            return scaled(x.d, act_scale(*y), dot_i8(w, y->qs, 32));
        });
}

float vec_dot_q4_1_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ4_1, BlockQ8_1>(
        weight_row, act_row, n, [](const BlockQ4_1& x, const BlockQ8_1* y) {
            int8_t w[32];
            unpack_nibbles(x.qs, 0, w);
            return scaled(x.d, act_scale(*y), dot_i8(w, y->qs, 32)) +
                   fp16_to_fp32(x.m) * fp16_to_fp32(y->s);
        });
}

float vec_dot_q5_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ5_0, BlockQ8_0>(
        weight_row, act_row, n, [](const BlockQ5_0& x, const BlockQ8_0* y) {
            int8_t w[32];
            unpack_nibbles(x.qs, 0, w);
            add_fifth_bits(x.qh, w);
            for (int8_t& v : w) v = int8_t(v - 16);
            return scaled(x.d, act_scale(*y), dot_i8(w, y->qs, 32));
        });
}

float vec_dot_q5_1_q8_1(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ5_1, BlockQ8_1>(
        weight_row, act_row, n, [](const BlockQ5_1& x, const BlockQ8_1* y) {
            int8_t w[32];
            unpack_nibbles(x.qs, 0, w);
            add_fifth_bits(x.qh, w);
            return scaled(x.d, act_scale(*y), dot_i8(w, y->qs, 32)) +
                   fp16_to_fp32(x.m) * fp16_to_fp32(y->s);
        });
}

// Q6_0: low nibbles as Q5_0; the two high bits of elements j and j+16 (j < 16) are nibble j/8
// of qh[j%8] (bits 0-1: element j, bits 2-3: element j+16). Values q - 32.
float vec_dot_q6_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ6_0, BlockQ8_0>(
        weight_row, act_row, n, [](const BlockQ6_0& x, const BlockQ8_0* y) {
            int8_t w[32];
            for (int j = 0; j < 16; ++j) {
                const int high = nibble(x.qh[j % 8], j / 8);
                w[j] = int8_t((nibble(x.qs[j], 0) | (high & 3) << 4) - 32);
                w[j + 16] = int8_t((nibble(x.qs[j], 1) | (high >> 2) << 4) - 32);
            }
            return scaled(x.d, act_scale(*y), dot_i8(w, y->qs, 32));
        });
}

float vec_dot_q8_0_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockQ8_0, BlockQ8_0>(
        weight_row, act_row, n, [](const BlockQ8_0& x, const BlockQ8_0* y) {
            return scaled(x.d, act_scale(*y), dot_i8(x.qs, y->qs, 32));
        });
}

float vec_dot_iq4_nl_q8_0(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq4Nl, BlockQ8_0>(
        weight_row, act_row, n, [](const BlockIq4Nl& x, const BlockQ8_0* y) {
            int8_t w[32];
            for (int j = 0; j < 16; ++j) {  // kvalues_iq4nl = the first 16 kIq4kValues
                w[j] = kIq4kValues[size_t(nibble(x.qs[j], 0))];
                w[j + 16] = kIq4kValues[size_t(nibble(x.qs[j], 1))];
            }
            return scaled(x.d, act_scale(*y), dot_i8(w, y->qs, 32));
        });
}

// IQ4_XS: block b's scale is (nibble b%2 of scales_l[b/2] | bits 2b..2b+1 of scales_h << 4)
// - 32; values kvalues_iq4nl, nibble packing by 32-block. (d * da) * sum_b scale_b * sumi_b.
float vec_dot_iq4_xs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq4Xs, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq4Xs& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[8];
            for (int b = 0; b < 8; ++b) {
                const int low = nibble(x.scales_l[b / 2], b % 2);
                const int high = (x.scales_h >> (2 * b)) & 3;
                scales[b] = (low | high << 4) - 32;
            }
            for (int e = 0; e < 256; ++e) w[e] = kIq4kValues[size_t(nibble_by_32_block(x.qs, e))];
            return (fp16_to_fp32(x.d) * y->d) * float(scaled_group_dots(w, y->qs, scales, 8, 32));
        });
}

}  // namespace sy::quants
