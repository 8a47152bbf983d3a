// Grid ("codebook") types IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M: each group
// of 8 (IQ3: 4) elements is one entry of a fixed grid of magnitudes (tables.hpp), with
// separate sign bits (IQ2/IQ3) or a ±1/8 shift (IQ1). 256-element super-blocks of 8 blocks
// of 32.
//
// Oracle: ik_llama.cpp ggml-quants.c dequantize_row_iq2_xxs (:3674), _iq2_xs (:3702),
// _iq2_s (:3729), _iq3_xxs (:3761), _iq3_s (:3793), _iq1_s (:3836), _iq1_m (:3861).
// Float order, as there: block scale first (d * (0.5 + s)) * 0.25, then scale * magnitude,
// then the sign (an exact negation).
#include <bit>
#include <cstring>

#include "types/quants/dequantize.hpp"
#include "types/quants/row_walk.hpp"
#include "types/quants/tables.hpp"

namespace sy::quants {
namespace {

// IQ2_XXS/IQ2_XS/IQ3_XXS store 7 sign bits per group of 8; the 8th is implied so that
// the number of negative elements is even (ggml's ksigns_iq2xs table).
constexpr uint8_t signs_from_7_bits(uint32_t seven) {
    const uint8_t bits = uint8_t(seven & 127);
    const bool odd = (std::popcount(bits) & 1) != 0;
    return uint8_t(bits | (odd ? 0x80 : 0));
}

// Bit j of `signs` set means element j of the group is negative.
inline float with_sign(float magnitude, uint8_t signs, int j) {
    return ((signs >> j) & 1) ? -magnitude : magnitude;
}

inline uint32_t read_u32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Writes 8 elements db * grid[j] with signs.
inline void put_group8(float db, uint64_t grid, uint8_t signs, float* y) {
    for (int j = 0; j < 8; ++j) y[j] = with_sign(db * float(grid_byte(grid, j)), signs, j);
}

}  // namespace

// IQ2_XXS: per 32-block b, qs[8b..8b+7]: bytes 0-3 are the grid indices of its 4 groups;
// bytes 4-7 are a u32 with 7 sign bits per group (group l at bit 7l) and the 4-bit block
// scale in bits 28-31. Block scale d * (0.5 + s) * 0.25.
void dequantize_row_iq2_xxs(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq2Xxs>(row, out, n, [](const BlockIq2Xxs& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int ib = 0; ib < 8; ++ib) {
            const uint8_t* indices = b.qs + 8 * ib;
            const uint32_t signs_and_scale = read_u32(indices + 4);
            const float db = d * (0.5f + float(signs_and_scale >> 28)) * 0.25f;
            for (int l = 0; l < 4; ++l) {
                const uint8_t signs = signs_from_7_bits(signs_and_scale >> (7 * l));
                put_group8(db, kIq2xxsGrid[indices[l]], signs, y + 32 * ib + 8 * l);
            }
        }
    });
}

// IQ2_XS: one u16 per group of 8: a 9-bit grid index and 7 sign bits. Two 4-bit scales per
// block of 32 (lo nibble: groups 0-1, hi nibble: groups 2-3).
void dequantize_row_iq2_xs(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq2Xs>(row, out, n, [](const BlockIq2Xs& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int ib = 0; ib < 8; ++ib) {
            const float db[2] = {d * (0.5f + float(b.scales[ib] & 0xF)) * 0.25f,
                                 d * (0.5f + float(b.scales[ib] >> 4)) * 0.25f};
            for (int l = 0; l < 4; ++l) {
                const uint16_t code = b.qs[4 * ib + l];
                put_group8(db[l / 2], kIq2xsGrid[code & 511], signs_from_7_bits(code >> 9),
                           y + 32 * ib + 8 * l);
            }
        }
    });
}

// IQ2_S: 10-bit grid index = qs[4b+l] | bits 2l..2l+1 of qh[b] << 8; a full sign byte per
// group at qs[32 + 4b + l]; scales as IQ2_XS.
void dequantize_row_iq2_s(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq2S>(row, out, n, [](const BlockIq2S& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        const uint8_t* signs = b.qs + 32;
        for (int ib = 0; ib < 8; ++ib) {
            const float db[2] = {d * (0.5f + float(b.scales[ib] & 0xF)) * 0.25f,
                                 d * (0.5f + float(b.scales[ib] >> 4)) * 0.25f};
            for (int l = 0; l < 4; ++l) {
                const int index = b.qs[4 * ib + l] | ((b.qh[ib] >> (2 * l)) & 3) << 8;
                put_group8(db[l / 2], kIq2sGrid[index], signs[4 * ib + l], y + 32 * ib + 8 * l);
            }
        }
    });
}

