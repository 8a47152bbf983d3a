// Dot products of the grid types IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M against
// Q8_K (vec_dot.hpp). Layouts as in iq_grid.cpp.
//
// Oracle for the formulas: ik_llama.cpp ggml-quants.c ggml_vec_dot_iq2_xxs_q8_K ..
// ggml_vec_dot_iq1_m_q8_K (scalar paths). The block scales are affine in a small integer s,
// so they are kept integer: IQ2 (0.5 + s) * 0.25 = (2s + 1) / 8, IQ3_XXS (0.5 + s) * 0.5 =
// (2s + 1) / 4, IQ3_S 2s + 1, IQ1 2s + 1 with the delta +-1/8 folded in as
// (2s + 1) * (8 * sum(g*a) +- sum(a)) / 8. Per super-block: ((d * da) * float(isum)) * f,
// with f = 1/8, 1/4 or 1 (a power of two: exact).
#include <bit>
#include <cstring>

#include "types/quants/bit_packing.hpp"
#include "types/quants/tables.hpp"
#include "types/quants/vec_dot.hpp"
#include "types/quants/vec_dot_support.hpp"

namespace sy::quants {
namespace {

// 7 stored sign bits per group of 8; the 8th makes the count of negative elements even.
constexpr uint8_t eight_signs(uint32_t seven) {
    const uint8_t bits = uint8_t(seven & 127);
    return uint8_t(bits | ((std::popcount(bits) & 1) ? 0x80 : 0));
}

inline uint32_t read_u32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Writes the 8 signed grid values of one group: bit j of `signs` negates element j.
inline void put_signed_group(uint64_t grid, uint8_t signs, int8_t* w) {
    for (int j = 0; j < 8; ++j) {
        const int v = grid_byte(grid, j);
        w[j] = int8_t(((signs >> j) & 1) ? -v : v);
    }
}

inline uint64_t two_iq3_entries(uint32_t first, uint32_t second) {
    return first | uint64_t(second) << 32;
}

inline float finish(uint16_t d, const BlockQ8_K& y, int32_t isum, float factor) {
    return ((fp16_to_fp32(d) * y.d) * float(isum)) * factor;
}

}  // namespace

// IQ2_XXS: per block b, qs[8b..8b+3] are grid indices; the u32 at qs+8b+4 holds 7 sign bits
// per group and the scale in bits 28-31.
float vec_dot_iq2_xxs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq2Xxs, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq2Xxs& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[8];
            for (int b = 0; b < 8; ++b) {
                const uint32_t signs_and_scale = read_u32(x.qs + 8 * b + 4);
                scales[b] = 2 * int(signs_and_scale >> 28) + 1;
                for (int l = 0; l < 4; ++l)
                    put_signed_group(kIq2xxsGrid[x.qs[8 * b + l]],
                                     eight_signs(signs_and_scale >> (7 * l)), w + 32 * b + 8 * l);
            }
            return finish(x.d, *y, scaled_group_dots(w, y->qs, scales, 8, 32), 0.125f);
        });
}

// IQ2_XS: per group a u16 of 9-bit index and 7 sign bits; scale nibble h of scales[b] covers
// groups 2h, 2h+1 (16 elements).
float vec_dot_iq2_xs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq2Xs, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq2Xs& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[16];
            for (int g = 0; g < 32; ++g)
                put_signed_group(kIq2xsGrid[x.qs[g] & 511], eight_signs(x.qs[g] >> 9), w + 8 * g);
            for (int h = 0; h < 16; ++h) scales[h] = 2 * nibble(x.scales[h / 2], h % 2) + 1;
            return finish(x.d, *y, scaled_group_dots(w, y->qs, scales, 16, 16), 0.125f);
        });
}

// IQ2_S: 10-bit index qs[g] | bits 2(g%4).. of qh[g/4] << 8, a sign byte per group at
// qs[32 + g]; scales as IQ2_XS.
float vec_dot_iq2_s_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq2S, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq2S& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[16];
            for (int g = 0; g < 32; ++g) {
                const int index = x.qs[g] | ((x.qh[g / 4] >> (2 * (g % 4))) & 3) << 8;
                put_signed_group(kIq2sGrid[size_t(index)], x.qs[32 + g], w + 8 * g);
            }
            for (int h = 0; h < 16; ++h) scales[h] = 2 * nibble(x.scales[h / 2], h % 2) + 1;
            return finish(x.d, *y, scaled_group_dots(w, y->qs, scales, 16, 16), 0.125f);
        });
}

// IQ3_XXS: 64 grid indices of 4 elements, then per block a u32 of signs and scale (as IQ2_XXS).
float vec_dot_iq3_xxs_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq3Xxs, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq3Xxs& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[8];
            for (int b = 0; b < 8; ++b) {
                const uint32_t signs_and_scale = read_u32(x.qs + 64 + 4 * b);
                scales[b] = 2 * int(signs_and_scale >> 28) + 1;
                for (int l = 0; l < 4; ++l) {
                    const uint64_t grid = two_iq3_entries(kIq3xxsGrid[x.qs[8 * b + 2 * l]],
                                                          kIq3xxsGrid[x.qs[8 * b + 2 * l + 1]]);
                    put_signed_group(grid, eight_signs(signs_and_scale >> (7 * l)),
                                     w + 32 * b + 8 * l);
                }
            }
            return finish(x.d, *y, scaled_group_dots(w, y->qs, scales, 8, 32), 0.25f);
        });
}

