// Dot products of the row-scaled types against Q8_K (vec_dot.hpp): IQ2_KS, IQ3_KS, IQ2_KL
// (fp16 row scale) and IQ4_KS, IQ4_KSS, IQ5_KS (f32 row scale). Each 32-element block has an
// integer scale, so per super-block (d_row * da) * sum_b scale_b * sum_j value_j * q_j.
// Layouts as in iq_ks.cpp.
//
// Oracle: ik_llama.cpp iqk_gemm_iqk_quants.cpp (the Q8_K kernels of these types).
#include "types/quants/bit_packing.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"
#include "types/quants/vec_dot.hpp"
#include "types/quants/vec_dot_support.hpp"

namespace sy::quants {
namespace {

struct Decoded {
    int8_t values[256];
    int scales[8];
};

// Fills decoded.values[32b .. 32b+31] from `table` at the indices index_of(e).
template <typename IndexOf>
inline void put_block(const int8_t* table, int b, Decoded& decoded, IndexOf&& index_of) {
    for (int e = 32 * b; e < 32 * b + 32; ++e) decoded.values[e] = table[index_of(e)];
}

// The scale byte of the f32-header types: odd multiplier (s & 254) - 127, bit 0 = shifted table.
inline int ks_multiplier(uint8_t s) { return int(s & 254) - 127; }
inline int ks_shifted(uint8_t s) { return s & 1; }

template <typename Block, typename Decode>
float dot_row_scaled(float d, const uint8_t* blocks, const uint8_t* act_row, int64_t n,
                     Decode&& decode) {
    return sum_block_dots<Block, BlockQ8_K>(
        blocks, act_row, n, [&](const Block& x, const BlockQ8_K* y) {
            Decoded decoded;
            decode(x, decoded);
            const int32_t isum = scaled_group_dots(decoded.values, y->qs, decoded.scales, 8, 32);
            return (d * y->d) * float(isum);
        });
}

}  // namespace

float vec_dot_iq2_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_row_scaled<BlockIq2Ks>(
        read_fp16_row_header(weight_row), weight_row + kFp16RowHeaderBytes, act_row, n,
        [](const BlockIq2Ks& x, Decoded& out) {
            for (int b = 0; b < 8; ++b) {
                out.scales[b] = (nibble(x.scales[b / 2], b % 2) | bit(x.extra, 8 + b) << 4) - 16;
                const int8_t* table = kIq2nlValues.data() + 4 * bit(x.extra, b);
                put_block(table, b, out, [&](int e) { return low_2_bits(x.qs, e); });
            }
        });
}

float vec_dot_iq3_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_row_scaled<BlockIq3Ks>(
        read_fp16_row_header(weight_row), weight_row + kFp16RowHeaderBytes, act_row, n,
        [](const BlockIq3Ks& x, Decoded& out) {
            for (int b = 0; b < 8; ++b) {
                out.scales[b] = (nibble(x.scales[b % 4], b / 4) | bit(x.extra, b) << 4) - 16;
                const int8_t* table = kIq3nlValues.data() + 8 * bit(x.extra, 8 + b);
                put_block(table, b, out, [&](int e) {
                    return low_2_bits(x.qs, e) | bit_per_block_of_32(x.qh, e) << 2;
                });
            }
        });
}

// IQ2_KL: pairs of values from kIq2klPairs; in 64-chunk i, byte p = qs[16i + j] holds the
// pair index of elements 64i + 2j, +1 (low nibble, bit 2i of qh[j] on top) and of
// 64i + 32 + 2j, +1 (high nibble, bit 2i+1 of qh[j]).
float vec_dot_iq2_kl_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_row_scaled<BlockIq2Kl>(
        read_fp16_row_header(weight_row), weight_row + kFp16RowHeaderBytes, act_row, n,
        [](const BlockIq2Kl& x, Decoded& out) {
            for (int b = 0; b < 8; ++b)
                out.scales[b] =
                    (nibble(x.scales_l[b % 4], b / 4) | ((x.scales_h >> (2 * b)) & 3) << 4) - 32;
            for (int i = 0; i < 4; ++i) {
                for (int j = 0; j < 16; ++j) {
                    for (int h = 0; h < 2; ++h) {
                        const int index =
                            nibble(x.qs[16 * i + j], h) | bit(x.qh[j], 2 * i + h) << 4;
                        const uint16_t pair = kIq2klPairs[size_t(index)];
                        int8_t* w = out.values + 64 * i + 32 * h + 2 * j;
                        w[0] = int8_t(pair & 0xFF);
                        w[1] = int8_t(pair >> 8);
                    }
                }
            }
        });
}

float vec_dot_iq4_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_row_scaled<BlockIq4Ks>(
        read_f32_row_header(weight_row), weight_row + kF32RowHeaderBytes, act_row, n,
        [](const BlockIq4Ks& x, Decoded& out) {
            for (int b = 0; b < 8; ++b) {
                out.scales[b] = ks_multiplier(x.scales[b]);
                const int8_t* table = kIq4kValues.data() + 16 * ks_shifted(x.scales[b]);
                put_block(table, b, out, [&](int e) { return nibble_by_32_block(x.qs, e); });
            }
        });
}

// IQ4_KSS: block b is 8 u16 words w[k]; bit 0 of w[k] is bit k of the block's scale byte, and
// (w & 0xFFFE) ^ ((w & 0xFFFE) >> 1), read as two little-endian bytes, are 4 of its nibbles.
float vec_dot_iq4_kss_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_row_scaled<BlockIq4Kss>(
        read_f32_row_header(weight_row), weight_row + kF32RowHeaderBytes, act_row, n,
        [](const BlockIq4Kss& x, Decoded& out) {
            for (int b = 0; b < 8; ++b) {
                uint8_t scale_byte = 0;
                uint8_t qs[16];
                for (int k = 0; k < 8; ++k) {
                    const uint16_t w = x.qs[8 * b + k];
                    scale_byte = uint8_t(scale_byte | (w & 1) << k);
                    const uint16_t v = uint16_t((w & 0xFFFE) ^ ((w & 0xFFFE) >> 1));
                    qs[2 * k] = uint8_t(v & 0xFF);
                    qs[2 * k + 1] = uint8_t(v >> 8);
                }
                out.scales[b] = ks_multiplier(scale_byte);
                const int8_t* table = kIq4kValues.data() + 16 * ks_shifted(scale_byte);
                for (int j = 0; j < 16; ++j) {
                    out.values[32 * b + j] = table[nibble(qs[j], 0)];
                    out.values[32 * b + j + 16] = table[nibble(qs[j], 1)];
                }
            }
        });
}

float vec_dot_iq5_ks_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return dot_row_scaled<BlockIq5Ks>(
        read_f32_row_header(weight_row), weight_row + kF32RowHeaderBytes, act_row, n,
        [](const BlockIq5Ks& x, Decoded& out) {
            for (int b = 0; b < 8; ++b) {
                out.scales[b] = ks_multiplier(x.scales[b]);
                const int8_t* table = kIq5nlValues.data() + 32 * ks_shifted(x.scales[b]);
                put_block(table, b, out, [&](int e) {
                    return nibble_by_64_chunk(x.qs, e) | bit_per_block_of_32(x.qh, e) << 4;
                });
            }
        });
}

}  // namespace sy::quants