// IQ3_XXS: qs[0..63] are grid indices (4 elements each, two per group of 8); qs[64 + 4b..]
// is block b's u32 of 7 sign bits per group and a 4-bit scale: d * (0.5 + s) * 0.5.
void dequantize_row_iq3_xxs(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq3Xxs>(row, out, n, [](const BlockIq3Xxs& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int ib = 0; ib < 8; ++ib) {
            const uint32_t signs_and_scale = read_u32(b.qs + 64 + 4 * ib);
            const float db = d * (0.5f + float(signs_and_scale >> 28)) * 0.5f;
            for (int l = 0; l < 4; ++l) {
                const uint8_t signs = signs_from_7_bits(signs_and_scale >> (7 * l));
                const uint32_t first = kIq3xxsGrid[b.qs[8 * ib + 2 * l]];
                const uint32_t second = kIq3xxsGrid[b.qs[8 * ib + 2 * l + 1]];
                const uint64_t group = first | uint64_t(second) << 32;
                put_group8(db, group, signs, y + 32 * ib + 8 * l);
            }
        }
    });
}

// IQ3_S: 9-bit grid indices qs[8b+i] | bit i of qh[b] << 8 (i < 8, 4 elements each); a sign
// byte per group of 8 at signs[4b+l]; block scale d * (1 + 2s), s = nibble b%2 of
// scales[b/2].
void dequantize_row_iq3_s(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq3S>(row, out, n, [](const BlockIq3S& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int ib = 0; ib < 8; ++ib) {
            const int s = (b.scales[ib / 2] >> (4 * (ib % 2))) & 0xF;
            const float db = d * float(1 + 2 * s);
            for (int l = 0; l < 4; ++l) {
                const int i0 = 2 * l, i1 = 2 * l + 1;
                const uint32_t first = kIq3sGrid[b.qs[8 * ib + i0] | ((b.qh[ib] >> i0) & 1) << 8];
                const uint32_t second = kIq3sGrid[b.qs[8 * ib + i1] | ((b.qh[ib] >> i1) & 1) << 8];
                const uint64_t group = first | uint64_t(second) << 32;
                put_group8(db, group, b.signs[4 * ib + l], y + 32 * ib + 8 * l);
            }
        }
    });
}

namespace {

constexpr float kIq1Delta = 0.125f;  // IQ1S_DELTA (= IQ1M_DELTA)

// 8 elements dl * (grid + delta), grid values -1, 0 or +1.
inline void put_iq1_group(float dl, int index, float delta, float* y) {
    const uint64_t grid = kIq1sGrid[size_t(index)];
    for (int j = 0; j < 8; ++j) y[j] = dl * (float(int8_t(grid_byte(grid, j))) + delta);
}

}  // namespace

// IQ1_S: per block b, qh[b] holds the grid index bits 8-10 of group l at bits 3l..3l+2, a
// 3-bit scale at bits 12-14 (dl = d * (2s+1)) and the sign of the delta at bit 15.
void dequantize_row_iq1_s(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq1S>(row, out, n, [](const BlockIq1S& b, float* y) {
        const float d = fp16_to_fp32(b.d);
        for (int ib = 0; ib < 8; ++ib) {
            const uint16_t h = b.qh[ib];
            const float dl = d * float(2 * ((h >> 12) & 7) + 1);
            const float delta = (h & 0x8000) ? -kIq1Delta : kIq1Delta;
            for (int l = 0; l < 4; ++l) {
                const int index = b.qs[4 * ib + l] | ((h >> (3 * l)) & 7) << 8;
                put_iq1_group(dl, index, delta, y + 32 * ib + 8 * l);
            }
        }
    });
}

// IQ1_M: the fp16 super-block scale is the top nibbles of the 4 u16 words of `scales`
// (word k gives bits 4k..4k+3). The rest of word b/2 holds two 3-bit scales per block b
// (at bit 6*(b%2): groups 0-1, and 6*(b%2)+3: groups 2-3). Group l of block b has its
// index bits 8-10 and delta sign (bit 3) in nibble l%2 of qh[2b + l/2].
void dequantize_row_iq1_m(const uint8_t* row, float* out, int64_t n) {
    for_each_block<BlockIq1M>(row, out, n, [](const BlockIq1M& b, float* y) {
        uint16_t sc[4];
        std::memcpy(sc, b.scales, sizeof sc);
        const uint16_t d_bits = uint16_t((sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) |
                                         ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000));
        const float d = fp16_to_fp32(d_bits);
        for (int ib = 0; ib < 8; ++ib) {
            const int shift = 6 * (ib % 2);
            const float dl[2] = {d * float(2 * ((sc[ib / 2] >> shift) & 7) + 1),
                                 d * float(2 * ((sc[ib / 2] >> (shift + 3)) & 7) + 1)};
            for (int l = 0; l < 4; ++l) {
                const int nibble = (b.qh[2 * ib + l / 2] >> (4 * (l % 2))) & 0xF;
                const int index = b.qs[4 * ib + l] | (nibble & 7) << 8;
                const float delta = (nibble & 8) ? -kIq1Delta : kIq1Delta;
                put_iq1_group(dl[l / 2], index, delta, y + 32 * ib + 8 * l);
            }
        }
    });
}

}  // namespace sy::quants