// IQ3_S: 9-bit indices qs[8b+i] | bit i of qh[b] << 8, a sign byte per group; block scale
// 2s + 1 with s = nibble b%2 of scales[b/2].
float vec_dot_iq3_s_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq3S, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq3S& x, const BlockQ8_K* y) {
            int8_t w[256];
            int scales[8];
            for (int b = 0; b < 8; ++b) {
                scales[b] = 2 * ((x.scales[b / 2] >> (4 * (b % 2))) & 0xF) + 1;
                for (int l = 0; l < 4; ++l) {
                    const int i0 = 8 * b + 2 * l, i1 = i0 + 1;
                    const uint64_t grid =
                        two_iq3_entries(kIq3sGrid[x.qs[i0] | ((x.qh[b] >> (2 * l)) & 1) << 8],
                                        kIq3sGrid[x.qs[i1] | ((x.qh[b] >> (2 * l + 1)) & 1) << 8]);
                    put_signed_group(grid, x.signs[4 * b + l], w + 32 * b + 8 * l);
                }
            }
            return finish(x.d, *y, scaled_group_dots(w, y->qs, scales, 8, 32), 1.0f);
        });
}

namespace {

// The 8 values (-1, 0, +1) of IQ1 grid entry `index`.
inline void put_iq1_group(int index, int8_t* w) {
    const uint64_t grid = kIq1sGrid[size_t(index)];
    for (int j = 0; j < 8; ++j) w[j] = int8_t(grid_byte(grid, j));
}

// One IQ1 scale group: its scale times (8 * sum(g*a) + sum over its groups of 8 of
// delta_sign * sum(a)). `delta_signs[k]` is +1 or -1 for group k of 8.
inline int32_t iq1_group_sum(int scale, const int8_t* w, const int8_t* a, int groups_of_8,
                             const int* delta_signs) {
    int32_t sum = 8 * dot_i8(w, a, 8 * groups_of_8);
    for (int k = 0; k < groups_of_8; ++k) sum += delta_signs[k] * sum_i8(a + 8 * k, 8);
    return scale * sum;
}

}  // namespace

// IQ1_S: per block b, qh[b] holds index bits 8-10 of group l at bits 3l.., the scale s in bits
// 12-14 (2s + 1) and the delta sign in bit 15 (set: -1/8).
float vec_dot_iq1_s_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq1S, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq1S& x, const BlockQ8_K* y) {
            int32_t isum = 0;
            for (int b = 0; b < 8; ++b) {
                const uint16_t h = x.qh[b];
                int8_t w[32];
                for (int l = 0; l < 4; ++l)
                    put_iq1_group(x.qs[4 * b + l] | ((h >> (3 * l)) & 7) << 8, w + 8 * l);
                const int sign = (h & 0x8000) ? -1 : 1;
                const int signs[4] = {sign, sign, sign, sign};
                isum += iq1_group_sum(2 * ((h >> 12) & 7) + 1, w, y->qs + 32 * b, 4, signs);
            }
            return finish(x.d, *y, isum, 0.125f);
        });
}

// IQ1_M: the fp16 d is the top nibbles of the four u16 scale words; word b/2 holds two 3-bit
// scales of block b (groups 0-1 at bit 6(b%2), groups 2-3 three bits up). Group l of block b
// has index bits 8-10 and the delta sign (bit 3) in nibble l%2 of qh[2b + l/2].
float vec_dot_iq1_m_q8_k(const uint8_t* weight_row, const uint8_t* act_row, int64_t n) {
    return sum_block_dots<BlockIq1M, BlockQ8_K>(
        weight_row, act_row, n, [](const BlockIq1M& x, const BlockQ8_K* y) {
            uint16_t sc[4];
            std::memcpy(sc, x.scales, sizeof sc);
            const uint16_t d = uint16_t((sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) |
                                        ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000));
            int32_t isum = 0;
            for (int b = 0; b < 8; ++b) {
                int8_t w[32];
                int signs[4];
                for (int l = 0; l < 4; ++l) {
                    const int bits = (x.qh[2 * b + l / 2] >> (4 * (l % 2))) & 0xF;
                    put_iq1_group(x.qs[4 * b + l] | (bits & 7) << 8, w + 8 * l);
                    signs[l] = (bits & 8) ? -1 : 1;
                }
                for (int half = 0; half < 2; ++half) {
                    const int shift = 6 * (b % 2) + 3 * half;
                    const int scale = 2 * ((sc[b / 2] >> shift) & 7) + 1;
                    isum += iq1_group_sum(scale, w + 16 * half, y->qs + 32 * b + 16 * half, 2,
                                          signs + 2 * half);
                }
            }
            return finish(d, *y, isum, 0.125f);
        });
}

}  // namespace sy::quants
